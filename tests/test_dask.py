"""Fitting and predicting on Dask arrays (skrnn._dask) on a local two-process cluster.

The distributed results are checked against the in-memory code paths
(which the other test modules check against finite differences and
independent references) and against plain NumPy formulas.
"""

import subprocess
import sys

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")

import joblib  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold  # noqa: E402

from skrnn import NTKRNNKernelRegressor, ProjectedGDRNNRegressor  # noqa: E402
from skrnn._dask import (  # noqa: E402
    DistributedRisk,
    distributed_normal_equations,
    distributed_predict,
    is_dask_collection,
    primal_solver_for_dask,
    validate_dask_training_data,
    worker_thread_count,
)
from skrnn._gd import BallProjection, InMemoryRisk, gradient_descent  # noqa: E402
from skrnn._gram import _features  # noqa: E402
from skrnn._ntk_solvers import ridge_cholesky  # noqa: E402
from skrnn._validation import max_step_norm  # noqa: E402
from skrnn.kernels import ntk_draws  # noqa: E402
from skrnn.rnn import symmetric_initialization  # noqa: E402

TANH = 0  # activation code of the kernels (checked below against the registry)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=40,
    )
    with cluster, distributed.Client(cluster) as dask_client:
        yield dask_client


@pytest.fixture(scope="module")
def sequences():
    rng = np.random.default_rng(11)
    n, T, d = 53, 6, 3  # 53 = uneven chunks of 20, 20, 13
    X = rng.uniform(-0.5, 0.5, size=(n, T, d))
    Y = np.tanh(X.sum(axis=2)) + 0.1 * rng.standard_normal((n, T))
    return X, Y


class _Fitted:
    """Receives n_features_in_/_input_ndim from validate_dask_training_data."""


def test_tanh_code():
    from skrnn._activations import ACTIVATIONS

    assert ACTIVATIONS["tanh"].code == TANH


def test_skrnn_imports_without_dask():
    code = (
        "import sys, numpy, skrnn\n"
        "from skrnn._dask import is_dask_collection\n"
        "assert not is_dask_collection(numpy.zeros(3))\n"
        "assert 'dask' not in sys.modules and 'distributed' not in sys.modules, "
        "sorted(m for m in sys.modules if m.startswith(('dask', 'distributed')))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_is_dask_collection():
    X = np.zeros((4, 3))
    assert not is_dask_collection(X)
    assert not is_dask_collection([[1.0]])
    assert is_dask_collection(da.from_array(X, chunks=2))


def _initial_parameters(width, n_features, seed):
    w, U, c = symmetric_initialization(width, n_features, 0.5, seed)
    return w, np.ascontiguousarray(U.T), np.ascontiguousarray(c[: width // 2])


@pytest.mark.parametrize("sequence_output", [False, True])
def test_distributed_gradient_descent_equals_in_memory(client, sequences, sequence_output):
    X, Y_all = sequences
    Y = Y_all if sequence_output else Y_all[:, -1]
    width = 12
    w, UT, c_half = _initial_parameters(width, X.shape[2], seed=3)
    data = validate_dask_training_data(_Fitted(), da.from_array(X, chunks=20), Y)
    assert data.sequence_output == sequence_output
    assert data.X.chunks[0] == (20, 20, 13)
    projection = BallProjection(w, UT, 2.0 / np.sqrt(width), 2.0 / np.sqrt(width))
    options = dict(learning_rate=0.5, max_iter=15, iterate="last", projection=projection)

    Y_2d = np.ascontiguousarray(Y.reshape(X.shape[0], -1))
    expected = gradient_descent(w, UT, InMemoryRisk(X, Y_2d, c_half, TANH), **options)
    risk = DistributedRisk(data.X, data.Y, c_half, TANH)
    result = gradient_descent(w, UT, risk, **options)

    assert risk.n_calls == options["max_iter"] + 1
    # the loss must move, or the comparison would say little
    assert expected.loss_curve[-1] < 0.9 * expected.loss_curve[0]
    np.testing.assert_allclose(result.loss_curve, expected.loss_curve, rtol=1e-10, atol=0)
    np.testing.assert_allclose(result.w, expected.w, rtol=0, atol=1e-10)
    np.testing.assert_allclose(result.UT, expected.UT, rtol=0, atol=1e-10)


def test_distributed_risk_matches_numpy_formula(client, sequences):
    """The risk of one evaluation against a plain NumPy forward pass (eqs. 2-3)."""
    X, Y_all = sequences
    width = 8
    w, UT, c_half = _initial_parameters(width, X.shape[2], seed=5)
    w = w + 0.3 * np.random.default_rng(0).standard_normal(width)  # break the symmetry
    c = np.concatenate([c_half, -c_half])
    H = np.zeros((X.shape[0], width))
    for t in range(X.shape[1]):
        H = np.tanh(w * H + X[:, t] @ UT)
    outputs = H @ c / np.sqrt(width)
    expected = np.mean((outputs - Y_all[:, -1]) ** 2)

    data = validate_dask_training_data(_Fitted(), da.from_array(X, chunks=7), Y_all[:, -1])
    grad_w, grad_UT = np.empty(width), np.empty_like(UT)
    risk = DistributedRisk(data.X, data.Y, c_half, TANH)(w, UT, grad_w, grad_UT)
    assert risk == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("n_fitted_steps", [1, 6])
def test_distributed_normal_equations_equal_in_memory(client, sequences, n_fitted_steps):
    X, Y_all = sequences
    Y = np.ascontiguousarray(Y_all[:, -n_fitted_steps:])
    w0, U0 = ntk_draws(10, X.shape[2], random_state=2)
    UT0 = np.ascontiguousarray(U0.T)
    Xd = da.from_array(X, chunks=20)
    Yd = da.from_array(Y, chunks=(20, -1))
    gram, rhs = distributed_normal_equations(Xd, Yd, w0, UT0, TANH, n_fitted_steps)

    Phi = _features(X, w0, UT0, TANH, n_fitted_steps).reshape(-1, gram.shape[0])
    scale = np.abs(Phi.T @ Phi).max()
    np.testing.assert_allclose(gram, Phi.T @ Phi, rtol=0, atol=1e-10 * scale)
    np.testing.assert_allclose(rhs, Phi.T @ Y.ravel(), rtol=0, atol=1e-10 * np.abs(rhs).max())
    np.testing.assert_array_equal(gram, gram.T)

    weights = np.random.default_rng(1).uniform(0.0, 3.0, X.shape[0])
    weights[:5] = 0.0
    gram_w, rhs_w = distributed_normal_equations(
        Xd, Yd, w0, UT0, TANH, n_fitted_steps, sample_weight=da.from_array(weights, chunks=20)
    )
    row_weights = np.repeat(weights, n_fitted_steps)
    expected_gram = Phi.T @ (row_weights[:, np.newaxis] * Phi)
    np.testing.assert_allclose(gram_w, expected_gram, rtol=0, atol=1e-10 * scale)
    np.testing.assert_allclose(
        rhs_w, Phi.T @ (row_weights * Y.ravel()), rtol=0, atol=1e-10 * np.abs(rhs_w).max()
    )


@pytest.mark.parametrize("sequence_output", [False, True])
def test_distributed_primal_fit_equals_estimator(client, sequences, sequence_output):
    X, Y_all = sequences
    y = Y_all if sequence_output else Y_all[:, -1]
    params = dict(n_mc_samples=12, solver="primal", alpha=0.1, random_state=4)
    model = NTKRNNKernelRegressor(**params)
    if "normalize_y" in model.get_params():
        model.set_params(normalize_y=False)
    model.fit(X, y)

    data = validate_dask_training_data(_Fitted(), da.from_array(X, chunks=20), y)
    gram, rhs = distributed_normal_equations(
        data.X, data.Y, model.w0_, np.ascontiguousarray(model.U0_.T), TANH, data.Y.shape[1]
    )
    coef = ridge_cholesky(gram, rhs, 0.1)
    np.testing.assert_allclose(coef, model.coef_, rtol=0, atol=1e-10 * np.abs(model.coef_).max())


def test_dual_solver_refused_for_dask():
    with pytest.raises(ValueError, match='solver="primal"'):
        primal_solver_for_dask("dual")
    assert primal_solver_for_dask("auto") == "primal"
    assert primal_solver_for_dask("primal") == "primal"


def test_predictions_are_dask_arrays_with_the_sample_chunks(client, sequences):
    X, Y_all = sequences
    Xd = da.from_array(X, chunks=(20, 2, 3))  # time axis split: rechunked inside

    rnn = ProjectedGDRNNRegressor(width=8, max_iter=3, random_state=0).fit(X, Y_all[:, -1])
    pred = distributed_predict(rnn, Xd)
    assert isinstance(pred, da.Array)
    assert pred.chunks == ((20, 20, 13),)
    np.testing.assert_allclose(pred.compute(), rnn.predict(X), rtol=1e-12, atol=1e-14)

    # sequence-to-sequence on 2-D (univariate) input
    ntk = NTKRNNKernelRegressor(n_mc_samples=8, random_state=0).fit(X[:, :, 0], Y_all)
    pred = distributed_predict(ntk, da.from_array(X[:, :, 0], chunks=(25, 3)))
    assert pred.chunks == ((25, 25, 3), (6,))
    np.testing.assert_allclose(pred.compute(), ntk.predict(X[:, :, 0]), rtol=1e-12, atol=1e-14)

    with pytest.raises(ValueError, match="features"):
        distributed_predict(rnn, da.from_array(X[:, :, :2], chunks=20))
    with pytest.raises(ValueError, match="2-D"):
        distributed_predict(rnn, da.from_array(X[:, :, 0], chunks=20))


def test_kernels_in_tasks_use_the_worker_threads(client):
    def probe():
        import numba

        from skrnn._dask import _kernel_threads

        with _kernel_threads():
            return worker_thread_count(), numba.get_num_threads()

    assert worker_thread_count() is None  # the test process is no worker
    results = client.run(lambda: None)  # both workers are up
    assert len(results) == 2
    threads = client.gather([client.submit(probe, pure=False) for _ in range(4)])
    assert all(result == (1, 1) for result in threads), threads


def test_bad_dask_input(client, sequences):
    X, Y_all = sequences
    Xd = da.from_array(X, chunks=20)
    bad = X.copy()
    bad[30, 2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        validate_dask_training_data(_Fitted(), da.from_array(bad, chunks=20), Y_all[:, -1])
    with pytest.raises(ValueError, match="does not match"):
        validate_dask_training_data(_Fitted(), Xd, Y_all[:-1, -1])
    unknown = Xd[da.from_array(np.arange(X.shape[0]) % 2 == 0, chunks=20)]
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        validate_dask_training_data(_Fitted(), unknown, Y_all[::2, -1])
    with pytest.raises(ValueError, match="non-negative"):
        validate_dask_training_data(_Fitted(), Xd, Y_all[:, -1], sample_weight=-np.ones(X.shape[0]))
    data = validate_dask_training_data(_Fitted(), Xd, Y_all[:, -1])
    w, UT, c_half = _initial_parameters(4, X.shape[2], seed=0)
    with pytest.raises(ValueError, match="positive sum"):
        DistributedRisk(data.X, data.Y, c_half, TANH, sample_weight=np.zeros(X.shape[0]))


def test_max_step_norm_on_the_workers(client, sequences):
    X, Y_all = sequences
    fitted = _Fitted()
    data = validate_dask_training_data(fitted, da.from_array(2.0 * X, chunks=9), Y_all[:, -1])
    assert data.max_step_norm == max_step_norm(2.0 * X)
    assert (fitted.n_features_in_, fitted._input_ndim) == (3, 3)


def test_grid_search_through_the_dask_backend_matches_n_jobs_1(client, sequences):
    X, Y_all = sequences
    y = Y_all[:, -1]
    grid = {"learning_rate": [0.3, 1.0], "radius_w": [1.0, 5.0]}
    estimator = ProjectedGDRNNRegressor(width=8, max_iter=20, radius_u=5.0, random_state=0)
    folds = KFold(3, shuffle=True, random_state=0)
    local = GridSearchCV(estimator, grid, cv=folds, n_jobs=1).fit(X, y)

    # side channel: count the fits each worker process runs (joblib batches
    # several fits into one task, so the number of tasks varies)
    def install_fit_counter():
        from skrnn.rnn import ProjectedGDRNNRegressor as Estimator

        if "_test_original_fit" not in vars(Estimator):
            original = Estimator.fit

            def counting_fit(self, X, y, sample_weight=None):
                Estimator._test_fit_count += 1
                return original(self, X, y, sample_weight)

            Estimator._test_original_fit = original
            Estimator.fit = counting_fit
        Estimator._test_fit_count = 0

    def remove_fit_counter():
        from skrnn.rnn import ProjectedGDRNNRegressor as Estimator

        count = Estimator._test_fit_count
        Estimator.fit = Estimator._test_original_fit
        del Estimator._test_original_fit, Estimator._test_fit_count
        return count

    client.run(install_fit_counter)
    with joblib.parallel_backend("dask"):
        remote = GridSearchCV(estimator, grid, cv=folds, n_jobs=-1).fit(X, y)
    fits_per_worker = client.run(remove_fit_counter)
    assert sum(fits_per_worker.values()) == 4 * 3  # every fit of the search ran on the cluster
    scores = local.cv_results_["mean_test_score"]
    assert np.ptp(scores) > 0  # the grid matters, so equal scores mean something
    np.testing.assert_array_equal(remote.cv_results_["mean_test_score"], scores)
    np.testing.assert_array_equal(
        remote.cv_results_["split0_test_score"], local.cv_results_["split0_test_score"]
    )


def test_weighted_distributed_risk(client, sequences):
    """Integer weights act as repeated sequences; the in-memory weighted risk agrees."""
    X, Y_all = sequences
    y = Y_all[:, -1]
    weights = np.random.default_rng(2).integers(0, 4, X.shape[0]).astype(float)
    width = 8
    w, UT, c_half = _initial_parameters(width, X.shape[2], seed=1)
    w = w + 0.2 * np.random.default_rng(3).standard_normal(width)

    data = validate_dask_training_data(
        _Fitted(), da.from_array(X, chunks=20), y, sample_weight=weights
    )
    grad_w, grad_UT = np.empty(width), np.empty_like(UT)
    risk = DistributedRisk(data.X, data.Y, c_half, TANH, sample_weight=data.sample_weight)
    value = risk(w, UT, grad_w, grad_UT)

    repeats = np.repeat(np.arange(X.shape[0]), weights.astype(int))
    X_rep, Y_rep = np.ascontiguousarray(X[repeats]), np.ascontiguousarray(y[repeats, None])
    grad_w_rep, grad_UT_rep = np.empty(width), np.empty_like(UT)
    expected = InMemoryRisk(X_rep, Y_rep, c_half, TANH)(w, UT, grad_w_rep, grad_UT_rep)
    assert value == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(grad_w, grad_w_rep, rtol=0, atol=1e-13)
    np.testing.assert_allclose(grad_UT, grad_UT_rep, rtol=0, atol=1e-13)


def test_target_moments_and_curvature_sample(client, sequences):
    from skrnn._dask import curvature_sample, distributed_target_moments

    X, Y_all = sequences
    weights = np.random.default_rng(4).uniform(0.0, 2.0, X.shape[0])
    Yd = da.from_array(Y_all, chunks=(20, -1))
    mean, spread = distributed_target_moments(Yd)
    assert mean == pytest.approx(Y_all.mean(), rel=1e-13)
    assert spread == pytest.approx(Y_all.std(), rel=1e-13)
    mean, spread = distributed_target_moments(Yd, da.from_array(weights, chunks=20))
    grid = np.broadcast_to(weights[:, None], Y_all.shape)
    expected_mean = np.average(Y_all, weights=grid)
    assert mean == pytest.approx(expected_mean, rel=1e-13)
    expected_spread = np.sqrt(np.average((Y_all - expected_mean) ** 2, weights=grid))
    assert spread == pytest.approx(expected_spread, rel=1e-13)

    Xd, Wd = da.from_array(X, chunks=20), da.from_array(weights, chunks=20)
    X_sample, Y_sample, W_sample = curvature_sample(Xd, Yd, Wd, max_sequences=10)
    np.testing.assert_array_equal(X_sample, X[::6])  # ceil(53 / 10) = 6
    np.testing.assert_array_equal(Y_sample, Y_all[::6])
    np.testing.assert_array_equal(W_sample, weights[::6])
    assert X_sample.shape[0] <= 10 and X_sample.flags.c_contiguous
    # small data is taken whole: the auto step of a Dask fit is the in-memory one
    X_sample, Y_sample, W_sample = curvature_sample(Xd, Yd)
    np.testing.assert_array_equal(X_sample, X)
    np.testing.assert_array_equal(Y_sample, Y_all)
    assert W_sample is None


# ------------------------------------------------------- the estimators' API


def _assert_same_rnn_fit(dask_model, memory_model):
    np.testing.assert_allclose(dask_model.w_, memory_model.w_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(dask_model.U_, memory_model.U_, rtol=0, atol=1e-10)
    assert dask_model.loss_curve_.shape == memory_model.loss_curve_.shape
    np.testing.assert_allclose(
        dask_model.loss_curve_, memory_model.loss_curve_, rtol=1e-10, atol=1e-14
    )
    assert dask_model.learning_rate_ == memory_model.learning_rate_
    np.testing.assert_array_equal(dask_model.step_halvings_, memory_model.step_halvings_)
    assert (dask_model.y_mean_, dask_model.y_scale_) == pytest.approx(
        (memory_model.y_mean_, memory_model.y_scale_), rel=1e-13
    )
    # the bound with the input norm measured on the workers
    assert dask_model.bound_details_.keys() == memory_model.bound_details_.keys()
    for key, expected in memory_model.bound_details_.items():
        value = dask_model.bound_details_[key]
        if isinstance(expected, float):
            assert value == pytest.approx(expected, rel=1e-12, nan_ok=True), key
        else:
            assert value == expected, key


@pytest.mark.parametrize("learning_rate", [0.5, "auto"])
@pytest.mark.parametrize("sequence_output", [False, True])
def test_rnn_estimator_fit_on_dask_equals_in_memory(
    client, sequences, learning_rate, sequence_output
):
    X, Y_all = sequences
    y = Y_all if sequence_output else Y_all[:, -1]
    params = dict(width=12, max_iter=25, learning_rate=learning_rate, random_state=3)
    memory_model = ProjectedGDRNNRegressor(**params).fit(X, y)
    dask_model = ProjectedGDRNNRegressor(**params).fit(da.from_array(X, chunks=20), y)

    assert memory_model.loss_curve_[-1] < 0.9 * memory_model.loss_curve_[0]  # it learns
    if learning_rate == "auto":
        assert memory_model.learning_rate_ != 1.0  # a curvature step, not the zero fallback
    _assert_same_rnn_fit(dask_model, memory_model)
    assert dask_model.n_features_in_ == 3 and dask_model._sequence_output == sequence_output


def test_rnn_estimator_weights_and_warm_start_on_dask(client, sequences):
    X, Y_all = sequences
    y = Y_all[:, -1]
    weights = np.random.default_rng(5).uniform(0.0, 2.0, X.shape[0])
    Xd, Wd = da.from_array(X, chunks=20), da.from_array(weights, chunks=20)
    params = dict(width=10, max_iter=15, random_state=1)
    memory_model = ProjectedGDRNNRegressor(**params).fit(X, y, sample_weight=weights)
    dask_model = ProjectedGDRNNRegressor(**params).fit(Xd, y, sample_weight=Wd)
    _assert_same_rnn_fit(dask_model, memory_model)
    # the weights matter, so the equality above says something about them
    unweighted = ProjectedGDRNNRegressor(**params).fit(X, y)
    assert np.abs(unweighted.w_ - memory_model.w_).max() > 1e-6

    # warm start: two fits of 8 steps each, from the same place in both paths
    params = dict(width=10, max_iter=8, learning_rate=0.5, iterate="last", random_state=2)
    memory_model = ProjectedGDRNNRegressor(warm_start=True, **params)
    dask_model = ProjectedGDRNNRegressor(warm_start=True, **params)
    for _ in range(2):
        memory_model.fit(X, Y_all)
        dask_model.fit(da.from_array(X, chunks=20), da.from_array(Y_all, chunks=(20, -1)))
    assert dask_model.n_iter_ == 16 and dask_model.loss_curve_.shape == (17,)
    _assert_same_rnn_fit(dask_model, memory_model)
    long_fit = ProjectedGDRNNRegressor(**{**params, "max_iter": 16}).fit(X, Y_all)
    np.testing.assert_allclose(dask_model.w_, long_fit.w_, rtol=0, atol=1e-10)


def test_rnn_early_stopping_refused_for_dask(client, sequences):
    X, Y_all = sequences
    model = ProjectedGDRNNRegressor(width=4, max_iter=2, early_stopping=True)
    with pytest.raises(ValueError, match="early_stopping=True is not supported for Dask"):
        model.fit(da.from_array(X, chunks=20), Y_all[:, -1])


@pytest.mark.parametrize("alpha", [0.1, "auto"])
@pytest.mark.parametrize("sequence_output", [False, True])
def test_ntk_estimator_fit_on_dask_equals_in_memory(client, sequences, alpha, sequence_output):
    X, Y_all = sequences
    y = Y_all if sequence_output else Y_all[:, -1]
    params = dict(n_mc_samples=12, solver="primal", alpha=alpha, random_state=4)
    memory_model = NTKRNNKernelRegressor(**params).fit(X, y)
    dask_model = NTKRNNKernelRegressor(solver="auto", **params_without(params, "solver"))
    dask_model.fit(da.from_array(X, chunks=20), da.from_array(y, chunks=20))

    assert dask_model.solver_ == "primal"
    scale = np.abs(memory_model.coef_).max()
    np.testing.assert_allclose(dask_model.coef_, memory_model.coef_, rtol=0, atol=1e-10 * scale)
    assert dask_model.alpha_ == pytest.approx(memory_model.alpha_, rel=1e-12)
    if alpha == "auto":
        # GCV: the explicit residual outside the span, summed on the workers
        np.testing.assert_allclose(dask_model.alphas_, memory_model.alphas_, rtol=1e-12)
        np.testing.assert_allclose(dask_model.gcv_scores_, memory_model.gcv_scores_, rtol=1e-8)
        assert np.ptp(np.log(memory_model.gcv_scores_)) > 0.1  # the score varies over the grid
    assert dask_model.theoretical_bound_ == pytest.approx(memory_model.theoretical_bound_)


def params_without(params, name):
    return {key: value for key, value in params.items() if key != name}


def test_ntk_weights_and_linearized_gd_on_dask(client, sequences):
    X, Y_all = sequences
    weights = np.random.default_rng(6).uniform(0.0, 2.0, X.shape[0])
    Xd, Wd = da.from_array(X, chunks=20), da.from_array(weights, chunks=20)
    for extra in ({"alpha": "auto"}, {"gd_steps": 40}):
        params = dict(n_mc_samples=10, random_state=7, **extra)
        memory_model = NTKRNNKernelRegressor(solver="primal", **params)
        memory_model.fit(X, Y_all, sample_weight=weights)
        dask_model = NTKRNNKernelRegressor(**params).fit(Xd, Y_all, sample_weight=Wd)
        scale = np.abs(memory_model.coef_).max()
        np.testing.assert_allclose(dask_model.coef_, memory_model.coef_, atol=1e-10 * scale)
        unweighted = NTKRNNKernelRegressor(solver="primal", **params).fit(X, Y_all)
        assert np.abs(unweighted.coef_ - memory_model.coef_).max() > 1e-6 * scale


def test_ntk_dual_solver_refused_by_the_estimator(client, sequences):
    X, Y_all = sequences
    model = NTKRNNKernelRegressor(n_mc_samples=4, solver="dual")
    with pytest.raises(ValueError, match='solver="primal"'):
        model.fit(da.from_array(X, chunks=20), Y_all[:, -1])


def test_estimator_predict_returns_dask_arrays(client, sequences):
    X, Y_all = sequences
    Xd = da.from_array(X, chunks=(15, 6, 3))
    for model, y in (
        (ProjectedGDRNNRegressor(width=8, max_iter=5, random_state=0), Y_all[:, -1]),
        (ProjectedGDRNNRegressor(width=8, max_iter=5, random_state=0), Y_all),
        (NTKRNNKernelRegressor(n_mc_samples=8, random_state=0), Y_all[:, -1]),
        (NTKRNNKernelRegressor(n_mc_samples=8, random_state=0), Y_all),
    ):
        model.fit(Xd, y)
        pred = model.predict(Xd)
        assert isinstance(pred, da.Array)
        assert pred.chunks == (((15, 15, 15, 8),) + (((6,),) if y.ndim == 2 else ()))
        in_memory = model.predict(X)
        assert isinstance(in_memory, np.ndarray) and in_memory.shape == y.shape
        np.testing.assert_allclose(pred.compute(), in_memory, rtol=1e-12, atol=1e-14)

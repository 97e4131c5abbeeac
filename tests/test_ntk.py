"""NTKRNNKernelRegressor: solvers, linearized gradient descent, kernel regime, API."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import _ntk_fit
from skrnn import ntk as ntk_module
from skrnn.kernels import rnn_ntk, rnn_ntk_cross_time, rnn_ntk_features
from skrnn.ntk import NTKRNNKernelRegressor, clear_feature_cache
from skrnn.theory import ntk_bound


def make_problem(seed=0, n=24, T=6, d=2):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, T, d))
    X /= np.maximum(1.0, np.linalg.norm(X, axis=2, keepdims=True))
    y = np.sin(2 * X[:, -1, 0]) + 0.5 * X[:, -2, -1]
    Y = np.tanh(np.cumsum(X[:, :, 0], axis=1))
    return X, y, Y


# --------------------------------------------------------------------------
# ridge: both solvers against a dense solve
# --------------------------------------------------------------------------


@pytest.mark.parametrize("sequence", [False, True])
@pytest.mark.parametrize("solver", ["dual", "primal"])
def test_ridge_equals_dense_solve(sequence, solver):
    X, y, Y = make_problem()
    target = Y if sequence else y
    Xtest = make_problem(seed=1, n=5)[0]
    model = NTKRNNKernelRegressor(
        n_mc_samples=16, alpha=1e-2, solver=solver, normalize_y=False, random_state=0
    )
    model.fit(X, target)
    assert model.solver_ == solver
    # dual, written with the public kernels: KernelRidge on (sample, step) pairs
    S = X.shape[1] if sequence else 1
    G = rnn_ntk_cross_time(X, w0=model.w0_, U0=model.U0_)[:, -S:, :, -S:].reshape(24 * S, 24 * S)
    dual_coef = np.linalg.solve(G + 1e-2 * np.eye(24 * S), target.reshape(-1))
    Gtest = rnn_ntk_cross_time(Xtest, X, w0=model.w0_, U0=model.U0_)[:, -S:, :, -S:]
    expected = Gtest.reshape(5 * S, 24 * S) @ dual_coef
    np.testing.assert_allclose(model.predict(Xtest).reshape(-1), expected, rtol=1e-9, atol=1e-10)
    # primal, with the explicit features
    P = rnn_ntk_features(X, w0=model.w0_, U0=model.U0_, n_last_steps=S).reshape(24 * S, -1)
    beta = np.linalg.solve(P.T @ P + 1e-2 * np.eye(P.shape[1]), P.T @ target.reshape(-1))
    np.testing.assert_allclose(model.coef_, beta, rtol=1e-8, atol=1e-10)
    assert model.predict(Xtest).shape == ((5, X.shape[1]) if sequence else (5,))


@pytest.mark.parametrize("sequence", [False, True])
@pytest.mark.parametrize("alpha", [1e-6, 1e-2, 0.0])
def test_primal_and_dual_agree(sequence, alpha):
    X, y, Y = make_problem(n=20)
    target = Y if sequence else y
    fits = {
        solver: NTKRNNKernelRegressor(
            n_mc_samples=16, alpha=alpha, solver=solver, random_state=3
        ).fit(X, target)
        for solver in ("dual", "primal")
    }
    np.testing.assert_allclose(
        fits["dual"].predict(X), fits["primal"].predict(X), rtol=0, atol=1e-8
    )
    if alpha == 0 and not sequence:  # N = 20 < p = 48: the min-norm interpolant
        np.testing.assert_allclose(fits["dual"].predict(X), y, atol=1e-8)


def test_auto_solver_picks_the_smaller_system():
    X, y, Y = make_problem(n=20)  # p = 16 * 3 = 48
    assert NTKRNNKernelRegressor(n_mc_samples=16, random_state=0).fit(X, y).solver_ == "dual"
    assert NTKRNNKernelRegressor(n_mc_samples=16, random_state=0).fit(X, Y).solver_ == "primal"


# --------------------------------------------------------------------------
# linearized gradient descent
# --------------------------------------------------------------------------


@pytest.mark.parametrize("sequence", [False, True])
@pytest.mark.parametrize("solver", ["dual", "primal"])
def test_linearized_gd_closed_form_equals_iteration(sequence, solver):
    X, y, Y = make_problem(n=12)
    target = Y if sequence else y
    n_steps, eta = 25, 0.7
    model = NTKRNNKernelRegressor(
        n_mc_samples=16,
        solver=solver,
        gd_steps=n_steps,
        gd_learning_rate=eta,
        normalize_y=False,
        random_state=0,
    ).fit(X, target)
    assert model.gd_learning_rate_ == eta
    S = X.shape[1] if sequence else 1
    P = rnn_ntk_features(X, w0=model.w0_, U0=model.U0_, n_last_steps=S).reshape(12 * S, -1)
    beta = np.zeros(P.shape[1])
    for _ in range(n_steps):  # steps on R/2, R = (1/n) sum_j sum_t (f - y)^2
        beta -= eta / 12 * P.T @ (P @ beta - target.reshape(-1))
    np.testing.assert_allclose(model.coef_, beta, rtol=1e-8, atol=1e-11)
    # fitted values are (I - (I - eta K / n)^s) y
    K = P @ P.T
    identity = np.eye(12 * S)
    decay = np.linalg.matrix_power(identity - eta * K / 12, n_steps)
    fitted = (identity - decay) @ target.reshape(-1)
    np.testing.assert_allclose(model.predict(X).reshape(-1), fitted, atol=1e-9)


def test_linearized_gd_limits_and_learning_rate():
    X, y, _ = make_problem(n=12)
    zero = NTKRNNKernelRegressor(
        n_mc_samples=16, gd_steps=0, normalize_y=False, random_state=0
    ).fit(X, y)
    np.testing.assert_array_equal(zero.predict(X), 0.0)
    theory = NTKRNNKernelRegressor(
        n_mc_samples=16, gd_steps=100, gd_learning_rate="theory", random_state=0
    ).fit(X, y)
    assert theory.gd_learning_rate_ == pytest.approx(1 / (6 * 10))
    # many steps: the minimum-norm interpolant (N = 12 < p = 48)
    many = NTKRNNKernelRegressor(
        n_mc_samples=16, gd_steps=10**9, gd_learning_rate=1.0, random_state=0
    )
    ridge0 = NTKRNNKernelRegressor(n_mc_samples=16, alpha=0.0, random_state=0)
    np.testing.assert_allclose(many.fit(X, y).predict(X), ridge0.fit(X, y).predict(X), atol=1e-6)
    with pytest.warns(ConvergenceWarning, match="diverges"):
        NTKRNNKernelRegressor(
            n_mc_samples=16, gd_steps=5, gd_learning_rate=1e4, random_state=0
        ).fit(X, y)


@pytest.mark.parametrize("sequence", [False, True])
def test_wide_rnn_gradient_descent_approaches_linearized_gd(sequence):
    """Kernel regime: GD on the RNN tracks linearized GD on the NTK as the width grows."""
    from skrnn import ProjectedGDRNNRegressor

    X, y, Y = make_problem(n=24, T=5)
    Xtrain, Xtest = X[:16], X[16:]
    target = (Y if sequence else y)[:16]
    n_steps, eta = 100, 1.0
    limit = NTKRNNKernelRegressor(
        n_mc_samples=2**14, gd_steps=n_steps, gd_learning_rate=eta, random_state=0
    ).fit(Xtrain, target)
    reference = limit.predict(Xtest)
    distances = []
    for width in (64, 512, 4096):
        per_seed = []
        for seed in range(3):
            rnn = ProjectedGDRNNRegressor(
                width=width,
                radius_w=None,
                radius_u=None,
                learning_rate=eta,
                max_iter=n_steps,
                iterate="last",
                random_state=seed,
            ).fit(Xtrain, target)
            per_seed.append(np.sqrt(np.mean((rnn.predict(Xtest) - reference) ** 2)))
        distances.append(np.mean(per_seed))
    assert distances[1] < 0.8 * distances[0] and distances[2] < 0.8 * distances[1], distances
    scale = np.sqrt(np.mean(reference**2))
    assert distances[2] < 0.1 * scale, (distances, scale)


# --------------------------------------------------------------------------
# estimator behaviour
# --------------------------------------------------------------------------


def test_fitted_attributes_bound_and_kernel_method():
    X, y, _ = make_problem()
    model = NTKRNNKernelRegressor(n_mc_samples=32, random_state=0).fit(X, y)
    assert model.w0_.shape == (32,) and model.U0_.shape == (32, 2)
    np.testing.assert_array_equal(model.w0_, 0.5 * np.repeat([1.0, -1.0], 16))
    assert model.coef_.shape == (96,)
    assert model.n_features_in_ == 2
    bound, details = ntk_bound(
        activation="tanh",
        recurrent_scale=0.5,
        n_mc_samples=32,
        nu_w=1.0,
        nu_u=1.0,
        n_timesteps=6,
        n_samples=24,
        delta=0.05,
        max_input_norm=1.0,
    )
    assert np.isfinite(model.theoretical_bound_)
    assert model.theoretical_bound_ == pytest.approx(bound)
    assert model.memory_regime_ == "short" == details["regime"]
    K = model.kernel(X[:4], X[4:7])
    assert K.shape == (6, 4, 3)
    np.testing.assert_allclose(K, rnn_ntk(X[:4], X[4:7], w0=model.w0_, U0=model.U0_))
    np.testing.assert_allclose(model.kernel(X[:4]), rnn_ntk(X[:4], w0=model.w0_, U0=model.U0_))
    with pytest.raises(ValueError, match="same number of time steps"):
        model.kernel(X[:4], X[:3, :5])
    with pytest.warns(UserWarning):
        big = NTKRNNKernelRegressor(n_mc_samples=8, random_state=0).fit(3 * X, y)
    assert np.isnan(big.theoretical_bound_)


def test_predict_layouts_and_other_lengths():
    X, y, Y = make_problem()
    longer = make_problem(seed=2, n=4, T=9)[0]
    one = NTKRNNKernelRegressor(n_mc_samples=16, random_state=0).fit(X, y)
    seq = NTKRNNKernelRegressor(n_mc_samples=16, random_state=0).fit(X, Y)
    assert one.predict(longer).shape == (4,)
    assert seq.predict(longer).shape == (4, 9)
    # outputs are causal: a prefix predicts the same first steps
    np.testing.assert_allclose(seq.predict(longer)[:, :6], seq.predict(longer[:, :6]), atol=1e-12)
    # 2-D input: univariate sequences of a fixed length
    X2 = X[:, :, 0]
    uni = NTKRNNKernelRegressor(n_mc_samples=16, random_state=0).fit(X2, Y)
    assert uni.n_features_in_ == 6 and uni.U0_.shape == (16, 1)
    assert uni.predict(X2).shape == (24, 6)
    with pytest.raises(ValueError, match="features"):
        uni.predict(X2[:, :5])
    with pytest.raises(ValueError, match="2-D"):
        uni.predict(X)


def test_reproducible_clone_pickle():
    X, y, Y = make_problem()
    a = NTKRNNKernelRegressor(n_mc_samples=16, random_state=7).fit(X, Y)
    b = NTKRNNKernelRegressor(n_mc_samples=16, random_state=7).fit(X, Y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    c = NTKRNNKernelRegressor(n_mc_samples=16, random_state=8).fit(X, Y)
    assert not np.allclose(a.predict(X), c.predict(X))
    rs = np.random.RandomState(0)
    d = NTKRNNKernelRegressor(n_mc_samples=16, random_state=rs).fit(X, Y)
    assert np.isfinite(d.predict(X)).all()
    restored = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(restored.predict(X), a.predict(X))
    cloned = clone(a)
    assert not hasattr(cloned, "coef_")
    assert cloned.get_params() == a.get_params()
    with pytest.raises(NotFittedError):
        cloned.predict(X)


@pytest.mark.parametrize("sampling", ["qmc", "mc"])
def test_sampling_options_fit(sampling):
    X, y, _ = make_problem()
    model = NTKRNNKernelRegressor(n_mc_samples=64, alpha=1e-3, sampling=sampling, random_state=0)
    model.fit(X, y)
    assert model.score(X, y) > 0.9


def test_pipeline_and_grid_search_over_alpha():
    X, y, _ = make_problem(n=40)
    X2 = X[:, :, 0]  # 2-D: a standard scaler can sit in front
    pipe = make_pipeline(StandardScaler(), NTKRNNKernelRegressor(n_mc_samples=16, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # scaled inputs exceed the bound's norm
        assert pipe.fit(X2, y).predict(X2).shape == (40,)
        grid = {"alpha": [1e-4, 1e-2, 1.0]}
        cv = KFold(3, shuffle=True, random_state=0)
        model = NTKRNNKernelRegressor(n_mc_samples=16, random_state=0)
        parallel = GridSearchCV(model, grid, cv=cv, n_jobs=2).fit(X, y)
        serial = GridSearchCV(model, grid, cv=cv, n_jobs=1).fit(X, y)
    assert parallel.best_params_["alpha"] in grid["alpha"]
    np.testing.assert_allclose(
        parallel.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"], rtol=1e-10
    )


def test_alpha_changes_reuse_cached_features(monkeypatch):
    X, y, Y = make_problem()
    calls = []
    original = _ntk_fit._features  # the feature kernel the fit and predict steps call

    def counting(*args):
        calls.append(args[0].shape)
        return original(*args)

    monkeypatch.setattr(_ntk_fit, "_features", counting)
    clear_feature_cache()
    first = NTKRNNKernelRegressor(n_mc_samples=16, alpha=1e-3, random_state=0).fit(X, Y)
    first.predict(X[:5])
    n_first = len(calls)
    assert n_first == 2
    second = NTKRNNKernelRegressor(n_mc_samples=16, alpha=1e-1, random_state=0).fit(X, Y)
    second.predict(X[:5])
    assert len(calls) == n_first  # training and test features came from the cache
    # the cached result is the computed one
    monkeypatch.setattr(ntk_module, "FEATURE_CACHE_BYTES", 0)
    clear_feature_cache()
    fresh = NTKRNNKernelRegressor(n_mc_samples=16, alpha=1e-1, random_state=0).fit(X, Y)
    assert len(calls) == n_first + 1
    np.testing.assert_array_equal(fresh.predict(X[:5]), second.predict(X[:5]))
    # another seed, other draws: no reuse
    monkeypatch.setattr(ntk_module, "FEATURE_CACHE_BYTES", 2**24)
    before = len(calls)
    NTKRNNKernelRegressor(n_mc_samples=16, random_state=1).fit(X, Y)
    assert len(calls) == before + 1


def test_memory_limit_refuses_with_advice():
    X, _, Y = make_problem(n=30)  # seq2seq: N = 180 pairs; p = 64 * 3 = 192
    small = dict(n_mc_samples=64, random_state=0)
    with pytest.raises(ValueError, match="n_mc_samples=.*fits"):
        NTKRNNKernelRegressor(max_memory_bytes=200_000, **small).fit(X, Y)
    # features 276 KB; dual needs 2 * 180^2 * 8 = 518 KB more, primal 590 KB more
    limit = 8 * (180 * 192 + 2 * 180**2) + 1000
    with pytest.raises(ValueError, match="solver='dual' needs"):
        NTKRNNKernelRegressor(solver="primal", max_memory_bytes=limit, **small).fit(X, Y)
    auto = NTKRNNKernelRegressor(max_memory_bytes=limit, **small).fit(X, Y)
    assert auto.solver_ == "dual"


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"alpha": -1.0}, ValueError, "alpha"),
        ({"activation": "relu"}, ValueError, "activation"),
        ({"solver": "cholesky"}, ValueError, "solver"),
        ({"sampling": "sobol"}, ValueError, "sampling"),
        ({"n_mc_samples": 15}, ValueError, "even"),
        ({"n_mc_samples": 1}, ValueError, "n_mc_samples"),
        ({"gd_steps": -1}, ValueError, "gd_steps"),
        ({"gd_learning_rate": 0.0}, ValueError, "gd_learning_rate"),
        ({"delta": 1.5}, ValueError, "delta"),
        ({"alpha": "big"}, TypeError, "alpha"),
    ],
)
def test_bad_parameters(params, error, match):
    X, y, _ = make_problem(n=6)
    with pytest.raises(error, match=match):
        NTKRNNKernelRegressor(**params).fit(X, y)


def test_bad_inputs():
    X, y, Y = make_problem(n=6)
    model = NTKRNNKernelRegressor(n_mc_samples=8)
    bad = X.copy()
    bad[1, 2, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        model.fit(bad, y)
    with pytest.raises(ValueError, match="Expected a 3-D"):
        model.fit(X[None], y)
    with pytest.raises(ValueError, match="columns"):
        model.fit(X, Y[:, :4])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        model.fit(X, y[:5])
    fitted = NTKRNNKernelRegressor(n_mc_samples=8).fit(X, y)
    with pytest.raises(ValueError, match="features per step"):
        fitted.predict(X[:, :, :1])
    with pytest.raises(ValueError, match="NaN"):
        fitted.predict(bad)


# --------------------------------------------------------------------------
# issue 7 regressions
# --------------------------------------------------------------------------


def test_unstable_linearized_gd_step_is_clipped_never_nan():
    """gd_learning_rate=1e6 used to fit NaN coefficients (issue 7, item 6)."""
    X, y, _ = make_problem(n=12)
    model = NTKRNNKernelRegressor(
        n_mc_samples=8, gd_steps=100, gd_learning_rate=1e6, normalize_y=False, random_state=0
    )
    with pytest.warns(ConvergenceWarning, match=r"2 n / lambda_max = "):
        model.fit(X, y)
    # the limit from an independent eigenvalue computation of the dual Gram matrix
    P = rnn_ntk_features(X, w0=model.w0_, U0=model.U0_, n_last_steps=1).reshape(12, -1)
    lambda_max = np.linalg.eigvalsh(P @ P.T)[-1]
    assert model.gd_learning_rate_ == pytest.approx(12 / lambda_max, rel=1e-10)
    assert np.all(np.isfinite(model.coef_)) and np.all(np.isfinite(model.predict(X)))
    # the clipped model is gradient descent with the clipped step, iterated explicitly
    beta = np.zeros(P.shape[1])
    for _ in range(100):
        beta -= model.gd_learning_rate_ / 12 * P.T @ (P @ beta - y)
    np.testing.assert_allclose(model.coef_, beta, rtol=1e-7, atol=1e-10)
    # a stable step is kept as given, without warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        stable = NTKRNNKernelRegressor(
            n_mc_samples=8, gd_steps=100, gd_learning_rate=1.9 * 12 / lambda_max, random_state=0
        ).fit(X, y)
    assert stable.gd_learning_rate_ == 1.9 * 12 / lambda_max


def test_targets_too_large_refused_not_nan():
    X, y, _ = make_problem(n=10)
    with pytest.raises(ValueError, match="not finite.*rescale y"):
        NTKRNNKernelRegressor(n_mc_samples=8, random_state=0).fit(X, 1e308 * np.sign(y))


@pytest.mark.parametrize("solver", ["primal", "dual", "auto"])
def test_memory_advice_is_accepted(solver):
    """The advised n_mc_samples must fit with the requested solver (issue 7, item 8)."""
    import re

    X, _, Y = make_problem(n=30)  # seq2seq: N = 180 pairs
    limit = 700_000
    with pytest.raises(ValueError, match="n_mc_samples=") as info:
        NTKRNNKernelRegressor(
            n_mc_samples=64, solver=solver, max_memory_bytes=limit, random_state=0
        ).fit(X, Y)
    advised = int(re.search(r"n_mc_samples=(\d+) fits", str(info.value)).group(1))
    assert 2 <= advised < 64
    fitted = NTKRNNKernelRegressor(
        n_mc_samples=advised, solver=solver, max_memory_bytes=limit, random_state=0
    ).fit(X, Y)
    assert np.all(np.isfinite(fitted.predict(X)))
    # and it is the largest even count that fits
    with pytest.raises(ValueError, match="max_memory_bytes"):
        NTKRNNKernelRegressor(
            n_mc_samples=advised + 2, solver=solver, max_memory_bytes=limit, random_state=0
        ).fit(X, Y)


@pytest.mark.parametrize("param", ["n_mc_samples", "gd_steps", "max_memory_bytes"])
def test_bool_is_not_an_integer_parameter(param):
    X, y, _ = make_problem(n=6)
    with pytest.raises(ValueError, match=f"'{param}' parameter .* int"):
        NTKRNNKernelRegressor(**{param: True}).fit(X, y)


def test_sequence_score_pools_sample_step_pairs():
    """Identical first steps made the per-step mean R^2 explode (issue 7, item 7)."""
    from sklearn.metrics import r2_score

    X, _, Y = make_problem(n=30)
    Y = Y.copy()
    Y[:, :2] = 0.25  # the first two steps are equal across samples
    model = NTKRNNKernelRegressor(n_mc_samples=16, alpha=1e-2, random_state=0).fit(X, Y)
    prediction = model.predict(X)
    score = model.score(X, Y)
    assert np.isfinite(score)
    assert score == pytest.approx(r2_score(Y.ravel(), prediction.ravel()), rel=1e-12)
    weights = np.random.default_rng(0).uniform(0.5, 2.0, size=30)
    weighted = model.score(X, Y, sample_weight=weights)
    expected = r2_score(Y.ravel(), prediction.ravel(), sample_weight=np.repeat(weights, 6))
    assert weighted == pytest.approx(expected, rel=1e-12)
    # integer weights equal repeated sequences
    repeat = np.array([2] + [1] * 29)
    doubled = np.concatenate([X[:1], X])
    assert model.score(X, Y, sample_weight=repeat) == pytest.approx(
        model.score(doubled, np.concatenate([Y[:1], Y])), rel=1e-12
    )
    # sequence-to-one: unchanged, scikit-learn's R^2
    X, y, _ = make_problem(n=30)
    one = NTKRNNKernelRegressor(n_mc_samples=16, random_state=0).fit(X, y)
    assert one.score(X, y) == pytest.approx(r2_score(y, one.predict(X)), rel=1e-12)
    with pytest.raises(ValueError, match="does not match"):
        model.score(X, Y[:, :3])

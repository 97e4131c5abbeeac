"""ProjectedGDRNNRegressor: training behaviour, invariants and scikit-learn conventions."""

import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
from reference_activations import SIGMA
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import ProjectedGDRNNRegressor


def small_sequences(rng, n=48, T=8, d=2):
    X = rng.uniform(-1, 1, size=(n, T, d)) / np.sqrt(d)
    # a target with memory: a decaying sum of past inputs
    weights = 0.6 ** np.arange(T)[::-1]
    y_seq = np.cumsum(X[:, :, 0] * 0.5, axis=1) * 0.5 + 0.2 * np.tanh(X[:, :, -1])
    y_last = X[:, :, 0] @ weights * 0.4
    return X, y_seq, y_last


def numpy_outputs(model, X):
    """Outputs recomputed from the fitted attributes with a plain NumPy loop."""
    sigma = SIGMA[model.activation][0]
    n, T, _ = X.shape
    h = np.zeros((n, model.width))
    F = np.empty((n, T))
    for t in range(T):
        h = sigma(h * model.w_ + X[:, t] @ model.U_.T)
        F[:, t] = h @ model.c_ / np.sqrt(model.width)
    return F


def test_symmetric_initialization_structure_and_zero_output(rng):
    X, _, y_last = small_sequences(rng)
    model = ProjectedGDRNNRegressor(
        width=20, max_iter=0, recurrent_scale=0.7, normalize_y=False, random_state=3
    )
    model.fit(X * 10, y_last)  # large inputs: still exactly zero
    half = 10
    np.testing.assert_array_equal(model.w_init_[:half], model.w_init_[half:])
    np.testing.assert_array_equal(model.U_init_[:half], model.U_init_[half:])
    np.testing.assert_array_equal(model.c_[:half], -model.c_[half:])
    assert set(np.abs(model.w_init_)) == {0.7}
    assert set(model.c_) <= {-1.0, 1.0}
    assert np.all(model.predict(rng.normal(size=(30, 13, 2)) * 5) == 0.0)
    assert model.loss_curve_.shape == (1,)
    np.testing.assert_allclose(model.loss_curve_[0], np.mean(y_last**2), rtol=1e-12)


@pytest.mark.parametrize("radius", [0.05, 3.0])
@pytest.mark.parametrize("activation", ["tanh", "gaussian"])
def test_projection_invariant_holds_at_every_iterate(rng, radius, activation):
    X, y_seq, _ = small_sequences(rng, n=24, T=5)
    m = 16
    bound = radius / np.sqrt(m)
    n_moved = 0
    for k in range(1, 13):
        model = ProjectedGDRNNRegressor(
            width=m,
            activation=activation,
            radius_w=radius,
            radius_u=radius,
            learning_rate=2.0,
            max_iter=k,
            iterate="last",
            random_state=1,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y_seq)
        dw = np.abs(model.w_ - model.w_init_)
        du = np.linalg.norm(model.U_ - model.U_init_, axis=1)
        assert dw.max() <= bound * (1 + 1e-12)
        assert du.max() <= bound * (1 + 1e-12)
        n_moved += np.isclose(du, bound).sum()
    if radius < 1:
        assert n_moved > 0  # the tight ball is actually active


def test_gradient_descent_reduces_risk_on_narma(rng):
    from skrnn.datasets import make_narma

    X, y = make_narma(n_samples=64, n_timesteps=30, random_state=0)
    model = ProjectedGDRNNRegressor(
        width=64,
        radius_w=None,
        radius_u=None,
        learning_rate=0.5,
        max_iter=300,
        normalize_y=False,
        random_state=0,
    ).fit(X, y)
    assert model.best_loss_ < 0.5 * model.loss_curve_[0]
    # the reported risk is the risk of the returned model
    risk = np.mean(np.sum((model.predict(X) - y) ** 2, axis=1))
    np.testing.assert_allclose(model.train_loss_, risk, rtol=1e-10)


def test_gradient_descent_fits_random_rnn_teacher(rng):
    n, T, d = 80, 6, 2
    X = rng.normal(size=(n, T, d)) / np.sqrt(2 * d)
    teacher_w = rng.uniform(-0.5, 0.5, size=6)
    teacher_U = rng.normal(size=(6, d))
    teacher_c = rng.normal(size=6)
    h = np.zeros((n, 6))
    y = np.empty((n, T))
    for t in range(T):
        h = np.tanh(h * teacher_w + X[:, t] @ teacher_U.T)
        y[:, t] = h @ teacher_c / 3
    model = ProjectedGDRNNRegressor(
        width=128,
        learning_rate=1.0,
        max_iter=400,
        radius_w=5.0,
        radius_u=5.0,
        normalize_y=False,
        random_state=0,
    ).fit(X, y)
    assert model.best_loss_ < 0.2 * model.loss_curve_[0]
    assert model.score(X, y) > 0.7
    np.testing.assert_allclose(model.predict(X), numpy_outputs(model, X), rtol=1e-10, atol=1e-12)


def test_best_iterate_is_the_minimum_of_the_loss_curve(rng):
    X, y_seq, _ = small_sequences(rng)
    model = ProjectedGDRNNRegressor(
        width=16, learning_rate=3.0, max_iter=60, normalize_y=False, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y_seq)
    assert model.best_loss_ == model.loss_curve_.min()
    assert model.train_loss_ == model.loss_curve_.min()
    risk = np.mean(np.sum((numpy_outputs(model, X) - y_seq) ** 2, axis=1))
    np.testing.assert_allclose(risk, model.best_loss_, rtol=1e-10)


def test_average_iterate_is_the_mean_of_the_iterates(rng):
    X, _, y_last = small_sequences(rng)
    common = dict(
        width=12,
        learning_rate=0.7,
        radius_w=0.5,
        radius_u=0.5,
        normalize_y=False,
        random_state=4,
    )
    tau = 7
    iterates_w, iterates_U = [], []
    for k in range(tau):  # Theta(0), ..., Theta(tau-1)
        last = ProjectedGDRNNRegressor(max_iter=k, iterate="last", **common).fit(X, y_last)
        iterates_w.append(last.w_)
        iterates_U.append(last.U_)
    average = ProjectedGDRNNRegressor(max_iter=tau, iterate="average", **common).fit(X, y_last)
    np.testing.assert_allclose(average.w_, np.mean(iterates_w, axis=0), rtol=1e-12)
    np.testing.assert_allclose(average.U_, np.mean(iterates_U, axis=0), rtol=1e-12)
    risk = np.mean((numpy_outputs(average, X)[:, -1] - y_last) ** 2)
    np.testing.assert_allclose(average.train_loss_, risk, rtol=1e-10)


def test_theory_learning_rate(rng):
    X, _, y_last = small_sequences(rng, T=8)
    model = ProjectedGDRNNRegressor(width=4, max_iter=25, learning_rate="theory").fit(X, y_last)
    assert model.learning_rate_ == pytest.approx(1 / (8 * 5))


def test_divergence_keeps_best_finite_iterate_and_warns(rng):
    X, y_seq, _ = small_sequences(rng)
    # bounded activations keep the outputs bounded; a step that overflows the
    # parameters to inf is what makes the risk non-finite
    model = ProjectedGDRNNRegressor(
        width=16,
        radius_w=None,
        radius_u=None,
        learning_rate=1e300,
        max_iter=50,
        iterate="last",
        normalize_y=False,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning, match="diverged"):
        model.fit(X, 1e10 * y_seq)
    assert np.all(np.isfinite(model.w_)) and np.all(np.isfinite(model.U_))
    assert np.all(np.isfinite(model.predict(X)))
    assert np.all(np.isfinite(model.loss_curve_))
    assert model.train_loss_ == model.loss_curve_.min()
    assert model.n_iter_ < 50


def test_warns_when_risk_does_not_decrease(rng):
    X, y_seq, _ = small_sequences(rng)
    model = ProjectedGDRNNRegressor(width=8, learning_rate=1e-12, max_iter=3, iterate="last")
    with pytest.warns(ConvergenceWarning, match="did not decrease"):
        model.fit(X, np.zeros_like(y_seq))  # already optimal at F = 0


def test_same_random_state_same_model_and_clone(rng):
    X, y_seq, _ = small_sequences(rng)
    a = ProjectedGDRNNRegressor(width=16, max_iter=20, random_state=7).fit(X, y_seq)
    b = clone(a).fit(X, y_seq)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    np.testing.assert_array_equal(a.loss_curve_, b.loss_curve_)
    c = ProjectedGDRNNRegressor(width=16, max_iter=20, random_state=8).fit(X, y_seq)
    assert not np.array_equal(a.w_init_, c.w_init_)


def test_pickle_round_trip_in_a_fresh_process(rng, tmp_path):
    X, y_seq, _ = small_sequences(rng)
    model = ProjectedGDRNNRegressor(width=16, max_iter=20, random_state=0).fit(X, y_seq)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "expected.npy", model.predict(X))
    with open(tmp_path / "model.pkl", "wb") as f:
        pickle.dump(model, f)
    code = (
        "import pickle, numpy as np, sys; d = sys.argv[1];"
        "m = pickle.load(open(d + '/model.pkl', 'rb'));"
        "assert np.array_equal(m.predict(np.load(d + '/X.npy')), np.load(d + '/expected.npy'))"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True)


def test_pipeline_grid_search_and_parallel_cross_validation(rng):
    X, _, y_last = small_sequences(rng, n=60, T=6, d=1)
    X2d = X[:, :, 0]  # univariate sequences as a 2-D array
    pipe = make_pipeline(
        StandardScaler(),
        ProjectedGDRNNRegressor(width=16, max_iter=50, learning_rate=0.5, random_state=0),
    )
    scores = cross_val_score(pipe, X2d, y_last, cv=KFold(3), n_jobs=2)
    assert scores.shape == (3,) and np.all(np.isfinite(scores))
    grid = GridSearchCV(
        ProjectedGDRNNRegressor(max_iter=40, learning_rate=0.5, random_state=0),
        {"width": [8, 16], "activation": ["tanh", "logistic"]},
        cv=3,
        n_jobs=2,
    ).fit(X, y_last)
    assert grid.best_estimator_.width in (8, 16)
    assert grid.predict(X).shape == (60,)


def test_predict_layouts_and_other_lengths(rng):
    X, y_seq, y_last = small_sequences(rng, T=8, d=2)
    seq = ProjectedGDRNNRegressor(width=8, max_iter=5, random_state=0).fit(X, y_seq)
    one = ProjectedGDRNNRegressor(width=8, max_iter=5, random_state=0).fit(X, y_last)
    assert seq.predict(X).shape == (48, 8)
    assert one.predict(X).shape == (48,)
    longer = rng.normal(size=(5, 12, 2)) * 0.3
    # causal: the first 8 outputs on a longer sequence are those of its prefix
    np.testing.assert_allclose(seq.predict(longer)[:, :8], seq.predict(longer[:, :8]), rtol=1e-12)
    assert one.predict(longer).shape == (5,)
    assert seq.n_features_in_ == 2
    with pytest.raises(ValueError, match="features"):
        seq.predict(rng.normal(size=(5, 8, 3)))
    with pytest.raises(ValueError, match="2-D"):
        seq.predict(X[:, :, 0])


def test_float32_and_read_only_input(rng):
    X, y_seq, _ = small_sequences(rng)
    X32 = X.astype(np.float32)
    X32.setflags(write=False)
    y_seq.setflags(write=False)
    a = ProjectedGDRNNRegressor(width=8, max_iter=5, random_state=0).fit(X32, y_seq)
    b = ProjectedGDRNNRegressor(width=8, max_iter=5, random_state=0).fit(
        X32.astype(np.float64), y_seq
    )
    np.testing.assert_array_equal(a.predict(X32), b.predict(X32))
    assert a.predict(X32).dtype == np.float64


def test_verbose_prints_progress(rng, capsys):
    X, y_seq, _ = small_sequences(rng)
    ProjectedGDRNNRegressor(width=8, max_iter=20, learning_rate=0.1, verbose=1).fit(X, y_seq)
    out = capsys.readouterr().out
    assert "iter" in out and "risk" in out and "best risk" in out
    # title, header, iterations 0, 1, ..., 20 (20 <= the table's 20 lines)
    assert len(out.strip().splitlines()) == 2 + 21


def test_not_fitted():
    with pytest.raises(NotFittedError):
        ProjectedGDRNNRegressor().predict(np.zeros((2, 3, 1)))


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(width=7), "even"),
        (dict(width=0), "width"),
        (dict(radius_w=-1.0), "radius_w"),
        (dict(radius_w=None), "both"),
        (dict(activation="relu"), "activation"),
        (dict(learning_rate="fast"), "learning_rate"),
        (dict(learning_rate=-0.1), "learning_rate"),
        (dict(iterate="median"), "iterate"),
        (dict(max_iter=-1), "max_iter"),
        (dict(delta=1.5), "delta"),
    ],
)
def test_bad_parameters_raise(rng, params, match):
    X, y_seq, _ = small_sequences(rng)
    with pytest.raises(ValueError, match=match):
        ProjectedGDRNNRegressor(**{"max_iter": 2, **params}).fit(X, y_seq)


def test_bad_input_raises(rng):
    X, y_seq, y_last = small_sequences(rng)
    model = ProjectedGDRNNRegressor(width=8, max_iter=2)
    bad = X.copy()
    bad[0, 1, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        model.fit(bad, y_last)
    bad[0, 1, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        model.fit(bad, y_last)
    y_bad = y_last.copy()
    y_bad[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        model.fit(X, y_bad)
    with pytest.raises(ValueError, match="4-D"):
        model.fit(X[..., None], y_last)
    with pytest.raises(ValueError, match="columns"):
        model.fit(X, y_seq[:, :-1])  # T mismatch between X and y
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        model.fit(X, y_last[:-1])
    with pytest.raises(ValueError):
        model.fit(np.empty((0, 5, 2)), np.empty(0))
    with pytest.raises(ValueError, match="time steps"):
        model.fit(np.empty((4, 0, 2)), np.zeros(4))
    with pytest.raises((TypeError, ValueError)):
        model.fit(np.array([["a", "b"], ["c", "d"]], dtype=object), [1.0, 2.0])


def test_n_jobs_sets_threads_without_changing_results(rng):
    import numba

    X, y_seq, _ = small_sequences(rng, n=70)
    before = numba.get_num_threads()
    models = [
        ProjectedGDRNNRegressor(width=8, max_iter=10, random_state=0, n_jobs=n_jobs).fit(X, y_seq)
        for n_jobs in (1, -1, None)
    ]
    assert numba.get_num_threads() == before  # restored after fit
    for other in models[1:]:
        np.testing.assert_array_equal(models[0].loss_curve_, other.loss_curve_)
        np.testing.assert_array_equal(models[0].predict(X), other.predict(X))


@pytest.mark.parametrize("iterate", ["best", "average", "last"])
def test_divergence_midway_keeps_the_right_finite_iterate(rng, monkeypatch, iterate):
    """The risk turns non-finite at iteration 6: the run must stop there and
    choose among Theta(0..5) only."""
    import skrnn._gd as gd_module

    X, y_seq, _ = small_sequences(rng)
    common = dict(
        width=12,
        learning_rate=4.0,
        radius_w=None,
        radius_u=None,
        normalize_y=False,
        random_state=2,
    )
    iterates = []
    for k in range(6):  # Theta(0), ..., Theta(5), unpatched
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            last = ProjectedGDRNNRegressor(max_iter=k, iterate="last", **common).fit(X, y_seq)
        iterates.append((last.train_loss_, last.w_, last.U_))

    real = gd_module.risk_and_gradient
    calls = []

    def failing_at_six(*args):
        calls.append(None)
        risk = real(*args)
        return np.nan if len(calls) == 7 else risk

    monkeypatch.setattr(gd_module, "risk_and_gradient", failing_at_six)
    model = ProjectedGDRNNRegressor(max_iter=20, iterate=iterate, **common)
    with pytest.warns(ConvergenceWarning, match="diverged"):
        model.fit(X, y_seq)
    risks = np.array([risk for risk, _, _ in iterates])
    np.testing.assert_allclose(model.loss_curve_, risks, rtol=1e-12)
    assert model.n_iter_ == 5
    if iterate == "average":
        np.testing.assert_allclose(
            model.w_, np.mean([w for _, w, _ in iterates], axis=0), rtol=1e-12
        )
        np.testing.assert_allclose(
            model.U_, np.mean([U for _, _, U in iterates], axis=0), rtol=1e-12
        )
    else:  # "last" has no finite last iterate and falls back to the best one
        best = int(np.argmin(risks))
        # the step size overshoots: the best finite iterate is not the last finite
        # one, so "last" falling back to "best" is visible
        assert best != len(risks) - 1
        np.testing.assert_allclose(model.w_, iterates[best][1], rtol=1e-12)
        assert model.train_loss_ == pytest.approx(risks[best], rel=1e-12)
    assert np.all(np.isfinite(model.predict(X)))


# --------------------------------------------------------------------------
# issue 7 regressions
# --------------------------------------------------------------------------


@pytest.mark.parametrize("param", ["max_iter", "width"])
def test_bool_is_not_an_integer_parameter(rng, param):
    X, y_seq, _ = small_sequences(rng)
    with pytest.raises(ValueError, match=f"'{param}' parameter .* int"):
        ProjectedGDRNNRegressor(**{param: True}).fit(X, y_seq)


def test_sequence_score_pools_sample_step_pairs(rng):
    from sklearn.metrics import r2_score

    X, y_seq, _ = small_sequences(rng)
    y_seq = y_seq.copy()
    y_seq[:, 0] = -0.1  # the first step is the same for every sample
    model = ProjectedGDRNNRegressor(width=16, max_iter=30, learning_rate=0.5, random_state=0)
    model.fit(X, y_seq)
    prediction = model.predict(X)
    # scikit-learn's default averages per-step R^2 and the constant step sinks it
    assert r2_score(y_seq, prediction) < -100
    assert model.score(X, y_seq) == pytest.approx(
        r2_score(y_seq.ravel(), prediction.ravel()), rel=1e-12
    )
    assert np.isfinite(model.score(X, y_seq))


def test_grid_search_on_narma_reports_finite_scores():
    """The README's NARMA example used to score -3.5e30 (issue 7, item 7)."""
    from skrnn.datasets import make_narma

    X, y = make_narma(n_samples=40, n_timesteps=12, random_state=0)
    grid = GridSearchCV(
        ProjectedGDRNNRegressor(width=16, max_iter=20, learning_rate=0.5, random_state=0),
        {"width": [8, 16]},
        cv=2,
    ).fit(X, y)
    scores = grid.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(scores)) and np.all(scores > -10)


def test_memory_estimate_refuses_a_fit_that_cannot_fit():
    X = np.zeros((4, 3, 1))
    with pytest.raises(MemoryError, match="width=2000000000000"):
        ProjectedGDRNNRegressor(width=2 * 10**12, max_iter=1).fit(X, np.zeros(4))


def test_memory_estimate_for_predict(rng, monkeypatch):
    import skrnn._memory as memory

    X, y_seq, _ = small_sequences(rng)
    model = ProjectedGDRNNRegressor(width=8, max_iter=2, random_state=0).fit(X, y_seq)
    need = memory.rnn_fit_bytes(*X.shape, 8, training=False)
    monkeypatch.setattr(memory, "physical_memory_bytes", lambda: need - 1)
    with pytest.raises(MemoryError, match="to predict"):
        model.predict(X)
    monkeypatch.setattr(memory, "physical_memory_bytes", lambda: need)
    assert model.predict(X).shape == y_seq.shape


def test_ragged_list_is_fitted_and_kernel_functions_say_how(rng):
    # the estimators take variable-length lists (tests/test_variable_length.py);
    # the kernel functions need one length and show the list form and padding
    from skrnn.kernels import ntk_draws, rnn_ntk

    model = ProjectedGDRNNRegressor(width=8, max_iter=2)
    ragged = [rng.normal(size=(5, 2)), rng.normal(size=(3, 2))]
    assert model.fit(ragged, [0.0, 1.0]).predict(ragged).shape == (2,)
    w0, U0 = ntk_draws(4, 2, random_state=0)
    with pytest.raises(ValueError, match="different lengths.*list.*[Pp]add"):
        rnn_ntk(ragged, w0=w0, U0=U0)


def test_zero_left_padding_is_exact_for_tanh(rng):
    """The advice of the ragged-list error: zero steps in front change nothing for tanh."""
    X, _, y_last = small_sequences(rng)
    model = ProjectedGDRNNRegressor(width=8, max_iter=5, random_state=0).fit(X, y_last)
    padded = np.concatenate([np.zeros((X.shape[0], 4, X.shape[2])), X], axis=1)
    np.testing.assert_array_equal(model.predict(padded), model.predict(X))

"""The new defaults: learning_rate="auto", normalize_y, alpha="auto" (issue 9)."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from test_recurrence import reference_forward_mode

import skrnn.rnn as rnn_module
from skrnn import NTKRNNKernelRegressor, ProjectedGDRNNRegressor
from skrnn.kernels import rnn_ntk_features


def small_problem(rng, n=24, T=6, d=2):
    X = rng.uniform(-0.4, 0.4, size=(n, T, d))
    y = np.tanh(2 * X[:, -1, 0] - X[:, -2, 1]) + 0.05 * rng.normal(size=n)
    return X, 3.0 + 5.0 * y  # off-center and large: normalize_y matters


def brute_force_gcv(K, y, alpha):
    """GCV written with the dense hat matrix, independently of the estimator."""
    N = K.shape[0]
    hat = K @ np.linalg.solve(K + alpha * np.eye(N), np.eye(N))
    residual = y - hat @ y
    return N * np.sum(residual**2) / (N - np.trace(hat)) ** 2


# ------------------------------------------------------------ learning rate


@pytest.mark.parametrize("sequence", [False, True])
def test_auto_step_within_factor_two_of_dense_ntk_limit(rng, sequence):
    X, y = small_problem(rng, n=10, T=5, d=2)
    target = np.repeat(y[:, None], 5, axis=1) if sequence else y
    model = ProjectedGDRNNRegressor(width=24, max_iter=0, random_state=0).fit(X, target)
    # the empirical NTK Gram of the fitted (sample, step) pairs, from the
    # test suite's own forward-mode reference
    U = model.U_init_
    _, JW, JU = reference_forward_mode(X, model.w_init_, U, model.c_, "tanh")
    n, T = JW.shape[:2]
    S = T if sequence else 1
    rows = np.concatenate(
        [JW[:, T - S :].reshape(n * S, -1), JU[:, T - S :].reshape(n * S, -1)], axis=1
    )
    limit = 2 * n / np.linalg.eigvalsh(rows @ rows.T)[-1]
    assert 0.5 * limit <= model.learning_rate_ < limit
    assert model.step_halvings_.size == 0


def test_auto_step_halves_and_retries_when_the_risk_rises(rng, monkeypatch):
    X, y = small_problem(rng)
    monkeypatch.setattr(rnn_module, "curvature_step", lambda curvature: 1e4)
    model = ProjectedGDRNNRegressor(width=16, max_iter=40, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # the guard avoids the warning
        model.fit(X, y)
    assert model.step_halvings_.size > 0
    assert model.learning_rate_ == 1e4 * 0.5**model.step_halvings_.size
    # every accepted iterate has a risk no larger than the one before it
    assert np.all(np.diff(model.loss_curve_) <= 1e-10 * model.loss_curve_[:-1])
    assert model.loss_curve_[-1] < 0.8 * model.loss_curve_[0]


def test_fixed_step_is_not_guarded_and_warns_that_the_step_is_too_large(rng):
    X, y = small_problem(rng)
    model = ProjectedGDRNNRegressor(
        width=16,
        max_iter=30,
        learning_rate=500.0,
        radius_w=None,
        radius_u=None,
        iterate="last",
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning, match="risk rose: step too large"):
        model.fit(X, y)
    assert model.learning_rate_ == 500.0
    assert model.step_halvings_.size == 0


def test_theoretical_bound_for_auto_step(rng):
    X, y = small_problem(rng)
    model = ProjectedGDRNNRegressor(width=16, max_iter=20, random_state=0).fit(X, y)
    assert np.isfinite(model.theoretical_bound_) and model.theoretical_bound_ > 0
    assert model.bound_details_["learning_rate"] == model.learning_rate_


def test_auto_step_learns_where_theory_step_does_not(rng):
    X, y = small_problem(rng, n=64)
    common = dict(width=32, max_iter=200, random_state=0)
    auto = ProjectedGDRNNRegressor(**common).fit(X, y)
    theory = ProjectedGDRNNRegressor(learning_rate="theory", **common).fit(X, y)
    assert auto.score(X, y) > 0.8
    assert auto.score(X, y) > theory.score(X, y) + 0.3


# -------------------------------------------------------------- normalize_y


def test_rnn_normalize_y_is_the_raw_fit_of_standardized_targets(rng):
    X, y = small_problem(rng)
    common = dict(width=16, max_iter=30, learning_rate=0.5, random_state=0)
    normalized = ProjectedGDRNNRegressor(**common).fit(X, y)
    mean, scale = y.mean(), y.std()
    raw = ProjectedGDRNNRegressor(normalize_y=False, **common).fit(X, (y - mean) / scale)
    np.testing.assert_allclose(normalized.predict(X), raw.predict(X) * scale + mean, rtol=1e-12)
    np.testing.assert_allclose(normalized.loss_curve_, raw.loss_curve_, rtol=1e-12)
    assert normalized.y_mean_ == pytest.approx(mean) and normalized.y_scale_ == pytest.approx(scale)


def test_rnn_normalize_y_false_keeps_the_paper_risk(rng):
    X, y = small_problem(rng)
    model = ProjectedGDRNNRegressor(
        width=16, max_iter=0, learning_rate=0.5, normalize_y=False, random_state=0
    ).fit(X, y)
    assert model.y_mean_ == 0.0 and model.y_scale_ == 1.0
    np.testing.assert_allclose(model.loss_curve_[0], np.mean(y**2), rtol=1e-14)


@pytest.mark.parametrize("sequence", [False, True])
def test_ntk_normalize_y_is_the_raw_fit_of_standardized_targets(rng, sequence):
    X, y = small_problem(rng)
    target = np.stack([y, 2 * y] * 3, axis=1) if sequence else y
    common = dict(n_mc_samples=16, alpha=1e-2, random_state=0)
    normalized = NTKRNNKernelRegressor(**common).fit(X, target)
    mean, scale = target.mean(), target.std()
    raw = NTKRNNKernelRegressor(normalize_y=False, **common).fit(X, (target - mean) / scale)
    np.testing.assert_allclose(normalized.predict(X), raw.predict(X) * scale + mean, rtol=1e-10)


def test_constant_targets_are_predicted_exactly(rng):
    X, _ = small_problem(rng)
    y = np.full(X.shape[0], 7.0)
    rnn = ProjectedGDRNNRegressor(width=8, max_iter=5, random_state=0).fit(X, y)
    ntk = NTKRNNKernelRegressor(n_mc_samples=8, random_state=0).fit(X, y)
    np.testing.assert_allclose(rnn.predict(X), 7.0, rtol=1e-12)
    np.testing.assert_allclose(ntk.predict(X), 7.0, rtol=1e-12)


# -------------------------------------------------------------------- alpha


@pytest.mark.parametrize("sequence", [False, True])
@pytest.mark.parametrize("solver", ["dual", "primal"])
def test_auto_alpha_is_the_brute_force_gcv_argmin(rng, solver, sequence):
    X, y = small_problem(rng, n=20, T=4)
    target = np.stack([y, -y, y, 0.5 * y], axis=1) if sequence else y
    model = NTKRNNKernelRegressor(
        n_mc_samples=16, solver=solver, normalize_y=False, random_state=0
    ).fit(X, target)
    S = 4 if sequence else 1
    P = rnn_ntk_features(X, w0=model.w0_, U0=model.U0_, n_last_steps=S).reshape(20 * S, -1)
    K = P @ P.T
    scores = np.array([brute_force_gcv(K, target.reshape(-1), a) for a in model.alphas_])
    np.testing.assert_allclose(model.gcv_scores_, scores, rtol=1e-6)
    assert model.alpha_ == model.alphas_[np.argmin(scores)]
    # the fit with the chosen penalty is the fit with that float
    fixed = NTKRNNKernelRegressor(
        n_mc_samples=16, solver=solver, normalize_y=False, alpha=model.alpha_, random_state=0
    ).fit(X, target)
    np.testing.assert_allclose(model.predict(X), fixed.predict(X), rtol=1e-7, atol=1e-9)


def test_alpha_list_and_float(rng):
    X, y = small_problem(rng)
    candidates = [1e-3, 1e-1, 10.0]
    model = NTKRNNKernelRegressor(n_mc_samples=16, alpha=candidates, random_state=0).fit(X, y)
    assert model.alpha_ in candidates
    np.testing.assert_array_equal(model.alphas_, candidates)
    fixed = NTKRNNKernelRegressor(n_mc_samples=16, alpha=0.1, random_state=0).fit(X, y)
    assert fixed.alpha_ == 0.1 and not hasattr(fixed, "gcv_scores_")
    with pytest.raises(ValueError, match="alpha given as a list"):
        NTKRNNKernelRegressor(n_mc_samples=16, alpha=[-1.0]).fit(X, y)


def test_ntk_auto_gd_learning_rate_from_the_exact_spectrum(rng):
    X, y = small_problem(rng, n=12)
    model = NTKRNNKernelRegressor(n_mc_samples=16, gd_steps=50, random_state=0).fit(X, y)
    P = rnn_ntk_features(X, w0=model.w0_, U0=model.U0_, n_last_steps=1).reshape(12, -1)
    limit = 2 * 12 / np.linalg.eigvalsh(P @ P.T)[-1]
    assert 0.5 * limit <= model.gd_learning_rate_ < limit


# ----------------------------------------------------------------- warnings


def test_single_time_step_warns_about_the_layout(rng):
    X = rng.normal(size=(10, 1, 12))  # looks like aeon's (n, channels, timepoints)
    y = rng.normal(size=10)
    with pytest.warns(UserWarning, match=r"transpose\(0, 2, 1\)"):
        NTKRNNKernelRegressor(n_mc_samples=8, random_state=0).fit(X, y)


def test_unit_ball_warning_has_a_fixed_text_and_the_norm_goes_to_details(rng):
    X, y = small_problem(rng)
    messages = []
    for factor in (3.0, 7.0):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = ProjectedGDRNNRegressor(width=8, max_iter=2, random_state=0)
            model.fit(factor * X, y)
        messages += [str(w.message) for w in caught if "max_t" in str(w.message)]
        norms = np.linalg.norm(factor * X, axis=2)
        assert model.bound_details_["max_input_norm"] == pytest.approx(norms.max())
        assert np.isnan(model.theoretical_bound_)
    assert len(messages) == 2 and messages[0] == messages[1]

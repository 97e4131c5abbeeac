"""The memory benchmarks: make_narma (with its washout) and make_linear_memory."""

import numpy as np
import pytest

from skrnn.datasets import make_linear_memory, make_narma
from skrnn.datasets._benchmarks import _linear_memory_response, _narma_response

# ---------------------------------------------------------------------------
# slow reference
# ---------------------------------------------------------------------------


def narma_reference(u, order):
    n, T = u.shape
    y = np.zeros((n, T))
    for j in range(n):
        hist_y = [0.0] * (order + 1)  # y_t, y_{t-1}, ... (index 0 = latest)
        for t in range(T):
            y_t = hist_y[0]
            total = sum(hist_y[:order])
            lagged = u[j, t - order + 1] if t - order + 1 >= 0 else 0.0
            new = 0.3 * y_t + 0.05 * y_t * total + 1.5 * lagged * u[j, t] + 0.1
            hist_y = [new] + hist_y[:-1]
            y[j, t] = new
    return y


# ---------------------------------------------------------------------------
# make_narma
# ---------------------------------------------------------------------------


def test_narma_shapes_and_range():
    X, y = make_narma(n_samples=12, n_timesteps=30, random_state=0)
    assert X.shape == (12, 30, 1) and y.shape == (12, 30)
    assert X.dtype == np.float64 and y.dtype == np.float64
    assert X.min() >= 0.0 and X.max() < 0.5
    X, _ = make_narma(n_samples=12, n_timesteps=30, input_range=(-0.2, 0.1), random_state=0)
    assert X.min() >= -0.2 and X.max() < 0.1


@pytest.mark.parametrize("order", [1, 3, 10])
def test_narma_matches_plain_loop(order):
    X, y = make_narma(n_samples=5, n_timesteps=40, order=order, washout=0, random_state=order)
    np.testing.assert_allclose(y, narma_reference(X[:, :, 0], order), rtol=1e-13, atol=0)


def test_narma_first_steps_by_hand():
    X, y = make_narma(n_samples=1, n_timesteps=3, order=2, washout=0, random_state=0)
    u = X[0, :, 0]
    y1 = 0.1
    y2 = 0.3 * y1 + 0.05 * y1 * y1 + 1.5 * u[0] * u[1] + 0.1
    y3 = 0.3 * y2 + 0.05 * y2 * (y2 + y1) + 1.5 * u[1] * u[2] + 0.1
    np.testing.assert_allclose(y[0], [y1, y2, y3], rtol=1e-15)


def test_narma_determinism_and_causality():
    X, y = make_narma(n_samples=4, n_timesteps=25, washout=0, random_state=7)
    X2, y2 = make_narma(n_samples=4, n_timesteps=25, washout=0, random_state=7)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    rng = np.random.default_rng(1)
    for t in [9, 15, 24]:  # inputs enter only once t >= order - 1
        u = X[:, :, 0].copy()
        u[:, t:] = rng.uniform(0, 0.5, size=u[:, t:].shape)
        y_changed = _narma_response(u, 10)
        np.testing.assert_array_equal(y_changed[:, :t], y[:, :t])
        assert not np.allclose(y_changed[:, t], y[:, t])


def test_narma_redraws_diverging_sequences():
    # NARMA-10 diverges on about one sequence in a hundred over 2000 steps.
    u = np.random.RandomState(0).uniform(0.0, 0.5, size=(300, 2000))
    assert not np.all(np.isfinite(_narma_response(u, 10)))
    X, y = make_narma(n_samples=300, n_timesteps=2000, washout=0, random_state=0)
    assert np.all(np.isfinite(y)) and np.max(np.abs(y)) < 2.0
    np.testing.assert_allclose(y, _narma_response(X[:, :, 0], 10), rtol=0, atol=0)


@pytest.mark.parametrize("washout", [1, 20])
def test_narma_washout_continues_the_plain_loop(washout):
    # The returned steps are the tail of one run over washout + T steps, with
    # the inputs drawn first (no sequence diverges at this size).
    n, T, seed = 6, 30, 4
    X, y = make_narma(n_samples=n, n_timesteps=T, washout=washout, random_state=seed)
    u = np.random.RandomState(seed).uniform(0.0, 0.5, size=(n, washout + T))
    np.testing.assert_array_equal(X[:, :, 0], u[:, washout:])
    np.testing.assert_allclose(y, narma_reference(u, 10)[:, washout:], rtol=1e-13, atol=0)
    assert X.flags.c_contiguous and y.flags.c_contiguous


def test_narma_without_washout_starts_identically():
    # the start-up the washout removes: no input enters NARMA-10 before step 10
    _, y = make_narma(n_samples=50, n_timesteps=20, washout=0, random_state=0)
    np.testing.assert_array_equal(y[:, 0], 0.1)
    np.testing.assert_array_equal(y[:, :9], np.broadcast_to(y[0, :9], (50, 9)))
    assert np.all(np.std(y[:, 9:], axis=0) > 1e-3)


def test_narma_default_washout_gives_every_step_variance():
    _, y = make_narma(random_state=0)  # the defaults: 200 x 100, washout=100
    per_step = np.var(y, axis=0)
    assert y.shape == (200, 100)
    # measured: the smallest per-step variance is 0.69 times the overall one
    assert per_step.min() > 0.1 * np.var(y)


def test_narma_per_step_r2_is_sane():
    # RegressorMixin.score averages R^2 over steps. Without the washout, a
    # predictor off by 1e-3 scores about -1e27 on a start-up step shared by all
    # sequences; after it, the per-step mean scores near 0 and a linear model
    # on the inputs scores above 0 on every step.
    from sklearn.linear_model import Ridge
    from sklearn.metrics import r2_score

    def scores(washout):
        X, y = make_narma(n_samples=400, n_timesteps=50, washout=washout, random_state=0)
        train, test = slice(0, 300), slice(300, 400)
        near_mean = np.broadcast_to(y[train].mean(axis=0) + 1e-3, y[test].shape)
        ridge = Ridge(alpha=1e-3).fit(X[train, :, 0], y[train]).predict(X[test, :, 0])
        return (
            np.var(y[test], axis=0),
            r2_score(y[test], near_mean, multioutput="raw_values"),
            r2_score(y[test], ridge, multioutput="raw_values"),
        )

    # the defect the washout removes: R^2 divides by a rounding-level variance
    variance, _, _ = scores(washout=0)
    assert variance.min() < 1e-25
    variance, near_mean, ridge = scores(washout=100)
    assert variance.min() > 1e-6 * variance.mean()
    assert np.all(np.isfinite(near_mean)) and near_mean.min() > -0.5
    assert ridge.min() > 0.0 and ridge.mean() > 0.5  # measured: 0.20 and 0.71


def test_narma_unstable_order_raises():
    with pytest.raises(ValueError, match="diverged"):
        make_narma(n_samples=5, n_timesteps=200, order=20, random_state=0)


def test_narma_noise():
    _, y0 = make_narma(n_samples=200, n_timesteps=50, random_state=3)
    _, y1 = make_narma(n_samples=200, n_timesteps=50, noise=0.05, random_state=3)
    assert np.std(y1 - y0) == pytest.approx(0.05, rel=0.05)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(order=0), ValueError, "order"),
        (dict(order=2.5), TypeError, "order"),
        (dict(n_samples=-1), ValueError, "n_samples"),
        (dict(n_timesteps=True), TypeError, "n_timesteps"),
        (dict(input_range=(0.5, 0.0)), ValueError, "low < high"),
        (dict(input_range=0.5), ValueError, "input_range"),
        (dict(input_range=(0.0, np.nan)), ValueError, "input_range"),
        (dict(noise=-1.0), ValueError, "noise"),
        (dict(washout=-1), ValueError, "washout"),
        (dict(washout=1.5), TypeError, "washout"),
    ],
)
def test_narma_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_narma(**kwargs)


# ---------------------------------------------------------------------------
# make_linear_memory
# ---------------------------------------------------------------------------


def test_linear_memory():
    X, y, coef = make_linear_memory(
        n_samples=6, n_timesteps=15, n_features=3, decay=0.8, return_coef=True, random_state=0
    )
    assert X.shape == (6, 15, 3) and y.shape == (6, 15)
    assert np.linalg.norm(coef) == pytest.approx(1.0)
    assert np.linalg.norm(X, axis=2).max() <= 1.0
    expected = np.zeros((6, 15))
    for j in range(6):
        for t in range(15):
            expected[j, t] = 0.2 * sum(0.8**k * coef @ X[j, t - k] for k in range(t + 1))
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-15)
    assert np.max(np.abs(y)) <= 1.0
    X2, y2 = make_linear_memory(
        n_samples=6, n_timesteps=15, n_features=3, decay=0.8, random_state=0
    )
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    # causality
    X_changed = X.copy()
    X_changed[:, 7:] = 0.0
    np.testing.assert_array_equal(_linear_memory_response(X_changed, coef, 0.8)[:, :7], y[:, :7])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(decay=1.0), ValueError, "decay"),
        (dict(decay=-0.1), ValueError, "decay"),
        (dict(n_features=0), ValueError, "n_features"),
        (dict(return_coef=1), TypeError, "return_coef"),
    ],
)
def test_linear_memory_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_linear_memory(**kwargs)

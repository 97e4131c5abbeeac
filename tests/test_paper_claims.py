"""The paper's claims, measured: fast versions of the examples in ``examples/``.

Cayci & Eryilmaz, "Convergence of Gradient Descent for Recurrent Neural
Networks: A Nonasymptotic Analysis":

(a) the symmetric initialization (Definition 1) makes the output exactly 0;
(b) the memory sums ``mu0_T``, ``mu1_T`` at ``alpha * sigma1`` stay bounded
    below 1 and explode above it (Remark 5), and so does the measured
    gradient of the output;
(c) for targets in ``F_{nu_w, nu_u}`` the width needed for a fixed training
    risk grows only slowly with the number of samples;
(d) projected gradient descent with radii ``rho >= nu`` reaches teacher
    targets inside its ball, under the bound of Theorem 1.
"""

import math
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skrnn import ProjectedGDRNNRegressor, theory
from skrnn._numba.activations import ACTIVATION_CODES
from skrnn._numba.recurrence import risk_and_gradient
from skrnn.datasets import make_rkhs_teacher
from skrnn.rnn import symmetric_initialization

ACTIVATIONS = ("tanh", "logistic", "gaussian")


def fit_quietly(X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return ProjectedGDRNNRegressor(**params).fit(X, y)


def output_gradient(w, U, c, X, activation):
    """``(||dF_T/dU||, ||dF_T/dw||)`` at one sequence ``X`` (1, T, d) via the BPTT kernel.

    At a symmetric initialization ``F_T = 0``; the sequence-to-one target -1
    makes the residual exactly 1, so the half-risk gradient is ``dF_T/dTheta``.
    """
    width = w.shape[0]
    grad_w = np.empty(width)
    grad_UT = np.empty((U.shape[1], width))
    risk = risk_and_gradient(
        np.ascontiguousarray(X), np.full((1, 1), -1.0), w.copy(), np.ascontiguousarray(U.T),
        np.ascontiguousarray(c[: width // 2]), ACTIVATION_CODES[activation], grad_w, grad_UT,
    )
    assert risk == 1.0
    return math.sqrt(np.sum(grad_UT**2)), math.sqrt(np.sum(grad_w**2))


# ---------------------------------------------------------------------------
# (a) F = 0 at initialization
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("sequence_output", [False, True])
def test_output_is_exactly_zero_at_initialization(rng, activation, sequence_output):
    X = rng.normal(size=(20, 7, 3))  # norms above 1: the output is 0 all the same
    y = rng.normal(size=(20, 7)) if sequence_output else rng.normal(size=20)
    model = ProjectedGDRNNRegressor(
        width=30, activation=activation, recurrent_scale=1.3, max_iter=0, random_state=0
    )
    with pytest.warns(UserWarning, match="max_t"):  # no bound for such inputs
        model.fit(X, y)
    for X_new in (X, 4.0 * rng.normal(size=(9, 11, 3))):
        prediction = model.predict(X_new)
        assert np.all(prediction == 0.0)
    assert model.loss_curve_[0] == pytest.approx(np.sum(y**2) / y.shape[0], rel=1e-12)


# ---------------------------------------------------------------------------
# (b) the memory cutoff of Remark 5
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("z", [0.3, 0.5, 1.0, 1.5, 2.0])
@pytest.mark.parametrize("T", [1, 2, 5, 25, 60])
def test_memory_sums_are_the_geometric_sums(z, T):
    k = np.arange(T, dtype=float)
    assert theory.mu0(T, z) == pytest.approx(np.sum(z**k), rel=1e-12)
    assert theory.mu1(T, z) == pytest.approx(np.sum((k + 1) * z**k), rel=1e-12)


def test_memory_regime_switches_at_one():
    # tanh and gaussian have different sigma1: the cutoff is on alpha * sigma1
    assert theory.memory_regime(activation="tanh", recurrent_scale=0.99) == "short"
    assert theory.memory_regime(activation="tanh", recurrent_scale=1.0) == "long"
    sigma1 = theory.activation_constants("gaussian")[1]
    assert theory.memory_regime(activation="gaussian", recurrent_scale=0.99 / sigma1) == "short"
    assert theory.memory_regime(activation="gaussian", recurrent_scale=1.01 / sigma1) == "long"
    # the projection ball can push a short-memory alpha over the cutoff (alpha_m)
    kwargs = dict(activation="tanh", recurrent_scale=0.9, radius_w=2.0)
    assert theory.memory_regime(width=64, **kwargs) == "long"  # alpha_m = 1.15
    assert theory.memory_regime(width=1024, **kwargs) == "short"  # alpha_m = 0.9625
    # bounded below the cutoff, exponential above
    assert theory.mu0(1000, 0.5) <= 2.0
    assert theory.mu0(50, 1.5) > 1.5**49


def test_measured_gradient_explodes_only_above_the_cutoff():
    # Small inputs keep tanh' ~ 1 = sigma1, so saturation does not hide the growth.
    eps = 1e-8
    parts = {}
    for alpha in (0.5, 1.5):
        w, U, c = symmetric_initialization(64, 1, alpha, random_state=0)
        parts[alpha] = {
            T: output_gradient(w, U, c, np.full((1, T, 1), eps), "tanh") for T in (5, 25)
        }
    growth = {alpha: math.hypot(*p[25]) / math.hypot(*p[5]) for alpha, p in parts.items()}
    assert 0.5 <= growth[0.5] <= 2.0
    assert growth[1.5] > 10.0
    # the input-weight part grows at the rate of mu0_T(alpha sigma1) itself
    for alpha in (0.5, 1.5):
        measured = parts[alpha][25][0] / parts[alpha][5][0]
        expected = theory.mu0(25, alpha) / theory.mu0(5, alpha)
        assert measured == pytest.approx(expected, rel=0.2)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("alpha", [0.5, 1.2])
def test_measured_gradient_obeys_lemma1(rng, activation, alpha):
    """``||dF_T/dTheta|| <= L_T`` and ``||dF_T/dU|| <= sigma1 mu0_T max||X_t||`` at init."""
    m, d, T = 40, 3, 12
    w, U, c = symmetric_initialization(m, d, alpha, random_state=1)
    X = rng.normal(size=(1, T, d))
    X /= np.linalg.norm(X, axis=2, keepdims=True)  # unit-norm steps, the worst case allowed
    X *= rng.uniform(0.5, 1.0, size=(1, T, 1))
    const = theory.theory_constants(
        activation=activation, recurrent_scale=alpha, width=m, radius_w=1e-300,
        radius_u=1e-300, n_timesteps=T, n_samples=1, n_features=d, delta=0.05,
    )
    grad_u, grad_w = output_gradient(w, U, c, X, activation)
    assert math.hypot(grad_u, grad_w) <= const["L_T"] * (1 + 1e-12)
    assert grad_u <= const["sigma1"] * const["mu0"] * np.linalg.norm(X, axis=2).max() * (1 + 1e-12)


# ---------------------------------------------------------------------------
# (c) width against the number of samples
# ---------------------------------------------------------------------------

WIDTH_GRID = (4, 8, 16, 32, 64)
TARGET = 6e-3  # fraction of the trivial risk mean(y^2)
BUDGET = dict(radius_w=1.0, radius_u=1.0, learning_rate=5.0, max_iter=200)


@pytest.fixture(scope="module")
def teacher_pool():
    X, y, info = make_rkhs_teacher(
        512, 6, 2, nu_w=1.0, nu_u=1.0, n_draws=1024, sequence_output=False, random_state=0
    )
    return X, y, info


def required_width(X, y, trivial):
    """Smallest grid width whose median best risk (3 seeds) is <= TARGET * trivial."""
    for width in WIDTH_GRID:
        risks = [fit_quietly(X, y, width=width, random_state=s, **BUDGET).best_loss_
                 for s in range(3)]
        if np.median(risks) <= TARGET * trivial:
            return width
    return math.inf


def test_required_width_grows_slowly_with_samples(teacher_pool):
    X, y, _ = teacher_pool
    trivial = float(np.mean(y**2))
    small = required_width(X[:32], y[:32], trivial)
    large = required_width(X, y, trivial)
    assert small < math.inf and large < math.inf
    # 16x more samples: the theory's width grows like log n, far from 16x
    assert large <= 4 * small
    # non-trivial: the smallest widths do not suffice
    assert large > WIDTH_GRID[0]


def test_shuffled_labels_are_not_fitted_at_that_width(teacher_pool):
    # The control that makes the previous test meaningful: labels outside the
    # class (same values, randomly reassigned) are far from the target at the
    # widest grid width, so a width independent of n is a property of the data.
    X, y, _ = teacher_pool
    trivial = float(np.mean(y**2))
    y_shuffled = np.random.default_rng(0).permutation(y)
    model = fit_quietly(X, y_shuffled, width=WIDTH_GRID[-1], random_state=0, **BUDGET)
    assert model.best_loss_ > 0.5 * trivial
    assert model.best_loss_ > 50 * TARGET * trivial


# ---------------------------------------------------------------------------
# (d) projected gradient descent on teacher data, and Theorem 1's bound
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def teacher_small():
    return make_rkhs_teacher(
        128, 6, 2, nu_w=0.5, nu_u=0.5, n_draws=1024, sequence_output=False, random_state=1
    )


def test_projected_gd_reaches_teacher_within_radii(teacher_small):
    X, y, info = teacher_small
    m, radius = 64, 0.5  # radius = nu, the smallest Theorem 1 allows
    model = fit_quietly(
        X, y, width=m, radius_w=radius, radius_u=radius, nu_w=info.nu_w, nu_u=info.nu_u,
        learning_rate=5.0, max_iter=200, iterate="last", random_state=0,
    )
    trivial = float(np.mean(y**2))
    assert model.best_loss_ <= 1e-2 * trivial
    assert model.train_loss_ <= 2e-2 * trivial  # the last iterate, too
    bound = radius / np.sqrt(m)
    assert np.max(np.abs(model.w_ - model.w_init_)) <= bound * (1 + 1e-12)
    assert np.max(np.linalg.norm(model.U_ - model.U_init_, axis=1)) <= bound * (1 + 1e-12)


def test_radius_below_nu_binds_and_leaves_risk_behind(teacher_small):
    X, y, info = teacher_small
    m, radius = 64, 0.1  # below nu: outside Theorem 1, and the ball is too small
    with pytest.warns(UserWarning, match="rho >= nu"):
        model = fit_quietly(
            X, y, width=m, radius_w=radius, radius_u=radius, nu_w=info.nu_w,
            nu_u=info.nu_u, learning_rate=5.0, max_iter=200, iterate="last", random_state=0,
        )
    assert math.isnan(model.theoretical_bound_)
    du = np.linalg.norm(model.U_ - model.U_init_, axis=1)
    assert du.max() <= radius / np.sqrt(m) * (1 + 1e-12)
    assert np.isclose(du, radius / np.sqrt(m)).any()  # the projection is active
    assert model.best_loss_ > 1e-2 * np.mean(y**2)


@pytest.mark.parametrize(
    "iterate, learning_rate, result",
    [("best", "theory", "Theorem 1"), ("best", 5.0, "Theorem 1"),
     ("average", 2.0, "Corollary 1")],
)
def test_trained_risk_is_below_the_reported_bound(teacher_small, iterate, learning_rate, result):
    X, y, info = teacher_small
    assert np.linalg.norm(X, axis=2).max() <= 1.0  # the theory's input condition
    model = fit_quietly(
        X, y, width=64, radius_w=info.nu_w, radius_u=info.nu_u, nu_w=info.nu_w,
        nu_u=info.nu_u, learning_rate=learning_rate, max_iter=100, iterate=iterate,
        random_state=0,
    )
    assert model.bound_details_["result"].startswith(result)
    assert math.isfinite(model.theoretical_bound_)
    assert model.train_loss_ < model.theoretical_bound_
    assert model.bound_details_["nu_w"] == info.nu_w
    assert model.bound_details_["nu_u"] == info.nu_u
    assert model.memory_regime_ == "short"


def test_plain_gd_reports_theorem2(teacher_small):
    X, y, info = teacher_small
    model = fit_quietly(
        X, y, width=64, radius_w=None, radius_u=None, nu_w=info.nu_w, nu_u=info.nu_u,
        learning_rate=5.0, max_iter=100, random_state=0,
    )
    assert model.bound_details_["result"].startswith("Theorem 2")
    assert model.train_loss_ <= model.theoretical_bound_  # inf here: nothing certified
    assert model.best_loss_ <= 1e-2 * np.mean(y**2)

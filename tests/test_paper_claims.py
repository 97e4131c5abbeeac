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
    targets inside its ball; the reported ``theoretical_bound_`` is Theorem 1,
    Corollary 1 or Theorem 2 evaluated at the run's own inputs (checked
    against the transcription of the paper's formulas in ``paper_reference``).
"""

import math
import warnings

import numpy as np
import pytest
from paper_reference import ref_theorem1_family, ref_theorem2_holds
from sklearn.exceptions import ConvergenceWarning

from skrnn import ProjectedGDRNNRegressor, theory
from skrnn._numba.activations import ACTIVATION_CODES
from skrnn._numba.recurrence import risk_and_gradient
from skrnn.datasets import make_rkhs_teacher
from skrnn.rnn import symmetric_initialization

ACTIVATIONS = ("tanh", "logistic", "gaussian")


def fit_quietly(X, y, **params):
    params.setdefault("normalize_y", False)  # the paper's risk, on the raw targets
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
        np.ascontiguousarray(X),
        np.full((1, 1), -1.0),
        w.copy(),
        np.ascontiguousarray(U.T),
        np.ascontiguousarray(c[: width // 2]),
        ACTIVATION_CODES[activation],
        grad_w,
        grad_UT,
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
        width=30,
        activation=activation,
        recurrent_scale=1.3,
        max_iter=0,
        normalize_y=False,  # the paper's model: no target normalization
        random_state=0,
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
        activation=activation,
        recurrent_scale=alpha,
        width=m,
        radius_w=1e-300,
        radius_u=1e-300,
        n_timesteps=T,
        n_samples=1,
        n_features=d,
        delta=0.05,
    )
    grad_u, grad_w = output_gradient(w, U, c, X, activation)
    assert math.hypot(grad_u, grad_w) <= const["L_T"] * (1 + 1e-12)
    assert grad_u <= const["sigma1"] * const["mu0"] * np.linalg.norm(X, axis=2).max() * (1 + 1e-12)


# ---------------------------------------------------------------------------
# (c) width against the number of samples
# ---------------------------------------------------------------------------

# Relative risks (best_loss_ / mean(y^2), median of 3 seeds) measured with this
# budget on the teacher pool below (lr 5, 200 iterations):
#   width       2      4      8      16      32      64      128
#   n = 16    0.42   0.035  0.17   0.0068  0.0015  0.0020  0.00048
#   n = 1024  0.27   0.095  0.36   0.017   0.0045  0.0047  0.0013
#   shuffled labels, width 128: n = 16: 0.30, n = 1024: 0.98
# (width 8 is worse than 4 for 2 of the 3 seeds). TARGET = 0.02 is first met at
# width 16 for both n (at n = 1024 with 15% margin; were it missed, 32 would do,
# still passing); the grid goes to 8x that, so a required width that grew more
# than 4x over the 64x increase in n (128, or none) fails the test.
WIDTH_GRID = (2, 4, 8, 16, 32, 64, 128)
TARGET = 2e-2  # fraction of the trivial risk mean(y^2) of the fitted sample
N_SMALL, N_LARGE = 16, 1024  # 1.8 decades
BUDGET = dict(radius_w=1.0, radius_u=1.0, learning_rate=5.0, max_iter=200)


@pytest.fixture(scope="module")
def teacher_pool():
    X, y, info = make_rkhs_teacher(
        N_LARGE,
        6,
        2,
        nu_w=1.0,
        nu_u=1.0,
        n_draws=1024,
        sequence_output=False,
        random_state=0,
    )
    return X, y, info


def relative_risk(X, y, width, seed):
    model = fit_quietly(X, y, width=width, random_state=seed, **BUDGET)
    return model.best_loss_ / float(np.mean(y**2))


def required_width(X, y):
    """Smallest grid width whose median relative best risk (3 seeds) is <= TARGET."""
    for width in WIDTH_GRID:
        if np.median([relative_risk(X, y, width, s) for s in range(3)]) <= TARGET:
            return width
    return math.inf


def test_required_width_grows_slowly_with_samples(teacher_pool):
    X, y, _ = teacher_pool
    small = required_width(X[:N_SMALL], y[:N_SMALL])
    large = required_width(X, y)
    assert small < math.inf and large < math.inf
    # the grid reaches past 4x the small-sample answer: the next check can fail
    assert WIDTH_GRID[-1] > 4 * small
    # 64x more samples: the theory's width grows like log n, far from 64x
    assert large <= 4 * small
    # non-trivial: the smallest widths do not suffice
    assert small > WIDTH_GRID[0] and large > WIDTH_GRID[0]


@pytest.mark.parametrize("n", [N_SMALL, N_LARGE])
def test_shuffled_labels_are_not_fitted_at_any_grid_width(teacher_pool, n):
    # The control that makes the previous test meaningful: the same procedure on
    # labels outside the class (same values, randomly reassigned) finds no grid
    # width reaching TARGET (measured medians: n = 16 from 0.69 at width 2 down to
    # 0.30 at 128; n = 1024 from 0.9996 down to 0.979), so it can fail, and a
    # width independent of n is a property of the data.
    X, y, _ = teacher_pool
    X, y = X[:n], np.random.default_rng(0).permutation(y[:n])
    assert required_width(X, y) == math.inf
    risk = relative_risk(X, y, WIDTH_GRID[-1], 0)
    assert risk > 10 * TARGET
    if n == N_LARGE:  # more samples than parameters: almost nothing is fitted
        assert risk > 0.5


# ---------------------------------------------------------------------------
# (d) projected gradient descent on teacher data, and the reported bounds
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
        X,
        y,
        width=m,
        radius_w=radius,
        radius_u=radius,
        nu_w=info.nu_w,
        nu_u=info.nu_u,
        learning_rate=5.0,
        max_iter=200,
        iterate="last",
        random_state=0,
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
            X,
            y,
            width=m,
            radius_w=radius,
            radius_u=radius,
            nu_w=info.nu_w,
            nu_u=info.nu_u,
            learning_rate=5.0,
            max_iter=200,
            iterate="last",
            random_state=0,
        )
    assert math.isnan(model.theoretical_bound_)
    du = np.linalg.norm(model.U_ - model.U_init_, axis=1)
    assert du.max() <= radius / np.sqrt(m) * (1 + 1e-12)
    assert np.isclose(du, radius / np.sqrt(m)).any()  # the projection is active
    assert model.best_loss_ > 1e-2 * np.mean(y**2)


# Why "trained risk <= theoretical_bound_" is not asserted: at width 64 the
# bounds of this run are 540 (Theorem 1), 15,910 (any step size, eta = 5) and
# 26,631 (Corollary 1, eta = 2) against a trivial risk mean(y^2) = 0.004, and
# the kept risk never exceeds loss_curve_[0] = mean(y^2): such a check cannot
# fail. The width term T (Fmax + ymax) err / sqrt(m) alone is 488 here; it only
# drops below mean(y^2) near m ~ 1e12. The optimization terms
# N0 / (2 eta tau) + eta T^2 (Fmax + ymax)^2 L_T^2 / 2 are at least
# T (Fmax + ymax) L_T sqrt(N0 / tau) = 5.5 for tau = 100 (at the best eta),
# vacuous until tau ~ 2e8, so they give no failable check at a trainable size
# either. What is checked instead is that the reported number is the theorem's,
# evaluated at this run's inputs, transcribed independently above.
@pytest.mark.parametrize(
    "iterate, learning_rate, result",
    [
        ("best", "theory", "Theorem 1"),
        ("best", 5.0, "Theorem 1"),
        ("average", "theory", "Corollary 1"),
        ("average", 2.0, "Corollary 1"),
    ],
)
def test_reported_bound_is_the_theorem_at_the_run_inputs(
    teacher_small, iterate, learning_rate, result
):
    X, y, info = teacher_small
    max_norm = float(np.linalg.norm(X, axis=2).max())
    assert max_norm <= 1.0  # the theory's input condition
    m, tau, alpha, delta = 64, 100, 0.5, 0.05
    model = fit_quietly(
        X,
        y,
        width=m,
        radius_w=info.nu_w,
        radius_u=info.nu_u,
        nu_w=info.nu_w,
        nu_u=info.nu_u,
        learning_rate=learning_rate,
        max_iter=tau,
        iterate=iterate,
        recurrent_scale=alpha,
        delta=delta,
        random_state=0,
    )
    n, T, d = X.shape
    theory_step = learning_rate == "theory"
    eta = 1.0 / (T * math.sqrt(tau)) if theory_step else learning_rate
    assert model.learning_rate_ == pytest.approx(eta, rel=1e-14)

    ref = ref_theorem1_family(
        "tanh",
        alpha,
        m,
        info.nu_w,
        info.nu_u,
        info.nu_w,
        info.nu_u,
        T,
        n,
        d,
        delta,
        tau,
        eta,
    )
    if theory_step:
        # the any-step-size form reduces to the theorem's own at eta = 1/(T sqrt(tau))
        assert ref["best_any_step"] == pytest.approx(ref["B1"], rel=1e-12)
        assert ref["average_any_step"] == pytest.approx(ref["Bavg"], rel=1e-12)
        expected = ref["B1"] if iterate == "best" else ref["Bavg"]
    else:
        expected = ref[f"{iterate}_any_step"]
        # the step matters: the theorem's fixed-step value would not pass
        theorem_value = ref["B1"] if iterate == "best" else ref["Bavg"]
        assert expected != pytest.approx(theorem_value, rel=1e-2)
    assert math.isfinite(model.theoretical_bound_)
    assert model.theoretical_bound_ == pytest.approx(expected, rel=1e-10)

    details = model.bound_details_
    assert details["result"].startswith(result)
    assert ("any step size" in details["result"]) == (not theory_step)
    run_inputs = dict(
        activation="tanh",
        recurrent_scale=alpha,
        width=m,
        radius_w=info.nu_w,
        radius_u=info.nu_u,
        nu_w=info.nu_w,
        nu_u=info.nu_u,
        n_timesteps=T,
        n_samples=n,
        n_features=d,
        delta=delta,
        n_iter=tau,
        learning_rate=eta,
        iterate=iterate,
        max_input_norm=max_norm,
    )
    for key, value in run_inputs.items():
        assert details[key] == (value if isinstance(value, str) else pytest.approx(value)), key
    for key in (
        "alpha_m",
        "mu0",
        "mu1",
        "L_T",
        "beta_T",
        "Lambda_T",
        "gamma_T",
        "Fmax",
        "ymax",
        "err",
    ):
        assert details[key] == pytest.approx(ref[key], rel=1e-12), key
    assert model.memory_regime_ == "short"


def test_plain_gd_reports_theorem2(teacher_small):
    X, y, info = teacher_small
    m, eta, tau, alpha, delta = 64, 5.0, 100, 0.5, 0.05
    model = fit_quietly(
        X,
        y,
        width=m,
        radius_w=None,
        radius_u=None,
        nu_w=info.nu_w,
        nu_u=info.nu_u,
        learning_rate=eta,
        max_iter=tau,
        recurrent_scale=alpha,
        delta=delta,
        random_state=0,
    )
    n, T, d = X.shape
    max_norm = float(np.linalg.norm(X, axis=2).max())
    trivial = float(np.mean(y**2))
    assert model.bound_details_["result"].startswith("Theorem 2")
    assert model.best_loss_ <= 1e-2 * trivial

    # wiring: the reported value is Theorem 2's certified risk for this run's (m, eta, tau)
    kw = dict(
        activation="tanh",
        recurrent_scale=alpha,
        nu_w=info.nu_w,
        nu_u=info.nu_u,
        n_timesteps=T,
        n_samples=n,
        n_features=d,
        delta=delta,
    )
    certified = theory.theorem2_certified_risk(width=m, learning_rate=eta, n_iter=tau, **kw)
    assert model.theoretical_bound_ == certified
    # ... and it is inf: independently, no eps on a grid of 50 points per decade over
    # [1e-16, 1e16] meets the three conditions at width 64 (eta = 5 alone is far above
    # the admissible step, and the width is ~1e13 too small)
    ref_args = ("tanh", alpha)
    ref_rest = (info.nu_w, info.nu_u, T, n, d, delta)
    assert not any(
        ref_theorem2_holds(*ref_args, 10.0 ** (k / 50), *ref_rest, m, eta, tau)
        for k in range(-800, 801)
    )
    assert certified == math.inf

    # A run sized by theorem2_requirements for 9 eps / 4 = 1% of the trivial risk
    # would be certified. It cannot be trained (the width is 2.5e21), so only the
    # theory is evaluated, with the inputs the estimator passes for such a run.
    eps = 1e-2 * trivial / 2.25
    req = theory.theorem2_requirements(eps, **kw)
    m_req, eta_req, tau_req = req["width"], req["learning_rate"], req["n_iter"]
    assert ref_theorem2_holds(*ref_args, eps, *ref_rest, m_req, eta_req, tau_req)
    assert m_req > 1e12  # documents why no such run is trained here
    value, details = theory.gd_rnn_bound(
        activation="tanh",
        recurrent_scale=alpha,
        width=m_req,
        radius_w=None,
        radius_u=None,
        nu_w=info.nu_w,
        nu_u=info.nu_u,
        n_timesteps=T,
        n_samples=n,
        n_features=d,
        delta=delta,
        n_iter=tau_req,
        learning_rate=eta_req,
        iterate="best",
        max_input_norm=max_norm,
    )
    assert details["result"].startswith("Theorem 2")
    assert 0.0 < value <= 2.25 * eps * (1 + 1e-12)
    assert value == theory.theorem2_certified_risk(
        width=m_req, learning_rate=eta_req, n_iter=tau_req, **kw
    )
    # the certified eps* meets the conditions (up to rounding at the boundary)
    assert value == 2.25 * details["eps_star"]
    assert ref_theorem2_holds(
        *ref_args, details["eps_star"] * (1 + 1e-12), *ref_rest, m_req, eta_req, tau_req
    )

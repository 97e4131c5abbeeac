"""Lemma 1 and Proposition 6 checked on actual networks.

The constants of skrnn.theory must bound what a network inside the
projection ball really does: per-neuron gradient norms (Lemma 1) and
outputs (Prop. 6), including adversarial parameters that nearly attain the
bound, so a constant that is too large fails as well as one that is too small.
"""

import math

import numpy as np
import pytest
from paper_reference import SIGMAS, ref_constants, ref_mu0
from reference_activations import SIGMA

from skrnn import theory
from skrnn._activations import ACTIVATIONS

REL = 1e-12


def _approx(x):
    return pytest.approx(x, rel=REL, abs=0.0)


def _sigma_and_derivative(act, z):
    """The tests' NumPy reference of the activation and its derivative."""
    value, derivative = SIGMA[act]
    return value(z), derivative(z)


def _ball_parameters(rng, m, d, alpha, rho_w, rho_u, boundary=True):
    half = m // 2
    w0 = np.tile(alpha * rng.choice([-1.0, 1.0], half), 2)
    U0 = np.tile(rng.standard_normal((half, d)), (2, 1))
    dw = rng.uniform(-1, 1, m)
    dU = rng.standard_normal((m, d))
    dU /= np.linalg.norm(dU, axis=1, keepdims=True)
    if boundary:
        dw = np.sign(dw)
    else:
        dU *= rng.uniform(0, 1, (m, 1))
    w = w0 + dw * rho_w / math.sqrt(m)
    U = U0 + dU * rho_u / math.sqrt(m)
    return w0, U0, w, U


def _unit_inputs(rng, n, T, d):
    X = rng.standard_normal((n, T, d))
    X /= np.linalg.norm(X, axis=2, keepdims=True)
    X[: n // 2] *= rng.uniform(0, 1, (n // 2, T, 1))
    X[-1] = X[-1, :1]  # a constant unit input, which makes states pile up
    return X


@pytest.mark.parametrize("act", ["tanh", "logistic", "gaussian"])
@pytest.mark.parametrize("alpha", [0.5, 1.3])
def test_lemma1_per_neuron_gradient_norm_below_L_t(act, alpha):
    rng = np.random.default_rng(0)
    m, d, T, n, rho_w, rho_u = 64, 3, 12, 20, 2.0, 2.0
    _, _, w, U = _ball_parameters(rng, m, d, alpha, rho_w, rho_u)
    # make a quarter of the neurons saturate the recurrent scale from the right side
    w[: m // 4] = np.abs(w[: m // 4])
    X = _unit_inputs(rng, n, T, d)
    alpha_m = alpha + rho_w / math.sqrt(m)
    assert np.abs(w).max() <= alpha_m * (1 + 1e-15)
    s0, s1, _ = SIGMAS[act]
    worst = 0.0
    for x in X:
        H = np.zeros(m)
        dHdU = np.zeros((m, d))
        dHdw = np.zeros(m)
        for t in range(1, T + 1):
            z = w * H + U @ x[t - 1]
            h, dh = _sigma_and_derivative(act, z)
            dHdU = (w[:, None] * dHdU + x[t - 1][None, :]) * dh[:, None]
            dHdw = (H + w * dHdw) * dh
            H = h
            norm = np.sqrt(dHdw**2 + (dHdU**2).sum(axis=1))
            L_t = s1 * ref_mu0(t, alpha_m * s1) * math.sqrt(1 + s0**2)
            assert norm.max() <= L_t * (1 + 1e-12)
            worst = max(worst, norm.max() / L_t)
            # the theory's constant for step t matches the library's
            assert theory.mu0(t, alpha_m * s1) == _approx(ref_mu0(t, alpha_m * s1))
    assert worst > 0.05  # the check is not vacuous


@pytest.mark.parametrize("act", ["tanh", "logistic", "gaussian"])
def test_prop6_output_below_Fmax_with_kernel_forward(act):
    recurrence = pytest.importorskip("skrnn._numba.recurrence")

    rng = np.random.default_rng(1)
    m, d, T, n, alpha = 32, 2, 10, 16, 0.8
    X = _unit_inputs(rng, n, T, d)
    c_half = rng.choice([-1.0, 1.0], m // 2)
    for rho_w, rho_u, boundary in ((1.0, 1.0, True), (3.0, 0.5, False), (0.5, 4.0, True)):
        w0, U0, w, U = _ball_parameters(rng, m, d, alpha, rho_w, rho_u, boundary)
        code = ACTIVATIONS[act].code
        F0 = recurrence.forward(X, w0, np.ascontiguousarray(U0.T), c_half, code)
        assert np.all(F0 == 0.0)  # symmetric initialization
        F = recurrence.forward(X, w, np.ascontiguousarray(U.T), c_half, code)
        c = theory.theory_constants(
            activation=act,
            recurrent_scale=alpha,
            width=m,
            radius_w=rho_w,
            radius_u=rho_u,
            n_timesteps=T,
            n_samples=n,
            n_features=d,
            delta=0.05,
        )
        assert np.abs(F).max() <= c["Fmax"]
        # per-step moduli L_t bound F_t as well
        s0, s1, _ = SIGMAS[act]
        for t in range(1, T + 1):
            L_t = s1 * ref_mu0(t, c["alpha_m"] * s1) * math.sqrt(1 + s0**2)
            assert np.abs(F[:, t - 1]).max() <= L_t * math.sqrt(rho_w**2 + rho_u**2)


# Adversarial configuration per activation: (alpha, z*, rho_w, rho_u). z* is
# where |sigma'| = sigma1 (0 for tanh and logistic, -1 for gaussian); rho_w/rho_u
# is near sigma(z*) (0, 0.5, 0.61), the ratio of |dH/dw| to |dH/du| there, which
# makes the corner direction nearly parallel to the gradient. alpha*sigma1 = 0.9:
# long memory, still the short regime.
PROP6_ADVERSARIAL = {
    "tanh": (0.9, 0.0, 0.05, 1.0),
    "logistic": (3.6, 0.0, 0.5, 1.0),
    "gaussian": (0.9 * math.exp(0.5), -1.0, 0.5, 1.0),
}


@pytest.mark.parametrize("act", ["tanh", "logistic", "gaussian"])
def test_prop6_Fmax_is_nearly_attained_by_adversarial_parameters(act):
    """|F_T| reaches ~0.7-0.8 of Fmax in the ball, so an Fmax 1.5x too large fails.

    Prop. 6 holds for every symmetric initialization with |w_i(0)| = alpha (it
    only uses F(Theta(0)) = 0 and Lemma 1 in the ball), so the adversary picks
    one: all neurons start at w = alpha and U_i = (z* - alpha sigma(z*)) e with a
    unit input direction e, and the inputs (X_0 scaled so that z_1 = z*, then
    X_t = e) keep every pre-activation at z*, where sigma' is largest. Each
    neuron then moves to the corner of its ball that increases c_i H_i:
    U_i += c_i rho_u/sqrt(m) e, w_i += c_i rho_w/sqrt(m). To first order
    F_T = |dH/dw| rho_w + |dH/du| rho_u with
    |dH/du| = sigma1 mu0_T(alpha sigma1) (up to the shorter first input) and
    |dH/dw| ~ sigma(z*) |dH/du|, against Fmax = sigma1 mu0_T(alpha_m sigma1)
    sqrt(1 + sigma0^2) sqrt(rho_w^2 + rho_u^2). Measured |F_T| / Fmax at
    m = 10,000, T = 20: tanh 0.694, logistic 0.768, gaussian 0.782 (tanh cannot
    exceed 1/sqrt(2): |dH/dw| vanishes where tanh' is largest).
    """
    alpha, z_star, rho_w, rho_u = PROP6_ADVERSARIAL[act]
    m, d, T = 10_000, 2, 20
    h_star = float(_sigma_and_derivative(act, np.array(z_star))[0])
    e = np.array([1.0, 0.0])
    half = m // 2
    c_half = np.where(np.arange(half) % 2 == 0, 1.0, -1.0)
    c = np.concatenate([c_half, -c_half])
    w0 = np.full(m, alpha)
    u_star = z_star - alpha * h_star
    U0 = np.tile(u_star * e, (m, 1))
    X = np.tile(e, (T, 1))
    X[0] = e * (z_star / u_star if u_star != 0 else 1.0)
    assert np.linalg.norm(X, axis=1).max() <= 1.0

    def output(w, U):  # plain NumPy loop, independent of the kernels
        H = np.zeros(m)
        for t in range(T):
            z = w * H + U @ X[t]
            if w is w0:
                assert np.allclose(z, z_star, rtol=0.0, atol=1e-12)  # pinned at z*
            H = _sigma_and_derivative(act, z)[0]
        return c @ H / math.sqrt(m)

    assert output(w0, U0) == 0.0  # symmetric initialization
    w = w0 + c * rho_w / math.sqrt(m)
    U = U0 + c[:, None] * e[None, :] * rho_u / math.sqrt(m)
    assert np.abs(w - w0).max() <= rho_w / math.sqrt(m) * (1 + 1e-12)
    assert np.linalg.norm(U - U0, axis=1).max() <= rho_u / math.sqrt(m) * (1 + 1e-12)
    F_T = output(w, U)

    const = theory.theory_constants(
        activation=act,
        recurrent_scale=alpha,
        width=m,
        radius_w=rho_w,
        radius_u=rho_u,
        n_timesteps=T,
        n_samples=1,
        n_features=d,
        delta=0.05,
    )
    ref = ref_constants(act, alpha, m, rho_w, rho_u, rho_w, rho_u, T, 1, d, 0.05)
    assert const["Fmax"] == _approx(ref["Fmax"])
    assert const["regime"] == "short"
    ratio = abs(F_T) / const["Fmax"]
    assert ratio <= 1.0  # Prop. 6
    assert ratio > 0.65  # and nearly tight: a 10x (or 1.5x) too large Fmax fails

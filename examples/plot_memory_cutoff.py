"""
The memory cutoff at alpha * sigma1 = 1
=======================================

Every constant in the convergence bounds of Cayci & Eryilmaz (Lemmas 1-2,
eq. 31) is built from two memory sums evaluated at ``z = alpha_m * sigma1``:

* ``mu0_T(z) = sum_{k<T} z^k``, which bounds how strongly the output at step
  ``T`` depends on the input weights (Lemma 1), and
* ``mu1_T(z) = sum_{k<T} (k+1) z^k``, which enters through the recurrent
  weights and the smoothness constants (Lemma 2).

Remark 5 reads off the consequence: below ``z = 1`` both sums stay bounded as
the horizon ``T`` grows (short-term memory), at ``z = 1`` they grow like
``T`` and ``T^2``, above it they explode like ``z^T`` -- the exploding
gradient problem, and with it the width and iteration counts the theorems
ask for.

This example puts the sums next to the *measured* gradient of the network
output at initialization. With a single sequence and a target chosen so
that the residual is exactly 1 at the last step, the half-risk gradient
returned by the Numba kernel ``risk_and_gradient`` is ``dF_T / dTheta``
itself (the network output is exactly 0 at the symmetric initialization,
so the target ``-1`` gives the residual ``F_T - Y_T = 1``).

A caveat that decides how the measurement has to be set up: the theory
bounds ``|sigma'|`` by its supremum ``sigma1``, but the actual factors
``sigma'(z_t)`` along a trajectory can be much smaller. With ``tanh`` and
``alpha = 1.5``, inputs of norm ~1 drive the hidden state to the nonzero
fixed points of ``h = tanh(1.5 h)`` (``|h| ~ 0.86``), where
``alpha * sigma'(z) ~ 0.39 < 1``: the saturation damps the explosion
completely. To see the cutoff the example therefore feeds *small* inputs
(``||X_t|| = 1e-8``), which keeps every pre-activation near 0 where
``tanh' ~ 1 = sigma1``, and reports the gradient divided by the input norm.
The last panel shows the saturated case for contrast.
"""

# %%
# Setup
# -----
# One univariate sequence with a constant input ``X_t = eps`` (the worst case
# for a neuron with ``w_i = +alpha``: all terms of the memory sum add up) and a
# symmetric network of width 512 (256 independent neurons).
import os

# SKRNN_EXAMPLES_QUICK=1 runs a small version (the docs build in CI uses it)
QUICK = os.environ.get("SKRNN_EXAMPLES_QUICK", "") not in ("", "0")
import numpy as np

from skrnn import theory
from skrnn.kernels import ntk_draws, rnn_ntk_features

WIDTH = 64 if QUICK else 512
EPS = 1e-8
HORIZONS = np.arange(1, 41)
ALPHAS = (0.5, 1.0, 1.5)  # tanh: sigma1 = 1, so alpha * sigma1 = alpha

# %%
# The gradient of the output at initialization is the NTK feature map: for a
# symmetric network of width ``m`` with ``m / 2`` distinct neurons
# ``(w_i, U_i)``, ``||dF_T/dTheta||^2 = (2/m) sum_i ||dh_T^i/d(w_i, U_i)||^2``,
# which is ``phi_T(X) . phi_T(X)`` for the features of
# :func:`skrnn.kernels.rnn_ntk_features` under those neurons. Its first
# block holds the recurrent-weight derivatives, the rest the input-weight ones.


def output_gradient(w0, U0, X):
    """``(||dF_T/dU||, ||dF_T/dw||)`` for one sequence ``X`` of shape (1, T, d)."""
    phi = rnn_ntk_features(X, w0=w0, U0=U0, n_last_steps=1)[0, 0]
    n_neurons = w0.shape[0]
    return np.linalg.norm(phi[n_neurons:]), np.linalg.norm(phi[:n_neurons])


def measure(alpha, input_norm, w_shift=0.0):
    """Gradient norms (input part, recurrent part) for T in HORIZONS.

    ``w_shift`` moves every recurrent weight away from 0 by that amount (the
    corner of the projection ball, where ``|w_i| = alpha_m``).
    """
    w0, U0 = ntk_draws(WIDTH // 2, 1, recurrent_scale=alpha, random_state=0)
    w0 = w0 + np.sign(w0) * w_shift
    parts = np.array([output_gradient(w0, U0, np.full((1, T, 1), input_norm)) for T in HORIZONS])
    return parts[:, 0], parts[:, 1]


# %%
# Theory and measurement for alpha * sigma1 = 0.5, 1, 1.5
# --------------------------------------------------------
# With ``|sigma'| <= sigma1`` the recursion of Proposition 1 gives, neuron by
# neuron, ``|dh_T/du_i| <= eps * sigma1 * mu0_T(alpha sigma1)`` and (since
# ``|h_t| <= |u_i| eps mu0_t``) ``|dh_T/dw_i| <= |u_i| eps mu1_{T-1}``. The
# network gradient is the root mean square of these over the neurons,
# ``||dF_T/dU||^2 = (1/m) sum_i (dh_T/du_i)^2``, so the bounds carry over
# without a width factor.
results = {}
print("Input part ||dF_T/dU|| / eps against mu0_T, recurrent part ||dF_T/dw|| / eps against mu1_T")
for alpha in ALPHAS:
    grad_u, grad_w = measure(alpha, EPS)
    m0 = np.array([theory.mu0(int(T), alpha) for T in HORIZONS])
    m1 = np.array([theory.mu1(int(T), alpha) for T in HORIZONS])
    results[alpha] = (grad_u / EPS, grad_w / EPS, m0, m1)
    print(
        f"\nalpha*sigma1 = {alpha}: regime "
        f"{theory.memory_regime(activation='tanh', recurrent_scale=alpha)!r}"
    )
    print(f"{'T':>4} {'mu0_T':>11} {'|dF/dU|/eps':>12} {'mu1_T':>11} {'|dF/dw|/eps':>12}")
    for T in (1, 5, 10, 15, 20, 25, 30, 40):
        k = T - 1
        print(
            f"{T:>4} {m0[k]:>11.4g} {results[alpha][0][k]:>12.4g} "
            f"{m1[k]:>11.4g} {results[alpha][1][k]:>12.4g}"
        )
    growth = results[alpha][0][24] / results[alpha][0][4]
    print(f"growth of |dF/dU| from T=5 to T=25: x{growth:.3g} (mu0: x{m0[24] / m0[4]:.3g})")

# %%
# The projection ball can cross the cutoff
# ----------------------------------------
# The bounds are evaluated at ``alpha_m = alpha + rho_w / sqrt(m)``, the
# largest ``|w_i|`` inside the max-norm ball of projected gradient descent.
# A recurrent scale below the cutoff can thus give a long-memory bound at a
# small width: ``alpha = 0.9`` with ``rho_w = 2`` and ``m = 64`` gives
# ``alpha_m = 1.15``. With a radius of 0 (or as ``m`` grows) ``alpha_m``
# returns to ``alpha``. The measured gradient at the corner of the ball
# (every ``|w_i| = alpha_m``) follows ``mu0`` at ``alpha_m``.
ALPHA, RHO_W, M_SMALL = 0.9, 2.0, 64
alpha_m = ALPHA + RHO_W / np.sqrt(M_SMALL)
corner_u, _ = measure(ALPHA, EPS, w_shift=RHO_W / np.sqrt(M_SMALL))
init_u, _ = measure(ALPHA, EPS)
print(f"\nalpha = {ALPHA}, rho_w = {RHO_W}: regime by width")
for m in (16, 64, 256, 1024, 4096):
    am = ALPHA + RHO_W / np.sqrt(m)
    regime = theory.memory_regime(activation="tanh", recurrent_scale=ALPHA, width=m, radius_w=RHO_W)
    print(f"  m = {m:5d}: alpha_m = {am:.4f}  regime {regime!r}  mu0_40 = {theory.mu0(40, am):.4g}")
print(
    f"{'T':>4} {'mu0(alpha)':>11} {'|dF/dU| init':>13} {'mu0(alpha_m)':>13} {'|dF/dU| corner':>15}"
)
for T in (1, 10, 20, 30, 40):
    k = T - 1
    print(
        f"{T:>4} {theory.mu0(T, ALPHA):>11.4g} {init_u[k] / EPS:>13.4g} "
        f"{theory.mu0(T, alpha_m):>13.4g} {corner_u[k] / EPS:>15.4g}"
    )

# %%
# Unit inputs: saturation hides the explosion
# -------------------------------------------
# The same measurement with ``X_t = 1`` (the largest input the theory
# allows). For ``alpha = 1.5`` the hidden state saturates within a few steps
# and the gradient stays O(1): the bounds, which use ``sigma1``, are worst
# cases that a saturated trajectory does not attain.
saturated = {}
print("\nUnit inputs: total ||dF_T/dTheta||")
print(f"{'T':>4} " + " ".join(f"{'alpha=' + str(a):>11}" for a in ALPHAS))
for alpha in ALPHAS:
    grad_u, grad_w = measure(alpha, 1.0)
    saturated[alpha] = np.hypot(grad_u, grad_w)
for T in (1, 5, 10, 15, 20, 25, 30, 40):
    print(f"{T:>4} " + " ".join(f"{saturated[a][T - 1]:>11.4g}" for a in ALPHAS))

# %%
# Plot
# ----
import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 4, figsize=(17, 4.2))
colors = dict(zip(ALPHAS, ("tab:blue", "tab:green", "tab:red"), strict=False))
for alpha in ALPHAS:
    grad_u, grad_w, m0, m1 = results[alpha]
    col = colors[alpha]
    axes[0].semilogy(HORIZONS, grad_u, "o", ms=3, color=col, label=f"measured, z={alpha}")
    axes[0].semilogy(HORIZONS, m0, "-", color=col, label=f"mu0_T({alpha})")
    axes[1].semilogy(HORIZONS, grad_w, "o", ms=3, color=col, label=f"measured, z={alpha}")
    axes[1].semilogy(HORIZONS, m1, "-", color=col, label=f"mu1_T({alpha})")
    axes[3].semilogy(HORIZONS, saturated[alpha], "o-", ms=3, color=col, label=f"alpha={alpha}")
axes[0].set_title("input weights: ||dF_T/dU|| / eps")
axes[1].set_title("recurrent weights: ||dF_T/dw|| / eps")
axes[2].semilogy(HORIZONS, init_u / EPS, "o", ms=3, color="tab:blue", label="measured at init")
axes[2].semilogy(
    HORIZONS,
    [theory.mu0(int(T), ALPHA) for T in HORIZONS],
    "-",
    color="tab:blue",
    label=f"mu0_T(alpha={ALPHA})",
)
axes[2].semilogy(
    HORIZONS, corner_u / EPS, "o", ms=3, color="tab:red", label="measured at ball corner"
)
axes[2].semilogy(
    HORIZONS,
    [theory.mu0(int(T), alpha_m) for T in HORIZONS],
    "-",
    color="tab:red",
    label=f"mu0_T(alpha_m={alpha_m:.2f})",
)
axes[2].set_title(f"alpha={ALPHA}, rho_w={RHO_W}, m={M_SMALL}")
axes[3].set_title("unit inputs (saturated): ||dF_T/dTheta||")
for ax in axes:
    ax.set_xlabel("horizon T")
    ax.legend(fontsize=7)
fig.tight_layout()
plt.show()

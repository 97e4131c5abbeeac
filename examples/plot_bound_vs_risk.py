"""
Theorem 1's bound next to the training risk it bounds
=====================================================

``ProjectedGDRNNRegressor`` reports, after fitting, the guarantee of Cayci &
Eryilmaz's Theorem 1 for the run in ``theoretical_bound_``: with
probability ``1 - delta`` over the initialization, the best iterate of
projected gradient descent with step ``1 / (T sqrt(tau))`` has training risk
at most

``B1 = (T / sqrt(tau)) ((nu_w^2 + nu_u^2)/2 + (L_T^2/2) (Fmax + ymax)^2)
+ (T (Fmax + ymax) / sqrt(m)) err``,

provided the target lies in ``F_{nu_w, nu_u}`` with ``nu <= rho`` and every
input step has norm at most 1. The teacher generator satisfies both by
construction, and returns ``nu`` in its ``info``, so the bound can be
checked against the measured risk.

The honest summary, printed below: the bound holds, and it is vacuous at
every width and iteration count one can run -- several orders of magnitude
above the *trivial* risk ``mean(y^2)`` that the network has at
initialization (its output is exactly 0 there). The theorem's value is the
rate (``1/sqrt(tau)`` plus ``1/sqrt(m)``) and the explicit dependence on
``T`` and ``alpha``, not the constant.
"""

# %%
# Data
# ----
import os

# SKRNN_EXAMPLES_QUICK=1 runs a small version (the docs build in CI uses it)
QUICK = os.environ.get("SKRNN_EXAMPLES_QUICK", "") not in ("", "0")
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skrnn import ProjectedGDRNNRegressor, theory
from skrnn.datasets import make_rkhs_teacher

N_SAMPLES, N_TIMESTEPS, N_FEATURES, WIDTH = (64, 5, 2, 64) if QUICK else (256, 5, 2, 256)
X, y, info = make_rkhs_teacher(
    N_SAMPLES,
    N_TIMESTEPS,
    N_FEATURES,
    nu_w=1.0,
    nu_u=1.0,
    activation="tanh",
    recurrent_scale=0.5,
    n_draws=2048,
    sequence_output=False,
    random_state=0,
)
trivial = float(np.mean(y**2))
print(f"n={N_SAMPLES}, T={N_TIMESTEPS}, d={N_FEATURES}, width={WIDTH}")
print(f"max_t ||X_t|| = {np.linalg.norm(X, axis=2).max():.4f} (<= 1 as the theory needs)")
print(
    f"nu_w = {info.nu_w}, nu_u = {info.nu_u}; largest transport norms "
    f"{info.max_transport_w:.4f}, {info.max_transport_u:.4f}"
)
print(
    f"trivial risk mean(y^2) = {trivial:.4g}; Prop. 6 bound on |y|: ymax = {info.output_bound:.4g}"
)


def fit(max_iter, learning_rate="theory"):
    model = ProjectedGDRNNRegressor(
        width=WIDTH,
        radius_w=info.nu_w,
        radius_u=info.nu_u,
        nu_w=info.nu_w,
        nu_u=info.nu_u,
        learning_rate=learning_rate,
        max_iter=max_iter,
        random_state=0,
        normalize_y=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


# %%
# Bound and risk against the number of iterations
# -----------------------------------------------
# Each ``tau`` is a separate run, since Theorem 1's step size depends on it.
# The radii equal the target's complexity (``rho = nu = 1``).
ITERATIONS = (10, 30, 100) if QUICK else (10, 30, 100, 300, 1000)
runs = {tau: fit(tau) for tau in ITERATIONS}
print(
    f"\n{'tau':>6} {'step':>9} {'best risk':>10} {'bound B1':>10} {'optim. term':>12} "
    f"{'lin. term':>10} {'bound/trivial':>14}"
)
for tau, model in runs.items():
    d = model.bound_details_
    phi = d["Fmax"] + d["ymax"]
    linear = N_TIMESTEPS * phi * d["err"] / np.sqrt(WIDTH)
    optim = model.theoretical_bound_ - linear
    assert model.train_loss_ <= model.theoretical_bound_
    print(
        f"{tau:>6} {model.learning_rate_:>9.3g} {model.best_loss_:>10.3e} "
        f"{model.theoretical_bound_:>10.3e} {optim:>12.3e} {linear:>10.3e} "
        f"{model.theoretical_bound_ / trivial:>14.3g}"
    )
last = runs[ITERATIONS[-1]]
print(f"result: {last.bound_details_['result']}; regime {last.memory_regime_!r}")
print(
    "constants: "
    + ", ".join(
        f"{k}={last.bound_details_[k]:.4g}"
        for k in (
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
        )
    )
)

# %%
# A tuned step size
# -----------------
# The theory step ``1 / (T sqrt(tau))`` is cautious; a step of 5 trains the
# same network to a far smaller risk. The step-size-generic form of the
# bound (the proof of Theorem 1 before the step is substituted) grows with
# the step, so the bound moves *up* while the risk moves down.
tuned = fit(ITERATIONS[-1], learning_rate=5.0)
print(
    f"\nstep 5, tau={ITERATIONS[-1]}: best risk {tuned.best_loss_:.3e}, bound "
    f"{tuned.theoretical_bound_:.3e} ({tuned.bound_details_['result']})"
)

# %%
# The width floor
# ---------------
# However many iterations are run, ``B1`` stays above its linearization term
# ``T (Fmax + ymax) err / sqrt(m)``. The table shows that floor against the
# width, and the width (and iterations) at which Theorem 1 would certify half
# the trivial risk.
print(f"\n{'width m':>10} {'floor T*phi*err/sqrt(m)':>24} {'floor/trivial':>14}")
widths = [2**k for k in range(4, 49, 4)]
floors = []
for m in widths:
    c = theory.theory_constants(
        activation="tanh",
        recurrent_scale=0.5,
        width=m,
        radius_w=1.0,
        radius_u=1.0,
        nu_w=info.nu_w,
        nu_u=info.nu_u,
        n_timesteps=N_TIMESTEPS,
        n_samples=N_SAMPLES,
        n_features=N_FEATURES,
        delta=0.05,
    )
    floors.append(N_TIMESTEPS * (c["Fmax"] + c["ymax"]) * c["err"] / np.sqrt(m))
    print(f"{m:>10.3g} {floors[-1]:>24.4g} {floors[-1] / trivial:>14.3g}")
m_req, tau_req = theory.theorem1_requirements(
    trivial / 2,
    activation="tanh",
    recurrent_scale=0.5,
    radius_w=1.0,
    radius_u=1.0,
    nu_w=info.nu_w,
    nu_u=info.nu_u,
    n_timesteps=N_TIMESTEPS,
    n_samples=N_SAMPLES,
    n_features=N_FEATURES,
    delta=0.05,
)
print(
    f"Theorem 1 certifies risk {trivial / 2:.3g} (half the trivial risk) at width "
    f"{m_req:.3e} with {tau_req:.3e} iterations."
)

# %%
# Plot
# ----
import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
ax = axes[0]
ax.loglog(
    ITERATIONS,
    [runs[t].theoretical_bound_ for t in ITERATIONS],
    "o-",
    color="tab:red",
    label="Theorem 1 bound (theoretical_bound_)",
)
ax.loglog(
    ITERATIONS,
    [runs[t].best_loss_ for t in ITERATIONS],
    "s-",
    color="tab:blue",
    label="measured best risk (step 1/(T sqrt(tau)))",
)
curve = last.loss_curve_
ax.loglog(
    np.arange(1, curve.size),
    curve[1:],
    color="tab:blue",
    lw=0.6,
    alpha=0.6,
    label=f"loss curve, tau={ITERATIONS[-1]}",
)
ax.axhline(trivial, color="k", ls="--", label="trivial risk mean(y^2)")
ax.set_xlabel("iterations tau")
ax.set_ylabel("training risk")
ax.set_title(f"width {WIDTH}, rho = nu = 1")
ax.legend(fontsize=8)
ax = axes[1]
ax.loglog(widths, floors, "o-", color="tab:red", label="linearization floor of B1")
ax.axhline(trivial, color="k", ls="--", label="trivial risk mean(y^2)")
ax.axvline(m_req, color="gray", lw=0.8, label="width certifying trivial/2")
ax.set_xlabel("width m")
ax.set_ylabel("risk")
ax.set_title("Theorem 1's floor against the width")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

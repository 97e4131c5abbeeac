"""
Finite-width RNNs approach their kernel limit
=============================================

A diagonal RNN trained by plain gradient descent from the symmetric
initialization stays close to its linearization when it is wide (the lazy,
or kernel, regime). Its infinite-width limit is kernel regression with the
neural tangent kernel of Proposition 2: ``NTKRNNKernelRegressor`` with
``gd_steps`` predicts in closed form what the linearized network gives after
the same gradient steps.

We train RNNs of growing width on sequences from a teacher of the paper's
function class and measure how far their test predictions are from the
kernel's. The same numbers are printed by ``python -m skrnn``.
"""

# %%
# Data and the kernel limit
# -------------------------
import os

# SKRNN_EXAMPLES_QUICK=1 runs a small version (the docs build in CI uses it)
QUICK = os.environ.get("SKRNN_EXAMPLES_QUICK", "") not in ("", "0")
import time

import matplotlib.pyplot as plt
import numpy as np

from skrnn import NTKRNNKernelRegressor, ProjectedGDRNNRegressor
from skrnn.datasets import make_rkhs_teacher

X, y, info = make_rkhs_teacher(
    n_samples=80 if QUICK else 300, n_timesteps=12, n_features=2, noise=0.01, random_state=0
)
n_train = len(X) // 2
X_train, y_train, X_test, y_test = X[:n_train], y[:n_train], X[n_train:], y[n_train:]
steps, eta = (60 if QUICK else 300), 0.5

kernel = NTKRNNKernelRegressor(
    n_mc_samples=256 if QUICK else 2048,
    gd_steps=steps,
    gd_learning_rate=eta,
    random_state=0,
    normalize_y=False,
).fit(X_train, y_train)
kernel_prediction = kernel.predict(X_test)

# %%
# RNNs of growing width, trained the same way
# -------------------------------------------
widths = [8, 32, 128] if QUICK else [8, 32, 128, 512, 2048]
distances, seconds, predictions = [], [], {}
for width in widths:
    start = time.perf_counter()
    rnn = ProjectedGDRNNRegressor(
        width=width,
        radius_w=None,
        radius_u=None,
        learning_rate=eta,
        max_iter=steps,
        iterate="last",
        random_state=0,
        normalize_y=False,  # the paper's risk on the raw targets, as the kernel above
    ).fit(X_train, y_train)
    seconds.append(time.perf_counter() - start)
    predictions[width] = rnn.predict(X_test)
    distances.append(
        np.linalg.norm(predictions[width] - kernel_prediction) / np.linalg.norm(kernel_prediction)
    )
    print(
        f"width {width:5d}: relative distance to the kernel {distances[-1]:.4f}, "
        f"fit {seconds[-1]:.2f} s"
    )

slope = np.polyfit(np.log(widths), np.log(distances), 1)[0]
print(f"log-log slope of the distance against the width: {slope:.2f} (m^-1/2 would be -0.5)")

# %%
# The picture
# -----------
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
left.loglog(widths, distances, "o-", label="RNN vs kernel limit")
left.loglog(
    widths,
    distances[0] * (np.array(widths) / widths[0]) ** -0.5,
    "k--",
    label=r"$\propto m^{-1/2}$",
)
left.set_xlabel("width m")
left.set_ylabel("relative distance of test predictions")
left.legend()
left.set_title("Distance to the kernel limit")

sample = 0
right.plot(y_test[sample], "k.", label="target")
right.plot(kernel_prediction[sample], "k-", label="kernel limit")
for width in (widths[0], widths[-1]):
    right.plot(predictions[width][sample], "--", label=f"RNN, width {width}")
right.set_xlabel("time step")
right.set_title("One test sequence")
right.legend()
fig.tight_layout()
plt.show()

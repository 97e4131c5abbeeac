"""
Forecasting a real series: yearly sunspot numbers
=================================================

One-step-ahead forecasting of the yearly sunspot numbers 1700-2008
(:func:`skrnn.datasets.load_sunspots`, public domain), from windows of the
20 previous years cut by :func:`skrnn.datasets.make_windows`. The windows
are split in time: the first 70% train, the last 30% test; shuffling would
leak the future into training, since neighbouring windows overlap.

Three models see the same windows: the finite-width RNN, its kernel limit,
and ridge regression on the flattened window as a linear baseline. The
targets are standardized inside a
:class:`~sklearn.compose.TransformedTargetRegressor`, and the inputs divided
by the training maximum, so every input step has norm at most 1.

The table printed below is the honest comparison: on this short, strongly
periodic series a linear model of the last 20 years is a hard baseline to
beat, and the two skrnn models land close to it and to each other.
"""

# %%
# Data
# ----
import os

# SKRNN_EXAMPLES_QUICK=1 runs a small version (the docs build in CI uses it)
QUICK = os.environ.get("SKRNN_EXAMPLES_QUICK", "") not in ("", "0")

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.preprocessing import StandardScaler

from skrnn import NTKRNNKernelRegressor, ProjectedGDRNNRegressor
from skrnn.datasets import load_sunspots, make_windows

sunspots = load_sunspots()
WINDOW = 20
X, y = make_windows(sunspots.data, window=WINDOW)
years = sunspots.years[WINDOW:]  # the year each target belongs to
n_train = int(0.7 * len(X))
scale = X[:n_train].max()  # from the training windows only
X = X / scale
X_train, y_train, X_test, y_test = X[:n_train], y[:n_train], X[n_train:], y[n_train:]
print(
    f"{len(X)} windows of {WINDOW} years; train {years[0]}-{years[n_train - 1]}, "
    f"test {years[n_train]}-{years[-1]}"
)


def standardized(model):
    return TransformedTargetRegressor(regressor=model, transformer=StandardScaler())


# %%
# Models
# ------
models = {
    "RNN (width 128)": standardized(
        ProjectedGDRNNRegressor(
            width=32 if QUICK else 128,
            radius_w=10.0,
            radius_u=10.0,
            learning_rate=1.0,
            max_iter=50 if QUICK else 1000,
            random_state=0,
        )
    ),
    "kernel limit (NTK ridge)": standardized(
        NTKRNNKernelRegressor(
            n_mc_samples=64 if QUICK else 512,
            alpha=1e-2,
            random_state=0,
        )
    ),
    "ridge on the window": standardized(RidgeCV(alphas=np.logspace(-4, 2, 13))),
}
predictions = {}
print(f"{'model':>26} {'test R^2':>9} {'test MAE':>9}")
for name, model in models.items():
    X_fit, X_eval = X_train, X_test
    if name.startswith("ridge"):
        # a plain regressor reads each window as one flat row of 20 values
        X_fit, X_eval = X_train.reshape(n_train, -1), X_test.reshape(len(X_test), -1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_fit, y_train)
    predictions[name] = model.predict(X_eval)
    print(
        f"{name:>26} {r2_score(y_test, predictions[name]):>9.3f} "
        f"{mean_absolute_error(y_test, predictions[name]):>9.2f}"
    )

# %%
# Forecasts against the truth
# ---------------------------
fig, ax = plt.subplots(figsize=(11, 4))
ax.plot(sunspots.years, sunspots.data, color="0.75", lw=1, label="observed")
ax.plot(years[n_train:], y_test, "k.", ms=4, label="test targets")
for (name, prediction), style in zip(predictions.items(), ("-", "--", ":"), strict=True):
    ax.plot(years[n_train:], prediction, style, lw=1.5, label=name)
ax.axvline(years[n_train] - 0.5, color="gray", lw=0.8)
ax.set_xlabel("year")
ax.set_ylabel("sunspot number")
ax.set_title("One-step-ahead forecasts over the test years")
ax.legend(fontsize=8, ncol=2)
fig.tight_layout()
plt.show()

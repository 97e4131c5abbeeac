"""
Tuning an RNN with GridSearchCV over a Pipeline
===============================================

skrnn estimators are ordinary scikit-learn estimators, so the usual tools
work on 3-D sequence arrays: a :class:`~sklearn.pipeline.Pipeline` that
rescales the sequences with :class:`skrnn.preprocessing.SequenceMaxNormScaler`
(so that every input step has norm at most 1, as the theory assumes) and a
:class:`~sklearn.model_selection.GridSearchCV` over the step size, the
projection radii and whether to scale at all.

The task is a linear filter with a fading memory
(:func:`skrnn.datasets.make_linear_memory`), one target per step, with the
inputs multiplied by 4 as if measured in other units: their step norms
reach 4, beyond the unit ball the theory assumes. The score is the
estimator's ``score``, the coefficient of determination R^2 of the
predictions.
"""

# %%
# Data and pipeline
# -----------------
import os

# SKRNN_EXAMPLES_QUICK=1 runs a small version (the docs build in CI uses it)
QUICK = os.environ.get("SKRNN_EXAMPLES_QUICK", "") not in ("", "0")

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline

from skrnn import ProjectedGDRNNRegressor
from skrnn.datasets import make_linear_memory
from skrnn.preprocessing import SequenceMaxNormScaler

X, y = make_linear_memory(
    n_samples=120 if QUICK else 300, n_timesteps=20, n_features=2, decay=0.7, random_state=0
)
X = 4.0 * X
half = len(X) // 2
X_train, y_train, X_test, y_test = X[:half], y[:half], X[half:], y[half:]
print(f"X {X.shape}, y {y.shape}; max step norm {np.linalg.norm(X, axis=2).max():.3f}")

pipeline = Pipeline(
    [
        ("scale", SequenceMaxNormScaler()),
        (
            "rnn",
            ProjectedGDRNNRegressor(
                width=32 if QUICK else 64, max_iter=50 if QUICK else 300, random_state=0
            ),
        ),
    ]
)

# %%
# The grid
# --------
# ``"passthrough"`` replaces the scaler by nothing. Radii are given in pairs
# (both ``None`` is plain gradient descent). Candidates without the scaler
# see step norms up to 4: they fit, but their ``theoretical_bound_`` is NaN,
# and skrnn warns about it (once).
radii = [{"rnn__radius_w": [r], "rnn__radius_u": [r]} for r in (1.0, 10.0)]
param_grid = [
    {
        **pair,
        "rnn__learning_rate": [0.5, 2.0],
        "scale": [SequenceMaxNormScaler(), "passthrough"],
    }
    for pair in radii
]
search = GridSearchCV(pipeline, param_grid, cv=KFold(3), n_jobs=1)
with warnings.catch_warnings():
    # small steps do not always lower the risk in few iterations; the search
    # ranks those candidates low anyway
    warnings.simplefilter("ignore", ConvergenceWarning)
    search.fit(X_train, y_train)

results = search.cv_results_
print(f"{'scaler':>12} {'radius':>7} {'step':>5} {'mean CV R^2':>12} {'rank':>5}")
for i in np.argsort(results["rank_test_score"]):
    scaler = "max-norm" if results["param_scale"][i] != "passthrough" else "none"
    print(
        f"{scaler:>12} {results['param_rnn__radius_w'][i]:>7g} "
        f"{results['param_rnn__learning_rate'][i]:>5g} {results['mean_test_score'][i]:>12.3f} "
        f"{results['rank_test_score'][i]:>5d}"
    )
print(f"best: {search.best_params_}")
print(f"test R^2 of the refitted best pipeline: {search.score(X_test, y_test):.3f}")

# %%
# The picture
# -----------
# Left: mean cross-validated R^2 of every candidate. Right: the best
# pipeline's predictions on one test sequence.
labels, scores = [], []
for i in range(len(results["params"])):
    scaler = "scaled" if results["param_scale"][i] != "passthrough" else "raw"
    labels.append(
        f"{scaler}, rho={results['param_rnn__radius_w'][i]:g}, "
        f"eta={results['param_rnn__learning_rate'][i]:g}"
    )
    scores.append(results["mean_test_score"][i])
order = np.argsort(scores)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [1.1, 1]})
left.barh(np.arange(len(order)), np.array(scores)[order], color="tab:blue")
left.set_yticks(np.arange(len(order)))
left.set_yticklabels(np.array(labels)[order], fontsize=8)
left.set_xlabel("mean cross-validated R^2")
left.set_title("GridSearchCV candidates")

prediction = search.predict(X_test)
right.plot(y_test[0], "k.-", lw=0.8, label="target")
right.plot(prediction[0], "tab:orange", label="best pipeline")
right.set_xlabel("time step")
right.set_title("One test sequence")
right.legend()
fig.tight_layout()
plt.show()

"""Defaults against a small tuned grid, on four tasks (issue 9).

For each task the estimators are fitted once with their defaults (in a
pipeline behind :class:`skrnn.preprocessing.SequenceStandardScaler`, as a
user would on real data) and once after a small ``GridSearchCV`` (3-fold,
chronological for the real series); the table reports test ``R^2`` of both
and the default fit time. The goal of issue 9 is a default within 0.05
``R^2`` of the tuned model.

Tasks:

* ``narma``: NARMA-10 (``skrnn.datasets.make_narma``), sequence-to-one;
* ``teacher``: a target of the class ``F_{nu_w, nu_u}`` of the paper
  (``make_rkhs_teacher``), sequence-to-one;
* ``memory``: linear memory (``make_linear_memory``), sequence-to-one;
* ``sunspots``: the yearly sunspot series (``load_sunspots``), one-step-ahead
  from windows of 20 past differences (``make_windows``), the first 80% of
  the windows for training, the rest for testing.

``--candidates`` instead compares candidate defaults of the RNN (radii, step
fraction, width, max_iter) on the same tasks, the measurement behind the
defaults in the docstrings.

Run ``python benchmarks/bench_defaults.py --quick`` (about 2 minutes) or
without ``--quick`` for larger data.
"""

import argparse
import time
import warnings

from sklearn.model_selection import GridSearchCV, KFold, TimeSeriesSplit
from sklearn.pipeline import make_pipeline

import skrnn._step_size as step_size
from skrnn import NTKRNNKernelRegressor, ProjectedGDRNNRegressor
from skrnn.datasets import (
    load_sunspots,
    make_linear_memory,
    make_narma,
    make_rkhs_teacher,
    make_windows,
)
from skrnn.preprocessing import SequenceStandardScaler


def tasks(quick):
    """``name -> (X_train, y_train, X_test, y_test, cv)``."""
    n = 240 if quick else 600
    out = {}
    X, y = make_narma(n_samples=n, n_timesteps=15 if quick else 40, random_state=0)
    out["narma"] = _split(X, y[:, -1] if y.ndim == 2 else y)
    X, y, _ = make_rkhs_teacher(
        n_samples=n,
        n_timesteps=10,
        n_features=3,
        sequence_output=False,
        noise=0.05,
        random_state=0,
    )
    out["teacher"] = _split(X, y)
    X, y = make_linear_memory(n_samples=n, n_timesteps=20, noise=0.05, random_state=0)
    out["memory"] = _split(X, y[:, -1] if y.ndim == 2 else y)
    series = load_sunspots(return_series=True)
    X, y = make_windows(series, 20, difference=True)
    y = y.reshape(len(y))
    cut = int(0.8 * len(X))
    out["sunspots"] = (X[:cut], y[:cut], X[cut:], y[cut:], TimeSeriesSplit(3))
    return out


def _split(X, y):
    cut = int(0.75 * len(X))
    return X[:cut], y[:cut], X[cut:], y[cut:], KFold(3, shuffle=True, random_state=0)


def rnn(**params):
    return make_pipeline(
        SequenceStandardScaler(), ProjectedGDRNNRegressor(random_state=0, **params)
    )


def ntk(**params):
    return make_pipeline(SequenceStandardScaler(), NTKRNNKernelRegressor(random_state=0, **params))


def grids(quick):
    iters = 300 if quick else 1000
    rates = ["auto", 1.0] if quick else ["auto", 0.3, 1.0, 3.0]
    rnn_grid = [
        {
            "projectedgdrnnregressor__learning_rate": rates,
            "projectedgdrnnregressor__radius_w": [radius],
            "projectedgdrnnregressor__radius_u": [radius],
        }
        for radius in (1.0, 10.0)
    ]
    ntk_grid = {"ntkrnnkernelregressor__alpha": [1e-4, 1e-2, 1.0, 10.0, 100.0]}
    width = 64 if quick else 128
    return {
        "RNN": (lambda: rnn(width=width, max_iter=iters), rnn_grid),
        "NTK": (lambda: ntk(n_mc_samples=128 if quick else 512), ntk_grid),
    }


def fit_score(model, data):
    X_train, y_train, X_test, y_test, _ = data
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X_train, y_train)
    elapsed = time.perf_counter() - start
    return model.score(X_test, y_test), elapsed


def compare(quick):
    print(f"{'task':<9} {'model':<4} {'default R2':>10} {'tuned R2':>9} {'gap':>6} {'fit s':>6}")
    for name, data in tasks(quick).items():
        for label, (make, grid) in grids(quick).items():
            default, seconds = fit_score(make(), data)
            search = GridSearchCV(make(), grid, cv=data[4], n_jobs=1)
            tuned, _ = fit_score(search, data)
            print(
                f"{name:<9} {label:<4} {default:>10.3f} {tuned:>9.3f} "
                f"{tuned - default:>6.3f} {seconds:>6.2f}",
                flush=True,
            )


def candidates(quick):
    """Test R^2 of candidate RNN defaults: radii, step fraction, width, max_iter."""
    settings = [
        dict(radius_w=1.0, radius_u=1.0),
        dict(radius_w=3.0, radius_u=3.0),
        dict(radius_w=10.0, radius_u=10.0),
        dict(radius_w=None, radius_u=None),
    ]
    fractions = [0.3, 0.6, 0.9]
    data_sets = tasks(quick)
    print("task      " + " ".join(f"{'r=' + str(s['radius_w']):>8}" for s in settings))
    for fraction in fractions:
        step_size.STEP_FRACTION = fraction
        # curvature_step reads the module constant through its default argument
        step_size.curvature_step.__defaults__ = None
        step_size.curvature_step.__kwdefaults__ = {"fraction": fraction}
        for width, iters in ((64, 300), (128, 1000)) if not quick else ((64, 300),):
            print(f"fraction={fraction} width={width} max_iter={iters}")
            for name, data in data_sets.items():
                row = []
                for setting in settings:
                    score, seconds = fit_score(rnn(width=width, max_iter=iters, **setting), data)
                    row.append(f"{score:>8.3f}")
                print(f"{name:<9} " + " ".join(row), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data (about 2 minutes)")
    parser.add_argument(
        "--candidates", action="store_true", help="compare candidate RNN defaults instead"
    )
    args = parser.parse_args()
    if args.candidates:
        candidates(args.quick)
    else:
        compare(args.quick)


if __name__ == "__main__":
    main()

"""Command-line demo: finite-width RNNs against their kernel limit.

The RNN of every width is trained by plain full-batch gradient descent with a
fixed step size for a fixed number of steps. Its infinite-width limit is the
linearized RNN trained the same way, which ``NTKRNNKernelRegressor`` predicts
in closed form (``gd_steps``); the ridge solution of the same kernel (the
limit of infinitely many steps) is shown too. As the width grows, the RNN's
test predictions approach the kernel's.

Run ``python -m skrnn --help`` for the options.
"""

import argparse
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score

from . import NTKRNNKernelRegressor, ProjectedGDRNNRegressor
from .datasets import make_narma, make_rkhs_teacher


def _parse(argv):
    parser = argparse.ArgumentParser(
        prog="python -m skrnn",
        description=(
            "Fit ProjectedGDRNNRegressor at several widths on generated sequences and "
            "compare it with its infinite-width limit, NTKRNNKernelRegressor."
        ),
    )
    parser.add_argument("--dataset", choices=["teacher", "narma"], default="teacher",
                        help="teacher: a system of the paper's class F_{nu_w,nu_u} "
                             "(default); narma: NARMA-10")
    parser.add_argument("--n-train", type=int, default=200, help="training sequences")
    parser.add_argument("--n-test", type=int, default=200, help="test sequences")
    parser.add_argument("--timesteps", type=int, default=12, help="sequence length T")
    parser.add_argument("--features", type=int, default=2, help="features per step (teacher)")
    parser.add_argument("--noise", type=float, default=0.01, help="label noise std (teacher)")
    parser.add_argument("--widths", type=int, nargs="+", default=[16, 64, 256, 1024],
                        help="RNN widths (even)")
    parser.add_argument("--steps", type=int, default=300, help="gradient steps")
    parser.add_argument("--learning-rate", type=float, default=0.5, help="step size eta")
    parser.add_argument("--mc-samples", type=int, default=2048,
                        help="Monte Carlo draws of the kernel (a network of width 2x)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if min(args.n_train, args.n_test, args.timesteps, args.features, args.steps) < 1:
        parser.error("sizes and --steps must be positive")
    if any(width < 2 or width % 2 for width in args.widths):
        parser.error("widths must be even and >= 2")
    return args


def _data(args):
    n = args.n_train + args.n_test
    if args.dataset == "narma":
        X, y = make_narma(n_samples=n, n_timesteps=args.timesteps, random_state=args.seed)
    else:
        X, y, _ = make_rkhs_teacher(
            n_samples=n, n_timesteps=args.timesteps, n_features=args.features,
            noise=args.noise, random_state=args.seed,
        )
    return X[: args.n_train], y[: args.n_train], X[args.n_train:], y[args.n_train:]


def _relative_distance(a, b):
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), np.finfo(float).tiny))


def _timed_fit(model, X, y):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return time.perf_counter() - start


def _compile_kernels(X, y):
    """Fit tiny models once so that the timings below exclude Numba compilation."""
    start = time.perf_counter()
    _timed_fit(ProjectedGDRNNRegressor(width=2, max_iter=1), X[:2], y[:2])
    _timed_fit(NTKRNNKernelRegressor(n_mc_samples=2), X[:2], y[:2])
    return time.perf_counter() - start


def main(argv=None):
    args = _parse(argv)
    X_train, y_train, X_test, y_test = _data(args)
    print(f"Numba kernels ready in {_compile_kernels(X_train, y_train):.1f} s "
          "(compiled on the first run, then loaded from the disk cache)")
    print(
        f"data: {args.dataset}; train X {X_train.shape}, test X {X_test.shape}; "
        f"one target per step; {args.steps} gradient steps of size {args.learning_rate}"
    )

    kernel_gd = NTKRNNKernelRegressor(
        n_mc_samples=args.mc_samples, gd_steps=args.steps,
        gd_learning_rate=args.learning_rate, random_state=args.seed,
    )
    kernel_time = _timed_fit(kernel_gd, X_train, y_train)
    kernel_pred = kernel_gd.predict(X_test)
    kernel_risk = float(np.mean(np.sum((kernel_gd.predict(X_train) - y_train) ** 2, axis=1)))
    ridge = NTKRNNKernelRegressor(n_mc_samples=args.mc_samples, random_state=args.seed)
    ridge_time = _timed_fit(ridge, X_train, y_train)
    ridge_risk = float(np.mean(np.sum((ridge.predict(X_train) - y_train) ** 2, axis=1)))

    header = (
        f"{'model':>26} {'train risk':>11} {'test R^2':>9} "
        f"{'dist. to kernel':>16} {'time [s]':>9}"
    )
    print(header)
    print("-" * len(header))
    for width in args.widths:
        model = ProjectedGDRNNRegressor(
            width=width, radius_w=None, radius_u=None, learning_rate=args.learning_rate,
            max_iter=args.steps, iterate="last", random_state=args.seed,
        )
        elapsed = _timed_fit(model, X_train, y_train)
        prediction = model.predict(X_test)
        print(
            f"{'RNN, width ' + str(width):>26} {model.train_loss_:11.4g} "
            f"{r2_score(y_test, prediction):9.4f} "
            f"{_relative_distance(prediction, kernel_pred):16.4f} {elapsed:9.2f}"
        )
    print(
        f"{'kernel limit, same GD':>26} {kernel_risk:11.4g} "
        f"{r2_score(y_test, kernel_pred):9.4f} {0.0:16.4f} {kernel_time:9.2f}"
    )
    ridge_pred = ridge.predict(X_test)
    print(
        f"{'kernel ridge (GD to end)':>26} {ridge_risk:11.4g} "
        f"{r2_score(y_test, ridge_pred):9.4f} "
        f"{_relative_distance(ridge_pred, kernel_pred):16.4f} {ridge_time:9.2f}"
    )
    print(
        "dist. to kernel: ||prediction - kernel GD prediction|| / ||kernel GD prediction|| "
        "on the test set. Kernel: "
        f"{args.mc_samples} Monte Carlo draws (the NTK of a width-{2 * args.mc_samples} network)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Command-line demo: finite-width RNNs against their kernel limit.

Run ``python -m skrnn --help`` for the options.
"""

import argparse
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score

from . import ProjectedGDRNNRegressor
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
                        help="teacher: a system of the paper's class F_{nu_w,nu_u}; narma: NARMA-10")
    parser.add_argument("--n-train", type=int, default=200)
    parser.add_argument("--n-test", type=int, default=200)
    parser.add_argument("--timesteps", type=int, default=12)
    parser.add_argument("--features", type=int, default=2, help="features per step (teacher only)")
    parser.add_argument("--widths", type=int, nargs="+", default=[16, 64, 256, 1024])
    parser.add_argument("--max-iter", type=int, default=300)
    parser.add_argument("--learning-rate", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def _data(args):
    n = args.n_train + args.n_test
    if args.dataset == "narma":
        X, y = make_narma(n_samples=n, n_timesteps=args.timesteps, random_state=args.seed)
    else:
        X, y, _ = make_rkhs_teacher(
            n_samples=n, n_timesteps=args.timesteps, n_features=args.features,
            n_draws=2048, random_state=args.seed,
        )
    return X[: args.n_train], y[: args.n_train], X[args.n_train:], y[args.n_train:]


def main(argv=None):
    args = _parse(argv)
    X_train, y_train, X_test, y_test = _data(args)
    print(
        f"data: {args.dataset}, train {X_train.shape}, test {X_test.shape}, "
        f"sequence-to-sequence targets {y_train.shape}"
    )
    header = f"{'model':>22} {'train risk':>11} {'test R^2':>9} {'time [s]':>9}"
    print(header)
    print("-" * len(header))
    for width in args.widths:
        model = ProjectedGDRNNRegressor(
            width=width, radius_w=None, radius_u=None, learning_rate=args.learning_rate,
            max_iter=args.max_iter, iterate="last", random_state=args.seed,
        )
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train, y_train)
        elapsed = time.perf_counter() - start
        score = r2_score(y_test, model.predict(X_test))
        print(f"{'RNN width ' + str(width):>22} {model.train_loss_:11.4g} {score:9.4f} {elapsed:9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

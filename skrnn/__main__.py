"""Command-line demo: finite-width RNNs against their kernel limit.

The RNN of every width is trained by full-batch gradient descent with a fixed
step size for a fixed number of steps. Its infinite-width limit is the
linearized RNN trained the same way, which ``NTKRNNKernelRegressor`` predicts
in closed form (``gd_steps``); the ridge solution of the same kernel is shown
too. As the width grows, the RNN's test predictions approach the kernel's.

Run ``python -m skrnn --help`` for the options. ``--json`` prints the results
as JSON on standard output, ``--plot FILE`` draws them (needs matplotlib).
Progress goes to standard error.
"""

import argparse
import json
import math
import sys
import time
import warnings

import numpy as np

from . import NTKRNNKernelRegressor, ProjectedGDRNNRegressor
from ._activations import activation_names
from .datasets import load_sunspots, make_narma, make_rkhs_teacher, make_windows

PROG = "python -m skrnn"
GiB = 2**30


# ------------------------------------------------------------------ arguments


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer seed, got {text!r}") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"the seed must be in [0, 2**32 - 1], got {text!r}")
    return value


def _float_checker(name, minimum, allow_equal):
    def check(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {name}, got {text!r}") from None
        if not math.isfinite(value) or value < minimum or (value == minimum and not allow_equal):
            raise argparse.ArgumentTypeError(f"expected {name}, got {text!r}")
        return value

    return check


_positive_float = _float_checker("a positive finite number", 0.0, allow_equal=False)
_nonnegative_float = _float_checker("a finite number >= 0", 0.0, allow_equal=True)


def _radius(text):
    if text.lower() == "none":
        return None
    return _positive_float(text)


def _even_width(text):
    value = _positive_int(text)
    if value < 2 or value % 2:
        raise argparse.ArgumentTypeError(f"widths must be even and >= 2, got {text!r}")
    return value


class _OneLineErrorParser(argparse.ArgumentParser):
    """Errors as one line on standard error (no usage block), exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _parser():
    parser = _OneLineErrorParser(
        prog=PROG,
        description=(
            "Fit the RNN (ProjectedGDRNNRegressor) at several widths and compare its test "
            "predictions with its infinite-width limit (NTKRNNKernelRegressor, trained by "
            "the same gradient descent in closed form)."
        ),
        epilog=(
            "Exit status: 0 on success, 2 for invalid options or sizes over --max-memory, "
            "1 for any other error. Progress goes to standard error."
        ),
    )
    data = parser.add_argument_group("data")
    data.add_argument(
        "--dataset",
        choices=["teacher", "narma", "sunspots"],
        default="teacher",
        help="teacher: a system of the paper's class F_{nu_w,nu_u} (default); narma: "
        "NARMA-10; sunspots: one-step-ahead forecasting of the yearly sunspot numbers "
        "from windows of --timesteps years (scaled by the training maximum, split in time)",
    )
    data.add_argument(
        "--n-train",
        type=_positive_int,
        default=None,
        help="training sequences (default 200; sunspots: the first 70%% of the windows)",
    )
    data.add_argument(
        "--n-test",
        type=_positive_int,
        default=None,
        help="test sequences (default 200; sunspots: the remaining windows)",
    )
    data.add_argument("--timesteps", type=_positive_int, default=12, help="sequence length T")
    data.add_argument(
        "--features", type=_positive_int, default=2, help="features per step (teacher only)"
    )
    data.add_argument(
        "--noise",
        type=_nonnegative_float,
        default=0.01,
        help="label noise standard deviation (teacher only)",
    )

    model = parser.add_argument_group("model and training")
    model.add_argument(
        "--widths",
        type=_even_width,
        nargs="+",
        default=[16, 64, 256, 1024],
        help="RNN widths m (even)",
    )
    model.add_argument("--activation", choices=list(activation_names()), default="tanh")
    model.add_argument(
        "--recurrent-scale",
        type=_nonnegative_float,
        default=0.5,
        help="alpha, the size of the initial recurrent weights",
    )
    model.add_argument(
        "--radius-w",
        type=_radius,
        default=None,
        help="projection radius rho_w of the recurrent weights, or 'none' "
        "(default: plain gradient descent, as the kernel limit is trained)",
    )
    model.add_argument(
        "--radius-u",
        type=_radius,
        default=None,
        help="projection radius rho_u of the input weights, or 'none'",
    )
    model.add_argument("--steps", type=_positive_int, default=300, help="gradient steps")
    model.add_argument("--learning-rate", type=_positive_float, default=0.5, help="step size eta")
    model.add_argument(
        "--mc-samples",
        type=_positive_int,
        default=2048,
        help="Monte Carlo draws of the kernel (the NTK of a network of twice this width)",
    )
    model.add_argument("--seed", type=_seed, default=0)

    output = parser.add_argument_group("output")
    output.add_argument(
        "--json",
        action="store_true",
        help="print the results as JSON on standard output instead of a table "
        "(NaN as null, infinities as the strings 'inf'/'-inf')",
    )
    output.add_argument(
        "--plot",
        metavar="FILE",
        help="write the width-convergence figure to FILE (png, svg, pdf; needs matplotlib)",
    )
    output.add_argument("--quiet", action="store_true", help="no progress on standard error")
    output.add_argument(
        "--max-memory",
        type=_positive_float,
        default=4.0,
        metavar="GIB",
        help="refuse sizes estimated to need more memory than this (GiB, default 4)",
    )
    return parser


def _parse(argv):
    parser = _parser()
    args = parser.parse_args(argv)
    if (args.radius_w is None) != (args.radius_u is None):
        parser.error("give both --radius-w and --radius-u (projected GD) or neither (plain GD)")
    if args.plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            parser.error("--plot needs matplotlib (pip install matplotlib)")
    if args.dataset == "sunspots":
        n_windows = len(load_sunspots(return_series=True)) - args.timesteps
        if n_windows < 4:
            parser.error(f"--timesteps {args.timesteps} leaves {n_windows} sunspot windows")
        n_train = args.n_train or int(0.7 * n_windows)
        n_test = args.n_test or n_windows - n_train
        if n_train + n_test > n_windows:
            parser.error(
                f"the sunspot series has {n_windows} windows of {args.timesteps} steps; "
                f"--n-train + --n-test = {n_train + n_test}"
            )
        args.n_train, args.n_test, args.features = n_train, n_test, 1
    else:
        args.n_train = args.n_train or 200
        args.n_test = args.n_test or 200
        if args.dataset == "narma":
            args.features = 1
    need = _memory_estimate(args)
    if need > args.max_memory * GiB:
        parser.error(
            f"these sizes need about {need / GiB:.3g} GiB, more than --max-memory "
            f"{args.max_memory:g} GiB; use fewer or shorter sequences, smaller --widths or "
            "--mc-samples, or raise --max-memory"
        )
    return args


def _memory_estimate(args):
    """Bytes of the largest fit (an upper estimate, before anything is allocated)."""
    n = args.n_train + args.n_test
    T, d, M = args.timesteps, args.features, args.mc_samples
    data = 8 * n * T * (d + 2) * 2
    teacher = 8 * n * T * 4096 * 2 if args.dataset == "teacher" else 0
    m = max(args.widths)
    rnn = 8 * (2 * (2 * T + 1) * m + 3 * n * T + 12 * m * (d + 1) * (1 + n // 16))
    # kernel model: features of every (sequence, step) pair, then the smaller of
    # the two systems (dual: rows x rows, primal: features x features) with its
    # eigendecomposition
    rows, p = args.n_train * T, M * (1 + d)
    kernel = 8 * (rows * p + 3 * min(rows, p) ** 2)
    return data + teacher + max(rnn, kernel)


# ----------------------------------------------------------------------- run


class _Progress:
    def __init__(self, quiet):
        self.quiet = quiet
        self.start = time.perf_counter()

    def __call__(self, message):
        if not self.quiet:
            elapsed = time.perf_counter() - self.start
            print(f"[{elapsed:6.1f} s] {message}", file=sys.stderr, flush=True)


def _data(args):
    n = args.n_train + args.n_test
    if args.dataset == "narma":
        X, y = make_narma(n_samples=n, n_timesteps=args.timesteps, random_state=args.seed)
    elif args.dataset == "sunspots":
        series = load_sunspots(return_series=True)
        X, y = make_windows(series, window=args.timesteps)
        scale = X[: args.n_train].max()  # training data only: no look-ahead
        X, y = X / scale, y / scale
        X, y = X[:n], y[:n]
    else:
        X, y, _ = make_rkhs_teacher(
            n_samples=n,
            n_timesteps=args.timesteps,
            n_features=args.features,
            activation=args.activation,
            recurrent_scale=args.recurrent_scale,
            noise=args.noise,
            random_state=args.seed,
        )
    return X[: args.n_train], y[: args.n_train], X[args.n_train :], y[args.n_train :]


def _accepted(estimator_class, **params):
    """Keep the parameters ``estimator_class`` has (older versions lack some)."""
    known = estimator_class().get_params()
    return {key: value for key, value in params.items() if key in known}


def _fit(model, X, y, label, progress):
    """Fit, timing it and recording (not hiding) its warnings."""
    progress(f"{label}: fitting")
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    elapsed = time.perf_counter() - start
    messages = list(dict.fromkeys(str(w.message) for w in caught))
    for message in messages:
        print(f"warning ({label}): {message}", file=sys.stderr, flush=True)
    progress(f"{label}: done in {elapsed:.1f} s")
    return elapsed, messages


def _status(messages):
    if any("diverged" in message for message in messages):
        return "diverged"
    return "warning" if messages else "ok"


def _risk(prediction, y):
    """The paper's risk (eq. 1): squared error summed over steps, averaged over sequences."""
    residual = (prediction - y).reshape(len(y), -1)
    return float(np.mean(np.sum(residual**2, axis=1)))


def _r2(prediction, y):
    """R^2 over all (sequence, step) pairs."""
    total = np.sum((y - y.mean()) ** 2)
    return float(1.0 - np.sum((prediction - y) ** 2) / total) if total > 0 else math.nan


def _distance(a, b):
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), np.finfo(float).tiny))


def _common_params(args):
    return dict(
        activation=args.activation, recurrent_scale=args.recurrent_scale, random_state=args.seed
    )


def _compile_kernels(X, y, args):
    """Fit tiny models once so that the timings below exclude Numba compilation."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ProjectedGDRNNRegressor(width=2, max_iter=1, **_common_params(args)).fit(X[:2], y[:2])
        NTKRNNKernelRegressor(n_mc_samples=2, **_common_params(args)).fit(X[:2], y[:2])
    return time.perf_counter() - start


def run(args):
    """Fit every model and return the results as a dictionary."""
    progress = _Progress(args.quiet or False)
    X_train, y_train, X_test, y_test = _data(args)
    progress(f"data: {args.dataset}, train X {X_train.shape}, test X {X_test.shape}")
    progress("compiling the Numba kernels (loaded from the disk cache after the first run)")
    compile_seconds = _compile_kernels(X_train, y_train, args)
    progress(f"kernels ready in {compile_seconds:.1f} s")

    no_normalization = dict(normalize_y=False, early_stopping=False, warm_start=False)
    kernel_gd = NTKRNNKernelRegressor(
        n_mc_samples=args.mc_samples,
        gd_steps=args.steps,
        gd_learning_rate=args.learning_rate,
        **_common_params(args),
        **_accepted(NTKRNNKernelRegressor, **no_normalization),
    )
    kernel_label = f"kernel limit ({args.mc_samples} draws), same GD"
    kernel_time, kernel_warnings = _fit(kernel_gd, X_train, y_train, kernel_label, progress)
    kernel_prediction = kernel_gd.predict(X_test)

    rows = []
    for width in args.widths:
        model = ProjectedGDRNNRegressor(
            width=width,
            radius_w=args.radius_w,
            radius_u=args.radius_u,
            learning_rate=args.learning_rate,
            max_iter=args.steps,
            iterate="last",
            **_common_params(args),
            **_accepted(ProjectedGDRNNRegressor, **no_normalization),
        )
        seconds, messages = _fit(model, X_train, y_train, f"RNN, width {width}", progress)
        prediction = model.predict(X_test)
        rows.append(
            {
                "model": "rnn",
                "width": width,
                "train_risk": _risk(model.predict(X_train), y_train),
                "test_r2": _r2(prediction, y_test),
                "distance_to_kernel": _distance(prediction, kernel_prediction),
                "theoretical_bound": float(model.theoretical_bound_),
                "fit_seconds": seconds,
                "status": _status(messages),
                "warnings": messages,
                "test_prediction": prediction,
            }
        )

    rows.append(
        {
            "model": "kernel_gd",
            "width": None,
            "train_risk": _risk(kernel_gd.predict(X_train), y_train),
            "test_r2": _r2(kernel_prediction, y_test),
            "distance_to_kernel": 0.0,
            "theoretical_bound": float(kernel_gd.theoretical_bound_),
            "fit_seconds": kernel_time,
            "status": _status(kernel_warnings),
            "warnings": kernel_warnings,
            "test_prediction": kernel_prediction,
        }
    )
    ridge = NTKRNNKernelRegressor(
        n_mc_samples=args.mc_samples,
        **_common_params(args),
        **_accepted(NTKRNNKernelRegressor, normalize_y=False),
    )
    ridge_time, ridge_warnings = _fit(ridge, X_train, y_train, "kernel ridge", progress)
    ridge_prediction = ridge.predict(X_test)
    rows.append(
        {
            "model": "kernel_ridge",
            "width": None,
            "train_risk": _risk(ridge.predict(X_train), y_train),
            "test_r2": _r2(ridge_prediction, y_test),
            "distance_to_kernel": _distance(ridge_prediction, kernel_prediction),
            "theoretical_bound": float(ridge.theoretical_bound_),
            "fit_seconds": ridge_time,
            "status": _status(ridge_warnings),
            "warnings": ridge_warnings,
            "test_prediction": ridge_prediction,
        }
    )
    progress("done")
    config = {
        key: value for key, value in vars(args).items() if key not in ("json", "plot", "quiet")
    }
    return {"config": config, "compile_seconds": compile_seconds, "results": rows, "y_test": y_test}


# -------------------------------------------------------------------- output

_LABELS = {"kernel_gd": "kernel limit, same GD", "kernel_ridge": "kernel ridge"}


def _label(row):
    return f"RNN, width {row['width']}" if row["model"] == "rnn" else _LABELS[row["model"]]


def print_table(results, file=None):
    """Print the results as a table (to ``file``, default standard output)."""
    file = sys.stdout if file is None else file
    config = results["config"]
    print(
        f"data: {config['dataset']}; {config['n_train']} training and {config['n_test']} test "
        f"sequences of {config['timesteps']} steps; {config['steps']} gradient steps of size "
        f"{config['learning_rate']}; activation {config['activation']}",
        file=file,
    )
    header = (
        f"{'model':>22} {'train risk':>11} {'test R^2':>9} {'dist. to kernel':>16} "
        f"{'bound':>10} {'time [s]':>9} {'status':>9}"
    )
    print(header, file=file)
    print("-" * len(header), file=file)
    for row in results["results"]:
        print(
            f"{_label(row):>22} {row['train_risk']:11.4g} {row['test_r2']:9.4f} "
            f"{row['distance_to_kernel']:16.4f} {row['theoretical_bound']:10.3g} "
            f"{row['fit_seconds']:9.2f} {row['status']:>9}",
            file=file,
        )
    print(
        "dist. to kernel: ||prediction - kernel-GD prediction|| / ||kernel-GD prediction|| on "
        "the test set. bound: the model's theoretical_bound_ (inf: vacuous at this size). "
        f"Numba compilation or cache loading took {results['compile_seconds']:.1f} s.",
        file=file,
    )


def _jsonable(value):
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, float | np.floating):
        value = float(value)
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
    return value


def to_json(results):
    """The results without the prediction arrays, as a JSON string."""
    rows = [{k: v for k, v in row.items() if k != "test_prediction"} for row in results["results"]]
    payload = {
        "config": results["config"],
        "compile_seconds": results["compile_seconds"],
        "results": rows,
    }
    return json.dumps(_jsonable(payload), indent=2, allow_nan=False)


def plot(results, path):
    """Write the width-convergence figure to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rnn = [row for row in results["results"] if row["model"] == "rnn"]
    kernel = next(row for row in results["results"] if row["model"] == "kernel_gd")
    widths = np.array([row["width"] for row in rnn], dtype=float)
    distances = np.array([row["distance_to_kernel"] for row in rnn])

    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    left.loglog(widths, distances, "o-", label="RNN vs kernel limit")
    left.loglog(
        widths, distances[0] * (widths / widths[0]) ** -0.5, "k--", label=r"$\propto m^{-1/2}$"
    )
    left.set_xlabel("width m")
    left.set_ylabel("relative distance of\ntest predictions")
    left.set_title("Distance to the kernel limit")
    left.legend()

    y_test = results["y_test"]
    if y_test.ndim == 2:  # one target per step: show one test sequence
        right.plot(y_test[0], "k.", label="target")
        right.plot(kernel["test_prediction"][0], "k-", label="kernel limit")
        for row in (rnn[0], rnn[-1]):
            right.plot(row["test_prediction"][0], "--", label=f"RNN, width {row['width']}")
        right.set_xlabel("time step")
        right.set_title("One test sequence")
    else:  # one target per sequence: show the test targets in order
        right.plot(y_test, "k.", label="target")
        right.plot(kernel["test_prediction"], "k-", label="kernel limit")
        for row in (rnn[0], rnn[-1]):
            right.plot(row["test_prediction"], "--", label=f"RNN, width {row['width']}")
        right.set_xlabel("test sequence")
        right.set_title("Last-step targets of the test set")
    right.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None):
    args = _parse(argv)
    try:
        results = run(args)
        if args.json:
            print(to_json(results))
        else:
            print_table(results)
        if args.plot:
            plot(results, args.plot)
            if not args.quiet:
                print(f"figure written to {args.plot}", file=sys.stderr)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except (MemoryError, ValueError, OSError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

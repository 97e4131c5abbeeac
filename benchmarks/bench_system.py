"""Scaling, threads, parallel cross-validation, busy machines and latency.

* scaling: fitted exponents of the gradient time in n, T and m (each over an
  8x range, the others at B) and the speed-up from 1 to 2 Numba threads at B;
* cross-validation: ``GridSearchCV(n_jobs=2)`` over 4 candidates x 3 folds
  with the estimator's threads at their default, against the same search
  with ``n_jobs=1`` on both the search and the estimator (scores must match);
* busy machine: a fit on about 200 windows of 20 steps at width 128 with
  the default threads and with ``n_jobs=1``, on the machine as it is and
  with one busy process per core started by the benchmark
  (``python -c "while True: pass"``, killed at the end);
* parallel threshold: one gradient on the calling thread against 2 threads,
  by amount of work, as is and busy (sets ``MIN_PARALLEL_WORK``);
* latency: ``import skrnn`` (lazy: loads no dependency), ``from skrnn import
  ProjectedGDRNNRegressor`` next to ``import sklearn.base`` alone, and the
  first fit at size A in a fresh process with a warm on-disk Numba cache
  and with an empty one (a new ``NUMBA_CACHE_DIR``).

Run: ``python benchmarks/bench_system.py [--quick]``.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numba
import numpy as np
from _common import CONFIGS, ROOT, median_time, rnn_problem, unit_sequences

from skrnn import ProjectedGDRNNRegressor
from skrnn._numba.activations import ACTIVATION_CODES
from skrnn._numba.recurrence import risk_and_gradient

TANH = ACTIVATION_CODES["tanh"]


def _gradient_time(n, T, d, m, repeats):
    X, Y, w, UT, c_half = rnn_problem(n, T, d, m)
    grad_w = np.empty(m)
    grad_UT = np.empty((d, m))
    seconds, _, _ = median_time(
        lambda: risk_and_gradient(X, Y, w, UT, c_half, TANH, grad_w, grad_UT), repeats
    )
    return seconds


def scaling(quick):
    base = CONFIGS["A"] if quick else CONFIGS["B"]
    repeats = 3 if quick else 5
    factors = (1, 2, 4, 8)
    result = {"base": list(base)}
    for axis, name in ((0, "n"), (1, "T"), (3, "m")):
        sizes, times = [], []
        for factor in factors:
            config = list(base)
            config[axis] = base[axis] * factor // 8
            sizes.append(config[axis])
            times.append(_gradient_time(*config, repeats))
        slope = float(np.polyfit(np.log(sizes), np.log(times), 1)[0])
        result[f"exponent_{name}"] = slope
        result[f"times_{name}"] = dict(zip(map(str, sizes), times, strict=True))
    previous = numba.get_num_threads()
    by_threads = {}
    for threads in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
        numba.set_num_threads(threads)
        by_threads[threads] = _gradient_time(*base, repeats)
    numba.set_num_threads(previous)
    result["threads_s"] = {str(k): v for k, v in by_threads.items()}
    result["speedup_1_to_2_threads"] = by_threads[1] / by_threads[max(by_threads)]
    return result


def _quiet(function):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function()


def grid_search(quick):
    from sklearn.model_selection import GridSearchCV, KFold

    rng = np.random.default_rng(2)
    n, T, d = (150, 12, 3) if quick else (600, 30, 4)
    X = unit_sequences(rng, n, T, d)
    y = np.tanh(X[:, -3:, 0].sum(axis=1))
    grid = {"width": [64, 128], "recurrent_scale": [0.3, 0.6]}
    max_iter = 50 if quick else 300
    cv = KFold(3)

    def search(n_jobs_search, n_jobs_estimator):
        estimator = ProjectedGDRNNRegressor(
            max_iter=max_iter, random_state=0, n_jobs=n_jobs_estimator
        )
        searcher = GridSearchCV(estimator, grid, cv=cv, n_jobs=n_jobs_search)
        start = time.perf_counter()
        _quiet(lambda: searcher.fit(X, y))
        return time.perf_counter() - start, searcher.cv_results_["mean_test_score"]

    search(1, 1)  # compile
    serial, parallel = [], []
    for _ in range(1 if quick else 3):
        serial_time, serial_scores = search(1, 1)
        parallel_time, parallel_scores = search(2, None)
        serial.append(serial_time)
        parallel.append(parallel_time)
    return {
        "serial_s": statistics.median(serial),
        "parallel_s": statistics.median(parallel),
        "speedup": statistics.median(serial) / statistics.median(parallel),
        "scores_identical": bool(np.array_equal(serial_scores, parallel_scores)),
    }


class background_load:
    """One busy Python process per core while the block runs, killed after it."""

    def __init__(self, processes=None):
        self.processes = processes or os.cpu_count() or 1
        self.spinners = []

    def __enter__(self):
        self.spinners = [
            subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(self.processes)
        ]
        time.sleep(0.3)  # let them start spinning
        return self

    def __exit__(self, *exc):
        for spinner in self.spinners:
            spinner.kill()
        for spinner in self.spinners:
            spinner.wait(timeout=10)


def busy_machine(quick):
    """A small default fit with the default threads and with ``n_jobs=1``, idle and busy."""
    rng = np.random.default_rng(3)
    series = np.sin(np.arange(240) / 6.0) + 0.1 * rng.standard_normal(240)
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], 20)[:200, :, None].copy()
    y = series[20:220]
    max_iter = 100 if quick else 300
    repeats = 3 if quick else 5

    def fit_time(n_jobs):
        model = ProjectedGDRNNRegressor(width=128, max_iter=max_iter, random_state=0, n_jobs=n_jobs)
        seconds, _, _ = median_time(lambda: _quiet(lambda: model.fit(X, y)), repeats)
        return seconds

    def both():
        # alternated, so that a change of load hits both alike
        default, single = [], []
        for _ in range(2):
            default.append(fit_time(None))
            single.append(fit_time(1))
        return {"default_s": min(default), "n_jobs_1_s": min(single)}

    result = {"as_is": both()}
    with background_load():
        result["busy"] = both()
    for case in result.values():
        case["default_over_n_jobs_1"] = case["default_s"] / case["n_jobs_1_s"]
    return result


def parallel_threshold(quick):
    """Serial against 2-thread gradient kernels by amount of work, idle and busy.

    The crossover sets ``skrnn._numba.MIN_PARALLEL_WORK`` (neuron-steps
    ``n T m`` below which kernels run on the calling thread).
    """
    from skrnn._numba import MIN_PARALLEL_WORK
    from skrnn._numba.recurrence import _risk_and_gradient_parallel

    budget = 0.5 if quick else 1.5  # seconds of calls per measurement

    def mean_call(function):
        function()
        calls, start = 0, time.perf_counter()
        while time.perf_counter() - start < budget:
            function()
            calls += 1
        return (time.perf_counter() - start) / calls

    def sweep():
        rows = {}
        for n in (16, 32, 64, 128, 256, 512):
            T, d, m = 20, 1, 128
            X, Y, w, UT, c_half = rnn_problem(n, T, d, m)
            Y = np.ascontiguousarray(Y[:, -1:])
            grad_w, grad_UT = np.empty(m), np.empty((d, m))
            args = (X, Y, w, UT, c_half, TANH, grad_w, grad_UT, None)
            serial = mean_call(lambda: _risk_and_gradient_parallel(1, *args))  # noqa: B023
            parallel = mean_call(lambda: _risk_and_gradient_parallel(2, *args))  # noqa: B023
            rows[str(n * T * m)] = {
                "serial_s": serial,
                "two_threads_s": parallel,
                "ratio": parallel / serial,
            }
        return rows

    result = {"min_parallel_work": MIN_PARALLEL_WORK, "as_is": sweep()}
    with background_load():
        result["busy"] = sweep()
    return result


_FIT_SCRIPT = """
import time, warnings
start = time.perf_counter()
import numpy as np
from skrnn import ProjectedGDRNNRegressor
imported = time.perf_counter()
rng = np.random.default_rng(0)
X = rng.standard_normal((256, 32, 4)) / 4
y = np.tanh(X[:, -1, 0])
warnings.simplefilter("ignore")
ProjectedGDRNNRegressor(width=256, random_state=0, **PARAMS).fit(X, y)
first = time.perf_counter()
ProjectedGDRNNRegressor(width=256, random_state=0, **PARAMS).fit(X, y)
second = time.perf_counter()
print(imported - start, first - imported, second - first)
"""


def _run_python(code, env):
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    return [float(v) for v in done.stdout.split()]


def latency(quick):
    """Import and first-fit times in fresh processes (``--quick``: 100 iterations, not 1000)."""
    repeats = 1 if quick else 5
    script = _FIT_SCRIPT.replace("PARAMS", "dict(max_iter=100)" if quick else "dict()")
    env = dict(os.environ)
    imports = [
        _run_python(
            "import time; t = time.perf_counter(); import skrnn; print(time.perf_counter() - t)",
            env,
        )[0]
        for _ in range(repeats)
    ]
    estimator_imports = [
        _run_python(
            "import time; t = time.perf_counter(); from skrnn import ProjectedGDRNNRegressor;"
            " print(time.perf_counter() - t)",
            env,
        )[0]
        for _ in range(repeats)
    ]
    sklearn_imports = [
        _run_python(
            "import time; t = time.perf_counter(); import sklearn.base;"
            " print(time.perf_counter() - t)",
            env,
        )[0]
        for _ in range(repeats)
    ]
    result = {
        "import_s": statistics.median(imports),
        "import_estimator_s": statistics.median(estimator_imports),
        "import_sklearn_base_s": statistics.median(sklearn_imports),
    }
    with tempfile.TemporaryDirectory() as cache:
        env["NUMBA_CACHE_DIR"] = cache
        _, cold_fit, cold_second = _run_python(script, env)  # empty cache: compiles
        warm = [_run_python(script, env) for _ in range(repeats)]
    result["cold_first_fit_s"] = cold_fit
    result["warm_first_fit_s"] = statistics.median(w[1] for w in warm)
    result["second_fit_s"] = statistics.median([cold_second] + [w[2] for w in warm])
    return result


def _guarded(function, quick):
    """The benchmark's result, or the error it raised (the others still run)."""
    try:
        return function(quick)
    except Exception as error:  # noqa: BLE001 - reported in the table and the JSON
        return {"error": f"{type(error).__name__}: {error}"[:300]}


SECTIONS = {
    "scaling": scaling,
    "grid_search": grid_search,
    "busy_machine": busy_machine,
    "parallel_threshold": parallel_threshold,
    "latency": latency,
}


def run(quick=False, sections=None):
    """Results of the named sections (all by default), errors reported in place."""
    return {name: _guarded(SECTIONS[name], quick) for name in sections or SECTIONS}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", help="comma-separated: " + ", ".join(SECTIONS))
    args = parser.parse_args()
    sections = args.only.split(",") if args.only else None
    print(json.dumps(run(args.quick, sections), indent=2))


if __name__ == "__main__":
    main()

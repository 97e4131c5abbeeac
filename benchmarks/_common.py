"""Shared helpers of the benchmarks: timing, the GEMM rate, problems, baselines."""

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
try:
    import skrnn  # noqa: F401
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, ROOT)

#: gradient configurations of issue 10: (n, T, d, m)
CONFIGS = {
    "A": (256, 32, 4, 256),
    "B": (1024, 64, 8, 512),
    "C": (4096, 100, 8, 1024),
}


def median_time(function, repeats, warmup=True):
    """Median, min and max wall time of ``function()`` over ``repeats`` calls."""
    if warmup:
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def gemm_rate(repeats=3, size=2048):
    """NumPy's float64 GEMM rate (flop/s), ``2 size^3`` flops per product."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size))
    b = rng.standard_normal((size, size))
    out = np.empty((size, size))
    median, _, _ = median_time(lambda: np.matmul(a, b, out=out), repeats)
    return 2.0 * size**3 / median


def unit_sequences(rng, n, T, d):
    X = rng.standard_normal((n, T, d))
    return X / np.maximum(1.0, np.linalg.norm(X, axis=2, keepdims=True))


def rnn_problem(n, T, d, m, seed=0):
    """Sequences, sequence targets and a slightly moved symmetric initialization."""
    rng = np.random.default_rng(seed)
    X = unit_sequences(rng, n, T, d)
    half_w = rng.choice([-0.5, 0.5], size=m // 2)
    half_U = rng.standard_normal((m // 2, d))
    w = np.concatenate([half_w, half_w]) + 0.01 * rng.standard_normal(m)
    UT = np.ascontiguousarray(np.concatenate([half_U, half_U]).T)
    c_half = rng.choice([-1.0, 1.0], size=m // 2)
    Y = rng.standard_normal((n, T))
    return X, Y, w, UT, c_half


def environment():
    import numba

    info = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "cpu_count": os.cpu_count(),
        "numba_threads": numba.get_num_threads(),
        "machine": platform.machine(),
    }
    try:
        import scipy

        info["scipy"] = scipy.__version__
    except ImportError:  # pragma: no cover
        pass
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = [
            f"{p.get('internal_api')} {p.get('version')} {p.get('architecture')} "
            f"threads={p.get('num_threads')} ({os.path.basename(p.get('filepath', ''))})"
            for p in threadpool_info()
        ]
    except ImportError:
        pass
    if hasattr(os, "getloadavg"):
        info["load_average"] = os.getloadavg()[0]
    return info


def baseline_python():
    """Interpreter that runs the PyTorch/JAX baselines (``SKRNN_BENCH_PYTHON``)."""
    return os.environ.get("SKRNN_BENCH_PYTHON", sys.executable)


def run_baseline(framework, task, arrays, repeats, timeout=1800):
    """Run ``baselines.py`` in a fresh process; returns its JSON report."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "input.npz")
        np.savez(path, **arrays)
        command = [
            baseline_python(),
            os.path.join(HERE, "baselines.py"),
            framework,
            task,
            path,
            str(repeats),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"available": False, "reason": f"timed out after {timeout} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"available": False, "reason": f"failed (rc={done.returncode}): {' | '.join(tail)}"}
    report = json.loads(lines[-1])
    if report.get("available"):
        report["median"] = statistics.median(report["times"])
    return report


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b

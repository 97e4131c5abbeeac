"""Time of one full gradient evaluation against a GEMM-speed bound.

Times :func:`skrnn._numba.recurrence.risk_and_gradient` (risk and full
backprop-through-time gradient over all samples) at
``(n, T, d, m) = (1024, 64, 8, 512)``, sequence-to-sequence, and compares it
with ``n*T*m*(4d+13) / P``: the number of floating-point operations of the
forward and backward passes divided by ``P``, the float64 GEMM rate of
NumPy's BLAS measured in the same run (``2 N^3`` flops per ``N x N``
product). A ratio of 1 would mean the recurrence runs at matrix-multiply
speed.

Also printed: the forward-only time, gradient and forward times for every
activation, and the speed of the vectorized activations against the former
libm-based implementation (kept below as ``_libm_activate_row``), both in
ns per element. All timings are medians over repeats after a warm-up
call (which compiles, or loads Numba's cache).

Run: ``python benchmarks/bench_gradient.py [--quick]``.
"""

import argparse
import math
import os
import platform
import statistics
import sys
import time

import numba
import numpy as np

try:
    import skrnn  # noqa: F401
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from skrnn._numba import jit
from skrnn._numba.activations import ACTIVATION_CODES, activate_row
from skrnn._numba.recurrence import forward, risk_and_gradient

N_SAMPLES, N_TIMESTEPS, N_FEATURES, WIDTH = 1024, 64, 8, 512


@jit(inline="always")
def _libm_activate_row(code, z, out_value, out_derivative):
    """The former implementation (scalar libm calls), for the speed comparison."""
    size = z.shape[0]
    if code == 0:
        for i in range(size):
            value = math.tanh(z[i])
            out_value[i] = value
            out_derivative[i] = 1.0 - value * value
    elif code == 1:
        for i in range(size):
            e = math.exp(-abs(z[i]))
            value = (1.0 if z[i] >= 0.0 else e) / (1.0 + e)
            out_value[i] = value
            out_derivative[i] = value * (1.0 - value)
    else:
        for i in range(size):
            value = math.exp(-0.5 * z[i] * z[i])
            out_value[i] = value
            out_derivative[i] = -z[i] * value


@jit
def _rows_fast(code, Z, V, D, repeats):
    for _ in range(repeats):
        for j in range(Z.shape[0]):
            activate_row(code, Z[j], V[j], D[j])


@jit
def _rows_libm(code, Z, V, D, repeats):
    for _ in range(repeats):
        for j in range(Z.shape[0]):
            _libm_activate_row(code, Z[j], V[j], D[j])


def median_time(function, repeats):
    """Median wall time of ``function()`` over ``repeats`` calls, after one warm-up call."""
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def gemm_rate(repeats, size=1024):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size))
    b = rng.standard_normal((size, size))
    out = np.empty((size, size))
    median, _, _ = median_time(lambda: np.matmul(a, b, out=out), repeats)
    return 2.0 * size**3 / median


def problem(rng):
    n, T, d, m = N_SAMPLES, N_TIMESTEPS, N_FEATURES, WIDTH
    X = rng.standard_normal((n, T, d))
    X /= np.maximum(1.0, np.linalg.norm(X, axis=2, keepdims=True))
    # symmetric initialization (DESIGN.md, Definition 1), moved a little so
    # that the outputs are not all zero
    half_w = rng.choice([-0.5, 0.5], size=m // 2)
    half_U = rng.standard_normal((m // 2, d))
    w = np.concatenate([half_w, half_w]) + 0.01 * rng.standard_normal(m)
    UT = np.ascontiguousarray(np.concatenate([half_U, half_U]).T)
    c_half = rng.choice([-1.0, 1.0], size=m // 2)
    Y = rng.standard_normal((n, T))
    return X, Y, w, UT, c_half


def describe_environment():
    print(f"python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}")
    print(f"cpu: {platform.processor() or platform.machine()}, os.cpu_count() = {os.cpu_count()}")
    try:
        import llvmlite.binding as llvm

        print(f"llvm target cpu: {llvm.get_host_cpu_name()}")
    except Exception:  # pragma: no cover - informative only
        pass
    print(
        f"numba threads: {numba.get_num_threads()} "
        f"(layer {numba.config.THREADING_LAYER!r}, NUMBA_NUM_THREADS={numba.config.NUMBA_NUM_THREADS})"
    )
    for name in sorted(os.environ):
        if name.startswith(("OPENBLAS", "OMP_", "MKL_", "NUMBA_")):
            print(f"env {name}={os.environ[name]}")
    try:
        from threadpoolctl import threadpool_info

        for pool in threadpool_info():
            print(
                "threadpool: {}/{} {} threads={} architecture={} layer={} ({})".format(
                    pool.get("user_api"),
                    pool.get("internal_api"),
                    pool.get("version"),
                    pool.get("num_threads"),
                    pool.get("architecture"),
                    pool.get("threading_layer"),
                    os.path.basename(pool.get("filepath", "")),
                )
            )
    except ImportError:
        print("threadpool: threadpoolctl not installed")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    repeats = 3 if args.quick else 9
    n, T, d, m = N_SAMPLES, N_TIMESTEPS, N_FEATURES, WIDTH

    describe_environment()
    if hasattr(os, "getloadavg"):
        print(f"load average at the start: {os.getloadavg()[0]:.2f}")
    rate = gemm_rate(repeats)
    print(f"\nfloat64 GEMM 1024^3 (median of {repeats}): {rate / 1e9:.1f} GFLOP/s")

    flops = n * T * m * (4 * d + 13)
    bound = flops / rate
    print(f"problem (n, T, d, m) = ({n}, {T}, {d}, {m}), sequence-to-sequence")
    print(f"n*T*m*(4d+13) = {flops / 1e9:.3f} GFLOP -> GEMM-speed bound {bound * 1e3:.2f} ms\n")

    X, Y, w, UT, c_half = problem(np.random.default_rng(0))
    grad_w = np.empty(m)
    grad_UT = np.empty((d, m))
    header = f"{'activation':<10} {'gradient ms':>12} {'(min-max)':>17} {'/ bound':>8} {'forward ms':>11} {'grad/fwd':>9}"
    print(header)
    results = {}
    for name, code in ACTIVATION_CODES.items():
        grad, grad_min, grad_max = median_time(
            lambda: risk_and_gradient(X, Y, w, UT, c_half, code, grad_w, grad_UT), repeats
        )
        fwd, _, _ = median_time(lambda: forward(X, w, UT, c_half, code), repeats)
        results[name] = grad
        print(
            f"{name:<10} {grad * 1e3:12.2f} {f'({grad_min * 1e3:.1f}-{grad_max * 1e3:.1f})':>17} "
            f"{grad / bound:8.2f} {fwd * 1e3:11.2f} {grad / fwd:9.2f}"
        )
    print(f"numba threading layer used: {numba.threading_layer()}")
    print(f"\ngradient time, tanh: {results['tanh'] * 1e3:.2f} ms = "
          f"{results['tanh'] / bound:.2f} x the GEMM-speed bound "
          f"({flops / results['tanh'] / 1e9:.1f} GFLOP/s effective)")

    # activations alone, rows of width m as in the recurrence; 64 rows keep
    # the three arrays (768 KiB) in L2 cache, as the kernels' buffers are
    rows = 64
    Z = np.random.default_rng(1).standard_normal((rows, m)) * 2.0
    V = np.empty_like(Z)
    D = np.empty_like(Z)
    passes = 100 if args.quick else 200
    print(f"\nactivation alone, {rows} rows of {m}, single thread "
          f"(ns per element, median of {repeats}):")
    print(f"{'activation':<10} {'vectorized':>11} {'libm':>8} {'speedup':>8}")
    per = 1e9 / (passes * Z.size)
    for name, code in ACTIVATION_CODES.items():
        # alternate the two so that a change of machine load hits both alike
        _rows_fast(code, Z, V, D, 1)
        _rows_libm(code, Z, V, D, 1)
        fast_times, slow_times = [], []
        for _ in range(repeats):
            for run, times in ((_rows_fast, fast_times), (_rows_libm, slow_times)):
                start = time.perf_counter()
                run(code, Z, V, D, passes)
                times.append(time.perf_counter() - start)
        fast = statistics.median(fast_times)
        slow = statistics.median(slow_times)
        print(f"{name:<10} {fast * per:11.2f} {slow * per:8.2f} {slow / fast:8.1f}x")
    if hasattr(os, "getloadavg"):
        print(f"\nload average at the end: {os.getloadavg()[0]:.2f} "
              f"(timings are wall-clock; other processes inflate them)")


if __name__ == "__main__":
    main()

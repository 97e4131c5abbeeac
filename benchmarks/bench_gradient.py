"""Time of one full gradient evaluation against a GEMM-speed bound, PyTorch and JAX.

Times :func:`skrnn._numba.recurrence.risk_and_gradient` (risk and full
backprop-through-time gradient over all samples, sequence-to-sequence,
tanh) at the configurations ``(n, T, d, m)`` A = (256, 32, 4, 256),
B = (1024, 64, 8, 512) and C = (4096, 100, 8, 1024), and compares it with
``n*T*m*(4d+13) / P``: the number of floating-point operations of the
forward and backward passes divided by ``P``, the float64 GEMM rate of
NumPy's BLAS measured in the same run. A ratio of 1 would mean the
recurrence runs at matrix-multiply speed. PyTorch autograd and JAX
(``jit(value_and_grad)`` of a ``lax.scan``) compute the same risk and
gradient in their own processes (``baselines.py``), checked equal first.

``--activations`` also prints gradient and forward times for every
activation at B and the speed of the vectorized activations against the
former libm-based implementation (kept below as ``_libm_activate_row``).

Run: ``python benchmarks/bench_gradient.py [--quick] [--no-baselines] [--activations]``.
"""

import argparse
import json
import math
import statistics
import time

import numpy as np
from _common import CONFIGS, gemm_rate, median_time, ratio, rnn_problem, run_baseline

from skrnn._numba import jit
from skrnn._numba.activations import ACTIVATION_CODES, activate_row
from skrnn._numba.recurrence import forward, risk_and_gradient

TANH = ACTIVATION_CODES["tanh"]


def gradient_flops(n, T, d, m):
    return n * T * m * (4 * d + 13)


def gradient(config, repeats, baselines=True):
    """Median gradient time at ``config`` against the bound (and the baselines)."""
    n, T, d, m = config
    X, Y, w, UT, c_half = rnn_problem(n, T, d, m)
    grad_w = np.empty(m)
    grad_UT = np.empty((d, m))

    def run():
        return risk_and_gradient(X, Y, w, UT, c_half, TANH, grad_w, grad_UT)

    run()
    rate = gemm_rate()
    seconds, fastest, slowest = median_time(run, repeats, warmup=False)
    rate = 0.5 * (rate + gemm_rate())
    bound = gradient_flops(n, T, d, m) / rate
    result = {
        "config": list(config),
        "gemm_gflops": rate / 1e9,
        "bound_s": bound,
        "skrnn_s": seconds,
        "skrnn_min_max_s": [fastest, slowest],
        "ratio_to_bound": seconds / bound,
    }
    if baselines:
        risk = run()
        arrays = {
            "X": X,
            "Y": Y,
            "w": w,
            "UT": UT,
            "c_half": c_half,
            "risk": np.float64(risk),
            "grad_w": grad_w.copy(),
            "grad_UT": grad_UT.copy(),
        }
        for framework in ("jax", "torch"):
            report = run_baseline(framework, "gradient", arrays, max(1, repeats // 2))
            report["speedup_of_skrnn"] = ratio(report.get("median"), seconds)
            result[framework] = report
    return result


def run(quick=False, baselines=True):
    """Gradient benchmarks; baselines at A and B (C would need tens of GiB in autograd)."""
    repeats = 3 if quick else 9
    names = ("A", "B") if quick else ("A", "B", "C")
    return {
        name: gradient(
            CONFIGS[name],
            repeats if name != "C" else max(1, repeats // 3),
            baselines=baselines and name != "C" and not (quick and name == "B"),
        )
        for name in names
    }


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


def activation_details(repeats):
    """Gradient/forward time per activation at B and activation speed per element."""
    n, T, d, m = CONFIGS["B"]
    X, Y, w, UT, c_half = rnn_problem(n, T, d, m)
    grad_w = np.empty(m)
    grad_UT = np.empty((d, m))
    rate = gemm_rate()
    bound = gradient_flops(n, T, d, m) / rate
    print(f"{'activation':<10} {'gradient ms':>12} {'/ bound':>8} {'forward ms':>11}")
    for name, code in ACTIVATION_CODES.items():
        grad, _, _ = median_time(
            lambda code=code: risk_and_gradient(X, Y, w, UT, c_half, code, grad_w, grad_UT),
            repeats,
        )
        fwd, _, _ = median_time(lambda code=code: forward(X, w, UT, c_half, code), repeats)
        print(f"{name:<10} {grad * 1e3:12.2f} {grad / bound:8.2f} {fwd * 1e3:11.2f}")
    # rows of width m as in the recurrence; 64 rows keep the three arrays in L2
    rows = 64
    Z = np.random.default_rng(1).standard_normal((rows, m)) * 2.0
    V = np.empty_like(Z)
    D = np.empty_like(Z)
    passes = 200
    per = 1e9 / (passes * Z.size)
    print(f"\nactivation alone, single thread, ns per element (median of {repeats}):")
    print(f"{'activation':<10} {'vectorized':>11} {'libm':>8} {'speedup':>8}")
    for name, code in ACTIVATION_CODES.items():
        _rows_fast(code, Z, V, D, 1)
        _rows_libm(code, Z, V, D, 1)
        fast_times, slow_times = [], []
        for _ in range(repeats):  # alternate, so that load changes hit both alike
            for kernel, times in ((_rows_fast, fast_times), (_rows_libm, slow_times)):
                start = time.perf_counter()
                kernel(code, Z, V, D, passes)
                times.append(time.perf_counter() - start)
        fast = statistics.median(fast_times)
        slow = statistics.median(slow_times)
        print(f"{name:<10} {fast * per:11.2f} {slow * per:8.2f} {slow / fast:8.1f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--activations", action="store_true")
    args = parser.parse_args()
    print(json.dumps(run(args.quick, not args.no_baselines), indent=2))
    if args.activations:
        activation_details(3 if args.quick else 9)


if __name__ == "__main__":
    main()

"""The same bits whatever compiled the kernels first, and whatever the cache holds.

Each case runs fresh interpreters with their own ``NUMBA_CACHE_DIR``: one
calls ``activate_row`` directly before fitting, the other fits first (so
the activation is first compiled as a callee of a fast-math kernel). A
third process reads a cache filled in the other order. All results must be
equal bit for bit.
"""

import os
import platform
import subprocess
import sys

import numpy as np
import pytest

_PROBE = r"""
import sys, warnings
import numpy as np
warnings.simplefilter("ignore")


def activations():
    from skrnn._numba.activations import activate_row
    z = np.random.default_rng(1).normal(scale=3.0, size=1001)
    rows = []
    for code in (0, 1, 2):
        value, derivative = np.empty_like(z), np.empty_like(z)
        activate_row(code, z, value, derivative)
        rows += [value, derivative]
    return np.concatenate(rows)


def rnn():
    from skrnn import ProjectedGDRNNRegressor
    rng = np.random.default_rng(0)
    X = rng.uniform(-0.5, 0.5, (24, 5, 2))
    Y = np.sin(X.sum(-1))
    model = ProjectedGDRNNRegressor(width=32, max_iter=10, random_state=0).fit(X, Y)
    return model.predict(X).ravel()


def ntk():
    from skrnn.kernels import ntk_draws, rnn_ntk
    X = np.random.default_rng(2).uniform(-0.5, 0.5, (10, 5, 2))
    w0, U0 = ntk_draws(32, 2, random_state=0)
    return rnn_ntk(X, w0=w0, U0=U0).ravel()


steps = {"activations": activations, "rnn": rnn, "ntk": ntk}
order, path = sys.argv[1].split(","), sys.argv[2]
results = {name: steps[name]() for name in order}
np.savez(path, **results)
"""

_ACTIVATION_FIRST = "activations,rnn,ntk"
_FIT_FIRST = "rnn,ntk,activations"


def _start(order, cache_dir, out_path):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir))
    env.pop("NUMBA_DISABLE_JIT", None)
    return subprocess.Popen(
        [sys.executable, "-c", _PROBE, order, str(out_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _finish(process):
    output, _ = process.communicate(timeout=900)
    assert process.returncode == 0, output


def _load(path):
    with np.load(path) as data:
        return {key: data[key] for key in data.files}


def _assert_same_bits(first, second):
    assert sorted(first) == sorted(second)
    for key in first:
        np.testing.assert_array_equal(first[key].view(np.int64), second[key].view(np.int64))


@pytest.mark.slow
def test_same_bits_whatever_compiles_first_and_whatever_the_cache_holds(tmp_path):
    activation_cache, fit_cache = tmp_path / "cache_a", tmp_path / "cache_b"
    # two cold compilations in opposite orders, at the same time
    runs = [
        _start(_ACTIVATION_FIRST, activation_cache, tmp_path / "a.npz"),
        _start(_FIT_FIRST, fit_cache, tmp_path / "b.npz"),
    ]
    for process in runs:
        _finish(process)
    activation_first = _load(tmp_path / "a.npz")
    fit_first = _load(tmp_path / "b.npz")
    for values in activation_first.values():
        assert np.isfinite(values).all() and np.ptp(values) > 0
    _assert_same_bits(activation_first, fit_first)
    # each cache, filled in one order, read in the other
    runs = [
        _start(_FIT_FIRST, activation_cache, tmp_path / "c.npz"),
        _start(_ACTIVATION_FIRST, fit_cache, tmp_path / "d.npz"),
    ]
    for process in runs:
        _finish(process)
    _assert_same_bits(activation_first, _load(tmp_path / "c.npz"))
    _assert_same_bits(activation_first, _load(tmp_path / "d.npz"))
    assert any(activation_cache.rglob("*.nbi")) and any(fit_cache.rglob("*.nbi"))


# Numba compiles for the CPU it runs on. To stand in for other machines, the
# kernels are compiled in fresh processes (each with an empty cache) for
# other target CPUs: NUMBA_CPU_NAME / NUMBA_CPU_FEATURES pick LLVM's target,
# hence the vector width (AVX-512: 8 doubles, AVX2: 4, SSE2: 2) and whether
# fused multiply-add is an instruction or a libm call. The compiled code
# still runs on this CPU, which supports all of these instruction sets.
_CROSS_CPU_PROBE = r"""
import re, sys, warnings
import numpy as np
warnings.simplefilter("ignore")
from skrnn import NTKRNNKernelRegressor, ProjectedGDRNNRegressor
from skrnn._numba.activations import activate_row
from skrnn._numba.recurrence import forward, risk_and_gradient
from skrnn.kernels import ntk_draws, rnn_ntk, rnn_ntk_features

results = {}
rng = np.random.default_rng(0)
z = rng.normal(scale=3.0, size=257)
for code in (0, 1, 2):
    value, derivative = np.empty_like(z), np.empty_like(z)
    activate_row(code, z, value, derivative)
    results[f"activation_{code}"] = np.concatenate([value, derivative])
# the instructions this process compiled to, to show the target did change
asm = "\n".join(activate_row.inspect_asm().values())
target = [bool(re.search(pattern, asm)) for pattern in (r"%zmm\d", r"%ymm\d", r"vfmadd")]
results["target"] = np.array(target)

# d = 1, 2, 3, 5, 8 cover every branch of the input terms; half = 300 with
# d = 8 gives two neuron blocks (256 + 44), half = 21 a pair-sum tail
for d, half in ((1, 21), (2, 4), (3, 21), (5, 13), (8, 300)):
    n, T, m = 37, 6, 2 * half
    X = rng.uniform(-1.0, 1.0, (n, T, d))
    Y = rng.normal(size=(n, T))
    w = rng.uniform(-0.9, 0.9, m)
    UT = rng.normal(size=(d, m)) / np.sqrt(d)
    c_half = rng.choice([-1.0, 1.0], half)
    weights = rng.uniform(0.0, 2.0, n)
    for code in (0, 1, 2):
        key = f"{d}_{code}"
        results["forward_" + key] = forward(X, w, UT, c_half, code)
        grad_w, grad_UT = np.empty(m), np.empty((d, m))
        risk = risk_and_gradient(X, Y, w, UT, c_half, code, grad_w, grad_UT)
        results["gradient_" + key] = np.concatenate([[risk], grad_w, grad_UT.ravel()])
        last = np.ascontiguousarray(Y[:, -1:])
        risk = risk_and_gradient(X, last, w, UT, c_half, code, grad_w, grad_UT, weights)
        results["weighted_gradient_" + key] = np.concatenate([[risk], grad_w, grad_UT.ravel()])

X = rng.uniform(-0.5, 0.5, (12, 5, 3))
w0, U0 = ntk_draws(46, 3, random_state=0)
results["ntk_features"] = rnn_ntk_features(X, w0=w0, U0=U0)
results["ntk_gram"] = rnn_ntk(X, w0=w0, U0=U0)

X = rng.uniform(-0.5, 0.5, (30, 6, 2))
y = np.sin(X.sum(axis=(1, 2)))
rnn = ProjectedGDRNNRegressor(width=32, learning_rate=0.5, max_iter=15, random_state=0)
results["estimator_rnn"] = rnn.fit(X, y).predict(X)
ntk = NTKRNNKernelRegressor(n_mc_samples=64, alpha=1.0, random_state=0)
results["estimator_ntk"] = ntk.fit(X, y).predict(X)
np.savez(sys.argv[1], **results)
"""


def _cross_cpu_targets():
    """``(NUMBA_CPU_NAME, NUMBA_CPU_FEATURES)`` pairs to compare with the host."""
    if platform.machine().lower() in ("x86_64", "amd64"):
        # AVX2 + FMA (4 lanes), and baseline x86-64 (SSE2: 2 lanes, no FMA)
        return [("haswell", ""), ("generic", "")]
    return [("generic", "")]


def _run_for_target(target, cache_dir, out_path):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir))
    for name in ("NUMBA_DISABLE_JIT", "NUMBA_CPU_NAME", "NUMBA_CPU_FEATURES"):
        env.pop(name, None)
    if target is not None:
        env["NUMBA_CPU_NAME"], env["NUMBA_CPU_FEATURES"] = target
    return subprocess.Popen(
        [sys.executable, "-c", _CROSS_CPU_PROBE, str(out_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.slow
def test_same_bits_for_every_target_cpu(tmp_path):
    targets = [None, *_cross_cpu_targets()]
    runs = [
        _run_for_target(target, tmp_path / f"cache_{i}", tmp_path / f"out_{i}.npz")
        for i, target in enumerate(targets)
    ]
    for process in runs:
        _finish(process)
    host, *others = (_load(tmp_path / f"out_{i}.npz") for i in range(len(targets)))
    host_target = tuple(host.pop("target"))
    other_targets = [tuple(other.pop("target")) for other in others]
    # the emulation took effect: each process compiled other instructions
    assert len({host_target, *other_targets}) == len(targets), (host_target, other_targets)
    for key, values in host.items():
        assert np.isfinite(values).all() and np.ptp(values) > 0, key
    estimators = ("estimator_rnn", "estimator_ntk")
    for other in others:
        assert sorted(other) == sorted(host)
        # the kernels' own outputs (the NTK Gram included: same features, and
        # this test runs one BLAS) must agree bit for bit
        _assert_same_bits(
            {key: host[key] for key in host if key not in estimators},
            {key: other[key] for key in other if key not in estimators},
        )
        # the estimators also call NumPy, BLAS and LAPACK (normalization,
        # linear solves), whose SIMD code paths depend on the CPU of a real
        # other machine; they are held to a relative 1e-12
        for key in estimators:
            np.testing.assert_allclose(other[key], host[key], rtol=1e-12, atol=0)

"""The same bits whatever compiled the kernels first, and whatever the cache holds.

Each case runs fresh interpreters with their own ``NUMBA_CACHE_DIR``: one
calls ``activate_row`` directly before fitting, the other fits first (so
the activation is first compiled as a callee of a fast-math kernel). A
third process reads a cache filled in the other order. All results must be
equal bit for bit.
"""

import os
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

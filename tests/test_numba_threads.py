"""The n_jobs -> Numba threads context manager."""

import os
import subprocess
import sys

import joblib
import numba
import pytest

from skrnn._numba import numba_threads


@pytest.mark.parametrize("n_jobs", [1, -1, 10_000])
def test_numba_threads_sets_and_restores(n_jobs):
    pool = numba.config.NUMBA_NUM_THREADS
    cores = joblib.effective_n_jobs(-1)
    expected = {1: 1, -1: min(cores, pool), 10_000: pool}[n_jobs]
    before = numba.get_num_threads()
    with numba_threads(n_jobs):
        inside = numba.get_num_threads()
    assert inside == expected
    assert numba.get_num_threads() == before


def test_parallel_kernels_are_wrapped_but_keep_the_dispatcher():
    from skrnn._numba import _SerializedKernel
    from skrnn._numba.recurrence import forward, preactivation

    assert isinstance(forward, _SerializedKernel)
    assert forward.__name__ == "forward" and callable(forward.py_func)
    assert not isinstance(preactivation, _SerializedKernel)


def test_none_keeps_the_current_setting():
    before = numba.get_num_threads()
    with numba_threads(None):
        assert numba.get_num_threads() == before


def _threads_under_none():
    from skrnn._numba import numba_threads

    with numba_threads(None):
        return numba.get_num_threads()


@pytest.mark.parametrize("backend", ["loky", "threading"])
def test_none_follows_joblib_inner_limit_in_workers(backend):
    """Two workers on a machine without spare cores: one Numba thread each."""
    cores = joblib.cpu_count()
    counts = joblib.Parallel(n_jobs=2, backend=backend)(
        joblib.delayed(_threads_under_none)() for _ in range(4)
    )
    expected = 1 if backend == "threading" else max(1, cores // 2)
    assert counts == [min(expected, numba.config.NUMBA_NUM_THREADS)] * 4


def test_explicit_inner_limit_is_followed():
    with joblib.parallel_config(backend="loky", inner_max_num_threads=1):
        counts = joblib.Parallel(n_jobs=2)(joblib.delayed(_threads_under_none)() for _ in range(2))
    assert counts == [1, 1]


_CONCURRENT_FITS = r"""
import threading, warnings
import numpy as np
import numba
warnings.simplefilter("ignore")
from skrnn import NTKRNNKernelRegressor, ProjectedGDRNNRegressor
from skrnn.kernels import ntk_draws, rnn_ntk

rng = np.random.default_rng(0)
X = rng.uniform(-0.5, 0.5, (40, 6, 2))
Y = np.sin(X.sum(-1))


def fit(kind, seed):
    if kind == "kernel":  # a public function, outside any estimator
        w0, U0 = ntk_draws(32, 2, random_state=seed)
        return rnn_ntk(X, w0=w0, U0=U0)
    if kind == "rnn":
        model = ProjectedGDRNNRegressor(width=32, max_iter=15, random_state=seed)
    else:
        model = NTKRNNKernelRegressor(n_mc_samples=32, random_state=seed)
    return model.fit(X, Y).predict(X)


jobs = [("rnn", 0), ("rnn", 1), ("ntk", 2), ("ntk", 3), ("kernel", 4), ("kernel", 5)] * 2
sequential = [fit(kind, seed) for kind, seed in jobs]
results = [None] * len(jobs)


def worker(i):
    results[i] = fit(*jobs[i])


threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(jobs))]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
assert numba.threading_layer() == "workqueue", numba.threading_layer()
for expected, got in zip(sequential, results):
    np.testing.assert_array_equal(got, expected)
print("ok")
"""


def test_concurrent_fits_under_workqueue_layer():
    """Threads fitting at once must not abort the process under Numba's workqueue layer."""
    env = dict(os.environ, NUMBA_THREADING_LAYER="workqueue", NUMBA_NUM_THREADS="2")
    env.pop("NUMBA_DISABLE_JIT", None)
    result = subprocess.run(
        [sys.executable, "-c", _CONCURRENT_FITS],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split()[-1] == "ok"

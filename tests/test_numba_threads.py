"""The n_jobs -> Numba threads context manager."""

import os
import subprocess
import sys
import threading

import joblib
import numba
import numpy as np
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


def test_chunked_kernels_share_one_compiled_worker():
    """Serial and parallel calls run the same nogil dispatchers; prange kernels take the lock."""
    from skrnn._numba import ChunkedKernel, _SerializedKernel
    from skrnn._numba.ntk_features import advance_ntk_features, mirror_lower_triangles
    from skrnn._numba.recurrence import forward, preactivation, risk_and_gradient

    kernels = (
        (forward, "forward"),
        (risk_and_gradient, "risk_and_gradient"),
        (advance_ntk_features, "advance_ntk_features"),
    )
    for kernel, name in kernels:
        assert isinstance(kernel, ChunkedKernel)
        assert kernel.__name__ == name and callable(kernel.py_func)
        worker = kernel.compiled[0]
        assert isinstance(worker, numba.core.registry.CPUDispatcher)
        assert worker.targetoptions.get("nogil") is True
        assert not worker.targetoptions.get("parallel", False)
    assert isinstance(mirror_lower_triangles, _SerializedKernel)
    assert not isinstance(preactivation, _SerializedKernel)


def test_run_workers_uses_helper_threads_and_propagates_errors():
    from skrnn._numba import run_workers

    seen = []

    def worker(box):
        seen.append(threading.get_ident())
        box.append(1)

    box = []
    run_workers(3, worker, box)
    assert box == [1, 1, 1] and len(set(seen)) >= 2 and threading.get_ident() in seen

    def failing(_):
        raise MemoryError("too big")

    with pytest.raises(MemoryError, match="too big"):
        run_workers(2, failing, None)


def test_helper_pool_is_restarted_in_a_forked_child():
    """A fork leaves the parent's helper threads behind: the child must not wait for them."""
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    code = (
        "import os, numpy as np\n"
        "from skrnn._numba import run_workers\n"
        "run_workers(2, lambda box: box.append(1), [])\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    box = []\n"
        "    run_workers(2, lambda b: b.append(1), box)\n"
        "    os._exit(0 if box == [1, 1] else 3)\n"
        "_, status = os.waitpid(pid, 0)\n"
        "print(os.waitstatus_to_exitcode(status))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"


def _random_problem(rng, n, T, d, half):
    m = 2 * half
    X = rng.uniform(-1.0, 1.0, (n, T, d))
    Y = rng.normal(size=(n, T))
    w = rng.uniform(-0.9, 0.9, m)
    UT = rng.normal(size=(d, m)) / np.sqrt(d)
    c_half = rng.choice([-1.0, 1.0], half)
    return X, Y, w, UT, c_half


def _bits(values):
    return np.concatenate([np.ravel(v) for v in values]).view(np.int64)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n, T, d, half", [(37, 6, 3, 21), (100, 4, 8, 40), (5, 3, 1, 3)])
def test_serial_and_parallel_twins_give_the_same_bits(n, T, d, half, weighted):
    """Whatever the number of workers taking chunks, and serially: the same bits."""
    from skrnn._numba.recurrence import (
        _forward_parallel,
        _risk_and_gradient_parallel,
    )

    rng = np.random.default_rng(n + d)
    X, Y, w, UT, c_half = _random_problem(rng, n, T, d, half)
    Y = np.ascontiguousarray(Y[:, -1:]) if weighted else Y
    weights = rng.uniform(0.0, 2.0, n) if weighted else None
    m = w.shape[0]

    def gradient(kernel, *first):
        grad_w, grad_UT = np.empty(m), np.empty((d, m))
        risk = kernel(*first, X, Y, w, UT, c_half, 1, grad_w, grad_UT, weights)
        return _bits([[risk], grad_w, grad_UT])

    # one worker: the calling thread alone, chunk after chunk
    expected_gradient = gradient(_risk_and_gradient_parallel, 1)
    expected_forward = _bits([_forward_parallel(1, X, w, UT, c_half, 1)])
    assert np.isfinite(expected_gradient.view(np.float64)).all()
    for n_workers in (1, 2, 3, 7):  # more workers than threads or chunks too
        np.testing.assert_array_equal(
            gradient(_risk_and_gradient_parallel, n_workers), expected_gradient
        )
        got = _forward_parallel(n_workers, X, w, UT, c_half, 1)
        np.testing.assert_array_equal(_bits([got]), expected_forward)


def test_take_chunk_hands_out_each_chunk_once():
    from skrnn._numba import take_chunk

    @numba.njit(parallel=True)
    def count_takes(n_workers, n_chunks):
        taken = np.zeros(n_chunks, dtype=np.int64)
        next_chunk = np.zeros(1, dtype=np.int64)
        for _ in numba.prange(n_workers):
            chunk = take_chunk(next_chunk)
            while chunk < n_chunks:
                taken[chunk] += 1
                chunk = take_chunk(next_chunk)
        # the arrays, not next_chunk[0]: the parfor pass would move that read
        # before the loop (it does not see writes made through a call)
        return taken, next_chunk

    n_workers = max(2, numba.config.NUMBA_NUM_THREADS)
    taken, final = count_takes(n_workers, 20_000)
    assert (taken == 1).all()
    assert final[0] == 20_000 + n_workers  # each worker's last take is past the end
    plain = np.zeros(1, dtype=np.int64)
    assert [take_chunk(plain), take_chunk(plain)] == [0, 1] and plain[0] == 2


def test_small_problems_run_serially_large_ones_in_parallel():
    from skrnn._numba import MIN_PARALLEL_WORK
    from skrnn._numba.recurrence import CHUNK_SIZE, forward

    m = 64
    w = np.zeros(m)
    small = np.zeros((40, 5, 1))  # 12,800 neuron-steps
    T_large = MIN_PARALLEL_WORK // (40 * m) + 1
    large = np.zeros((40, T_large, 1))  # 3 chunks, just above the threshold
    one_chunk = np.zeros((CHUNK_SIZE, 10 * T_large, 1))
    with numba_threads(2):
        threads = numba.get_num_threads()
        assert forward.workers(small, w) == 1
        assert forward.workers(one_chunk, w) == 1
        assert forward.workers(large, w) == min(3, threads)
    with numba_threads(1):
        assert forward.workers(large, w) == 1


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


def test_threading_layer_starts_without_leaving_a_wait_policy_behind():
    code = (
        "import os, skrnn._numba as nb; nb.start_threading_layer();"
        "print(os.environ.get('OMP_WAIT_POLICY'))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    env.pop("NUMBA_DISABLE_JIT", None)
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["None"]
    env["OMP_WAIT_POLICY"] = "ACTIVE"  # the user's choice is kept
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert run.stdout.split() == ["ACTIVE"], run.stderr


class _FakeWorker:
    def __init__(self, nthreads):
        self.state = type("State", (), {"nthreads": nthreads})()


def _fake_distributed(worker):
    module = type(sys)("distributed")

    def get_worker():
        if worker is None:
            raise ValueError("No worker found")
        return worker

    module.get_worker = get_worker
    return module


@pytest.mark.parametrize("nthreads, expected", [(1, 1), (None, 1), (10_000, "unchanged")])
def test_none_follows_the_dask_workers_threads(monkeypatch, nthreads, expected):
    from skrnn._numba import _thread_count

    monkeypatch.setitem(sys.modules, "distributed", _fake_distributed(_FakeWorker(nthreads)))
    with numba_threads(2):
        if numba.get_num_threads() < 2:
            pytest.skip("needs two Numba threads")
        assert _thread_count(None) == (None if expected == "unchanged" else expected)
        with numba_threads(None):
            assert numba.get_num_threads() == (2 if expected == "unchanged" else expected)


def test_dask_is_not_consulted_outside_workers_or_when_not_imported(monkeypatch):
    from skrnn._numba import _dask_worker_threads

    monkeypatch.setitem(sys.modules, "distributed", _fake_distributed(None))
    assert _dask_worker_threads() is None
    monkeypatch.delitem(sys.modules, "distributed")
    assert _dask_worker_threads() is None
    assert "distributed" not in sys.modules  # never imported by the lookup


def test_none_follows_a_real_dask_worker():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        threads = client.submit(_threads_under_none, pure=False).result(timeout=120)
    assert threads == 1

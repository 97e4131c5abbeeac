"""Private Numba kernels: plain ``@njit`` functions over arrays.

Nothing here knows about estimators. Every kernel takes contiguous float64
arrays and writes only into buffers it allocates or that are passed as
explicit output arguments.

Floating-point flags are a property of each kernel: every dispatcher of the
package states ``fastmath`` and ``error_model`` explicitly. A Numba
dispatcher that leaves them unset inherits them from the jitted function
that first compiles it, and the on-disk cache would freeze that choice.

No kernel uses value-changing fast-math flags, so the order of every
operation is the one written in the source, whatever the CPU. Numba
compiles for the host CPU, and with ``reassoc`` LLVM would split each
reduction into as many partial sums as the CPU's vector width (2 with
SSE2 or NEON, 4 with AVX2, 8 with AVX-512), and with ``contract`` it would
fuse ``a * b + c`` only on CPUs that have FMA: the same inputs would give
different bits on different machines. Instead, reductions are written with
a fixed number of independent partial sums (which LLVM still vectorizes)
and fusion is explicit (``activations._fma``, one rounding on every CPU).
``arcp`` and ``nsz`` are left out too: whether LLVM replaces divisions by
a shared reciprocal, or picks a min/max instruction that ignores the sign
of zero, is decided per target.
"""

import contextlib
import functools
import os
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor

import joblib
import numba
import numpy as np
from numba.core import types
from numba.extending import intrinsic, overload

# Strict IEEE arithmetic everywhere (see the module docstring); NaN and inf
# also propagate, which the divergence checks of the estimators rely on.
FASTMATH = False


def _cache_probe():  # pragma: no cover - never called, only located
    """A function of this folder, used to ask Numba where it would cache."""


def _folder_is_writable(folder):
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError:
        return False
    return True


def _any_cache_folder_is_writable():
    """Hand-written version of Numba's search, used if its API ever changes."""
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.path.join(here, "__pycache__")]
    if os.environ.get("NUMBA_CACHE_DIR"):
        candidates.insert(0, os.environ["NUMBA_CACHE_DIR"])
    user_cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    candidates.append(os.path.join(user_cache, "numba"))
    return any(_folder_is_writable(folder) for folder in candidates)


def _numba_can_cache():
    """Whether ``cache=True`` will find a writable folder for this package.

    Numba tries, in order, ``NUMBA_CACHE_DIR`` (when set), the
    ``__pycache__`` folder beside the sources, and a per-user folder
    (``~/.cache/numba`` on Linux). A read-only install therefore still
    caches, in the per-user folder. Only when none of them can be written
    (``cache=True`` would then fail at import) do we compile in memory.
    ``SKRNN_NUMBA_CACHE=0`` turns the disk cache off.
    """
    if os.environ.get("SKRNN_NUMBA_CACHE", "1") == "0":
        return False
    try:
        from numba.core.caching import FunctionCache
    except ImportError:  # pragma: no cover - depends on Numba's internals
        return _any_cache_folder_is_writable()
    try:
        # the same locator search as a ``cache=True`` kernel of this folder
        FunctionCache(_cache_probe)
    except RuntimeError:
        return False
    return True


CACHE = _numba_can_cache()

# Numba's "workqueue" threading layer (used when neither TBB nor OpenMP is
# available) aborts the process when two threads launch parallel kernels at
# the same time: under it, launches from Python take a process-wide lock.
_THREAD_SAFE_LAYERS = frozenset({"omp", "tbb"})
_PARALLEL_LAUNCH_LOCK = threading.RLock()


def _layer_is_thread_safe():
    """Whether concurrent parallel launches are safe (unknown before the first: no)."""
    if numba.config.DISABLE_JIT:
        return True
    try:
        return numba.threading_layer() in _THREAD_SAFE_LAYERS
    except ValueError:  # no parallel kernel has run yet: the layer is not chosen
        return False


_LAYER_STARTED = False
#: variables by which the user already chose how idle OpenMP threads wait
_WAIT_SETTINGS = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "KMP_BLOCKTIME")


def start_threading_layer():
    """Start Numba's threading layer, with idle OpenMP threads that sleep.

    GNU OpenMP (the library behind Numba's ``omp`` layer on Linux) makes a
    thread that waits for work, or for the others at the end of a parallel
    loop, spin for up to about a millisecond. On a machine whose cores are
    taken, the spinning threads hold the cores that the threads still
    working need: measured on 2 busy cores, a 2.5 ms gradient took 8 ms with
    2 threads. Unless the user chose a policy, ``OMP_WAIT_POLICY=PASSIVE``
    is set while Numba loads the layer (the OpenMP runtime reads it then)
    and removed right after, so other libraries and child processes do not
    see it. Called when this module is imported, because whatever starts
    the layer first decides (``numba.get_num_threads()`` starts it too): it
    has no effect if the layer or the OpenMP runtime was already started
    (then set ``OMP_WAIT_POLICY=PASSIVE`` in the environment), and a
    threading layer chosen with ``numba.config.THREADING_LAYER`` must be
    chosen before skrnn is imported (``NUMBA_THREADING_LAYER`` works).
    """
    global _LAYER_STARTED
    if _LAYER_STARTED or numba.config.DISABLE_JIT:
        return
    with _PARALLEL_LAUNCH_LOCK:
        if _LAYER_STARTED:
            return
        passive = not any(name in os.environ for name in _WAIT_SETTINGS)
        if passive:
            os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
        try:
            numba.get_num_threads()  # loads the threading layer
        finally:
            if passive:
                os.environ.pop("OMP_WAIT_POLICY", None)
        _LAYER_STARTED = True


start_threading_layer()


@contextlib.contextmanager
def serialized_parallel_launch():
    """Hold the launch lock for the enclosed block when the threading layer needs it."""
    start_threading_layer()
    if _layer_is_thread_safe():
        yield
    else:
        with _PARALLEL_LAUNCH_LOCK:
            yield


class _SerializedKernel:
    """A ``parallel=True`` dispatcher whose calls take the launch lock when needed.

    Everything else (``py_func``, ``stats``, ``signatures``, ...) is the
    dispatcher's. Parallel kernels are only ever called from Python.
    """

    def __init__(self, dispatcher):
        self.dispatcher = dispatcher
        functools.update_wrapper(self, getattr(dispatcher, "py_func", dispatcher))

    def __call__(self, *args, **kwargs):
        with serialized_parallel_launch():
            return self.dispatcher(*args, **kwargs)

    def __getattr__(self, name):
        if name == "dispatcher":  # not set yet (copy, unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.dispatcher, name)


def jit(function=None, **options):
    """``numba.njit`` with the package's flags, used by every kernel of the package.

    ``cache``, ``fastmath`` and ``error_model`` are always stated (see the
    module docstring); keyword arguments override them. Kernels compiled
    with ``parallel=True`` are wrapped so that concurrent calls are safe
    under every threading layer.
    """
    options = {"cache": CACHE, "fastmath": FASTMATH, "error_model": "numpy", **options}

    def decorate(py_function):
        dispatcher = numba.njit(**options)(py_function)
        return _SerializedKernel(dispatcher) if options.get("parallel") else dispatcher

    return decorate if function is None else decorate(function)


def take_chunk(next_chunk):
    """Return ``next_chunk[0]`` and add one to it, atomically in compiled code.

    The threads of a parallel kernel share one counter and each takes the
    next chunk of samples when it is done with its last one, so a thread the
    system deschedules holds up at most the chunk it is in (a static
    partition would make the others wait for its whole share). This plain
    Python version runs under ``NUMBA_DISABLE_JIT``.
    """
    chunk = next_chunk[0]
    next_chunk[0] = chunk + 1
    return chunk


@intrinsic
def _fetch_and_increment(typingctx, next_chunk):
    """Atomic ``next_chunk[0]++`` on an int64 array, returning the old value."""
    if not (isinstance(next_chunk, types.Array) and next_chunk.dtype == types.int64):
        return None

    def codegen(context, builder, signature, args):
        array = context.make_array(signature.args[0])(context, builder, args[0])
        one = context.get_constant(types.int64, 1)
        return builder.atomic_rmw("add", array.data, one, "monotonic")

    return types.int64(next_chunk), codegen


@overload(take_chunk, jit_options={"fastmath": FASTMATH, "error_model": "numpy"})
def _take_chunk_compiled(next_chunk):
    return lambda next_chunk: _fetch_and_increment(next_chunk)


def new_counter():
    """A fresh shared chunk counter for :func:`take_chunk` (an int64 array holding 0)."""
    return np.zeros(1, dtype=np.int64)


_POOL = None
_POOL_LOCK = threading.Lock()


def _reset_pool_after_fork():
    # a forked child has none of the parent's threads: start a new pool there
    global _POOL, _POOL_LOCK
    _POOL = None
    _POOL_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_pool_after_fork)


def _helper_pool():
    """The process-wide pool of helper threads of :func:`run_workers` (started lazily)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(
                max_workers=max(1, numba.config.NUMBA_NUM_THREADS - 1),
                thread_name_prefix="skrnn-kernel",
            )
        return _POOL


def run_workers(n_workers, worker, *args):
    """Run ``worker(*args)`` on ``n_workers`` threads at once and wait for all of them.

    The calling thread is one of them; the others come from a process-wide
    pool of plain threads. ``worker`` is a compiled function that releases
    the GIL (``nogil=True``) and takes chunks from a shared counter (see
    :func:`take_chunk`) until none is left, so a helper that starts late,
    or never gets a core, only leaves more chunks to the others. Compared
    with a ``parallel=True`` kernel, one compiled function serves serial
    and parallel calls (Numba compiles a ``prange`` kernel, and everything
    it calls, a second time), no threading layer is involved, and
    concurrent calls from several threads are safe under every layer.
    """
    if n_workers < 2:
        worker(*args)
        return
    helpers = [_helper_pool().submit(worker, *args) for _ in range(n_workers - 1)]
    try:
        worker(*args)
    finally:
        # every helper must be done before the caller reads the results
        for helper in helpers:
            helper.result()


#: neuron-steps (samples x steps x neurons) below which a kernel runs on
#: the calling thread: starting the other threads and waiting for them
#: costs more than they save (measured, see ``benchmarks/bench_system.py``)
MIN_PARALLEL_WORK = 1 << 17


class ChunkedKernel:
    """A kernel over chunks of samples, run by one thread or several.

    ``run(n_workers, *args)`` starts the kernel's compiled worker on
    ``n_workers`` threads (see :func:`run_workers`) and adds the chunks'
    results in chunk order, so every thread count gives the same bits. A
    call runs on the calling thread alone when Numba has one thread for the
    caller (see :func:`numba_threads`), when there are fewer than two
    chunks, when ``work(*args)`` (``(n_chunks, neuron_steps)``) is below
    :data:`MIN_PARALLEL_WORK`, or under ``NUMBA_DISABLE_JIT`` (plain Python
    keeps the GIL, and its :func:`take_chunk` is not atomic); otherwise on
    ``min(threads, n_chunks)`` threads, which take chunks as they go.
    ``compiled`` lists the kernel's Numba dispatchers, for :attr:`stats`.
    """

    def __init__(self, run, work, name, compiled=()):
        self.run = run
        self.work = work
        self.compiled = tuple(compiled)
        self.__name__ = self.__qualname__ = name
        self.__module__ = run.__module__
        self.py_func = run

    def workers(self, *args):
        """Threads the call ``self(*args)`` would use (1: serially)."""
        n_chunks, neuron_steps = self.work(*args)
        if neuron_steps < MIN_PARALLEL_WORK or numba.config.DISABLE_JIT:
            return 1
        start_threading_layer()
        return max(1, min(numba.get_num_threads(), n_chunks))

    def __call__(self, *args, **kwargs):
        return self.run(self.workers(*args), *args, **kwargs)

    @property
    def stats(self):
        """Numba's compile statistics of the compiled parts, added."""
        every = [getattr(kernel, "stats", None) for kernel in self.compiled]
        every = [stats for stats in every if stats is not None]
        if not every:
            raise AttributeError("stats")
        return type(every[0])(
            cache_path=every[0].cache_path,
            cache_hits=sum((s.cache_hits for s in every), type(every[0].cache_hits)()),
            cache_misses=sum((s.cache_misses for s in every), type(every[0].cache_misses)()),
        )

    def __repr__(self):
        return f"<ChunkedKernel {self.__name__}>"


def _joblib_inner_limit():
    """Thread limit inside a joblib worker, ``None`` outside of one.

    joblib's process backends write the per-worker limit (cores divided by
    workers, or ``inner_max_num_threads``) into ``OMP_NUM_THREADS`` of each
    worker. Workers of the threading backend share the caller's cores, so
    they get one thread each.
    """
    try:
        from joblib.parallel import get_active_backend

        backend, _ = get_active_backend()
    except Exception:  # pragma: no cover - depends on joblib's internals
        return None
    if getattr(backend, "nesting_level", 0) < 1:
        return None
    if threading.current_thread() is not threading.main_thread():
        return 1
    try:
        return max(1, int(os.environ.get("OMP_NUM_THREADS", "1")))
    except ValueError:
        return 1


def _dask_worker_threads():
    """``nthreads`` of the Dask worker running this code, ``None`` outside of one.

    Only looked up when ``distributed`` is already imported (a worker
    always has it); it is never imported here.
    """
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return None
    try:
        worker = distributed.get_worker()
    except Exception:  # ValueError outside a worker's task
        return None
    state = getattr(worker, "state", None)
    n_threads = getattr(state, "nthreads", None) or getattr(worker, "nthreads", None)
    try:
        return max(1, int(n_threads))
    except (TypeError, ValueError):
        return 1


def _thread_count(n_jobs):
    """Numba threads for ``n_jobs``, ``None`` to keep the current setting."""
    start_threading_layer()
    pool = numba.config.NUMBA_NUM_THREADS
    if n_jobs is None:
        limits = [x for x in (_joblib_inner_limit(), _dask_worker_threads()) if x is not None]
        limit = min(limits) if limits else None
        if limit is None or limit >= numba.get_num_threads():
            return None
        return max(1, min(limit, pool))
    wanted = joblib.effective_n_jobs(n_jobs)
    return max(1, min(int(wanted), pool))


@contextlib.contextmanager
def numba_threads(n_jobs):
    """Run the enclosed kernels on the number of threads ``n_jobs`` asks for.

    ``None`` keeps Numba's current setting (all cores unless changed with
    ``numba.set_num_threads`` or ``NUMBA_NUM_THREADS``), capped inside a
    joblib worker by joblib's inner thread limit and inside a Dask worker's
    task by the worker's ``nthreads``, so that parallel searches do not
    oversubscribe the cores. Other values follow joblib's convention
    (``-1``: all cores, ``-2``: all but one, ...), capped by the size of
    Numba's thread pool. The setting is per calling thread, so concurrent
    fits do not interfere, and kernel results do not depend on it. Under
    Numba's ``workqueue`` threading layer, which does not allow concurrent
    parallel launches, the parallel kernels of concurrent blocks run one
    after the other.
    """
    threads = _thread_count(n_jobs)
    if threads is None:
        yield
        return
    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        yield
    finally:
        numba.set_num_threads(previous)

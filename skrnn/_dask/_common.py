"""Shared pieces of the Dask layer: detection, the lazy import, worker threads."""

import contextlib
import sys
import threading

from .._numba import _dask_worker_threads, numba_threads

#: how many partial sums each node of the reduction tree adds
SPLIT_EVERY = 8

INSTALL_HINT = 'install the optional dependencies with pip install "skrnn[dask]"'

# one Numba kernel at a time per process: it already uses all the worker's threads
_KERNEL_LOCK = threading.Lock()


def is_dask_collection(obj):
    """Whether ``obj`` is a Dask collection (a lazy Dask array, for instance).

    Dask is never imported here: an object can only be a Dask collection
    when ``dask`` was imported already, so without it the answer is False.

    Parameters
    ----------
    obj : object
        Anything passed as ``X``, ``y`` or ``sample_weight``.

    Returns
    -------
    answer : bool
    """
    if "dask" not in sys.modules:
        return False
    from dask.base import is_dask_collection as dask_says

    return bool(dask_says(obj))


def dask_array_module():
    """``dask.array``, or an ImportError that says how to install it."""
    try:
        import dask.array as da
    except ImportError as error:  # pragma: no cover - only without the extra
        raise ImportError(f"Fitting on Dask arrays needs dask; {INSTALL_HINT}.") from error
    return da


def worker_thread_count():
    """Threads of the Dask worker running the current task; None outside a worker.

    The lookup of :mod:`skrnn._numba`, which ``n_jobs=None`` follows too.

    Returns
    -------
    n_threads : int or None
        The worker's ``nthreads`` (1 when it cannot be read); None when no
        ``distributed`` worker runs this code (local schedulers), which
        keeps Numba's own setting.
    """
    return _dask_worker_threads()


@contextlib.contextmanager
def kernel_threads():
    """Run the enclosed kernels alone in this process, on the worker's threads."""
    with _KERNEL_LOCK, numba_threads(worker_thread_count()):
        yield

"""Private Numba kernels: plain ``@njit`` functions over arrays.

Nothing here knows about estimators. Every kernel takes contiguous float64
arrays and writes only into buffers it allocates or that are passed as
explicit output arguments.
"""

import contextlib
import functools
import os
import tempfile

import joblib
import numba

# Only flags that keep IEEE semantics for NaN/inf: the divergence checks in
# the estimators rely on NaN and inf propagating.
FASTMATH = frozenset({"reassoc", "contract", "nsz", "arcp"})


def _cache_dir_is_writable():
    """Whether Numba can write its on-disk cache for this package.

    Numba first tries ``NUMBA_CACHE_DIR`` (when set), otherwise the
    ``__pycache__`` folder beside the sources. When neither can be written
    we compile without caching rather than fail at first call.
    """
    if os.environ.get("SKRNN_NUMBA_CACHE", "1") == "0":
        return False
    configured = os.environ.get("NUMBA_CACHE_DIR")
    folder = configured or os.path.join(os.path.dirname(__file__), "__pycache__")
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError:
        return False
    return True


CACHE = _cache_dir_is_writable()

#: decorator used by every kernel of the package
jit = functools.partial(
    numba.njit, cache=CACHE, fastmath=set(FASTMATH), error_model="numpy"
)


@contextlib.contextmanager
def numba_threads(n_jobs):
    """Run the enclosed kernels on the number of threads ``n_jobs`` asks for.

    ``None`` keeps Numba's current setting (all cores unless changed with
    ``numba.set_num_threads`` or ``NUMBA_NUM_THREADS``); other values follow
    joblib's convention (``-1``: all cores, ``-2``: all but one, ...), capped
    by the size of Numba's thread pool. The setting is per calling thread,
    so concurrent fits do not interfere, and kernel results do not depend
    on it.
    """
    if n_jobs is None:
        yield
        return
    wanted = joblib.effective_n_jobs(n_jobs)
    threads = max(1, min(int(wanted), numba.config.NUMBA_NUM_THREADS))
    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        yield
    finally:
        numba.set_num_threads(previous)

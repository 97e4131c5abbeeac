"""Private Numba kernels: plain ``@njit`` functions over arrays.

Nothing here knows about estimators. Every kernel takes contiguous float64
arrays and writes only into buffers it allocates or that are passed as
explicit output arguments.
"""

import functools
import os
import tempfile

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

"""A bounded, thread-safe cache of Monte Carlo NTK features and Gram matrices.

The features of :class:`skrnn.NTKRNNKernelRegressor` are a deterministic
function of the draws, the activation and the data, and cost far more than a
ridge solve. A grid search over ``alpha`` (or ``gd_steps``) with a fixed
``random_state`` therefore fits the same features again and again; this
cache keeps them.

Design: one explicit :class:`FeatureCache` object per process
(:data:`FEATURE_CACHE`), least-recently-used, bounded in bytes. The budget
is passed by the caller on every ``put`` (the estimator module reads it
from ``skrnn.ntk.FEATURE_CACHE_BYTES``, the public knob), so setting that
knob to 0 disables caching at once. Keys are hashes of the arrays
(:func:`feature_key`), so equal inputs hit whatever estimator computed them.
Cached arrays are made read-only: a caller cannot corrupt them in place.
"""

import threading
from collections import OrderedDict

import joblib

__all__ = ["FEATURE_CACHE", "FeatureCache", "feature_key"]


def feature_key(*parts):
    """A hashable key for arrays and scalars (a joblib hash of ``parts``)."""
    return joblib.hash(parts)


class FeatureCache:
    """Least-recently-used store of read-only arrays, bounded in bytes.

    Values are arrays or tuples of arrays. All methods are thread-safe.
    """

    def __init__(self):
        self._items = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def nbytes(self):
        """Bytes held now."""
        return self._bytes

    def __len__(self):
        return len(self._items)

    def get(self, key):
        """The value stored under ``key`` (now most recently used), or None."""
        with self._lock:
            item = self._items.pop(key, None)
            if item is None:
                return None
            self._items[key] = item
            return item[0]

    def put(self, key, value, budget):
        """Store ``value`` under ``key``, evicting old items to stay within ``budget`` bytes.

        A value larger than ``budget`` (for instance any value when the
        budget is 0) is not stored; ``value`` is returned either way.
        """
        arrays = value if isinstance(value, tuple) else (value,)
        nbytes = sum(array.nbytes for array in arrays)
        if nbytes > budget:
            return value
        for array in arrays:
            array.setflags(write=False)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, nbytes)
            self._bytes += nbytes
            while self._bytes > budget and self._items:
                _, (_, freed) = self._items.popitem(last=False)
                self._bytes -= freed
        return value

    def clear(self):
        """Drop every item."""
        with self._lock:
            self._items.clear()
            self._bytes = 0


#: the process-wide cache used by :class:`skrnn.NTKRNNKernelRegressor`
FEATURE_CACHE = FeatureCache()

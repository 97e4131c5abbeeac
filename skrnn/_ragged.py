"""Variable-length sequences: validation and bucketing by length.

A list ``X = [X_1, ..., X_n]`` of arrays of shape ``(T_j, d)`` (or ``(T_j,)``
for univariate sequences) whose lengths differ is held as a
:class:`RaggedSequences`: the sequences are grouped by length and each
group (bucket) is stacked into one C-contiguous ``(n_b, T_b, d)`` array, so
that the Numba kernels, which work on 3-D arrays, run once per bucket. The
work is then proportional to the total number of steps ``sum_j T_j``, not
to ``n * max_j T_j`` as padding to a common length would make it.

Targets of such data are kept per sequence: a ``(1,)`` array (the target of
the last step, sequence-to-one) or a ``(T_j,)`` array (every step,
sequence-to-sequence), and stacked per bucket like the sequences.

A list whose sequences all have the same length is no ragged input: the
estimators stack it into an ordinary 3-D array (see :func:`is_ragged`).
"""

import warnings

import numpy as np
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.validation import check_array

from ._targets import check_weights
from ._validation import _ragged_lengths

__all__ = [
    "RaggedSequences",
    "check_ragged_weights",
    "is_ragged",
    "ragged_targets",
    "validate_ragged",
]

_LIST_FORM = (
    "X = [X_1, ..., X_n] with X_j of shape (T_j, n_features) (or (T_j,) for "
    "univariate sequences), and y of shape (n_samples,) for the target of each "
    "sequence's last step, or a list of (T_j,) arrays for a target at every step"
)


def is_ragged(X):
    """Whether ``X`` is a list (or tuple) of sequences of different lengths.

    Arrays are never ragged, nor are lists of equal-length sequences: those
    are stacked into an ordinary array by the usual validation.
    """
    return _ragged_lengths(X) is not None


class RaggedSequences:
    """Sequences of different lengths, grouped into buckets of equal length.

    Parameters
    ----------
    sequences : list of ndarray of shape (T_j, d)
        Validated sequences (float64, ``T_j >= 1``, one ``d`` for all).
    item_ndim : {1, 2}, default=2
        Number of dimensions of the items the user passed: 1 for univariate
        ``(T_j,)`` arrays, so that outputs can be given back in that layout.

    Attributes
    ----------
    lengths : ndarray of shape (n_samples,)
        ``T_j`` of every sequence, in the original order.
    buckets : list of (rows, X_b)
        ``rows`` the original indices (ascending) of the sequences of one
        length, ``X_b`` their C-contiguous ``(len(rows), T_b, d)`` stack;
        buckets are ordered by length.
    shape : tuple
        ``(n_samples, max_j T_j, d)``, as the shape of the padded array
        (what the theory's bounds, which assume one length, are given).
    """

    def __init__(self, sequences, item_ndim=2):
        self.item_ndim = item_ndim
        self.lengths = np.array([len(sequence) for sequence in sequences], dtype=np.intp)
        self.n_features = sequences[0].shape[1]
        self.buckets = []
        # a stable sort keeps each bucket's rows in their original order
        order = np.argsort(self.lengths, kind="stable")
        boundaries = np.flatnonzero(np.diff(self.lengths[order])) + 1
        for rows in np.split(order, boundaries):
            stacked = np.ascontiguousarray(np.stack([sequences[j] for j in rows]))
            self.buckets.append((rows, stacked))

    @property
    def n_samples(self):
        return int(self.lengths.shape[0])

    @property
    def shape(self):
        return (self.n_samples, int(self.lengths.max()), self.n_features)

    @property
    def total_steps(self):
        return int(self.lengths.sum())

    def sequences(self):
        """The sequences in the original order (views into the buckets)."""
        items = [None] * self.n_samples
        for rows, X_b in self.buckets:
            for k, j in enumerate(rows):
                items[j] = X_b[k]
        return items

    def subset(self, rows):
        """The sequences ``rows`` (an index array), as a new :class:`RaggedSequences`."""
        items = self.sequences()
        return RaggedSequences([items[j] for j in rows], self.item_ndim)

    def stack_rows(self, per_sequence):
        """Stack per-sequence arrays (original order) into one array per bucket."""
        return [
            np.ascontiguousarray(np.stack([per_sequence[j] for j in rows]))
            for rows, _ in self.buckets
        ]

    def scatter(self, per_bucket):
        """Per-bucket arrays (rows in bucket order) back into a list in the original order."""
        items = [None] * self.n_samples
        for (rows, _), values in zip(self.buckets, per_bucket, strict=True):
            for k, j in enumerate(rows):
                items[j] = values[k]
        return items

    def user_layout(self, items):
        """Sequences ``(T_j, d)`` in the layout the user passed (``(T_j,)`` if univariate)."""
        if self.item_ndim == 1:
            return [item[:, 0] for item in items]
        return items


def _validate_items(X, name="X"):
    """Each item of the list as a float64 ``(T_j, d)`` array; the items' ndim."""
    items = []
    item_ndims = set()
    for j, item in enumerate(X):
        array = check_array(
            item,
            dtype=np.float64,
            ensure_2d=False,
            allow_nd=True,
            ensure_min_samples=1,
            input_name=f"{name}[{j}]",
        )
        if array.ndim == 1:
            array = array[:, np.newaxis]
        elif array.ndim != 2:
            raise ValueError(
                f"{name}[{j}] has shape {array.shape}; every sequence of a list must be "
                f"(T_j, n_features) or (T_j,). Expected {_LIST_FORM}."
            )
        if array.shape[1] < 1:
            raise ValueError(f"{name}[{j}] of shape {array.shape} has no features.")
        item_ndims.add(np.ndim(item))
        items.append(array)
    n_features = {item.shape[1] for item in items}
    if len(n_features) > 1:
        raise ValueError(
            f"The sequences of {name} have different numbers of features "
            f"({sorted(n_features)}); every step of every sequence needs the same features."
        )
    return items, (1 if item_ndims == {1} else 2)


def validate_ragged(estimator, X, *, reset):
    """Validate a list of variable-length sequences into a :class:`RaggedSequences`.

    ``reset=True`` records ``n_features_in_`` (the features per step) and
    ``_input_ndim = 3`` (the model then accepts 3-D arrays and lists of any
    lengths); ``reset=False`` checks the features against the fitted model.
    """
    items, item_ndim = _validate_items(X)
    data = RaggedSequences(items, item_ndim)
    if reset:
        estimator.n_features_in_ = data.n_features
        estimator._input_ndim = 3
        if hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
        return data
    if getattr(estimator, "_input_ndim", 3) != 3:
        raise ValueError(
            f"X is a list of sequences of different lengths, but {type(estimator).__name__} "
            f"was fitted on a 2-D X, whose {estimator.n_features_in_} columns are a fixed "
            "number of time steps. Fit on 3-D sequences (n_samples, n_timesteps, n_features) "
            "or on a list of sequences to predict sequences of any length."
        )
    if data.n_features != estimator.n_features_in_:
        raise ValueError(
            f"X has {data.n_features} features per step, but {type(estimator).__name__} "
            f"is expecting {estimator.n_features_in_} features as input."
        )
    return data


def ragged_targets(y, data):
    """Per-sequence targets of ragged ``X``: ``(targets, sequence_output)``.

    ``targets[j]`` is a float64 ``(1,)`` array (sequence-to-one: ``y`` of
    shape (n_samples,)) or ``(T_j,)`` array (sequence-to-sequence: ``y`` a
    list of arrays, one target per step).
    """
    if y is None:
        raise ValueError("requires y to be passed, but the target y is None.")
    n = data.n_samples
    if isinstance(y, (list, tuple)) and len(y) and all(np.ndim(item) >= 1 for item in y):
        if len(y) != n:
            raise ValueError(f"X and y have inconsistent numbers of samples: {n} and {len(y)}.")
        targets = []
        for j, (item, length) in enumerate(zip(y, data.lengths, strict=True)):
            array = check_array(
                item, dtype=np.float64, ensure_2d=False, input_name=f"y[{j}]", order="C"
            )
            if array.shape != (length,):
                raise ValueError(
                    f"y[{j}] has shape {array.shape}, but X[{j}] has {length} steps: a list y "
                    f"holds one target per step of each sequence. Expected {_LIST_FORM}."
                )
            targets.append(array)
        return targets, True
    y = check_array(y, dtype=np.float64, ensure_2d=False, input_name="y")
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please change the "
            "shape of y to (n_samples,), for example using ravel(). It is fitted as a "
            "sequence-to-one target.",
            DataConversionWarning,
            stacklevel=4,
        )
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(
            f"y of shape {y.shape} does not fit sequences of different lengths. "
            f"Expected {_LIST_FORM}."
        )
    if y.shape[0] != n:
        raise ValueError(f"X and y have inconsistent numbers of samples: {n} and {y.shape[0]}.")
    return [y[j : j + 1].copy() for j in range(n)], False


def check_ragged_weights(sample_weight, n_samples):
    """Validated per-sequence weights (float64, >= 0, not all zero), or None."""
    if sample_weight is None:
        return None
    return check_weights(sample_weight, np.zeros((n_samples, 1, 1)))

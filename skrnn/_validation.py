"""Turn user input into contiguous float64 sequence arrays.

Conventions:

* 3-D ``X`` of shape (n_samples, n_timesteps, n_features): ``X[j, t]`` is the
  input of sample j at step t+1. ``n_features_in_`` is the number of features
  per step, and a fitted model accepts sequences of any length.
* 2-D ``X`` of shape (n_samples, n_timesteps): univariate sequences. As for
  every scikit-learn estimator, ``n_features_in_`` is then the number of
  columns (here: the sequence length) and is enforced at predict time.
* A list of arrays of different lengths ``(T_j, n_features)`` (or ``(T_j,)``)
  is variable-length input: the estimators and scalers hand it to
  :mod:`skrnn._ragged`, which buckets the sequences by length. A list of
  equal-length sequences is stacked into an ordinary array. An array with
  NaN is refused with a message that shows this list form (NaN is not
  padding).
* ``y`` 1-D (n_samples,): sequence-to-one, the output at the last step is fitted.
* ``y`` 2-D (n_samples, n_timesteps): sequence-to-sequence, ``y[j, t]`` is
  the target of the output at step t+1. A column vector (n_samples, 1) with
  more than one step is read as 1-D with a ``DataConversionWarning``.

Arrays come out C-contiguous, float64 and writeable: read-only input (a
memory map, say) is copied once, so that every kernel is compiled for one
array type only (Numba compiles read-only arrays separately).
"""

import numbers
import warnings

import numpy as np
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.validation import check_array

from ._sklearn_compat import validate_data

__all__ = [
    "check_int",
    "check_real",
    "check_sequences",
    "max_step_norm",
    "step_norms",
    "validate_sequences",
    "validate_targets",
]


def _writeable(array):
    return array if array.flags.writeable else array.copy()


_VARIABLE_LENGTH_ADVICE = (
    "The estimators (fit, predict, score) and the sequence scalers accept "
    "sequences of different lengths as a list: X = [X_1, ..., X_n] with X_j of "
    "shape (T_j, n_features) (or (T_j,) for univariate sequences), and y of shape "
    "(n_samples,) for the target of each sequence's last step, or a list of (T_j,) "
    "arrays for a target at every step; predict then returns that layout. "
    "Functions that need one length (the kernel functions of skrnn.kernels, for "
    "example) need the sequences grouped by length, or padded: with "
    "activation='tanh', padding at the start with zero steps is exact (the hidden "
    "state stays at tanh(0) = 0 through them)."
)


def _nan_error(name, ndim, error):
    """The error for NaN in an array: NaN is not padding; show the list form."""
    if ndim == 2:
        example = f"[x[~np.isnan(x)] for x in {name}]"
        item = "(T_j,)"
    else:
        example = f"[x[~np.isnan(x).any(axis=1)] for x in {name}]"
        item = "(T_j, n_features)"
    return ValueError(
        f"{name} contains NaN. skrnn does not read NaN as padding: pass sequences of "
        f"different lengths as a list of arrays, {name} = [{name}_1, ..., {name}_n] with "
        f"{name}_j of shape {item}, for example {example} for NaN-padded steps; y is "
        "then (n_samples,) (the target of each sequence's last step) or a list of "
        f"(T_j,) arrays (a target at every step). ({error})"
    )


def _ragged_lengths(X):
    """Lengths of the items of a list of sequences when they differ, else None."""
    if not isinstance(X, (list, tuple)) or len(X) < 2:
        return None
    lengths = []
    for item in X:
        shape = np.shape(item) if hasattr(item, "shape") or isinstance(item, (list, tuple)) else ()
        lengths.append(shape[0] if len(shape) else None)
    if None in lengths or len(set(lengths)) == 1:
        return None
    return lengths


def _ndim(X, name="X"):
    ndim = getattr(X, "ndim", None)
    if ndim is not None:
        return ndim
    if hasattr(X, "shape"):
        return len(X.shape)
    lengths = _ragged_lengths(X)
    if lengths is not None:
        shown = ", ".join(str(length) for length in lengths[:5])
        more = ", ..." if len(lengths) > 5 else ""
        raise ValueError(
            f"{name} is a list of sequences of different lengths ({shown}{more}). "
            + _VARIABLE_LENGTH_ADVICE
        )
    try:
        return np.ndim(np.asarray(X, dtype=object))
    except ValueError as error:  # a ragged nesting below the first level
        raise ValueError(
            f"{name} could not be read as an array of sequences ({error}). "
            + _VARIABLE_LENGTH_ADVICE
        ) from None


def _check_ndim(ndim, name):
    if ndim not in (2, 3):
        raise ValueError(
            f"Expected a 3-D array (n_samples, n_timesteps, n_features) or a 2-D array "
            f"(n_samples, n_timesteps) of univariate sequences for {name}, got a {ndim}-D "
            f"array instead. Reshape your data with {name}.reshape(-1, 1) for a single "
            f"sequence of one step per sample, or {name}.reshape(1, -1) for a single sequence."
        )


def _check_3d(X, name):
    try:
        X = check_array(
            X, dtype=np.float64, order="C", allow_nd=True, ensure_min_samples=1, input_name=name
        )
    except ValueError as error:
        if "NaN" in str(error):
            raise _nan_error(name, 3, str(error).splitlines()[0]) from None
        raise
    if X.shape[1] < 1 or X.shape[2] < 1:
        raise ValueError(
            f"{name} of shape {X.shape} has no time steps or no features; "
            "expected (n_samples, n_timesteps >= 1, n_features >= 1)."
        )
    return _writeable(X)


def _check_2d(X, name, validate=None):
    """2-D validation (``validate``: the estimator's ``validate_data`` call), NaN explained."""
    try:
        if validate is not None:
            return validate()
        return check_array(X, dtype=np.float64, order="C", input_name=name)
    except ValueError as error:
        if "NaN" in str(error):
            raise _nan_error(name, 2, str(error).splitlines()[0]) from None
        raise


def _univariate_list(estimator, X):
    """A list of equal-length 1-D sequences given to a model fitted on (T, 1) steps."""
    return (
        isinstance(X, (list, tuple))
        and getattr(estimator, "_input_ndim", 2) == 3
        and getattr(estimator, "n_features_in_", None) == 1
    )


def check_sequences(X, name="X"):
    """Validate sequences outside an estimator: a (n, T, d) C-contiguous float64 array.

    A 2-D array is read as univariate sequences (n, T) and gets a trailing
    axis of length 1.
    """
    ndim = _ndim(X, name)
    _check_ndim(ndim, name)
    if ndim == 2:
        X = _check_2d(X, name)
        X = X[:, :, np.newaxis]
    return _check_3d(X, name)


def validate_sequences(estimator, X, *, reset):
    """Validate ``X`` and return it as a C-contiguous float64 (n, T, d) array.

    ``reset=True`` (in ``fit``) records ``n_features_in_``,
    ``feature_names_in_`` (2-D input only) and ``_input_ndim``;
    ``reset=False`` checks ``X`` against them.
    """
    ndim = _ndim(X)
    _check_ndim(ndim, "X")
    if ndim == 3:
        X = _check_3d(X, "X")
        if reset and X.shape[1] == 1 and X.shape[2] > 1:
            warnings.warn(
                "X is 3-D with a single time step. skrnn reads X as (n_samples, "
                "n_timesteps, n_features); aeon and sktime arrays are (n_samples, "
                "n_channels, n_timepoints): pass X.transpose(0, 2, 1) if that is your layout.",
                UserWarning,
                stacklevel=3,
            )
        if reset:
            estimator.n_features_in_ = X.shape[2]
            estimator._input_ndim = 3
            if hasattr(estimator, "feature_names_in_"):
                del estimator.feature_names_in_
        else:
            if estimator._input_ndim != 3:
                raise ValueError(
                    "X is 3-D but the model was fitted on 2-D (univariate) sequences; "
                    "pass X of shape (n_samples, n_timesteps)."
                )
            if X.shape[2] != estimator.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[2]} features per step, but "
                    f"{type(estimator).__name__} is expecting "
                    f"{estimator.n_features_in_} features as input."
                )
        return X
    if not reset and _univariate_list(estimator, X):
        # a list of univariate sequences that happen to have one length
        X = _check_2d(X, "X")
        return _check_3d(X[:, :, np.newaxis], "X")
    if not reset and getattr(estimator, "_input_ndim", 2) == 3:
        X = _check_2d(X, "X")
        raise ValueError(
            "X is 2-D but the model was fitted on 3-D sequences; pass X of shape "
            f"(n_samples, n_timesteps, {estimator.n_features_in_})."
        )
    X = _check_2d(
        X,
        "X",
        lambda: validate_data(estimator, X, reset=reset, dtype=np.float64, order="C"),
    )
    if reset:
        estimator._input_ndim = 2
    return _writeable(np.ascontiguousarray(X[:, :, np.newaxis]))


def validate_targets(y, n_samples, n_timesteps):
    """Validate ``y`` and return ``(Y, sequence_output)``.

    ``Y`` is a C-contiguous float64 array (n_samples, S) holding the targets of
    the last S steps; ``sequence_output`` is True for sequence-to-sequence.
    """
    if y is None:
        raise ValueError("requires y to be passed, but the target y is None.")
    y = check_array(y, dtype=np.float64, ensure_2d=False, input_name="y", order="C")
    if y.ndim == 2 and y.shape[1] == 1 and n_timesteps > 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please "
            "change the shape of y to (n_samples,), for example using ravel(). "
            "It is fitted as a sequence-to-one target.",
            DataConversionWarning,
            stacklevel=3,
        )
        y = y[:, 0]
    if y.shape[0] != n_samples:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: {n_samples} and {y.shape[0]}."
        )
    y = _writeable(y)
    if y.ndim == 1:
        return np.ascontiguousarray(y[:, np.newaxis]), False
    if y.ndim == 2:
        if y.shape[1] != n_timesteps:
            raise ValueError(
                f"y of shape {y.shape} does not match X: a 2-D y holds one target per "
                f"time step and needs {n_timesteps} columns (the length of the "
                "sequences in X); pass a 1-D y for sequence-to-one regression."
            )
        return np.ascontiguousarray(y), True
    raise ValueError(
        f"y must be 1-D (sequence-to-one) or 2-D (sequence-to-sequence), got {y.ndim}-D."
    )


def step_norms(X):
    """Euclidean norms ``||X[j, t]||_2``, shape (n, T), of a (n, T, d) array.

    The one definition of the per-step norm in the package: the theory's
    input condition is ``max_{j,t} ||X[j, t]|| <= 1`` (:func:`max_step_norm`)
    and the sequence scaler shrinks steps by these norms. Entries far from 1
    (beyond 1e+-140, where squares would overflow or underflow) are scaled by
    the largest entry first.
    """
    if X.size == 0:
        return np.zeros(X.shape[:2])
    largest = float(np.max(np.abs(X)))
    if largest == 0.0 or not np.isfinite(largest) or 1e-140 < largest < 1e140:
        # squares of every entry stay normal numbers (or there is nothing to scale)
        return np.sqrt(np.einsum("ntd,ntd->nt", X, X))
    # scale first so that squaring neither overflows (1e200) nor underflows (1e-170)
    scaled = X / largest
    return largest * np.sqrt(np.einsum("ntd,ntd->nt", scaled, scaled))


def max_step_norm(X):
    """``max_{j,t} ||X[j, t]||_2`` for a (n, T, d) array: the theory needs it <= 1.

    Also for variable-length sequences (a ``skrnn._ragged.RaggedSequences``):
    the maximum over its buckets.
    """
    buckets = getattr(X, "buckets", None)
    if buckets is not None:
        return max(max_step_norm(X_b) for _, X_b in buckets)
    if X.size == 0:
        return 0.0
    largest = float(np.max(np.abs(X)))
    if largest == 0.0 or not np.isfinite(largest):
        return largest
    return float(np.max(step_norms(X)))


def check_int(name, value, min_value):
    """``value`` as an int >= ``min_value``; TypeError for non-integers (bools included)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {value!r} of type {type(value).__name__}.")
    if value < min_value:
        raise ValueError(f"{name} must be an int >= {min_value}, got {value}.")
    return int(value)


def check_real(name, value, *, low=None, high=None, low_open=False, high_open=False):
    """``value`` as a finite float in the given (open or closed) range."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a real number, got {value!r} of type {type(value).__name__}."
        )
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}.")
    if low is not None and (value < low or (low_open and value == low)):
        bound = ">" if low_open else ">="
        raise ValueError(f"{name} must be {bound} {low}, got {value}.")
    if high is not None and (value > high or (high_open and value == high)):
        bound = "<" if high_open else "<="
        raise ValueError(f"{name} must be {bound} {high}, got {value}.")
    return value

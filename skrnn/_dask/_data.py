"""Validation of Dask training data and the statistics the fits need from it."""

import numpy as np
from sklearn.utils import Bunch

from .._validation import max_step_norm
from ._common import dask_array_module, is_dask_collection


def _as_dask_array(obj, name, chunks_like=None):
    """``obj`` as a float64 Dask array with known chunk sizes."""
    da = dask_array_module()
    if not is_dask_collection(obj):
        array = np.asarray(obj)
        if chunks_like is None:
            raise TypeError(f"{name} must be a Dask array, got {type(obj).__name__}.")
        if array.ndim == 0 or array.shape[0] != sum(chunks_like):
            raise ValueError(
                f"{name} of shape {array.shape} does not match the {sum(chunks_like)} "
                "samples of the Dask array it goes with: inconsistent numbers of samples."
            )
        obj = da.from_array(array, chunks=(chunks_like,) + tuple(-1 for _ in array.shape[1:]))
    if not isinstance(obj, da.Array):
        raise TypeError(
            f"{name} is a {type(obj).__name__}; skrnn accepts Dask arrays (convert a Dask "
            "DataFrame with .to_dask_array(lengths=True))."
        )
    if any(np.isnan(size) for sizes in obj.chunks for size in sizes):
        raise ValueError(
            f"{name} has unknown chunk sizes (for example after boolean indexing); call "
            f"{name}.compute_chunk_sizes() first."
        )
    kind = obj.dtype.kind
    if kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers, got dtype {obj.dtype}.")
    return obj.astype(np.float64) if obj.dtype != np.float64 else obj


def _dask_sequences(X, name="X", chunks_like=None):
    """(n, T, d) float64 Dask array chunked along samples only; 2-D is univariate."""
    X = _as_dask_array(X, name, chunks_like)
    if X.ndim not in (2, 3):
        raise ValueError(
            f"{name} must be 3-D (n_samples, n_timesteps, n_features) or 2-D (univariate "
            f"sequences), got a Dask array of shape {X.shape}."
        )
    if X.ndim == 2:
        X = X[:, :, np.newaxis]
    if X.shape[0] < 1:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 is required."
        )
    if X.shape[1] < 1 or X.shape[2] < 1:
        raise ValueError(
            f"{name} of shape {X.shape} has no time steps or no features; "
            "expected (n_samples, n_timesteps >= 1, n_features >= 1)."
        )
    return X.rechunk({1: -1, 2: -1})


def _dask_targets(y, X):
    """Targets as an (n, S) Dask array chunked like ``X``, and ``sequence_output``."""
    if y is None:
        raise ValueError("requires y to be passed, but the target y is None.")
    y = _as_dask_array(y, "y", chunks_like=X.chunks[0])
    n_samples, n_timesteps = X.shape[:2]
    if y.ndim == 2 and y.shape[1] == 1 and n_timesteps > 1:
        y = y[:, 0]  # a column vector: sequence-to-one, as in memory
    if y.ndim not in (1, 2) or y.shape[0] != n_samples:
        raise ValueError(
            f"y of shape {y.shape} does not match X of shape {X.shape}: expected "
            f"({n_samples},) or ({n_samples}, {n_timesteps})."
        )
    if y.ndim == 2 and y.shape[1] != n_timesteps:
        raise ValueError(
            f"y of shape {y.shape} does not match X: a 2-D y holds one target per time "
            f"step and needs {n_timesteps} columns."
        )
    sequence_output = y.ndim == 2
    Y = y if sequence_output else y[:, np.newaxis]
    return Y.rechunk((X.chunks[0], -1)), sequence_output


def _chunk_max_step_norm(X):
    return np.array([max_step_norm(np.ascontiguousarray(X))])


def _chunk_norms(X):
    da = dask_array_module()
    return da.blockwise(
        _chunk_max_step_norm,
        "i",
        X,
        "ijk",
        adjust_chunks={"i": 1},
        dtype=np.float64,
        concatenate=True,
    )


def distributed_max_step_norm(X):
    """``max_{j,t} ||X[j, t]||_2`` of a Dask (n, T, d) array, computed on the workers.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_timesteps, n_features)
        Sequences chunked along samples only.

    Returns
    -------
    norm : float
        The same value as :func:`skrnn._validation.max_step_norm` on the
        whole array in memory.
    """
    return float(_chunk_norms(X).max().compute())


def validate_dask_training_data(estimator, X, y, sample_weight=None):
    """Validate Dask training data, persist it on the workers, record ``n_features_in_``.

    The Dask counterpart of ``validate_sequences`` + ``validate_targets`` +
    ``check_weights``: either ``X`` or ``y`` may be a NumPy array (it is
    then chunked like the other). The arrays are persisted once (on the
    cluster of the active ``distributed.Client``, otherwise in this process)
    and checked for non-finite values in the same pass that measures the
    input norm and sums the weights.

    Parameters
    ----------
    estimator : estimator instance
        Gets ``n_features_in_`` and ``_input_ndim`` (and loses
        ``feature_names_in_``), as with in-memory data.
    X : dask.array.Array of shape (n_samples, n_timesteps, n_features) or (n_samples, n_timesteps)
        Input sequences, chunked along samples (other axes are rechunked to
        one chunk).
    y : dask.array.Array or array-like of shape (n_samples,) or (n_samples, n_timesteps)
        Targets of the last step, or of every step.
    sample_weight : dask.array.Array, array-like of shape (n_samples,) or None, default=None
        Non-negative weights of the sequences, not all zero.

    Returns
    -------
    data : Bunch
        ``X`` (n, T, d) and ``Y`` (n, S) persisted Dask arrays with the same
        sample chunks, ``sample_weight`` (persisted, or None),
        ``weight_sum`` (float; ``n_samples`` without weights),
        ``unit_weights`` (bool: no weights, or all equal to one),
        ``sequence_output`` (bool), ``shape`` (n, T, d) and
        ``max_step_norm`` (float).

    Raises
    ------
    ValueError
        For shapes that do not match, unknown chunk sizes, non-finite
        values, negative weights or weights summing to zero.
    TypeError
        For collections other than Dask arrays.
    """
    import dask

    if is_dask_collection(X):
        input_ndim = getattr(X, "ndim", None)
        X = _dask_sequences(X)
    else:
        y_dask = _as_dask_array(y, "y")
        input_ndim = np.ndim(X)
        X = _dask_sequences(X, chunks_like=y_dask.chunks[0])
    Y, sequence_output = _dask_targets(y, X)
    weights = None
    if sample_weight is not None:
        weights = _as_dask_array(sample_weight, "sample_weight", chunks_like=X.chunks[0])
        if weights.shape != (X.shape[0],):
            raise ValueError(
                f"sample_weight of shape {weights.shape} does not match the {X.shape[0]} "
                "samples of X; expected a 1-D array."
            )
        weights = weights.rechunk((X.chunks[0],))
    X, Y, weights = dask.persist(X, Y, weights)
    da = dask_array_module()
    checks = [da.isfinite(X).all(), da.isfinite(Y).all(), _chunk_norms(X).max()]
    if weights is not None:
        checks += [da.isfinite(weights).all(), (weights >= 0).all()]
        checks += [weights.sum(), (weights == 1.0).all()]
    results = dask.compute(*checks)
    for finite, name in zip(results[:2], ("X", "y"), strict=True):
        if not finite:
            raise ValueError(f"Input {name} contains NaN or infinity.")
    weight_sum, unit_weights = float(X.shape[0]), True
    if weights is not None:
        if not (results[3] and results[4]):
            raise ValueError("sample_weight must be finite and non-negative.")
        weight_sum, unit_weights = float(results[5]), bool(results[6])
        if not weight_sum > 0:
            raise ValueError("sample_weight must contain at least one non-zero weight.")
    estimator.n_features_in_ = X.shape[2]
    estimator._input_ndim = input_ndim
    if hasattr(estimator, "feature_names_in_"):
        del estimator.feature_names_in_
    return Bunch(
        X=X,
        Y=Y,
        sample_weight=weights,
        weight_sum=weight_sum,
        unit_weights=unit_weights,
        sequence_output=sequence_output,
        shape=X.shape,
        max_step_norm=float(results[2]),
    )


def distributed_target_moments(Y, sample_weight=None):
    """Weighted mean and standard deviation of all entries of ``Y``, on the workers.

    The statistics of ``normalize_y`` (one mean and one scale for all
    fitted steps), in two passes over the persisted targets.

    Parameters
    ----------
    Y : dask.array.Array of shape (n_samples, n_fitted_steps)
        Targets.
    sample_weight : dask.array.Array of shape (n_samples,) or None, default=None
        Weight of each sequence, shared by its fitted steps.

    Returns
    -------
    mean, spread : float
        ``sum s y / sum s`` and ``sqrt(sum s (y - mean)^2 / sum s)``, the
        values ``numpy.average`` gives in memory.
    """
    import dask

    if sample_weight is None:
        weights = dask_array_module().ones_like(Y[:, 0])
    else:
        weights = sample_weight.rechunk((Y.chunks[0],))
    row_weights = weights[:, np.newaxis]
    total, weighted_sum = dask.compute(weights.sum() * Y.shape[1], (row_weights * Y).sum())
    mean = float(weighted_sum / total)
    spread = float(np.sqrt((row_weights * (Y - mean) ** 2).sum().compute() / total))
    return mean, spread


def normalized_dask_targets(estimator, data):
    """Apply ``normalize_y`` to Dask targets; sets ``y_mean_`` and ``y_scale_``.

    Parameters
    ----------
    estimator : estimator instance
        With a ``normalize_y`` parameter.
    data : Bunch
        From :func:`validate_dask_training_data`.

    Returns
    -------
    Y : dask.array.Array of shape (n_samples, n_fitted_steps)
        ``(Y - y_mean_) / y_scale_``, persisted (``data.Y`` itself without
        normalization).
    """
    from .._targets import TargetNormalizer

    normalizer = TargetNormalizer(estimator.normalize_y)
    if estimator.normalize_y:
        weights = None if data.unit_weights else data.sample_weight
        normalizer.set_moments(*distributed_target_moments(data.Y, weights))
    estimator.y_mean_, estimator.y_scale_ = normalizer.mean, normalizer.scale
    if not estimator.normalize_y:
        return data.Y
    # the same elementwise arithmetic as TargetNormalizer.transform in memory
    return ((data.Y - normalizer.mean) / normalizer.scale).persist()


def curvature_sample(X, Y, sample_weight=None, max_sequences=2048):
    """Every k-th sequence (with its targets and weight), at most ``max_sequences``, in memory.

    For quantities estimated from a sample, such as the curvature behind
    ``learning_rate="auto"``: the stride spreads the sample over all chunks,
    and data of at most ``max_sequences`` sequences is taken whole (so the
    estimate is the in-memory one).

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_timesteps, n_features)
    Y : dask.array.Array of shape (n_samples, n_fitted_steps)
    sample_weight : dask.array.Array of shape (n_samples,) or None, default=None
    max_sequences : int, default=2048

    Returns
    -------
    X_sample : ndarray of shape (n_sample, n_timesteps, n_features)
    Y_sample : ndarray of shape (n_sample, n_fitted_steps)
    weights_sample : ndarray of shape (n_sample,) or None
        C-contiguous float64 arrays, ``n_sample <= max_sequences``.
    """
    import dask

    stride = -(-X.shape[0] // max_sequences)  # ceiling division
    weights = None if sample_weight is None else sample_weight[::stride]
    X_sample, Y_sample, weights = dask.compute(X[::stride], Y[::stride], weights)
    if weights is not None:
        weights = np.ascontiguousarray(weights, dtype=np.float64)
    return np.ascontiguousarray(X_sample), np.ascontiguousarray(Y_sample), weights

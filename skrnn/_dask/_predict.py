"""Prediction on Dask arrays: the in-memory ``predict`` mapped over the chunks."""

import numpy as np

from ._common import kernel_threads
from ._data import _as_dask_array


def _predict_chunk(X, estimator):
    with kernel_threads():
        return np.asarray(estimator.predict(X), dtype=np.float64)


def distributed_predict(estimator, X):
    """Predict chunk by chunk with a fitted estimator; returns a Dask array.

    Parameters
    ----------
    estimator : fitted estimator
        A fitted :class:`~skrnn.ProjectedGDRNNRegressor` or
        :class:`~skrnn.NTKRNNKernelRegressor`; its ``predict`` runs on each
        chunk in memory. It is sent to the workers once per call.
    X : dask.array.Array of shape (n_samples, n_timesteps, n_features) or (n_samples, n_timesteps)
        Sequences in the layout of the training data.

    Returns
    -------
    y_pred : dask.array.Array of shape (n_samples,) or (n_samples, n_timesteps)
        Lazy predictions with the sample chunks of ``X``: the last step's
        output, or every step's for a sequence-to-sequence model.
    """
    import dask

    X = _as_dask_array(X, "X")
    input_ndim = getattr(estimator, "_input_ndim", X.ndim)
    if X.ndim != input_ndim:
        raise ValueError(f"X is {X.ndim}-D but the model was fitted on {input_ndim}-D sequences.")
    n_features = X.shape[2] if X.ndim == 3 else X.shape[1]
    if n_features != estimator.n_features_in_:  # 2-D: the number of time steps
        raise ValueError(
            f"X has {n_features} features, but {type(estimator).__name__} is expecting "
            f"{estimator.n_features_in_} features as input."
        )
    X = X.rechunk({axis: -1 for axis in range(1, X.ndim)})
    shared = dask.delayed(estimator, pure=False, traverse=False)
    sequence_output = bool(getattr(estimator, "_sequence_output", False))
    n_timesteps = X.shape[1]
    if sequence_output:
        drop_axis = [2] if X.ndim == 3 else []
        chunks = (X.chunks[0], (n_timesteps,))
    else:
        drop_axis = list(range(1, X.ndim))
        chunks = (X.chunks[0],)
    return X.map_blocks(
        _predict_chunk,
        shared,
        drop_axis=drop_axis,
        chunks=chunks,
        dtype=np.float64,
        meta=np.empty((0,) * len(chunks)),
    )

"""The RNN on Dask arrays: the risk and gradient summed over chunks, and the fit."""

import time

import numpy as np

from .._activations import ACTIVATIONS
from .._numba import numba_threads
from .._numba.recurrence import risk_and_gradient
from ._common import SPLIT_EVERY, dask_array_module, kernel_threads
from ._data import (
    _as_dask_array,
    curvature_sample,
    normalized_dask_targets,
    validate_dask_training_data,
)


def _chunk_risk_and_gradient(X, Y, weights, parameters, code):
    """``[sum of squared residuals, sum of gradients]`` of one chunk, as one row.

    The kernel returns means over the chunk (weighted by the raw weights
    when given); multiplying by the chunk size turns them back into sums,
    which add across chunks.
    """
    w, UT, c_half = parameters
    m, d = w.shape[0], UT.shape[0]
    row = np.zeros((1, 1 + m + d * m))
    n_chunk = X.shape[0]
    if n_chunk == 0:
        return row
    grad_w, grad_UT = np.empty(m), np.empty((d, m))
    arguments = [np.ascontiguousarray(X), np.ascontiguousarray(Y), w, UT, c_half, code]
    arguments += [grad_w, grad_UT]
    if weights is not None:
        arguments.append(np.ascontiguousarray(weights, dtype=np.float64))
    with kernel_threads():
        risk = risk_and_gradient(*arguments)
    row[0, 0] = risk * n_chunk
    row[0, 1 : 1 + m] = grad_w * n_chunk
    row[0, 1 + m :] = grad_UT.ravel() * n_chunk
    return row


class DistributedRisk:
    """Empirical risk (eq. 1) and the gradient of half of it, on Dask arrays.

    A drop-in replacement of :class:`skrnn._gd.InMemoryRisk` for
    :func:`skrnn._gd.gradient_descent`: each call sends ``(w, UT)`` to the
    workers (one small task that the chunk tasks share), runs the Numba
    kernel on every chunk, adds the per-chunk sums by a tree reduction and
    divides by the number of samples.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_timesteps, n_features)
        Sequences chunked along samples (see
        :func:`validate_dask_training_data`). Persisted here unless already.
    Y : dask.array.Array of shape (n_samples, n_fitted_steps)
        Targets of the last ``n_fitted_steps`` steps, with the sample chunks
        of ``X``.
    c_half : ndarray of shape (m // 2,)
        Readout signs of the first half of the neurons.
    code : int
        Activation code of the Numba kernels.
    sample_weight : dask.array.Array of shape (n_samples,) or None, default=None
        Non-negative weights of the sequences, chunked like ``X``: the risk
        becomes ``sum_j s_j r_j / sum_j s_j``, as in memory. Needs a gradient
        kernel with per-sample weights (``ValueError`` otherwise).
    split_every : int, default=8
        Partial sums added per node of the reduction tree.

    Attributes
    ----------
    n_samples : int
        Number of sequences.
    normalizer : float
        The risk's denominator: ``n_samples``, or the sum of the weights.
    n_calls : int
        Number of evaluations so far.

    Notes
    -----
    Per call, ``m (d + 1) + m/2`` floats go down once and ``1 + m (d + 1)``
    floats come up per chunk; the reduction is deterministic for a given
    chunking, so repeated fits give the same bits.
    """

    def __init__(self, X, Y, c_half, code, *, sample_weight=None, split_every=SPLIT_EVERY):
        import dask

        if X.chunks[0] != Y.chunks[0] or len(X.chunks[1]) != 1 or len(Y.chunks[1]) != 1:
            raise ValueError(
                "X and Y must share their sample chunks and have one chunk along the other "
                "axes; use validate_dask_training_data."
            )
        if sample_weight is not None:
            sample_weight = _as_dask_array(sample_weight, "sample_weight", X.chunks[0])
            sample_weight = sample_weight.rechunk((X.chunks[0],))
        self.X, self.Y, self.sample_weight = dask.persist(X, Y, sample_weight)
        self.c_half = np.ascontiguousarray(c_half, dtype=np.float64)
        self.code = int(code)
        self.split_every = int(split_every)
        self.n_samples = int(X.shape[0])
        # the risk is a weighted mean: sums over chunks divided by the total weight
        self.normalizer = float(self.n_samples)
        if sample_weight is not None:
            self.normalizer = float(self.sample_weight.sum().compute())
        if not self.normalizer > 0:
            raise ValueError("sample_weight must have a positive sum.")
        self.n_calls = 0

    def partial_sums(self, w, UT):
        """The lazy ``(n_chunks, 1 + m (d + 1))`` array of per-chunk sums."""
        import dask

        da = dask_array_module()
        # one small task holding the parameters, shared by all chunk tasks
        parameters = dask.delayed((w.copy(), UT.copy(), self.c_half), pure=False, traverse=False)
        width = 1 + w.shape[0] * (1 + UT.shape[0])
        return da.blockwise(
            _chunk_risk_and_gradient,
            "ij",
            self.X,
            "ikl",
            self.Y,
            "is",
            *((None, None) if self.sample_weight is None else (self.sample_weight, "i")),
            parameters,
            None,
            self.code,
            None,
            new_axes={"j": width},
            adjust_chunks={"i": 1},
            concatenate=True,
            dtype=np.float64,
        )

    def __call__(self, w, UT, grad_w, grad_UT):
        total = self.partial_sums(w, UT).sum(axis=0, split_every=self.split_every).compute()
        self.n_calls += 1
        m = w.shape[0]
        scale = 1.0 / self.normalizer
        grad_w[:] = total[1 : 1 + m] * scale
        grad_UT[:] = total[1 + m :].reshape(grad_UT.shape) * scale
        return float(total[0] * scale)


def fit_rnn_on_dask(estimator, X, y, sample_weight=None):
    """``ProjectedGDRNNRegressor.fit`` on Dask arrays.

    The same steps as the in-memory fit: validation (on the workers),
    ``normalize_y`` from distributed moments, the symmetric initialization,
    the first step size (``learning_rate="auto"``: the curvature of
    :func:`curvature_sample`, the whole data up to 2048 sequences), then
    :func:`skrnn._gd.gradient_descent` with a :class:`DistributedRisk` as
    its evaluator, and the bound with the input norm measured on the
    workers. ``warm_start`` continues from the kept parameters.

    Parameters
    ----------
    estimator : ProjectedGDRNNRegressor
        The estimator to fit (its parameters already validated).
    X : dask.array.Array of shape (n_samples, n_timesteps, n_features) or (n_samples, n_timesteps)
        Input sequences, chunked along samples.
    y : dask.array.Array or array-like of shape (n_samples,) or (n_samples, n_timesteps)
        Targets.
    sample_weight : dask.array.Array, array-like of shape (n_samples,) or None, default=None
        Weights of the sequences.

    Returns
    -------
    estimator : ProjectedGDRNNRegressor
        The fitted estimator.

    Raises
    ------
    ValueError
        For ``early_stopping=True``: holding out a random subset of a
        distributed data set is left to the user.
    """
    from .._rnn_fit import check_warm_start_layout, symmetric_initialization

    if estimator.early_stopping:
        raise ValueError(
            "early_stopping=True is not supported for Dask input: fit with "
            "early_stopping=False (hold out validation data yourself and, for instance, "
            "use warm_start=True to score between fits), or fit in-memory data."
        )
    warm = estimator.warm_start and hasattr(estimator, "w_")
    previous = None
    if warm:
        previous = (estimator.n_features_in_, estimator._input_ndim, estimator._sequence_output)
    data = validate_dask_training_data(estimator, X, y, sample_weight)
    n_samples, n_timesteps, n_features = data.shape
    estimator._sequence_output = data.sequence_output
    if warm:
        check_warm_start_layout(estimator, previous, n_features)
    Y = normalized_dask_targets(estimator, data)
    weights = None if data.unit_weights else data.sample_weight

    if not warm:
        w, U, c = symmetric_initialization(
            estimator.width, n_features, estimator.recurrent_scale, estimator.random_state
        )
        estimator.w_init_, estimator.U_init_, estimator.c_ = w, U, c
    estimator._n_timesteps_fit = n_timesteps
    n_fitted_steps = Y.shape[1]
    if warm and estimator.learning_rate == "auto":
        step = estimator.learning_rate_  # continue with the step the last fit ended with
    elif estimator.learning_rate == "auto":
        X_sample, _, weights_sample = curvature_sample(data.X, Y, weights)
        step = estimator._initial_step(X_sample, n_fitted_steps, n_timesteps, weights_sample)
    else:
        step = estimator._initial_step(None, n_fitted_steps, n_timesteps)

    code = ACTIVATIONS[estimator.activation].code
    c_half = np.ascontiguousarray(estimator.c_[: estimator.width // 2])
    risk = DistributedRisk(data.X, Y, c_half, code, sample_weight=weights)
    start = time.perf_counter()
    with numba_threads(estimator.n_jobs):  # the projection runs here, on the driver
        result = estimator._gradient_descent(None, None, None, step, warm, risk=risk)
    estimator.fit_time_ = time.perf_counter() - start
    estimator._store_result(result, warm)
    estimator._set_bound(data.X, max_input_norm=data.max_step_norm)
    return estimator

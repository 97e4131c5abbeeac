"""Fitting and predicting on sequences of different lengths (lists of arrays).

The estimators hand a ragged ``X`` (see :func:`skrnn._ragged.is_ragged`)
to the functions here. Sequences are bucketed by length
(:class:`skrnn._ragged.RaggedSequences`) and every kernel runs once per
bucket, so the work is proportional to the total number of steps.

* The RNN runs the same gradient-descent driver as on 3-D arrays, with the
  bucketed risk (:class:`skrnn._gd.BucketedRisk`) and the bucketed
  curvature of ``learning_rate="auto"``: both equal the full-data ones.
* The NTK model builds the Monte Carlo features bucket by bucket and
  stacks their rows in the original order of the (sample, fitted step)
  pairs; the solve is the one of 3-D input.

Predictions come back in the layout of the targets: an ``(n_samples,)``
array for sequence-to-one models, a list of ``(T_j,)`` arrays for
sequence-to-sequence ones.
"""

import time

import numpy as np

from ._activations import ACTIVATIONS
from ._gd import BucketedRisk
from ._gram import _features, _row_blocks
from ._memory import check_rnn_memory
from ._numba import numba_threads
from ._numba.recurrence import forward
from ._ragged import check_ragged_weights, ragged_targets, validate_ragged
from ._rnn_fit import check_warm_start_layout, symmetric_initialization
from ._step_size import curvature_step, top_curvature_buckets
from ._targets import TargetNormalizer, normalized_weights, validation_split, weighted_r2

__all__ = [
    "fit_ntk_ragged",
    "fit_rnn_ragged",
    "ntk_last_step_kernel",
    "predict_ntk_ragged",
    "predict_rnn_ragged",
]


def _fit_normalizer(estimator, targets, weights):
    """``normalize_y`` on all fitted (sample, step) targets; returns the normalized targets."""
    counts = np.array([t.shape[0] for t in targets])
    flat = np.concatenate(targets)[:, np.newaxis]
    flat_weights = None if weights is None else np.repeat(weights, counts)
    normalizer = TargetNormalizer(estimator.normalize_y).fit(flat, flat_weights)
    estimator.y_mean_, estimator.y_scale_ = normalizer.mean, normalizer.scale
    normalized = normalizer.transform(flat)[:, 0]
    return np.split(normalized, np.cumsum(counts)[:-1])


def _outputs_by_bucket(data, compute):
    """``compute(X_b)`` for every bucket, as a list."""
    return [compute(X_b) for _, X_b in data.buckets]


def _give_back(estimator, data, per_bucket):
    """Outputs per bucket ``(n_b, S_b)`` to the user's layout, in original units."""
    per_bucket = [out * estimator.y_scale_ + estimator.y_mean_ for out in per_bucket]
    if not estimator._sequence_output:
        result = np.empty(data.n_samples)
        for (rows, _), out in zip(data.buckets, per_bucket, strict=True):
            result[rows] = out[:, -1]
        return result
    return [np.ascontiguousarray(item) for item in data.scatter(per_bucket)]


# ------------------------------------------------------------------------ RNN


def fit_rnn_ragged(estimator, X, y, sample_weight=None):
    """:meth:`ProjectedGDRNNRegressor.fit` for a list of sequences of different lengths."""
    est = estimator
    warm = est.warm_start and hasattr(est, "w_")
    previous = (est.n_features_in_, est._input_ndim, est._sequence_output) if warm else None
    data = validate_ragged(est, X, reset=True)
    targets, est._sequence_output = ragged_targets(y, data)
    n_samples, max_length, n_features = data.shape
    weights = check_ragged_weights(sample_weight, n_samples)
    for _, X_b in data.buckets:  # the kernels run bucket by bucket
        check_rnn_memory(type(est).__name__, *X_b.shape, est.width)
    if warm:
        check_warm_start_layout(est, previous, n_features)
    targets = _fit_normalizer(est, targets, weights)

    fit_rows, validation_rows = np.arange(n_samples), None
    if est.early_stopping:
        fit_rows, validation_rows = validation_split(
            n_samples, est.validation_fraction, est.random_state
        )
    if not warm:
        est.w_init_, est.U_init_, est.c_ = symmetric_initialization(
            est.width, n_features, est.recurrent_scale, est.random_state
        )
    est._n_timesteps_fit = max_length
    data_fit = data if validation_rows is None else data.subset(fit_rows)
    targets_fit = [targets[j] for j in fit_rows]
    weights_fit = None if weights is None else weights[fit_rows]

    code = ACTIVATIONS[est.activation].code
    c_half = np.ascontiguousarray(est.c_[: est.width // 2])
    UT_init = np.ascontiguousarray(est.U_init_.T)
    rows = [r for r, _ in data_fit.buckets]
    buckets = list(
        zip((X_b for _, X_b in data_fit.buckets), data_fit.stack_rows(targets_fit), strict=True)
    )
    with numba_threads(est.n_jobs):
        if warm and est.learning_rate == "auto":
            step = est.learning_rate_
        elif est.learning_rate == "auto":
            curvature = top_curvature_buckets(
                [(X_b, Y_b.shape[1]) for X_b, Y_b in buckets],
                rows,
                est.w_init_,
                UT_init,
                c_half,
                code,
                random_state=0,
                sample_weight=normalized_weights(weights_fit, data_fit.n_samples),
            )
            step = curvature_step(curvature)
        else:
            step = est._initial_step(None, None, max_length)
        validation = None
        if validation_rows is not None:
            validation = _validation_score(
                data.subset(validation_rows),
                [targets[j] for j in validation_rows],
                None if weights is None else weights[validation_rows],
                c_half,
                code,
            )
        start = time.perf_counter()
        result = est._gradient_descent(
            None,
            None,
            None,
            step,
            warm,
            risk=BucketedRisk(buckets, rows, c_half, code, weights_fit),
            validation=validation,
        )
    est.fit_time_ = time.perf_counter() - start
    est._store_result(result, warm)
    est._set_bound(data_fit)
    return est


def _validation_score(data, targets, weights, c_half, code):
    """Early stopping's score: ``R^2`` pooled over the held-out (sample, step) pairs."""
    per_bucket_targets = data.stack_rows(targets)
    rows = [r for r, _ in data.buckets]
    flat_targets = np.concatenate([Y_b.reshape(-1) for Y_b in per_bucket_targets])[:, np.newaxis]
    flat_weights = None
    if weights is not None:
        flat_weights = np.concatenate(
            [
                np.repeat(weights[r], Y_b.shape[1])
                for r, Y_b in zip(rows, per_bucket_targets, strict=True)
            ]
        )

    def score(w, UT):
        outputs = []
        for (_, X_b), Y_b in zip(data.buckets, per_bucket_targets, strict=True):
            outputs.append(forward(X_b, w, UT, c_half, code)[:, X_b.shape[1] - Y_b.shape[1] :])
        flat = np.concatenate([out.reshape(-1) for out in outputs])[:, np.newaxis]
        return weighted_r2(flat_targets, flat, flat_weights)

    return score


def predict_rnn_ragged(estimator, X):
    """:meth:`ProjectedGDRNNRegressor.predict` for a list of sequences of different lengths."""
    est = estimator
    data = validate_ragged(est, X, reset=False)
    for _, X_b in data.buckets:
        check_rnn_memory(type(est).__name__, *X_b.shape, est.width, training=False)
    with numba_threads(est.n_jobs):
        per_bucket = _outputs_by_bucket(data, est._outputs)
    return _give_back(est, data, per_bucket)


# ------------------------------------------------------------------------ NTK


def _bucket_features(X_b, w0, UT0, code, n_fitted):
    return _features(X_b, w0, UT0, code, n_fitted)


def ragged_design(data, w0, UT0, code, sequence_output):
    """Features ``(N, p)`` of all fitted (sample, step) pairs, rows in the original order.

    ``N`` is ``n_samples`` (the last step of each sequence) or ``sum_j T_j``
    (every step, sample-major), the order of the flattened targets.
    """
    p = w0.shape[0] * (1 + data.n_features)
    counts = data.lengths if sequence_output else np.ones(data.n_samples, dtype=np.intp)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    Phi = np.empty((int(counts.sum()), p))
    for rows, X_b in data.buckets:
        n_fitted = X_b.shape[1] if sequence_output else 1
        F = _bucket_features(X_b, w0, UT0, code, n_fitted)
        index = (offsets[rows][:, np.newaxis] + np.arange(n_fitted)).reshape(-1)
        Phi[index] = F.reshape(-1, p)
    return Phi, counts


def fit_ntk_ragged(estimator, X, y, sample_weight=None):
    """:meth:`NTKRNNKernelRegressor.fit` for a list of sequences of different lengths.

    The features are not cached (the cache keys 3-D arrays).
    """
    from ._ntk_fit import choose_solver_and_draw, weighted_rows

    est = estimator
    alpha = est._alpha_candidates()
    data = validate_ragged(est, X, reset=True)
    targets, est._sequence_output = ragged_targets(y, data)
    n_samples, max_length, n_features = data.shape
    weights = check_ragged_weights(sample_weight, n_samples)
    if weights is not None and np.all(weights == 1.0):
        weights = None  # the unweighted arithmetic, bit for bit
    targets = _fit_normalizer(est, targets, weights)
    flat_targets = np.concatenate(targets)
    n_rows = flat_targets.shape[0]
    choose_solver_and_draw(est, n_rows, n_features)
    w0, UT0, code = est._draws()
    with numba_threads(est.n_jobs):
        Phi, counts = ragged_design(data, w0, UT0, code, est._sequence_output)
    n_effective = float(n_samples)
    n_rows_effective = float(n_rows)
    if weights is not None:
        Phi, flat_targets = weighted_rows(Phi, flat_targets, weights, counts)
        n_effective = float(np.sum(weights))
        n_rows_effective = float(np.sum(weights * counts))
    est._solve(Phi, flat_targets, alpha, n_effective, n_rows_effective, max_length, None)
    est._set_bound(data)
    return est


def _ntk_outputs(est, X_b, n_fitted):
    """Predictions ``(n_b, n_fitted)`` of one bucket, in blocks of bounded memory."""
    w0, UT0, code = est._draws()
    out = np.empty((X_b.shape[0], n_fitted))
    row_bytes = 8 * n_fitted * w0.shape[0] * (1 + X_b.shape[2])
    for block in _row_blocks(X_b.shape[0], row_bytes):
        out[block] = _bucket_features(X_b[block], w0, UT0, code, n_fitted) @ est.coef_
    return out


def predict_ntk_ragged(estimator, X):
    """:meth:`NTKRNNKernelRegressor.predict` for a list of sequences of different lengths."""
    est = estimator
    data = validate_ragged(est, X, reset=False)
    with numba_threads(est.n_jobs):
        per_bucket = _outputs_by_bucket(
            data,
            lambda X_b: _ntk_outputs(est, X_b, X_b.shape[1] if est._sequence_output else 1),
        )
    return _give_back(est, data, per_bucket)


def _last_step_features(est, data):
    w0, UT0, code = est._draws()
    Phi, _ = ragged_design(data, w0, UT0, code, sequence_output=False)
    return Phi


def ntk_last_step_kernel(estimator, X, Y=None):
    """``(n_X, n_Y)`` NTK between sequences at each one's last step (lists of any lengths)."""
    from ._ragged import RaggedSequences, is_ragged

    est = estimator

    def as_ragged(Z):
        if is_ragged(Z):
            return validate_ragged(est, Z, reset=False)
        from ._validation import validate_sequences

        Z = validate_sequences(est, Z, reset=False)
        return RaggedSequences(list(Z))

    data_x = as_ragged(X)
    with numba_threads(est.n_jobs):
        F_x = _last_step_features(est, data_x)
        if Y is None:
            return F_x @ F_x.T
        F_y = _last_step_features(est, as_ragged(Y))
    return F_x @ F_y.T

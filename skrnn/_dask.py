"""Fitting and predicting on Dask arrays: per-chunk kernels and tree reductions.

Both estimators minimize sums over sequences, so their training work is a
map-reduce over chunks of samples:

* the RNN's full-batch risk and gradient (eq. 1): every gradient-descent
  iteration sends the parameters ``(w, U)`` to the workers, each chunk runs
  the Numba kernel on its sequences, and the per-chunk sums are added by a
  tree reduction (:class:`DistributedRisk`, a drop-in replacement of
  :class:`skrnn._gd.InMemoryRisk`);
* the NTK model's primal system ``Phi^T Phi``, ``Phi^T y``: each chunk
  builds its Monte Carlo features and its ``p x p`` share of the system
  (:func:`distributed_normal_equations`);
* ``predict`` maps the in-memory prediction over the chunks and returns a
  Dask array (:func:`distributed_predict`).

The sequences stay on the workers: they are persisted once and only
parameters (down) and per-chunk sums (up) travel. This is the only module of
skrnn that imports ``dask`` or ``distributed``, and it does so lazily, so
skrnn works without them (``pip install "skrnn[dask]"`` adds them).

Threads: inside a task, the Numba kernels run on as many threads as the
Dask worker has (``nthreads``), and one kernel at a time per process, so the
worker's other task threads wait instead of oversubscribing the cores.
Results do not depend on the thread count, and the tree reduction adds the
chunks in a fixed order, so a fit is reproducible for a given chunking.
"""

import contextlib
import sys
import threading

import numpy as np
from sklearn.utils import Bunch

from ._gram import _features, _row_blocks, _symmetric_gram
from ._numba import numba_threads
from ._numba.recurrence import risk_and_gradient
from ._validation import max_step_norm

__all__ = [
    "DistributedRisk",
    "distributed_max_step_norm",
    "distributed_normal_equations",
    "distributed_predict",
    "distributed_target_moments",
    "curvature_sample",
    "is_dask_collection",
    "primal_solver_for_dask",
    "validate_dask_training_data",
    "worker_thread_count",
]

#: how many partial sums each node of the reduction tree adds
SPLIT_EVERY = 8

_INSTALL_HINT = 'install the optional dependencies with pip install "skrnn[dask]"'

# one Numba kernel at a time per process: it already uses all the worker's threads
_KERNEL_LOCK = threading.Lock()


# ------------------------------------------------------------------ detection


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


def _dask_array_module():
    try:
        import dask.array as da
    except ImportError as error:  # pragma: no cover - only without the extra
        raise ImportError(f"Fitting on Dask arrays needs dask; {_INSTALL_HINT}.") from error
    return da


def worker_thread_count():
    """Threads of the Dask worker running the current task; None outside a worker.

    Returns
    -------
    n_threads : int or None
        The worker's ``nthreads`` (1 when it cannot be read); None when no
        ``distributed`` worker runs this code (local schedulers), which
        keeps Numba's own setting.
    """
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return None
    try:
        worker = distributed.get_worker()
    except ValueError:  # not inside a worker's task
        return None
    state = getattr(worker, "state", None)
    n_threads = getattr(state, "nthreads", None) or getattr(worker, "nthreads", None)
    try:
        return max(1, int(n_threads))
    except (TypeError, ValueError):
        return 1


@contextlib.contextmanager
def _kernel_threads():
    """Run the enclosed kernels alone in this process, on the worker's threads."""
    with _KERNEL_LOCK, numba_threads(worker_thread_count()):
        yield


# ----------------------------------------------------------------- validation


def _as_dask_array(obj, name, chunks_like=None):
    """``obj`` as a float64 Dask array with known chunk sizes."""
    da = _dask_array_module()
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


def _chunk_norms(X):
    da = _dask_array_module()
    return da.blockwise(
        _chunk_max_step_norm,
        "i",
        X,
        "ijk",
        adjust_chunks={"i": 1},
        dtype=np.float64,
        concatenate=True,
    )


def validate_dask_training_data(estimator, X, y, sample_weight=None):
    """Validate Dask training data, persist it on the workers, record ``n_features_in_``.

    The Dask counterpart of ``validate_sequences`` + ``validate_targets``:
    either ``X`` or ``y`` may be a NumPy array (it is then chunked like the
    other). The arrays are persisted once (on the cluster of the active
    ``distributed.Client``, otherwise in this process) and checked for
    non-finite values in the same pass that measures the input norm.

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
        Non-negative weights of the sequences.

    Returns
    -------
    data : Bunch
        ``X`` (n, T, d) and ``Y`` (n, S) persisted Dask arrays with the same
        sample chunks, ``sample_weight`` (persisted, or None),
        ``sequence_output`` (bool), ``shape`` (n, T, d) and
        ``max_step_norm`` (float).

    Raises
    ------
    ValueError
        For shapes that do not match, unknown chunk sizes, non-finite
        values or negative weights.
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
    da = _dask_array_module()
    checks = [da.isfinite(X).all(), da.isfinite(Y).all(), _chunk_norms(X).max()]
    if weights is not None:
        checks += [da.isfinite(weights).all(), (weights >= 0).all()]
    results = dask.compute(*checks)
    for finite, name in zip(results[:2], ("X", "y"), strict=True):
        if not finite:
            raise ValueError(f"Input {name} contains NaN or infinity.")
    if weights is not None and not (results[3] and results[4]):
        raise ValueError("sample_weight must be finite and non-negative.")
    estimator.n_features_in_ = X.shape[2]
    estimator._input_ndim = input_ndim
    if hasattr(estimator, "feature_names_in_"):
        del estimator.feature_names_in_
    return Bunch(
        X=X,
        Y=Y,
        sample_weight=weights,
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
        weights = _dask_array_module().ones_like(Y[:, 0])
    else:
        weights = sample_weight.rechunk((Y.chunks[0],))
    row_weights = weights[:, np.newaxis]
    total, weighted_sum = dask.compute(weights.sum() * Y.shape[1], (row_weights * Y).sum())
    mean = float(weighted_sum / total)
    spread = float(np.sqrt((row_weights * (Y - mean) ** 2).sum().compute() / total))
    return mean, spread


def curvature_sample(X, Y, max_sequences=2048):
    """Every k-th sequence (and its targets), at most ``max_sequences``, in memory.

    For quantities estimated from a sample, such as the curvature behind
    ``learning_rate="auto"``: the stride spreads the sample over all chunks.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_timesteps, n_features)
    Y : dask.array.Array of shape (n_samples, n_fitted_steps)
    max_sequences : int, default=2048

    Returns
    -------
    X_sample : ndarray of shape (n_sample, n_timesteps, n_features)
    Y_sample : ndarray of shape (n_sample, n_fitted_steps)
        C-contiguous float64 arrays, ``n_sample <= max_sequences``.
    """
    import dask

    stride = -(-X.shape[0] // max_sequences)  # ceiling division
    X_sample, Y_sample = dask.compute(X[::stride], Y[::stride])
    return np.ascontiguousarray(X_sample), np.ascontiguousarray(Y_sample)


# ------------------------------------------------------------------------ RNN


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
    with _kernel_threads():
        risk = risk_and_gradient(*arguments)
    row[0, 0] = risk * n_chunk
    row[0, 1 : 1 + m] = grad_w * n_chunk
    row[0, 1 + m :] = grad_UT.ravel() * n_chunk
    return row


def _kernel_takes_weights():
    """Whether the installed gradient kernel accepts per-sample weights."""
    X, Y = np.zeros((1, 1, 1)), np.zeros((1, 1))
    w, UT, c_half = np.zeros(2), np.zeros((1, 2)), np.ones(1)
    try:
        risk_and_gradient(X, Y, w, UT, c_half, 0, np.empty(2), np.empty((1, 2)), np.ones(1))
    except TypeError:  # no matching signature
        return False
    return True


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

        if sample_weight is not None and not _kernel_takes_weights():
            raise ValueError(
                "sample_weight is not supported for the RNN on Dask arrays by this version "
                "of the gradient kernel; fit in memory to use weights."
            )
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

        da = _dask_array_module()
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


# ------------------------------------------------------------------------ NTK


def primal_solver_for_dask(solver):
    """The NTK solver for Dask input: ``"primal"``; the dual form is refused.

    Parameters
    ----------
    solver : {"auto", "dual", "primal"}
        The estimator's ``solver`` parameter.

    Returns
    -------
    solver : str
        Always ``"primal"``.

    Raises
    ------
    ValueError
        For ``solver="dual"``, whose ``N x N`` Gram matrix couples every pair
        of training sequences and cannot be summed chunk by chunk.
    """
    if solver == "dual":
        raise ValueError(
            'solver="dual" cannot fit Dask arrays: its N x N Gram matrix couples every '
            "pair of training sequences and would have to sit in one place. Use "
            'solver="primal" (or "auto", which picks it for Dask input): its p x p system '
            "is a sum over chunks."
        )
    return "primal"


def _chunk_normal_equations(X, Y, weights, draws, code):
    """``[Phi^T W Phi | Phi^T W y]`` of one chunk, shape (1, p, p + 1)."""
    w0, UT0 = draws
    n_chunk, _, d = X.shape
    n_steps = Y.shape[1]
    p = w0.shape[0] * (1 + d)
    system = np.zeros((1, p, p + 1))
    X = np.ascontiguousarray(X)
    for rows in _row_blocks(n_chunk, 8 * n_steps * p):
        with _kernel_threads():
            Phi = _features(X[rows], w0, UT0, code, n_steps).reshape(-1, p)
        targets = Y[rows].reshape(-1)
        if weights is not None:
            # every fitted step of a sequence carries the sequence's weight
            root = np.sqrt(np.repeat(weights[rows], n_steps))
            Phi *= root[:, np.newaxis]
            targets = targets * root
        system[0, :, :p] += _symmetric_gram(Phi, transpose=True)
        system[0, :, p] += Phi.T @ targets
    return system


def distributed_normal_equations(
    X, Y, w0, UT0, code, n_fitted_steps, *, sample_weight=None, split_every=SPLIT_EVERY
):
    """The NTK model's primal system ``Phi^T W Phi``, ``Phi^T W y``, summed over chunks.

    Each chunk computes its Monte Carlo features (rows: its (sample, fitted
    step) pairs, in blocks of bounded memory) and its share of the system;
    the shares are added by a tree reduction and only the ``p x p`` result
    comes back to the driver.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_timesteps, n_features)
        Sequences chunked along samples only.
    Y : dask.array.Array of shape (n_samples, n_fitted_steps)
        Targets, with the sample chunks of ``X``.
    w0 : ndarray of shape (n_mc_samples,)
        Recurrent weights of the draws.
    UT0 : ndarray of shape (n_features, n_mc_samples)
        Input weights of the draws, transposed.
    code : int
        Activation code of the Numba kernels.
    n_fitted_steps : int
        Number of last steps with a target (``Y.shape[1]``).
    sample_weight : dask.array.Array of shape (n_samples,) or None, default=None
        Non-negative weights ``W`` of the sequences (each of a sequence's
        fitted steps gets its weight), chunked like ``X``; None for ones.
    split_every : int, default=8
        Partial sums added per node of the reduction tree.

    Returns
    -------
    gram : ndarray of shape (p, p)
        ``Phi^T W Phi``, exactly symmetric, ``p = n_mc_samples (1 + n_features)``.
    rhs : ndarray of shape (p,)
        ``Phi^T W y``.
    """
    import dask

    da = _dask_array_module()
    if Y.shape[1] != n_fitted_steps:
        raise ValueError(f"Y has {Y.shape[1]} columns, expected n_fitted_steps={n_fitted_steps}.")
    p = w0.shape[0] * (1 + X.shape[2])
    draws = dask.delayed(
        (np.ascontiguousarray(w0), np.ascontiguousarray(UT0)), pure=False, traverse=False
    )
    if sample_weight is None:
        weight_args = (None, None)
    else:
        weight_args = (sample_weight.rechunk((X.chunks[0],)), "i")
    shares = da.blockwise(
        _chunk_normal_equations,
        "iab",
        X,
        "ikl",
        Y,
        "is",
        *weight_args,
        draws,
        None,
        int(code),
        None,
        new_axes={"a": p, "b": p + 1},
        adjust_chunks={"i": 1},
        concatenate=True,
        dtype=np.float64,
    )
    system = shares.sum(axis=0, split_every=split_every).compute()
    gram = system[:, :p]
    # the chunks' Grams are exactly symmetric, and so is their sum
    return np.ascontiguousarray(gram), system[:, p].copy()


# -------------------------------------------------------------------- predict


def _predict_chunk(X, estimator):
    with _kernel_threads():
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

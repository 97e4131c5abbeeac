"""The NTK model on Dask arrays: the primal system summed over chunks, and the fit."""

import numpy as np

from .._activations import ACTIVATIONS
from .._gram import _features, _row_blocks, _symmetric_gram
from .._memory import memory_text
from .._ntk_fit import TrainingSystem, draw_weights, weighted_rows
from .._ntk_solvers import memory_need
from ._common import SPLIT_EVERY, dask_array_module, kernel_threads
from ._data import normalized_dask_targets, validate_dask_training_data


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


def _weighted_chunk_rows(Phi, targets, weights, rows, n_steps):
    """Rows of a block scaled by the square root of their sequence's weight (None: as given)."""
    if weights is None:
        return Phi, targets
    return weighted_rows(Phi, targets, weights[rows], n_steps)


def _chunk_normal_equations(X, Y, weights, draws, code):
    """``[Phi^T W Phi | Phi^T W y]`` of one chunk, shape (1, p, p + 1)."""
    w0, UT0 = draws
    n_chunk, _, d = X.shape
    n_steps = Y.shape[1]
    p = w0.shape[0] * (1 + d)
    system = np.zeros((1, p, p + 1))
    X = np.ascontiguousarray(X)
    for rows in _row_blocks(n_chunk, 8 * n_steps * p):
        with kernel_threads():
            Phi = _features(X[rows], w0, UT0, code, n_steps).reshape(-1, p)
        Phi, targets = _weighted_chunk_rows(Phi, Y[rows].reshape(-1), weights, rows, n_steps)
        system[0, :, :p] += _symmetric_gram(Phi, transpose=True)
        system[0, :, p] += Phi.T @ targets
    return system


def _chunk_residual(X, Y, weights, draws, code):
    """``||W^(1/2) (y - Phi coef)||^2`` of one chunk, shape (1,)."""
    w0, UT0, coef = draws
    n_chunk, _, d = X.shape
    n_steps = Y.shape[1]
    p = w0.shape[0] * (1 + d)
    total = 0.0
    X = np.ascontiguousarray(X)
    for rows in _row_blocks(n_chunk, 8 * n_steps * p):
        with kernel_threads():
            Phi = _features(X[rows], w0, UT0, code, n_steps).reshape(-1, p)
        Phi, targets = _weighted_chunk_rows(Phi, Y[rows].reshape(-1), weights, rows, n_steps)
        leftover = targets - Phi @ coef
        total += float(leftover @ leftover)
    return np.array([total])


def _map_chunks(function, X, Y, sample_weight, shared, code, new_axes):
    """``function(X_chunk, Y_chunk, weights_chunk, shared, code)`` on every chunk."""
    import dask

    da = dask_array_module()
    shared = dask.delayed(shared, pure=False, traverse=False)
    weight_args = (None, None)
    if sample_weight is not None:
        weight_args = (sample_weight.rechunk((X.chunks[0],)), "i")
    axes = "i" + "".join(new_axes)
    return da.blockwise(
        function,
        axes,
        X,
        "ikl",
        Y,
        "is",
        *weight_args,
        shared,
        None,
        int(code),
        None,
        new_axes=new_axes or None,
        adjust_chunks={"i": 1},
        concatenate=True,
        dtype=np.float64,
    )


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
    if Y.shape[1] != n_fitted_steps:
        raise ValueError(f"Y has {Y.shape[1]} columns, expected n_fitted_steps={n_fitted_steps}.")
    p = w0.shape[0] * (1 + X.shape[2])
    draws = (np.ascontiguousarray(w0), np.ascontiguousarray(UT0))
    shares = _map_chunks(
        _chunk_normal_equations, X, Y, sample_weight, draws, code, {"a": p, "b": p + 1}
    )
    system = shares.sum(axis=0, split_every=split_every).compute()
    # the chunks' Grams are exactly symmetric, and so is their sum
    return np.ascontiguousarray(system[:, :p]), system[:, p].copy()


def distributed_residual(X, Y, w0, UT0, code, coef, *, sample_weight=None):
    """``||W^(1/2) (y - Phi coef)||^2`` over all chunks: a second pass over the data.

    Parameters
    ----------
    X, Y, w0, UT0, code, sample_weight
        As in :func:`distributed_normal_equations`.
    coef : ndarray of shape (p,)
        Coefficients on the features.

    Returns
    -------
    residual : float
        The weighted residual sum of squares.
    """
    shared = (np.ascontiguousarray(w0), np.ascontiguousarray(UT0), np.ascontiguousarray(coef))
    parts = _map_chunks(_chunk_residual, X, Y, sample_weight, shared, code, {})
    return float(parts.sum(split_every=SPLIT_EVERY).compute())


class _DistributedPrimalSystem(TrainingSystem):
    """The primal system of a Dask fit: ``Phi^T W Phi`` and ``Phi^T W y`` summed over chunks.

    ``Phi`` stays on the workers; GCV's residual ``||W^(1/2) (y - Phi coef)||^2``
    is a second pass over the chunks (``residual_of``).
    """

    def __init__(self, gram, rhs, residual_of):
        # the base class would form rhs from Phi, which is not here
        self.Phi = self.targets = None
        self.dual, self.rhs = False, rhs
        self._solver, self._key, self._budget = "primal", None, 0
        self._spectrum = None
        self._gram, self._residual_of = gram, residual_of

    def gram(self):
        return self._gram

    def residual(self, coef):
        return self._residual_of(coef)


def _check_driver_memory(estimator, n_features):
    """The driver holds the ``p x p`` system and its working copies: refuse what cannot fit."""
    linearized = estimator.gd_steps is not None
    need = memory_need("primal", 0, estimator.n_mc_samples, n_features, linearized_gd=linearized)
    limit = estimator._memory_limit()
    if need > limit:
        p = estimator.n_mc_samples * (1 + n_features)
        raise ValueError(
            f"{type(estimator).__name__}(solver='primal') on Dask input needs about "
            f"{memory_text(need)} on the driver for its {p} x {p} system (n_mc_samples="
            f"{estimator.n_mc_samples}), more than max_memory_bytes={memory_text(limit)}. "
            "Lower n_mc_samples or raise max_memory_bytes."
        )


def fit_ntk_on_dask(estimator, X, y, sample_weight=None):
    """``NTKRNNKernelRegressor.fit`` on Dask arrays, with the primal solver.

    The same steps as the in-memory primal fit: validation (on the
    workers), ``normalize_y`` from distributed moments, the Monte Carlo
    draws, the system ``Phi^T W Phi``, ``Phi^T W y`` summed over chunks
    (:func:`distributed_normal_equations`), then ridge regression (with
    ``alpha="auto"`` or a list: GCV, whose outside residual takes a second
    pass over the chunks) or linearized gradient descent on the driver.

    Parameters
    ----------
    estimator : NTKRNNKernelRegressor
        The estimator to fit (its parameters already validated).
    X : dask.array.Array of shape (n_samples, n_timesteps, n_features) or (n_samples, n_timesteps)
        Input sequences, chunked along samples.
    y : dask.array.Array or array-like of shape (n_samples,) or (n_samples, n_timesteps)
        Targets.
    sample_weight : dask.array.Array, array-like of shape (n_samples,) or None, default=None
        Weights of the sequences.

    Returns
    -------
    estimator : NTKRNNKernelRegressor
        The fitted estimator.

    Raises
    ------
    ValueError
        For ``solver="dual"`` (see :func:`primal_solver_for_dask`), or a
        ``p x p`` system larger than ``max_memory_bytes``.
    """
    alpha = estimator._alpha_candidates()
    solver = primal_solver_for_dask(estimator.solver)
    data = validate_dask_training_data(estimator, X, y, sample_weight)
    n_samples, n_timesteps, n_features = data.shape
    estimator._sequence_output = data.sequence_output
    _check_driver_memory(estimator, n_features)
    estimator.solver_ = solver
    Y = normalized_dask_targets(estimator, data)
    weights = None if data.unit_weights else data.sample_weight
    n_effective = data.weight_sum if weights is not None else float(n_samples)
    n_fitted_steps = Y.shape[1]

    draw_weights(estimator, n_features)
    UT0 = np.ascontiguousarray(estimator.U0_.T)
    code = ACTIVATIONS[estimator.activation].code
    gram, rhs = distributed_normal_equations(
        data.X, Y, estimator.w0_, UT0, code, n_fitted_steps, sample_weight=weights
    )

    def residual_of(coef):
        return distributed_residual(
            data.X, Y, estimator.w0_, UT0, code, coef, sample_weight=weights
        )

    system = _DistributedPrimalSystem(gram, rhs, residual_of)
    estimator._solve_system(system, alpha, n_effective, n_effective * n_fitted_steps, n_timesteps)
    estimator._set_bound(data.X, max_input_norm=data.max_step_norm)
    return estimator

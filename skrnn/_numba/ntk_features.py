"""Forward-mode derivatives of one random neuron: the NTK feature map.

For a Monte Carlo draw ``(w0, u0)`` (one neuron of a symmetric
initialization, Definition 1 of Cayci & Eryilmaz) the scalar recursion

    h_0 = 0,   z_t = w0 * h_{t-1} + u0 . X_{t-1},   h_t = sigma(z_t)

is run together with its forward-mode derivatives (Proposition 1 of
Cayci & Eryilmaz)

    dh_t/dw0 = (h_{t-1} + w0 * dh_{t-1}/dw0) * sigma'(z_t)
    dh_t/du0 = (X_{t-1} + w0 * dh_{t-1}/du0) * sigma'(z_t)

for all draws at once. The draw index is innermost and contiguous, so each
update is a vectorizable loop over a row of draws.

Layout of the features of step t (one row of ``p = M * (1 + d)`` numbers,
scaled by ``1 / sqrt(M)``)::

    [dh_t/dw0 (M draws), dh_t/du0[0] (M draws), ..., dh_t/du0[d-1] (M draws)]

With this scaling the inner product of two rows is the Monte Carlo
estimate ``(1/M) sum_draws <phi_t(X), phi_t(X')>`` of the NTK (Prop. 2).

:func:`advance_ntk_features` keeps the recursion's state (``h`` and the
derivatives, per sample) between calls, so a caller can produce the
features a few steps at a time, step-major, and hand each step's
``(n, p)`` block to BLAS without holding the features of every step.
"""

import numpy as np
from numba import prange

from . import ChunkedKernel, jit, new_counter, run_workers, take_chunk
from .activations import activate_row
from .recurrence import preactivation

#: samples per parallel work item
CHUNK_SIZE = 8


def _advance_parallel(n_workers, X, w0, UT0, code, h, grad, t_start, t_stop, out):
    """Run steps ``t_start .. t_stop - 1`` of every sequence from a saved state.

    The state of sample ``j`` after step ``t_start`` is ``h[j]`` (the draws'
    hidden values, shape ``(M,)``) and ``grad[j]`` (their derivatives in
    feature layout, shape ``(1 + d) * M``: ``dh/dw0`` then ``dh/du0[k]``
    for each k, unscaled); both are updated in place. A zero state starts
    the sequence. The features of the last ``S = out.shape[0]`` of these
    steps are written to ``out[s, j]`` (step ``t_stop - S + s``), scaled by
    ``1 / sqrt(M)``; ``out`` may be any strided view, so the caller picks a
    step-major ``(S, n, p)`` or sample-major ``(n, S, p)`` layout.

    Each sample is processed by one thread from start to end, so results
    do not depend on the number of threads (``n_workers`` of them take
    chunks of samples as they go, see :func:`skrnn._numba.run_workers`).

    Parameters
    ----------
    n_workers : int
        Threads to run on.
    X : ndarray of shape (n, T, d)
        Sequences, C-contiguous float64.
    w0 : ndarray of shape (M,)
        Recurrent weights of the draws.
    UT0 : ndarray of shape (d, M)
        Input weights of the draws, transposed (draw index contiguous).
    code : int
        Activation code (see ``activations.ACTIVATION_CODES``).
    h : ndarray of shape (n, M)
        Hidden values of the draws, updated in place.
    grad : ndarray of shape (n, (1 + d) * M)
        Forward-mode derivatives, updated in place.
    t_start, t_stop : int
        0-based steps to run, ``t_start <= t_stop <= T``.
    out : ndarray of shape (S, n, (1 + d) * M)
        Receives the scaled features of the last ``S <= t_stop - t_start`` steps.
    """
    run_workers(
        n_workers, _advance_worker, new_counter(), X, w0, UT0, code, h, grad, t_start, t_stop, out
    )


@jit(nogil=True)
def _advance_worker(next_chunk, X, w0, UT0, code, h, grad, t_start, t_stop, out):
    """Take chunks of samples from the shared counter and advance them (see above)."""
    n, _, d = X.shape
    M = w0.shape[0]
    first_stored = t_stop - out.shape[0]
    scale = 1.0 / np.sqrt(M)
    n_chunks = (n + CHUNK_SIZE - 1) // CHUNK_SIZE
    h_next = np.empty(M)
    slope = np.empty(M)
    z = np.empty(M)
    chunk = take_chunk(next_chunk)
    while chunk < n_chunks:
        for j in range(chunk * CHUNK_SIZE, min(n, (chunk + 1) * CHUNK_SIZE)):
            x = X[j]
            hj = h[j]
            g = grad[j]
            for t in range(t_start, t_stop):
                # the same pre-activation as a row of RNN neurons
                preactivation(x[t], w0, hj, UT0, z)
                activate_row(code, z, h_next, slope)
                # dh/dw0 uses h_{t-1} (still in hj) before it is replaced
                for i in range(M):
                    g[i] = (hj[i] + w0[i] * g[i]) * slope[i]
                    hj[i] = h_next[i]
                for k in range(d):
                    xk = x[t, k]
                    offset = (k + 1) * M
                    for i in range(M):
                        g[offset + i] = (xk + w0[i] * g[offset + i]) * slope[i]
                if t >= first_stored:
                    row = out[t - first_stored, j]
                    for i in range(M * (1 + d)):
                        row[i] = g[i] * scale
        chunk = take_chunk(next_chunk)


def _advance_work(X, w0, UT0, code, h, grad, t_start, t_stop, out):
    """Chunks and draw-steps (each costs about one neuron-step) of an advance call."""
    n = X.shape[0]
    return (n + CHUNK_SIZE - 1) // CHUNK_SIZE, n * (t_stop - t_start) * w0.shape[0]


advance_ntk_features = ChunkedKernel(
    _advance_parallel, _advance_work, name="advance_ntk_features", compiled=(_advance_worker,)
)
advance_ntk_features.__doc__ = """Advance the forward-mode NTK recursion of every sequence.

Call as ``advance_ntk_features(X, w0, UT0, code, h, grad, t_start, t_stop,
out)``: the arguments of :func:`_advance_parallel` without ``n_workers``,
which :class:`ChunkedKernel` chooses from the amount of work.
"""


def ntk_features(X, w0, UT0, code, first_step):
    """NTK features of every sequence at steps ``first_step + 1 .. T``.

    Parameters
    ----------
    X : ndarray of shape (n, T, d)
        Sequences, C-contiguous float64.
    w0 : ndarray of shape (M,)
        Recurrent weights of the draws.
    UT0 : ndarray of shape (d, M)
        Input weights of the draws, transposed (draw index contiguous).
    code : int
        Activation code (see ``activations.ACTIVATION_CODES``).
    first_step : int
        Features are stored for the 0-based step indices
        ``first_step .. T-1`` (the recursion always runs from step 0).

    Returns
    -------
    features : ndarray of shape (n, T - first_step, M * (1 + d))
        Sample-major, as the rows of a (sample, step) design matrix.
    """
    n, T, d = X.shape
    M = w0.shape[0]
    out = np.empty((n, T - first_step, M * (1 + d)))
    h = np.zeros((n, M))
    grad = np.zeros((n, M * (1 + d)))
    advance_ntk_features(X, w0, UT0, code, h, grad, 0, T, out.transpose(1, 0, 2))
    return out


#: side of the square tiles copied by :func:`mirror_lower_triangles`
MIRROR_TILE = 64


@jit(parallel=True)
def mirror_lower_triangles(K):
    """Copy the lower triangle of each square matrix ``K[t]`` onto its upper one.

    ``syrk`` fills one triangle of a symmetric Gram matrix; this completes
    it. The copy goes tile by tile (``MIRROR_TILE`` squared), so the column
    reads stay in cache.

    Parameters
    ----------
    K : ndarray of shape (T, n, n)
        C-contiguous; the lower triangles (diagonal included) are read and
        the strict upper triangles overwritten.
    """
    T, n, _ = K.shape
    n_tiles = (n + MIRROR_TILE - 1) // MIRROR_TILE
    for item in prange(T * n_tiles):
        C = K[item // n_tiles]
        row_tile = item % n_tiles
        i0 = row_tile * MIRROR_TILE
        i1 = min(n, i0 + MIRROR_TILE)
        for column_tile in range(row_tile, n_tiles):
            j0 = column_tile * MIRROR_TILE
            j1 = min(n, j0 + MIRROR_TILE)
            for i in range(i0, i1):
                for j in range(max(j0, i + 1), j1):
                    C[i, j] = C[j, i]

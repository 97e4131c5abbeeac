"""Private building blocks of the Monte Carlo NTK: features and Gram matrices.

Inputs are already validated (the public functions live in
:mod:`skrnn.kernels`): ``X`` is a C-contiguous float64 array ``(n, T, d)``,
``w0`` the draws' recurrent weights ``(M,)``, ``UT0`` their input weights
transposed ``(d, M)`` and ``code`` the activation's integer code.

The same-step Gram matrices ``K[t] = F_t F_t^T`` (``F_t``: the ``(n, p)``
features of step t, ``p = M (1 + d)``) are computed step group by step
group: the forward-mode state of every sample (``M (2 + d)`` numbers) is
kept between groups, the features of a few steps are written step-major
(each step's ``(n, p)`` block contiguous, ready for BLAS) and each Gram is
one ``syrk`` (one triangle, ``n^2 p`` flops) followed by a copy onto the
other triangle. Memory stays within :data:`FEATURE_BLOCK_BYTES` of state
and features (plus the output); when even one step of all samples does not
fit, samples are split in row blocks and the blocks' recursions are rerun
for each pair of blocks.

Results do not depend on the number of threads: each sample's features
come from one thread, and each BLAS call sees the same operands whatever
the thread counts.
"""

import numpy as np
from scipy.linalg import blas

from ._numba.ntk_features import advance_ntk_features, mirror_lower_triangles, ntk_features

#: bytes of Monte Carlo features and forward-mode state held at once while
#: a Gram matrix is built
FEATURE_BLOCK_BYTES = 64 * 2**20


def _features(X, w0, UT0, code, n_last_steps):
    """Features ``(n, n_last_steps, M(1+d))`` of validated inputs (sample-major)."""
    return ntk_features(X, w0, UT0, code, X.shape[1] - n_last_steps)


def _row_blocks(n_rows, bytes_per_row, block_bytes=None):
    """Slices of at most ``block_bytes`` worth of rows (at least one row each)."""
    budget = FEATURE_BLOCK_BYTES if block_bytes is None else block_bytes
    size = max(1, int(budget // max(bytes_per_row, 1)))
    return [slice(start, min(n_rows, start + size)) for start in range(0, n_rows, size)]


def _syrk_lower(A, out, transpose=False):
    """Lower triangle (diagonal included) of ``A A^T`` (or ``A^T A``) into ``out``.

    ``A`` is C-contiguous and ``out`` a C-contiguous square array; the
    strict upper triangle of ``out`` is left untouched. ``A.T`` and
    ``out.T`` are Fortran-ordered views, so BLAS reads and writes them in
    place (its "upper" triangle of ``out.T`` is our lower one).
    """
    result = blas.dsyrk(
        1.0, A.T, beta=0.0, c=out.T, trans=0 if transpose else 1, lower=0, overwrite_c=1
    )
    if not np.shares_memory(result, out):  # f2py copied: never for contiguous inputs
        out[...] = result.T
    return out


def _symmetric_gram(A, transpose=False):
    """``A A^T`` (or ``A^T A`` when ``transpose``) of a 2-D array, by ``syrk``.

    One triangle is computed (half the flops of a general product) and
    copied onto the other, so the result is exactly symmetric.
    """
    A = np.ascontiguousarray(A, dtype=np.float64)
    size = A.shape[1] if transpose else A.shape[0]
    out = np.empty((size, size))
    _syrk_lower(A, out, transpose)
    mirror_lower_triangles(out[np.newaxis])
    return out


def _gram_tile(K, rows, cols, A, B, w0, UT0, code, budget):
    """Write ``K[:, rows, cols]``, the same-step Grams of sequences ``A`` and ``B``.

    ``B=None`` is a diagonal tile of a symmetric ``K``: only its lower
    triangle is written. ``rows``/``cols`` are slices of ``K``'s axes.
    """
    n_a = A.shape[0]
    Z = A if B is None else np.concatenate([A, B])
    n_z, T, d = Z.shape
    M = w0.shape[0]
    p = M * (1 + d)
    h = np.zeros((n_z, M))
    grad = np.zeros((n_z, p))
    state_bytes = 8 * n_z * (M + p)
    steps = max(1, min(T, (budget - state_bytes) // (8 * n_z * p)))
    F = np.empty((steps, n_z, p))
    whole = K.shape[1] == n_a and (B is None or K.shape[2] == B.shape[0])
    tile = None if whole else np.empty((n_a, n_z - n_a if B is not None else n_a))
    for start in range(0, T, steps):
        stop = min(T, start + steps)
        advance_ntk_features(Z, w0, UT0, code, h, grad, start, stop, F[: stop - start])
        for s in range(stop - start):
            target = K[start + s] if whole else tile
            if B is None:
                _syrk_lower(F[s], target)
            else:
                np.matmul(F[s, :n_a], F[s, n_a:].T, out=target)
            if not whole:
                K[start + s, rows, cols] = tile


def _same_step_gram(X, Y, w0, UT0, code, block_bytes=None):
    """``(T, n_X, n_Y)`` same-step kernel (``Y=None``: of ``X`` with itself).

    See the module docstring for the method; ``block_bytes`` overrides
    :data:`FEATURE_BLOCK_BYTES`.
    """
    budget = FEATURE_BLOCK_BYTES if block_bytes is None else int(block_bytes)
    symmetric = Y is None
    n_x, T, d = X.shape
    n_y = n_x if symmetric else Y.shape[0]
    M = w0.shape[0]
    # state plus one step of features, per sample
    row_bytes = 8 * (M + 2 * M * (1 + d))
    rows_that_fit = max(2, budget // row_bytes)
    K = np.empty((T, n_x, n_y))
    everything = slice(None)
    if symmetric:
        if n_x <= rows_that_fit:
            _gram_tile(K, everything, everything, X, None, w0, UT0, code, budget)
        else:
            blocks = _row_blocks(n_x, 1, rows_that_fit // 2)
            for i, rows in enumerate(blocks):
                _gram_tile(K, rows, rows, X[rows], None, w0, UT0, code, budget)
                for cols in blocks[:i]:  # lower triangle only
                    _gram_tile(K, rows, cols, X[rows], X[cols], w0, UT0, code, budget)
        mirror_lower_triangles(K)
        return K
    if n_x + n_y <= rows_that_fit:
        _gram_tile(K, everything, everything, X, Y, w0, UT0, code, budget)
        return K
    x_blocks = _row_blocks(n_x, 1, rows_that_fit // 2)
    y_blocks = _row_blocks(n_y, 1, rows_that_fit // 2)
    for rows in x_blocks:
        for cols in y_blocks:
            _gram_tile(K, rows, cols, X[rows], Y[cols], w0, UT0, code, budget)
    return K


def _pair_gram(PX, PY=None):
    """Gram over (sample, step) pairs of feature arrays (n, S, p) -> (n S, n' S')."""
    AX = PX.reshape(-1, PX.shape[2])
    if PY is None:
        return _symmetric_gram(AX)
    return AX @ PY.reshape(-1, PY.shape[2]).T

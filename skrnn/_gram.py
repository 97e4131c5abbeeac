"""Private building blocks of the Monte Carlo NTK: features and Gram matrices.

Inputs are already validated (see :mod:`skrnn.kernels` for the public
functions): ``X`` is a C-contiguous float64 array ``(n, T, d)``, ``w0`` the
draws' recurrent weights ``(M,)``, ``UT0`` their input weights transposed
``(d, M)`` and ``code`` the activation's integer code.
"""

import numpy as np

from ._numba.ntk_features import ntk_features

#: bytes of Monte Carlo features held at once while a Gram matrix is built
FEATURE_BLOCK_BYTES = 64 * 2**20


def _features(X, w0, UT0, code, n_last_steps):
    """Features ``(n, n_last_steps, M(1+d))`` of validated inputs."""
    return ntk_features(X, w0, UT0, code, X.shape[1] - n_last_steps)


def _row_blocks(n_rows, bytes_per_row, block_bytes=None):
    """Slices of at most ``block_bytes`` worth of rows (at least one row each)."""
    budget = FEATURE_BLOCK_BYTES if block_bytes is None else block_bytes
    size = max(1, int(budget // max(bytes_per_row, 1)))
    return [slice(start, min(n_rows, start + size)) for start in range(0, n_rows, size)]


def _same_step_gram(X, Y, w0, UT0, code, block_bytes=None):
    """``(T, n_X, n_Y)`` same-step kernel; features built in row blocks."""
    symmetric = Y is None
    if symmetric:
        Y = X
    n_x, T, d = X.shape
    n_y = Y.shape[0]
    p = w0.shape[0] * (1 + d)
    K = np.empty((T, n_x, n_y))
    row_bytes = 8 * T * p
    x_blocks = _row_blocks(n_x, row_bytes, block_bytes)
    y_blocks = _row_blocks(n_y, row_bytes, block_bytes)
    # X features are kept between Y blocks when all of them fit in 4 blocks.
    keep_x = len(x_blocks) <= 4
    x_cache = {}
    for yb in y_blocks:
        PY = _features(Y[yb], w0, UT0, code, T)
        for xb in x_blocks:
            if symmetric:
                if xb.start > yb.start:
                    continue
                if xb == yb:
                    PX = PY
                else:
                    PX = x_cache.get(xb.start)
            else:
                PX = x_cache.get(xb.start)
            if PX is None:
                PX = _features(X[xb], w0, UT0, code, T)
                if keep_x:
                    x_cache[xb.start] = PX
            for t in range(T):
                block = PX[:, t, :] @ PY[:, t, :].T
                K[t, xb, yb] = block
                if symmetric and xb != yb:
                    K[t, yb, xb] = block.T
    return K


def _pair_gram(PX, PY=None):
    """Gram over (sample, step) pairs of feature arrays (n, S, p) -> (n S, n' S')."""
    AX = PX.reshape(-1, PX.shape[2])
    if PY is None:
        return AX @ AX.T
    return AX @ PY.reshape(-1, PY.shape[2]).T

"""Forward-mode derivatives of one random neuron: the NTK feature map.

For a Monte Carlo draw ``(w0, u0)`` (one neuron of a symmetric
initialization, DESIGN.md section 4) the scalar recursion

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
"""

import numpy as np
from numba import prange

from . import jit
from .activations import activate_row
from .recurrence import preactivation

#: samples per parallel work item (per-chunk scratch buffers are reused)
CHUNK_SIZE = 8


@jit(parallel=True)
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
    """
    n, T, d = X.shape
    M = w0.shape[0]
    n_stored = T - first_step
    scale = 1.0 / np.sqrt(M)
    out = np.empty((n, n_stored, M * (1 + d)))
    n_chunks = (n + CHUNK_SIZE - 1) // CHUNK_SIZE
    for chunk in prange(n_chunks):
        h = np.empty(M)
        h_next = np.empty(M)
        slope = np.empty(M)
        z = np.empty(M)
        dw = np.empty(M)
        du = np.empty((d, M))
        for j in range(chunk * CHUNK_SIZE, min(n, (chunk + 1) * CHUNK_SIZE)):
            x = X[j]
            for i in range(M):
                h[i] = 0.0
                dw[i] = 0.0
            for k in range(d):
                for i in range(M):
                    du[k, i] = 0.0
            for t in range(T):
                # the same pre-activation as a row of RNN neurons
                preactivation(x[t], w0, h, UT0, z)
                activate_row(code, z, h_next, slope)
                # derivatives use h_{t-1} (still in h) before it is replaced
                for i in range(M):
                    dw[i] = (h[i] + w0[i] * dw[i]) * slope[i]
                for k in range(d):
                    xk = x[t, k]
                    for i in range(M):
                        du[k, i] = (xk + w0[i] * du[k, i]) * slope[i]
                for i in range(M):
                    h[i] = h_next[i]
                if t >= first_step:
                    row = out[j, t - first_step]
                    for i in range(M):
                        row[i] = dw[i] * scale
                    for k in range(d):
                        offset = (k + 1) * M
                        for i in range(M):
                            row[offset + i] = du[k, i] * scale
    return out

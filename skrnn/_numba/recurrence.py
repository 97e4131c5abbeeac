"""Forward pass, risk and backprop-through-time of the diagonal Elman RNN.

Layout (DESIGN.md section 2, with the input weights stored transposed so
that the neuron index is innermost and contiguous):

* ``X`` (n, T, d): sequences; ``X[j, t]`` is the input read at step t+1.
* ``w`` (m,): diagonal recurrent weights.
* ``UT`` (d, m): input weights, ``UT[k, i] = U[i, k]``.
* ``c_half`` (m/2,): readout signs of the first half; the second half has
  the opposite signs (symmetric initialization, Definition 1). The output is
  summed pairwise, ``F_t = sum_i c_half[i] * (H_t[i] - H_t[i + m/2]) / sqrt(m)``,
  so a symmetric initialization gives ``F_t = 0`` exactly.
* ``Y`` (n, S): targets of the last S steps (S = T for sequence-to-sequence,
  S = 1 for sequence-to-one); ``Y[j, s]`` is the target of step T-S+s+1.

Samples are processed in chunks of fixed size, in parallel; per-chunk
gradients are then added in chunk order, so results do not depend on the
number of threads.
"""

import numpy as np
from numba import prange

from . import jit
from .activations import activate_row

#: samples per parallel work item; fixed so that the reduction order is too
CHUNK_SIZE = 16


@jit(inline="always")
def _readout(c_half, hidden, scale):
    half = c_half.shape[0]
    total = 0.0
    for i in range(half):
        total += c_half[i] * (hidden[i] - hidden[i + half])
    return total * scale


@jit(inline="always")
def _forward_sample(x, w, UT, c_half, code, scale, H, D, z, F):
    """Run one sequence; fill states ``H`` (T+1, m), derivatives ``D`` (T, m), outputs ``F`` (T,)."""
    T, d = x.shape
    m = w.shape[0]
    for i in range(m):
        H[0, i] = 0.0
    for t in range(T):
        for i in range(m):
            z[i] = w[i] * H[t, i]
        for k in range(d):
            xk = x[t, k]
            for i in range(m):
                z[i] += UT[k, i] * xk
        activate_row(code, z, H[t + 1], D[t])
        F[t] = _readout(c_half, H[t + 1], scale)


@jit(parallel=True)
def forward(X, w, UT, c_half, code):
    """Outputs ``F`` (n, T) of the RNN on every step of every sequence."""
    n, T, d = X.shape
    m = w.shape[0]
    scale = 1.0 / np.sqrt(m)
    F = np.empty((n, T))
    n_chunks = (n + CHUNK_SIZE - 1) // CHUNK_SIZE
    for chunk in prange(n_chunks):
        H = np.empty((T + 1, m))
        D = np.empty((T, m))
        z = np.empty(m)
        for j in range(chunk * CHUNK_SIZE, min(n, (chunk + 1) * CHUNK_SIZE)):
            _forward_sample(X[j], w, UT, c_half, code, scale, H, D, z, F[j])
    return F


@jit(parallel=True)
def risk_and_gradient(X, Y, w, UT, c_half, code, grad_w, grad_UT):
    """Empirical risk (eq. 1) and the gradient of half of it.

    The gradient ``(1/n) sum_j sum_t (F_t - Y_t) dF_t/dTheta`` is written
    into ``grad_w`` (m,) and ``grad_UT`` (d, m); the risk
    ``(1/n) sum_j sum_t (F_t - Y_t)^2`` is returned.
    """
    n, T, d = X.shape
    m = w.shape[0]
    half = m // 2
    n_fitted = Y.shape[1]
    first_fitted = T - n_fitted
    scale = 1.0 / np.sqrt(m)
    n_chunks = (n + CHUNK_SIZE - 1) // CHUNK_SIZE
    chunk_risk = np.zeros(n_chunks)
    chunk_grad_w = np.zeros((n_chunks, m))
    chunk_grad_UT = np.zeros((n_chunks, d, m))
    for chunk in prange(n_chunks):
        H = np.empty((T + 1, m))
        D = np.empty((T, m))
        z = np.empty(m)
        F = np.empty(T)
        delta = np.empty(m)
        signed_readout = np.empty(m)
        for i in range(half):
            signed_readout[i] = c_half[i] * scale
            signed_readout[i + half] = -c_half[i] * scale
        gw = chunk_grad_w[chunk]
        gUT = chunk_grad_UT[chunk]
        risk = 0.0
        for j in range(chunk * CHUNK_SIZE, min(n, (chunk + 1) * CHUNK_SIZE)):
            x = X[j]
            _forward_sample(x, w, UT, c_half, code, scale, H, D, z, F)
            # delta holds dR/dz_{t+1} (times n/2) while walking back in time.
            for i in range(m):
                delta[i] = 0.0
            for t in range(T - 1, -1, -1):
                residual = 0.0
                if t >= first_fitted:
                    residual = F[t] - Y[j, t - first_fitted]
                    risk += residual * residual
                for i in range(m):
                    delta[i] = (residual * signed_readout[i] + delta[i] * w[i]) * D[t, i]
                for i in range(m):
                    gw[i] += delta[i] * H[t, i]
                for k in range(d):
                    xk = x[t, k]
                    for i in range(m):
                        gUT[k, i] += delta[i] * xk
        chunk_risk[chunk] = risk
    inv_n = 1.0 / n
    total = 0.0
    for i in range(m):
        grad_w[i] = 0.0
    for k in range(d):
        for i in range(m):
            grad_UT[k, i] = 0.0
    for chunk in range(n_chunks):
        total += chunk_risk[chunk]
        for i in range(m):
            grad_w[i] += chunk_grad_w[chunk, i]
        for k in range(d):
            for i in range(m):
                grad_UT[k, i] += chunk_grad_UT[chunk, k, i]
    for i in range(m):
        grad_w[i] *= inv_n
    for k in range(d):
        for i in range(m):
            grad_UT[k, i] *= inv_n
    return total * inv_n


@jit
def project(w, UT, w_init, UT_init, radius_w, radius_u):
    """Max-norm projection, in place: ``|w_i - w0_i| <= radius_w`` and ``||U_i - U0_i|| <= radius_u``.

    The radii passed here are already divided by sqrt(m).
    """
    d, m = UT.shape
    for i in range(m):
        low = w_init[i] - radius_w
        high = w_init[i] + radius_w
        if w[i] < low:
            w[i] = low
        elif w[i] > high:
            w[i] = high
        norm2 = 0.0
        for k in range(d):
            diff = UT[k, i] - UT_init[k, i]
            norm2 += diff * diff
        if norm2 > radius_u * radius_u:
            shrink = radius_u / np.sqrt(norm2)
            for k in range(d):
                UT[k, i] = UT_init[k, i] + (UT[k, i] - UT_init[k, i]) * shrink

"""Forward pass, risk and backprop-through-time of the diagonal Elman RNN.

Layout (the model of Section 2.2 of the paper, with the input weights stored transposed so
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

Performance notes. Every loop runs over neurons, contiguous in memory, and
is vectorized by LLVM. The recurrence is diagonal, so neurons only meet in
the readout: each sequence is run block of neurons by block of neurons
(all steps of a block at a time, with the block's input weights copied
next to each other), which keeps the working set in L1/L2 cache for wide
networks. Input terms are added four rows of ``UT`` at a time (two passes
over ``z`` for d = 8 instead of eight). The backward sweep overwrites
``sigma'(z_t)`` with ``dR/dz_t`` and the input-weight gradient
``sum_t delta_t x_t^T`` is accumulated afterwards, two rows and four steps
per pass. The activation (``activations.activate_row``, about 40 flops per
element for the exponential) takes most of the remaining time.

Floating-point order. The kernels are compiled without fast-math flags
(see ``skrnn/_numba/__init__.py``), so every sum is evaluated in the order
written here on every CPU. Products are fused into their sums explicitly
(``_fma``, one rounding on every CPU). The only reduction across neurons,
the readout, keeps eight independent partial sums (:func:`_pair_sum`),
which LLVM vectorizes without changing their order; all other loops over
neurons are element-wise, so whether LLVM runs their vector or scalar
version (a run-time aliasing check decides) cannot change a bit.
"""

import numpy as np

from . import ChunkedKernel, jit, new_counter, run_workers, take_chunk
from .activations import _fma, activate_row

#: samples per parallel work item; fixed so that the reduction order is too
CHUNK_SIZE = 16


@jit(inline="always")
def preactivation(xt, w, h, UT, z):
    """``z = w * h + sum_k UT[k] * xt[k]``, the input terms fused in, in order of k."""
    d = UT.shape[0]
    m = w.shape[0]
    if d >= 4:
        u0, u1, u2, u3 = UT[0], UT[1], UT[2], UT[3]
        x0, x1, x2, x3 = xt[0], xt[1], xt[2], xt[3]
        for i in range(m):
            z[i] = _fma(u3[i], x3, _fma(u2[i], x2, _fma(u1[i], x1, _fma(u0[i], x0, w[i] * h[i]))))
        k = 4
    elif d == 3:
        u0, u1, u2 = UT[0], UT[1], UT[2]
        x0, x1, x2 = xt[0], xt[1], xt[2]
        for i in range(m):
            z[i] = _fma(u2[i], x2, _fma(u1[i], x1, _fma(u0[i], x0, w[i] * h[i])))
        k = 3
    elif d == 2:
        u0, u1 = UT[0], UT[1]
        x0, x1 = xt[0], xt[1]
        for i in range(m):
            z[i] = _fma(u1[i], x1, _fma(u0[i], x0, w[i] * h[i]))
        k = 2
    elif d == 1:
        u0 = UT[0]
        x0 = xt[0]
        for i in range(m):
            z[i] = _fma(u0[i], x0, w[i] * h[i])
        k = 1
    else:
        for i in range(m):
            z[i] = w[i] * h[i]
        k = 0
    while k + 4 <= d:
        u0, u1, u2, u3 = UT[k], UT[k + 1], UT[k + 2], UT[k + 3]
        x0, x1, x2, x3 = xt[k], xt[k + 1], xt[k + 2], xt[k + 3]
        for i in range(m):
            z[i] = _fma(u3[i], x3, _fma(u2[i], x2, _fma(u1[i], x1, _fma(u0[i], x0, z[i]))))
        k += 4
    if k + 2 <= d:
        u0, u1 = UT[k], UT[k + 1]
        x0, x1 = xt[k], xt[k + 1]
        for i in range(m):
            z[i] = _fma(u1[i], x1, _fma(u0[i], x0, z[i]))
        k += 2
    if k < d:
        u0 = UT[k]
        x0 = xt[k]
        for i in range(m):
            z[i] = _fma(u0[i], x0, z[i])


def _block_width(d):
    """Neurons per block: the block's input weights (d x width) take about 16 KiB."""
    width = 2048 // max(d, 1)
    width -= width % 8
    return max(32, min(512, width))


def _block_input_weights(UT, width):
    """``UT`` (d, m) rearranged by blocks: block ``[s, s+L)`` is ``(d, L)`` at offset ``d*s``."""
    d, m = UT.shape
    half = m // 2
    blocked = np.empty(d * m)
    for first in range(0, half, width):
        length = min(width, half - first)
        for start in (first, first + half):
            blocked[d * start : d * (start + length)] = UT[:, start : start + length].ravel()
    return blocked


#: independent partial sums of the readout; fixed, so that the order of the sum is
PAIR_SUM_LANES = 8


@jit(inline="always")
def _pair_sum(c, first, second):
    """``sum_i c[i] * (first[i] - second[i])`` in an order fixed by the source.

    Partial sum ``l`` (of ``PAIR_SUM_LANES = 8``) takes the terms ``i = l
    (mod 8)`` in increasing order (the last ``len % 8`` terms go, in order,
    into a ninth sum); the partial sums are then added as a fixed tree.
    Eight independent chains fill one AVX-512 register, two AVX2 registers
    or four SSE2/NEON registers, with the same bits on each.
    """
    size = c.shape[0]
    stop = size - size % PAIR_SUM_LANES
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    for i in range(0, stop, PAIR_SUM_LANES):
        s0 = _fma(c[i], first[i] - second[i], s0)
        s1 = _fma(c[i + 1], first[i + 1] - second[i + 1], s1)
        s2 = _fma(c[i + 2], first[i + 2] - second[i + 2], s2)
        s3 = _fma(c[i + 3], first[i + 3] - second[i + 3], s3)
        s4 = _fma(c[i + 4], first[i + 4] - second[i + 4], s4)
        s5 = _fma(c[i + 5], first[i + 5] - second[i + 5], s5)
        s6 = _fma(c[i + 6], first[i + 6] - second[i + 6], s6)
        s7 = _fma(c[i + 7], first[i + 7] - second[i + 7], s7)
    rest = 0.0
    for i in range(stop, size):
        rest = _fma(c[i], first[i] - second[i], rest)
    return (((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7))) + rest


@jit(nogil=True)
def _forward_sample(x, w, UT_blocked, c_half, code, scale, width, H, D, z, F):
    """Run one sequence; fill outputs ``F`` (T,), states ``H`` and derivatives ``D``.

    The neurons are processed in blocks (``[s, s+L)``, pairs of blocks
    ``s`` and ``s + m/2``), all steps of a block at a time: the recurrence is
    diagonal, so neurons only meet in the readout. ``H`` (flat, (T+1)*m) holds
    block ``s`` as a (T+1, L) array at offset ``(T+1)*s``, ``D`` (flat, T*m)
    as a (T, L) array at offset ``T*s``; row t of them is ``H_t`` and
    ``sigma'(z_{t+1})`` of the block. ``F_t`` is summed pair block by pair
    block, so a symmetric initialization still gives exactly 0.
    """
    T, d = x.shape
    m = w.shape[0]
    half = m // 2
    for t in range(T):
        F[t] = 0.0
    for first in range(0, half, width):
        length = min(width, half - first)
        zb = z[:length]
        for start in (first, first + half):
            Hb = H[(T + 1) * start : (T + 1) * (start + length)].reshape((T + 1, length))
            Db = D[T * start : T * (start + length)].reshape((T, length))
            UTb = UT_blocked[d * start : d * (start + length)].reshape((d, length))
            wb = w[start : start + length]
            h0 = Hb[0]
            for i in range(length):
                h0[i] = 0.0
            for t in range(T):
                preactivation(x[t], wb, Hb[t], UTb, zb)
                activate_row(code, zb, Hb[t + 1], Db[t])
        H1 = H[(T + 1) * first : (T + 1) * (first + length)].reshape((T + 1, length))
        second = first + half
        H2 = H[(T + 1) * second : (T + 1) * (second + length)].reshape((T + 1, length))
        cb = c_half[first : first + length]
        for t in range(T):
            F[t] += _pair_sum(cb, H1[t + 1], H2[t + 1])
    for t in range(T):
        F[t] *= scale


@jit(inline="always")
def _input_gradient(x, Delta, gUT):
    """``gUT[k] += sum_t Delta[t] * x[t, k]``: two rows of gUT and four steps per pass."""
    T, d = x.shape
    m = gUT.shape[1]
    k = 0
    while k + 2 <= d:
        g = gUT[k]
        f = gUT[k + 1]
        t = 0
        while t + 4 <= T:
            d0, d1, d2, d3 = Delta[t], Delta[t + 1], Delta[t + 2], Delta[t + 3]
            x0, x1, x2, x3 = x[t, k], x[t + 1, k], x[t + 2, k], x[t + 3, k]
            y0, y1, y2, y3 = x[t, k + 1], x[t + 1, k + 1], x[t + 2, k + 1], x[t + 3, k + 1]
            for i in range(m):
                a0 = d0[i]
                a1 = d1[i]
                a2 = d2[i]
                a3 = d3[i]
                g[i] = _fma(a3, x3, _fma(a2, x2, _fma(a1, x1, _fma(a0, x0, g[i]))))
                f[i] = _fma(a3, y3, _fma(a2, y2, _fma(a1, y1, _fma(a0, y0, f[i]))))
            t += 4
        while t < T:
            d0 = Delta[t]
            x0 = x[t, k]
            y0 = x[t, k + 1]
            for i in range(m):
                g[i] = _fma(d0[i], x0, g[i])
                f[i] = _fma(d0[i], y0, f[i])
            t += 1
        k += 2
    if k < d:
        g = gUT[k]
        for t in range(T):
            d0 = Delta[t]
            x0 = x[t, k]
            for i in range(m):
                g[i] = _fma(d0[i], x0, g[i])


@jit(nogil=True)
def _forward_worker(next_chunk, X, w, UT_blocked, c_half, code, width, F):
    """Take chunks of samples from the shared counter and write their rows of ``F``.

    One compiled function serves one thread or many (see
    :func:`skrnn._numba.run_workers`): each thread runs it until the counter
    passes the last chunk.
    """
    n, T, _ = X.shape
    m = w.shape[0]
    scale = 1.0 / np.sqrt(m)
    n_chunks = (n + CHUNK_SIZE - 1) // CHUNK_SIZE
    H = np.empty((T + 1) * m)
    D = np.empty(T * m)
    z = np.empty(m)
    chunk = take_chunk(next_chunk)
    while chunk < n_chunks:
        for j in range(chunk * CHUNK_SIZE, min(n, (chunk + 1) * CHUNK_SIZE)):
            _forward_sample(X[j], w, UT_blocked, c_half, code, scale, width, H, D, z, F[j])
        chunk = take_chunk(next_chunk)


def _forward_parallel(n_workers, X, w, UT, c_half, code):
    """:func:`forward` on ``n_workers`` threads, each taking the next free chunk."""
    n, T, d = X.shape
    width = _block_width(d)
    UT_blocked = _block_input_weights(UT, width)
    F = np.empty((n, T))
    run_workers(n_workers, _forward_worker, new_counter(), X, w, UT_blocked, c_half, code, width, F)
    return F


@jit(nogil=True)
def _gradient_worker(
    next_chunk, X, Y, w, UT_blocked, c_half, code, width, signed_readout, sample_weight, sums
):
    """Take chunks of samples from the shared counter and fill their rows of ``sums``.

    ``sums`` (n_chunks, 1 + m + d*m) holds per chunk the risk, the gradient
    of ``w`` and that of ``UT`` in the block layout of ``UT_blocked``. One
    compiled function serves one thread or many, like
    :func:`_forward_worker`. The ``sample_weight is None`` branch is removed
    at compile time for the type of ``sample_weight`` it is called with.
    """
    n, T, d = X.shape
    m = w.shape[0]
    half = m // 2
    n_fitted = Y.shape[1]
    first_fitted = T - n_fitted
    scale = 1.0 / np.sqrt(m)
    n_chunks = sums.shape[0]
    H = np.empty((T + 1) * m)
    # sigma'(z_t) after the forward pass, then dR/dz_t (times n/2) after
    # the backward sweep
    D = np.empty(T * m)
    z = np.empty(m)
    F = np.empty(T)
    residual = np.empty(T)
    chunk = take_chunk(next_chunk)
    while chunk < n_chunks:
        row = sums[chunk]
        gw = row[1 : 1 + m]
        gUT = row[1 + m :]
        for i in range(m):
            gw[i] = 0.0
        for i in range(d * m):
            gUT[i] = 0.0
        risk = 0.0
        for j in range(chunk * CHUNK_SIZE, min(n, (chunk + 1) * CHUNK_SIZE)):
            x = X[j]
            _forward_sample(x, w, UT_blocked, c_half, code, scale, width, H, D, z, F)
            for t in range(T):
                residual[t] = 0.0
            for t in range(first_fitted, T):
                residual[t] = F[t] - Y[j, t - first_fitted]
            # the risk is summed step by step, in order (strict arithmetic:
            # LLVM may not split this sum into vector lanes)
            if sample_weight is None:
                for t in range(first_fitted, T):
                    risk += residual[t] * residual[t]
            else:
                weight = sample_weight[j]
                for t in range(first_fitted, T):
                    risk += weight * (residual[t] * residual[t])
                for t in range(first_fitted, T):
                    residual[t] *= weight
            for first in range(0, half, width):
                length = min(width, half - first)
                for start in (first, first + half):
                    Hb = H[(T + 1) * start : (T + 1) * (start + length)].reshape((T + 1, length))
                    Db = D[T * start : T * (start + length)].reshape((T, length))
                    gUTb = gUT[d * start : d * (start + length)].reshape((d, length))
                    wb = w[start : start + length]
                    sr = signed_readout[start : start + length]
                    gwb = gw[start : start + length]
                    # backward sweep; row t of Db becomes dR/dz_{t+1}
                    slope = Db[T - 1]
                    hidden = Hb[T - 1]
                    r = residual[T - 1]
                    for i in range(length):
                        delta = r * sr[i] * slope[i]
                        slope[i] = delta
                        gwb[i] = _fma(delta, hidden[i], gwb[i])
                    for t in range(T - 2, -1, -1):
                        slope = Db[t]
                        later = Db[t + 1]
                        hidden = Hb[t]
                        r = residual[t]
                        for i in range(length):
                            delta = _fma(later[i], wb[i], r * sr[i]) * slope[i]
                            slope[i] = delta
                            gwb[i] = _fma(delta, hidden[i], gwb[i])
                    _input_gradient(x, Db, gUTb)
        row[0] = risk
        chunk = take_chunk(next_chunk)


def _signed_readout(c_half, m):
    """``c_i / sqrt(m)`` for every neuron: ``c_half`` then its negation."""
    scale = 1.0 / np.sqrt(m)
    scaled = c_half * scale
    return np.concatenate([scaled, -scaled])


def _sum_chunks(sums, n, width, grad_w, grad_UT):
    """Add the chunks' risks and gradients in chunk order, divide by ``n``; return the risk.

    The order of these sums is fixed by the chunks, not by the threads, so
    the results do not depend on how many threads computed the chunks.
    Element-wise NumPy additions, one chunk after the other, round exactly
    like a compiled loop (and compile nothing).
    """
    d, m = grad_UT.shape
    half = m // 2
    summed = np.zeros(sums.shape[1])  # 0.0 + first chunk: as a compiled loop would
    for row in sums:
        summed += row
    # one multiplication each, as in the mean of the paper's risk
    summed *= 1.0 / n
    grad_w[:] = summed[1 : 1 + m]
    blocked = summed[1 + m :]
    for first in range(0, half, width):
        length = min(width, half - first)
        for start in (first, first + half):
            block = blocked[d * start : d * (start + length)].reshape((d, length))
            grad_UT[:, start : start + length] = block
    return float(summed[0])


def _risk_and_gradient_parallel(
    n_workers, X, Y, w, UT, c_half, code, grad_w, grad_UT, sample_weight=None
):
    """:func:`risk_and_gradient` on ``n_workers`` threads, each taking the next free chunk."""
    n, _, d = X.shape
    m = w.shape[0]
    width = _block_width(d)
    UT_blocked = _block_input_weights(UT, width)
    signed_readout = _signed_readout(c_half, m)
    n_chunks = (n + CHUNK_SIZE - 1) // CHUNK_SIZE
    sums = np.empty((n_chunks, 1 + m + d * m))
    run_workers(
        n_workers,
        _gradient_worker,
        new_counter(),
        X,
        Y,
        w,
        UT_blocked,
        c_half,
        code,
        width,
        signed_readout,
        sample_weight,
        sums,
    )
    return _sum_chunks(sums, n, width, grad_w, grad_UT)


def _forward_work(X, w, *_):
    """Chunks and neuron-steps of a :func:`forward` or :func:`risk_and_gradient` call."""
    n, T, _ = X.shape
    return (n + CHUNK_SIZE - 1) // CHUNK_SIZE, n * T * w.shape[0]


def _gradient_work(X, Y, w, *_):
    return _forward_work(X, w)


forward = ChunkedKernel(
    _forward_parallel, _forward_work, name="forward", compiled=(_forward_worker,)
)
forward.__doc__ = """Outputs ``F`` (n, T) of the RNN on every step of every sequence.

Samples are cut into chunks of ``CHUNK_SIZE``; see :class:`ChunkedKernel`
for when they run in parallel.
"""

risk_and_gradient = ChunkedKernel(
    _risk_and_gradient_parallel,
    _gradient_work,
    name="risk_and_gradient",
    compiled=(_gradient_worker,),
)
risk_and_gradient.__doc__ = """Empirical risk (eq. 1) and the gradient of half of it.

Call as ``risk_and_gradient(X, Y, w, UT, c_half, code, grad_w, grad_UT,
sample_weight=None)``. The gradient ``(1/n) sum_j sum_t (F_t - Y_t)
dF_t/dTheta`` is written into ``grad_w`` (m,) and ``grad_UT`` (d, m); the
risk ``(1/n) sum_j sum_t (F_t - Y_t)^2`` is returned. With
``sample_weight`` (n,), sample j's terms are multiplied by
``sample_weight[j]`` (still divided by n: pass weights summing to n for a
weighted mean). Without it (None, the branch Numba removes at compile
time) the arithmetic is exactly the unweighted one. Per-chunk sums are
added in chunk order, so the results do not depend on the threads.
"""


@jit
def project(w, UT, w_init, UT_init, radius_w, radius_u):
    """Max-norm projection, in place: ``|w_i - w0_i| <= rw`` and ``||U_i - U0_i|| <= ru``.

    The radii ``rw = radius_w`` and ``ru = radius_u`` passed here are
    already divided by sqrt(m).
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

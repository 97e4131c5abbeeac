"""The recurrence kernels against a slow NumPy reference and finite differences."""

import numpy as np
import pytest
from reference_activations import SIGMA

from skrnn._numba.activations import ACTIVATION_CODES
from skrnn._numba.recurrence import forward, project, risk_and_gradient

ACTIVATIONS = {name: pair[0] for name, pair in SIGMA.items()}


def reference_outputs(X, w, U, c, activation):
    """Plain NumPy transcription of eqs. 2-3: H_t = sigma(W H_{t-1} + U X_{t-1})."""
    sigma = ACTIVATIONS[activation]
    n, T, _ = X.shape
    m = w.shape[0]
    F = np.zeros((n, T))
    for j in range(n):
        h = np.zeros(m)
        for t in range(T):
            h = sigma(w * h + U @ X[j, t])
            F[j, t] = c @ h / np.sqrt(m)
    return F


def reference_risk(X, Y, w, U, c, activation):
    F = reference_outputs(X, w, U, c, activation)
    S = Y.shape[1]
    return np.sum((F[:, -S:] - Y) ** 2) / X.shape[0]


def random_problem(rng, n, T, d, m, n_fitted, symmetric=False):
    X = rng.normal(size=(n, T, d)) / np.sqrt(d)
    if symmetric:
        half_w = rng.choice([-0.5, 0.5], size=m // 2)
        half_U = rng.normal(size=(m // 2, d))
        w = np.concatenate([half_w, half_w])
        U = np.concatenate([half_U, half_U])
    else:
        w = rng.uniform(-0.9, 0.9, size=m)
        U = rng.normal(size=(m, d))
    c_half = rng.choice([-1.0, 1.0], size=m // 2)
    c = np.concatenate([c_half, -c_half])
    Y = rng.normal(size=(n, n_fitted))
    return X, Y, w, U, c_half, c


def call_gradient(X, Y, w, U, c_half, activation):
    m, d = U.shape
    grad_w = np.empty(m)
    grad_UT = np.empty((d, m))
    risk = risk_and_gradient(
        X, Y, w, np.ascontiguousarray(U.T), c_half, ACTIVATION_CODES[activation], grad_w, grad_UT
    )
    return risk, grad_w, grad_UT.T


def block_width(d):
    """Neurons per block in the kernels (``_block_width``), written out independently."""
    width = 2048 // max(d, 1)
    return max(32, min(512, width - width % 8))


# (d, m): small widths (one block) and wide ones exercising the blocked layout.
# With m/2 = 520: d = 4 -> blocks 512 + 8, d = 5 -> 408 + 112, d = 7 -> 288 + 232,
# d = 9 -> 224 + 224 + 72; with m/2 = 1030 and d = 4: 512 + 512 + 6 (odd count).
# d >= 4 takes the four-rows-first branch of the pre-activation, then d = 5, 9:
# one row left, d = 7: two rows and one row, d = 9: a second pass of four rows.
WIDE_SHAPES = [(4, 1040), (5, 1040), (7, 1040), (9, 1040), (4, 2060), (9, 2060)]


def test_wide_shapes_cover_several_blocks_and_remainders():
    for d, m in WIDE_SHAPES:
        width = block_width(d)
        assert m // 2 > width and (m // 2) % width != 0, (d, m)
    assert any((m // 2) // block_width(d) + 1 == 3 for d, m in WIDE_SHAPES)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("d, m", [(1, 10), (3, 10), *WIDE_SHAPES])
def test_forward_matches_numpy_reference(rng, activation, d, m):
    X, _, w, U, c_half, c = random_problem(rng, n=37, T=6, d=d, m=m, n_fitted=1)
    F = forward(X, w, np.ascontiguousarray(U.T), c_half, ACTIVATION_CODES[activation])
    np.testing.assert_allclose(F, reference_outputs(X, w, U, c, activation), rtol=1e-10, atol=1e-12)


DERIVATIVES = {name: pair[1] for name, pair in SIGMA.items()}


def reference_forward_mode(X, w, U, c, activation):
    """Outputs and their Jacobians by the per-neuron forward mode of DESIGN section 3.

    Vectorized over samples and neurons::

        dH_t/dw_i = (H_{t-1} + w_i dH_{t-1}/dw_i) sigma'(z_t)
        dH_t/dU_i = (w_i dH_{t-1}/dU_i + X_{t-1}) sigma'(z_t)

    and ``dF_t/dTheta_i = c_i dH_t/dTheta_i / sqrt(m)``. Returns ``F`` (n, T),
    ``dF/dw`` (n, T, m) and ``dF/dU`` (n, T, m, d).
    """
    sigma, dsigma = ACTIVATIONS[activation], DERIVATIVES[activation]
    n, T, d = X.shape
    m = w.shape[0]
    readout = c / np.sqrt(m)
    h = np.zeros((n, m))
    dh_dw = np.zeros((n, m))
    dh_dU = np.zeros((n, m, d))
    F = np.empty((n, T))
    JW = np.empty((n, T, m))
    JU = np.empty((n, T, m, d))
    for t in range(T):
        z = w * h + X[:, t] @ U.T
        slope = dsigma(z)
        dh_dw = (h + w * dh_dw) * slope
        dh_dU = (w[:, None] * dh_dU + X[:, t, None, :]) * slope[:, :, None]
        h = sigma(z)
        F[:, t] = h @ readout
        JW[:, t] = dh_dw * readout
        JU[:, t] = dh_dU * readout[:, None]
    return F, JW, JU


def reference_risk_and_gradient(X, Y, w, U, c, activation):
    """Risk (eq. 1) and ``(1/n) sum_j sum_t r_t dF_t/dTheta`` from the forward mode."""
    F, JW, JU = reference_forward_mode(X, w, U, c, activation)
    n, T = F.shape
    S = Y.shape[1]
    residual = np.zeros((n, T))
    residual[:, T - S :] = F[:, T - S :] - Y
    risk = np.sum(residual**2) / n
    grad_w = np.einsum("jt,jti->i", residual, JW) / n
    grad_U = np.einsum("jt,jtik->ik", residual, JU) / n
    return risk, grad_w, grad_U


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_forward_mode_reference_matches_finite_differences(rng, activation):
    """The forward-mode reference used below is itself checked on a small net."""
    X, Y, w, U, c_half, c = random_problem(rng, n=5, T=6, d=5, m=6, n_fitted=6)
    F, JW, JU = reference_forward_mode(X, w, U, c, activation)
    F_ref = reference_outputs(X, w, U, c, activation)
    np.testing.assert_allclose(F, F_ref, rtol=1e-12, atol=1e-14)
    step = 1e-6

    def outputs(w_, U_):  # scaled for central differences
        return reference_outputs(X, w_, U_, c, activation) / (2 * step)

    for i in range(w.size):
        e = np.zeros_like(w)
        e[i] = step
        fd = outputs(w + e, U) - outputs(w - e, U)
        np.testing.assert_allclose(JW[:, :, i], fd, rtol=0, atol=1e-8)
    for idx in np.ndindex(U.shape):
        e = np.zeros_like(U)
        e[idx] = step
        fd = outputs(w, U + e) - outputs(w, U - e)
        np.testing.assert_allclose(JU[:, :, idx[0], idx[1]], fd, rtol=0, atol=1e-8)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("d, m", [(1, 8), (3, 8), *WIDE_SHAPES])
@pytest.mark.parametrize("sequence_output", [True, False])
def test_risk_and_gradient_match_forward_mode_reference(rng, activation, d, m, sequence_output):
    """Several neuron blocks, input-row remainders and sample chunks (n = 21 > 16).

    T = 6 also leaves two steps after the four-steps-per-pass loop of the
    input-weight gradient.
    """
    T = 6
    X, Y, w, U, c_half, c = random_problem(
        rng, n=21, T=T, d=d, m=m, n_fitted=T if sequence_output else 1
    )
    risk, grad_w, grad_U = call_gradient(X, Y, w, U, c_half, activation)
    ref_risk, ref_w, ref_U = reference_risk_and_gradient(X, Y, w, U, c, activation)
    np.testing.assert_allclose(risk, ref_risk, rtol=1e-10)
    np.testing.assert_allclose(risk, reference_risk(X, Y, w, U, c, activation), rtol=1e-10)
    scale = max(np.abs(ref_w).max(), np.abs(ref_U).max())
    np.testing.assert_allclose(grad_w, ref_w, rtol=1e-9, atol=1e-11 * scale)
    np.testing.assert_allclose(grad_U, ref_U, rtol=1e-9, atol=1e-11 * scale)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("d", [1, 3])
@pytest.mark.parametrize("sequence_output", [True, False])
def test_risk_matches_reference_and_gradient_matches_finite_differences(
    rng, activation, d, sequence_output
):
    T = 5
    X, Y, w, U, c_half, c = random_problem(
        rng, n=21, T=T, d=d, m=8, n_fitted=T if sequence_output else 1
    )
    risk, grad_w, grad_U = call_gradient(X, Y, w, U, c_half, activation)
    np.testing.assert_allclose(risk, reference_risk(X, Y, w, U, c, activation), rtol=1e-10)

    # the kernel returns grad(R/2); compare with central differences of R/2
    def half_risk(w_, U_):
        return 0.5 * reference_risk(X, Y, w_, U_, c, activation)

    step = 1e-6
    fd_w = np.empty_like(w)
    for i in range(w.size):
        e = np.zeros_like(w)
        e[i] = step
        fd_w[i] = (half_risk(w + e, U) - half_risk(w - e, U)) / (2 * step)
    fd_U = np.empty_like(U)
    for idx in np.ndindex(U.shape):
        e = np.zeros_like(U)
        e[idx] = step
        fd_U[idx] = (half_risk(w, U + e) - half_risk(w, U - e)) / (2 * step)
    scale = max(np.abs(fd_w).max(), np.abs(fd_U).max())
    assert np.max(np.abs(grad_w - fd_w)) / scale < 1e-6
    assert np.max(np.abs(grad_U - fd_U)) / scale < 1e-6


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("d, m", [(3, 64), *WIDE_SHAPES])
def test_symmetric_initialization_gives_exactly_zero_output(rng, activation, d, m):
    X, _, w, U, c_half, _ = random_problem(rng, n=40, T=9, d=d, m=m, n_fitted=1, symmetric=True)
    X *= 5.0  # large inputs too
    F = forward(X, w, np.ascontiguousarray(U.T), c_half, ACTIVATION_CODES[activation])
    assert np.all(F == 0.0)


def test_results_do_not_depend_on_thread_count(rng):
    import numba

    X, Y, w, U, c_half, _ = random_problem(rng, n=203, T=7, d=2, m=12, n_fitted=7)
    previous = numba.get_num_threads()
    results = []
    try:
        for threads in (1, numba.config.NUMBA_NUM_THREADS):
            numba.set_num_threads(threads)
            results.append(call_gradient(X, Y, w, U, c_half, "tanh"))
    finally:
        numba.set_num_threads(previous)
    (r1, gw1, gU1), (r2, gw2, gU2) = results
    assert r1 == r2
    assert np.array_equal(gw1, gw2) and np.array_equal(gU1, gU2)


def test_kernels_do_not_write_into_inputs_and_accept_read_only(rng):
    X, Y, w, U, c_half, _ = random_problem(rng, n=20, T=4, d=2, m=6, n_fitted=4)
    UT = np.ascontiguousarray(U.T)
    arrays = [X, Y, w, UT, c_half]
    copies = [a.copy() for a in arrays]
    for a in arrays:
        a.setflags(write=False)
    forward(X, w, UT, c_half, 0)
    risk_and_gradient(X, Y, w, UT, c_half, 0, np.empty(6), np.empty((2, 6)))
    for a, b in zip(arrays, copies, strict=True):
        assert np.array_equal(a, b)


def test_projection_onto_max_norm_ball(rng):
    m, d = 50, 3
    w0 = rng.normal(size=m)
    UT0 = rng.normal(size=(d, m))
    w = w0 + rng.normal(scale=2.0, size=m)
    UT = UT0 + rng.normal(scale=2.0, size=(d, m))
    inside = np.abs(w - w0) <= 0.3
    project(w, UT, w0, UT0, 0.3, 0.4)
    assert np.all(np.abs(w - w0) <= 0.3 + 1e-15)
    norms = np.linalg.norm(UT - UT0, axis=0)
    assert np.all(norms <= 0.4 * (1 + 1e-12))
    # the projection is idempotent and is the nearest point of the ball
    w_again, UT_again = w.copy(), UT.copy()
    project(w_again, UT_again, w0, UT0, 0.3, 0.4)
    np.testing.assert_array_equal(w_again, w)
    np.testing.assert_allclose(UT_again, UT, rtol=0, atol=1e-15)
    assert inside.sum() < m  # the draw actually exercised the clipping

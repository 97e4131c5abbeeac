"""The recurrence kernels against a slow NumPy reference and finite differences."""

import numpy as np
import pytest

from skrnn._numba.activations import ACTIVATION_CODES
from skrnn._numba.recurrence import forward, project, risk_and_gradient

ACTIVATIONS = {
    "tanh": np.tanh,
    "logistic": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "gaussian": lambda z: np.exp(-0.5 * z * z),
}


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


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("d", [1, 3])
def test_forward_matches_numpy_reference(rng, activation, d):
    X, _, w, U, c_half, c = random_problem(rng, n=37, T=6, d=d, m=10, n_fitted=1)
    F = forward(X, w, np.ascontiguousarray(U.T), c_half, ACTIVATION_CODES[activation])
    np.testing.assert_allclose(F, reference_outputs(X, w, U, c, activation), rtol=1e-10, atol=1e-12)


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
def test_symmetric_initialization_gives_exactly_zero_output(rng, activation):
    X, _, w, U, c_half, _ = random_problem(rng, n=40, T=9, d=3, m=64, n_fitted=1, symmetric=True)
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
    for a, b in zip(arrays, copies):
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

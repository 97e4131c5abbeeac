"""The Monte Carlo NTK of the RNN: exact identities, Prop. 2, convergence, validation."""

import warnings

import numpy as np
import pytest
from reference_activations import SIGMA

from skrnn import _gram
from skrnn._numba.activations import ACTIVATION_CODES
from skrnn._numba.recurrence import forward, risk_and_gradient
from skrnn.kernels import ntk_draws, rnn_ntk, rnn_ntk_cross_time, rnn_ntk_features


def unit_sequences(rng, n, T, d):
    X = rng.normal(size=(n, T, d))
    return X / np.maximum(1.0, np.linalg.norm(X, axis=2, keepdims=True))


def bptt_step_gradients(X, w, U, c_half, activation):
    """``dF_t(X_j)/dTheta`` (n, T, m (1 + d)) from the RNN's own BPTT gradients.

    With one sample and targets ``Y = F - e_t`` the residual is the unit
    vector at step t, so the returned half-risk gradient is ``dF_t/dTheta``.
    Parameters are laid out as ``[w, U[:, 0], ..., U[:, d-1]]``.
    """
    code = ACTIVATION_CODES[activation]
    UT = np.ascontiguousarray(U.T)
    m, d = U.shape
    T = X.shape[1]

    def gradients(x):
        x = x[np.newaxis]
        F = forward(x, w, UT, c_half, code)
        rows = []
        for t in range(T):
            Y = F.copy()
            Y[0, t] -= 1.0
            grad_w, grad_UT = np.empty(m), np.empty((d, m))
            risk_and_gradient(x, Y, w, UT, c_half, code, grad_w, grad_UT)
            rows.append(np.concatenate([grad_w, grad_UT.ravel()]))
        return np.array(rows)  # (T, m (1 + d))

    return np.array([gradients(x) for x in X])


def empirical_ntk_from_gradients(X, Xp, w, U, c_half, activation):
    """``<dF_t(X)/dTheta, dF_t(X')/dTheta>`` from the RNN's own BPTT gradients."""
    GX = bptt_step_gradients(X, w, U, c_half, activation)  # (n, T, P)
    GXp = bptt_step_gradients(Xp, w, U, c_half, activation)
    return np.einsum("itp,jtp->tij", GX, GXp)


def forward_mode_step_gradients(X, w, U, c, activation):
    """``dF_t(X_j)/dTheta`` (n, T, m (1 + d)) by NumPy forward mode (DESIGN section 3).

    Independent of the library: ``dH_t/dw_i = (H_{t-1} + w_i dH_{t-1}/dw_i) sigma'(z_t)``,
    ``dH_t/dU_i = (w_i dH_{t-1}/dU_i + X_{t-1}) sigma'(z_t)`` and
    ``dF_t/dTheta_i = c_i dH_t/dTheta_i / sqrt(m)``, for the full width-m
    network with its readout signs ``c``. Same layout as
    :func:`bptt_step_gradients`.
    """
    sigma, dsigma = SIGMA[activation]
    n, T, d = X.shape
    m = w.shape[0]
    readout = c / np.sqrt(m)
    h = np.zeros((n, m))
    dh_dw = np.zeros((n, m))
    dh_dU = np.zeros((n, d, m))
    G = np.empty((n, T, m * (1 + d)))
    for t in range(T):
        z = w * h + X[:, t] @ U.T
        slope = dsigma(z)
        dh_dw = (h + w * dh_dw) * slope
        dh_dU = (w * dh_dU + X[:, t, :, None]) * slope[:, None, :]
        h = sigma(z)
        G[:, t, :m] = dh_dw * readout
        G[:, t, m:] = (dh_dU * readout).reshape(n, d * m)
    return G


# --------------------------------------------------------------------------
# exact identities
# --------------------------------------------------------------------------


@pytest.mark.parametrize("activation", sorted(ACTIVATION_CODES))
@pytest.mark.parametrize("d", [1, 3])
def test_finite_width_ntk_equals_monte_carlo_kernel(activation, d):
    """Symmetric init of width m: empirical NTK == rnn_ntk over the m/2 distinct draws."""
    rng = np.random.default_rng(d)
    m, T = 12, 5
    half = m // 2
    w_half = 0.7 * rng.choice([-1.0, 1.0], size=half)
    U_half = rng.normal(size=(half, d))
    c_half = rng.choice([-1.0, 1.0], size=half)
    w = np.concatenate([w_half, w_half])
    U = np.concatenate([U_half, U_half])
    X = unit_sequences(rng, 3, T, d)
    Xp = unit_sequences(rng, 2, T, d)

    # the symmetric initialization outputs exactly zero
    code = ACTIVATION_CODES[activation]
    assert np.all(forward(X, w, np.ascontiguousarray(U.T), c_half, code) == 0.0)

    empirical = empirical_ntk_from_gradients(X, Xp, w, U, c_half, activation)
    K = rnn_ntk(X, Xp, w0=w_half, U0=U_half, activation=activation)
    assert K.shape == (T, 3, 2)
    np.testing.assert_allclose(K, empirical, rtol=0, atol=1e-10)
    # counting every neuron of the symmetric net gives the same average
    np.testing.assert_allclose(rnn_ntk(X, Xp, w0=w, U0=U, activation=activation), K, atol=1e-12)


@pytest.mark.parametrize("activation", sorted(ACTIVATION_CODES))
@pytest.mark.parametrize("d", [1, 3])
def test_finite_width_cross_time_ntk_equals_monte_carlo_kernel(activation, d):
    """Off the time diagonal too: sum over parameters of <dF_t(X_i), dF_s(Y_j)>
    for a symmetric width-m net == rnn_ntk_cross_time over its m/2 distinct draws.

    Each neuron contributes ``c_i^2 / m = 1/m`` times ``<phi_t, phi_s>`` and the
    two halves are equal, so the sum is ``(1/M) sum_{i < M}`` with ``M = m/2``.
    """
    rng = np.random.default_rng(20 + d)
    m, alpha = 14, 0.8
    half = m // 2
    w_half = alpha * rng.choice([-1.0, 1.0], size=half)
    U_half = rng.normal(size=(half, d))
    c_half = rng.choice([-1.0, 1.0], size=half)
    w = np.concatenate([w_half, w_half])
    U = np.concatenate([U_half, U_half])
    c = np.concatenate([c_half, -c_half])
    X = unit_sequences(rng, 3, 5, d)
    Y = unit_sequences(rng, 2, 7, d)  # other sample count and length

    GX = forward_mode_step_gradients(X, w, U, c, activation)
    GY = forward_mode_step_gradients(Y, w, U, c, activation)
    # the independent forward-mode gradients are the network's own BPTT gradients
    np.testing.assert_allclose(
        GX, bptt_step_gradients(X, w, U, c_half, activation), rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(
        GY, bptt_step_gradients(Y, w, U, c_half, activation), rtol=0, atol=1e-12
    )

    empirical = np.einsum("itp,jsp->itjs", GX, GY)
    # the off-diagonal entries are not negligible, so the check has teeth
    assert np.abs(empirical[:, 0, :, 4]).max() > 1e-2
    assert np.abs(empirical[:, 4, :, 6]).max() > 1e-2
    C = rnn_ntk_cross_time(X, Y, w0=w_half, U0=U_half, activation=activation)
    assert C.shape == (3, 5, 2, 7)
    np.testing.assert_allclose(C, empirical, rtol=0, atol=1e-10)

    CX = rnn_ntk_cross_time(X, w0=w_half, U0=U_half, activation=activation)
    assert CX.shape == (3, 5, 3, 5)
    np.testing.assert_allclose(CX, np.einsum("itp,jsp->itjs", GX, GX), rtol=0, atol=1e-10)
    # swapping the arguments transposes the kernel
    CYX = rnn_ntk_cross_time(Y, X, w0=w_half, U0=U_half, activation=activation)
    np.testing.assert_allclose(CYX, empirical.transpose(2, 3, 0, 1), rtol=0, atol=1e-10)
    # every neuron of the symmetric net as a draw gives the same average
    np.testing.assert_allclose(
        rnn_ntk_cross_time(X, Y, w0=w, U0=U, activation=activation), C, rtol=0, atol=1e-12
    )


def test_finite_width_ntk_of_the_rnn_estimator():
    """Same identity with the initialization drawn by ProjectedGDRNNRegressor."""
    from skrnn import ProjectedGDRNNRegressor

    rng = np.random.default_rng(3)
    T, d, m = 4, 2, 16
    X = unit_sequences(rng, 5, T, d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rnn = ProjectedGDRNNRegressor(width=m, max_iter=0, normalize_y=False, random_state=0).fit(
            X, X[:, :, 0]
        )
    half = m // 2
    c_half = np.ascontiguousarray(rnn.c_[:half])
    np.testing.assert_array_equal(rnn.c_[half:], -rnn.c_[:half])
    np.testing.assert_array_equal(rnn.predict(X), 0.0)
    empirical = empirical_ntk_from_gradients(X[:3], X[3:], rnn.w_init_, rnn.U_init_, c_half, "tanh")
    K = rnn_ntk(X[:3], X[3:], w0=rnn.w_init_[:half], U0=rnn.U_init_[:half])
    np.testing.assert_allclose(K, empirical, rtol=0, atol=1e-10)


def prop2_double_sum(x, xp, w0, U0, activation):
    """Prop. 2 written out, sums over k, l from 0 to t-1 (DESIGN errata 2).

    Unrolling the forward-mode recursion, with ``I_s = sigma'(w0 h_s + u0 . X_s)``::

        dh_t/du0 = sum_{k=0}^{t-1} w0^k X_{t-k-1} prod_{s=0}^{k} I_{t-s-1}
        dh_t/dw0 = sum_{k=0}^{t-1} w0^k h_{t-k-1} prod_{s=0}^{k} I_{t-s-1}

    so ``kappa_t = E sum_{k,l} w0^(k+l) (X_{t-k-1}.X'_{t-l-1} + h_{t-k-1} h'_{t-l-1})
    prod_{s<=k} I_{t-s-1} prod_{s<=l} I'_{t-s-1}``.
    """
    sigma, dsigma = SIGMA[activation]
    T = x.shape[0]

    def states(seq, w, u):
        h, slope = [0.0], []
        for t in range(T):
            z = w * h[-1] + float(np.dot(u, seq[t]))
            h.append(sigma(z))
            slope.append(dsigma(z))  # slope[s] = I_s
        return h, slope

    K = np.zeros(T)
    for w, u in zip(w0, U0, strict=True):
        h, I = states(x, w, u)
        hp, Ip = states(xp, w, u)
        for t in range(1, T + 1):
            total = 0.0
            for k in range(t):
                prod_k = 1.0
                for s in range(k + 1):
                    prod_k *= I[t - s - 1]
                for l in range(t):
                    prod_l = 1.0
                    for s in range(l + 1):
                        prod_l *= Ip[t - s - 1]
                    inner = float(np.dot(x[t - k - 1], xp[t - l - 1]))
                    inner += h[t - k - 1] * hp[t - l - 1]
                    total += w ** (k + l) * inner * prod_k * prod_l
            K[t - 1] += total
    return K / len(w0)


@pytest.mark.parametrize("activation", sorted(ACTIVATION_CODES))
def test_rnn_ntk_equals_prop2_double_sum(activation):
    rng = np.random.default_rng(7)
    T, d = 6, 2
    X = unit_sequences(rng, 2, T, d)
    w0, U0 = ntk_draws(4, d, recurrent_scale=0.9, sampling="mc", random_state=1)
    K = rnn_ntk(X, w0=w0, U0=U0, activation=activation)
    for i in range(2):
        for j in range(2):
            expected = prop2_double_sum(X[i], X[j], w0, U0, activation)
            np.testing.assert_allclose(K[:, i, j], expected, rtol=0, atol=1e-10)


# --------------------------------------------------------------------------
# structure
# --------------------------------------------------------------------------


def test_features_layout_and_scaling():
    rng = np.random.default_rng(0)
    X = unit_sequences(rng, 4, 5, 3)
    w0, U0 = ntk_draws(8, 3, random_state=0)
    P = rnn_ntk_features(X, w0=w0, U0=U0)
    assert P.shape == (4, 5, 8 * 4)
    assert P.flags.c_contiguous
    # step 1: dh/dw0 = h_0 sigma' = 0 and dh/du0 = X_0 sigma'(u0 . X_0)
    slope = 1.0 - np.tanh(U0 @ X[0, 0]) ** 2
    np.testing.assert_allclose(P[0, 0, :8], 0.0)
    for k in range(3):
        block = P[0, 0, 8 * (k + 1) : 8 * (k + 2)]
        np.testing.assert_allclose(block, X[0, 0, k] * slope / np.sqrt(8))
    np.testing.assert_array_equal(rnn_ntk_features(X, w0=w0, U0=U0, n_last_steps=2), P[:, 3:])
    K = rnn_ntk(X, w0=w0, U0=U0)
    np.testing.assert_allclose(K, np.einsum("itp,jtp->tij", P, P), atol=1e-13)


def test_kernel_is_symmetric_psd_and_matches_cross_time_diagonal():
    rng = np.random.default_rng(1)
    X = unit_sequences(rng, 6, 4, 2)
    w0, U0 = ntk_draws(32, 2, random_state=0)
    K = rnn_ntk(X, w0=w0, U0=U0)
    np.testing.assert_allclose(K, K.transpose(0, 2, 1), atol=1e-14)
    assert np.linalg.eigvalsh(K).min() > -1e-12
    C = rnn_ntk_cross_time(X, w0=w0, U0=U0)
    assert C.shape == (6, 4, 6, 4)
    np.testing.assert_allclose(np.einsum("itjt->tij", C), K, atol=1e-13)
    Y = unit_sequences(rng, 3, 7, 2)  # cross-time allows other lengths
    assert rnn_ntk_cross_time(X, Y, w0=w0, U0=U0).shape == (6, 4, 3, 7)


def test_univariate_2d_input_is_d_equal_1():
    rng = np.random.default_rng(2)
    X = rng.uniform(-1, 1, size=(5, 6))
    w0, U0 = ntk_draws(16, 1, random_state=0)
    np.testing.assert_array_equal(rnn_ntk(X, w0=w0, U0=U0), rnn_ntk(X[:, :, None], w0=w0, U0=U0))


def _gram_reference(X, Y, w0, U0):
    """Same-step kernel from the (sample-major) features, by an einsum."""
    PX = rnn_ntk_features(X, w0=w0, U0=U0)
    PY = PX if Y is None else rnn_ntk_features(Y, w0=w0, U0=U0)
    return np.einsum("itp,jtp->tij", PX, PY)


@pytest.mark.parametrize("with_y", [False, True])
def test_memory_budget_blocks_give_the_same_kernel(monkeypatch, with_y):
    """Every way of cutting the work (steps per group, row blocks) gives the kernel."""
    rng = np.random.default_rng(4)
    T, d, M = 5, 2, 16
    X = unit_sequences(rng, 11, T, d)
    Y = unit_sequences(rng, 7, T, d) if with_y else None
    w0, U0 = ntk_draws(M, d, random_state=0)
    expected = _gram_reference(X, Y, w0, U0)
    default = rnn_ntk(X, Y, w0=w0, U0=U0)
    np.testing.assert_allclose(default, expected, rtol=1e-13, atol=1e-14)
    p = M * (1 + d)
    per_row = 8 * (M + 2 * p)  # forward-mode state plus one step of features
    n_rows = 11 + (7 if with_y else 0)
    budgets = [
        1,  # blocks of one sample, one step at a time
        3 * per_row,  # blocks of one sample (a pair of blocks fits)
        5 * per_row,  # blocks of two samples, with a remainder
        n_rows * per_row,  # no blocks, one step at a time
        n_rows * (M + 3 * p) * 8,  # no blocks, steps in groups of 2, 2 and 1 (T = 5)
        10**9,  # all steps at once
    ]
    for budget in budgets:
        monkeypatch.setattr(_gram, "FEATURE_BLOCK_BYTES", budget)
        K = rnn_ntk(X, Y, w0=w0, U0=U0)
        np.testing.assert_allclose(K, expected, rtol=1e-13, atol=1e-14)
        if Y is None:  # one triangle computed, the other copied: exactly symmetric
            np.testing.assert_array_equal(K, K.transpose(0, 2, 1))


@pytest.mark.parametrize("shape", [(1, 3), (64, 10), (65, 7), (130, 129)])
def test_symmetric_gram_matches_matrix_products(shape):
    rng = np.random.default_rng(sum(shape))
    A = rng.normal(size=shape)
    G = _gram._symmetric_gram(A)
    np.testing.assert_allclose(G, A @ A.T, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(G, G.T)
    H = _gram._symmetric_gram(A, transpose=True)
    np.testing.assert_allclose(H, A.T @ A, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(H, H.T)
    # a non-contiguous input is accepted (copied)
    np.testing.assert_array_equal(_gram._symmetric_gram(np.asfortranarray(A)), G)


def test_kernels_do_not_depend_on_the_numba_thread_count():
    import numba

    rng = np.random.default_rng(8)
    X = unit_sequences(rng, 37, 6, 3)
    Y = unit_sequences(rng, 21, 6, 3)
    w0, U0 = ntk_draws(24, 3, random_state=0)
    results = []
    previous = numba.get_num_threads()
    try:
        for threads in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
            numba.set_num_threads(threads)
            results.append(
                (
                    rnn_ntk(X, w0=w0, U0=U0),
                    rnn_ntk(X, Y, w0=w0, U0=U0),
                    rnn_ntk_cross_time(X, Y, w0=w0, U0=U0),
                    rnn_ntk_features(X, w0=w0, U0=U0),
                )
            )
    finally:
        numba.set_num_threads(previous)
    for first, other in zip(results[0], results[-1], strict=True):
        np.testing.assert_array_equal(first, other)


# --------------------------------------------------------------------------
# draws and Monte Carlo convergence
# --------------------------------------------------------------------------


@pytest.mark.parametrize("sampling", ["qmc", "mc"])
def test_ntk_draws(sampling):
    w0, U0 = ntk_draws(12, 3, recurrent_scale=0.3, sampling=sampling, random_state=5)
    np.testing.assert_array_equal(w0, 0.3 * np.repeat([1.0, -1.0], 6))
    assert U0.shape == (12, 3) and np.isfinite(U0).all()
    w1, U1 = ntk_draws(12, 3, recurrent_scale=0.3, sampling=sampling, random_state=5)
    np.testing.assert_array_equal(U0, U1)
    assert not np.array_equal(U0, ntk_draws(12, 3, sampling=sampling, random_state=6)[1])
    for bad in (0, 3, 2.0, True):
        with pytest.raises(ValueError, match="even"):
            ntk_draws(bad, 3)
    with pytest.raises(ValueError, match="sampling"):
        ntk_draws(4, 3, sampling="sobol")


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        # issue 7 item 8: a bool was read as one feature and a scale of 1.0
        (dict(n_features=True), TypeError, "n_features"),
        (dict(n_features=np.True_), TypeError, "n_features"),
        (dict(n_features=2.0), TypeError, "n_features"),
        (dict(n_features=0), ValueError, "n_features"),
        (dict(recurrent_scale=True), TypeError, "recurrent_scale"),
        (dict(recurrent_scale="0.5"), TypeError, "recurrent_scale"),
        (dict(recurrent_scale=np.nan), ValueError, "recurrent_scale"),
        (dict(recurrent_scale=np.inf), ValueError, "recurrent_scale"),
        (dict(recurrent_scale=-0.5), ValueError, "recurrent_scale"),
    ],
)
def test_ntk_draws_refuses_bools_and_bad_numbers_naming_the_parameter(kwargs, error, name):
    arguments = {"n_features": 2, "recurrent_scale": 0.5, **kwargs}
    with pytest.raises(error, match=name):
        ntk_draws(8, arguments.pop("n_features"), **arguments)


def test_ntk_draws_takes_numpy_scalars():
    w0, U0 = ntk_draws(np.int64(4), np.int32(2), recurrent_scale=np.float32(0.25), random_state=0)
    np.testing.assert_array_equal(w0, [0.25, 0.25, -0.25, -0.25])
    assert U0.shape == (4, 2)


def test_qmc_normal_draws_have_standard_moments():
    _, U0 = ntk_draws(2**13, 2, sampling="qmc", random_state=0)
    np.testing.assert_allclose(U0.mean(axis=0), 0.0, atol=2e-3)
    np.testing.assert_allclose(np.cov(U0.T), np.eye(2), atol=5e-3)


def _log_log_slope(draw, X, K_ref, sizes, repeats):
    errors = []
    for M in sizes:
        sq = [
            np.sum((rnn_ntk(X, w0=w0, U0=U0) - K_ref) ** 2)
            for w0, U0 in (draw(M, seed) for seed in range(repeats))
        ]
        errors.append(np.sqrt(np.mean(sq)) / np.linalg.norm(K_ref))
    return np.polyfit(np.log(sizes), np.log(errors), 1)[0], errors


def test_monte_carlo_error_decays_like_inverse_sqrt():
    rng = np.random.default_rng(0)
    d = 2
    X = unit_sequences(rng, 6, 5, d)
    references = [ntk_draws(2**15, d, random_state=seed) for seed in (1, 2)]
    K_ref = np.mean([rnn_ntk(X, w0=w0, U0=U0) for w0, U0 in references], axis=0)
    sizes = [16, 64, 256, 1024]

    def plain(M, seed):  # w0 ~ Rad_alpha and u0 ~ N(0, I), all independent
        r = np.random.RandomState(seed)
        return 0.5 * r.choice([-1.0, 1.0], size=M), r.standard_normal((M, d))

    def qmc(M, seed):
        return ntk_draws(M, d, sampling="qmc", random_state=seed)

    slope_mc, errors_mc = _log_log_slope(plain, X, K_ref, sizes, repeats=12)
    slope_qmc, errors_qmc = _log_log_slope(qmc, X, K_ref, sizes, repeats=4)
    assert -0.65 <= slope_mc <= -0.35, (slope_mc, errors_mc)
    # the default (stratified w0, scrambled Sobol' u0) converges faster
    assert slope_qmc < -0.75, (slope_qmc, errors_qmc)
    assert errors_qmc[-1] < errors_mc[-1] / 5


# --------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------


def test_input_validation_errors():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(3, 4, 2))
    w0, U0 = ntk_draws(4, 2, random_state=0)
    with pytest.raises(ValueError, match="3-D"):
        rnn_ntk(X[0, 0], w0=w0, U0=U0)
    with pytest.raises(ValueError, match="3-D"):
        rnn_ntk(X[None], w0=w0, U0=U0)
    with pytest.raises(ValueError, match="same number of time steps"):
        rnn_ntk(X, X[:, :3], w0=w0, U0=U0)
    with pytest.raises(ValueError, match="features per step"):
        rnn_ntk(X, X[:, :, :1], w0=w0, U0=U0)
    with pytest.raises(ValueError, match="columns"):
        rnn_ntk(X, w0=w0, U0=U0[:, :1])
    with pytest.raises(ValueError, match="different numbers of draws"):
        rnn_ntk(X, w0=w0[:3], U0=U0)
    with pytest.raises(ValueError, match="1-D"):
        rnn_ntk(X, w0=U0, U0=U0)
    with pytest.raises(ValueError, match="finite"):
        rnn_ntk(X, w0=np.array([np.nan, 1, 1, 1.0]), U0=U0)
    bad = X.copy()
    bad[0, 1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        rnn_ntk(bad, w0=w0, U0=U0)
    with pytest.raises(ValueError, match="NaN"):
        rnn_ntk(X, bad, w0=w0, U0=U0)
    with pytest.raises(ValueError, match="activation"):
        rnn_ntk(X, w0=w0, U0=U0, activation="relu")
    with pytest.raises(ValueError, match="n_last_steps"):
        rnn_ntk_features(X, w0=w0, U0=U0, n_last_steps=5)


@pytest.mark.parametrize("function", [rnn_ntk, rnn_ntk_cross_time, rnn_ntk_features])
def test_kernel_functions_refuse_draws_that_are_not_real_arrays(function):
    X = np.random.default_rng(0).uniform(-1, 1, size=(3, 4, 2))
    w0, U0 = ntk_draws(4, 2, random_state=0)
    bad_draws = [
        (dict(w0=w0 > 0), TypeError, "w0"),  # booleans are not weights
        (dict(U0=U0 > 0), TypeError, "U0"),
        (dict(w0=w0 + 1j), TypeError, "w0"),  # complex: the imaginary part would be dropped
        (dict(w0=None), TypeError, "w0"),
        (dict(U0=[["a", "b"]] * 4), TypeError, "U0"),
        (dict(w0=np.array([0.5, np.nan, 0.5, 0.5])), ValueError, "finite"),
        (dict(U0=np.full_like(U0, np.inf)), ValueError, "finite"),
        (dict(w0=w0[:, None]), ValueError, "1-D"),
        (dict(U0=U0[None]), ValueError, "2-D"),
        (dict(U0=U0[:3]), ValueError, "different numbers of draws"),
        (dict(U0=U0[:, :1]), ValueError, "columns"),
    ]
    for draws, error, match in bad_draws:
        with pytest.raises(error, match=match):
            function(X, **{"w0": w0, "U0": U0, **draws})
    # integer draws are real numbers: the same kernel as their float values
    np.testing.assert_array_equal(
        function(X, w0=np.array([1, 1, -1, -1]), U0=U0),
        function(X, w0=np.array([1.0, 1.0, -1.0, -1.0]), U0=U0),
    )


@pytest.mark.parametrize("bad", [True, np.True_, 2.0])
def test_feature_map_refuses_a_non_integer_number_of_steps(bad):
    X = np.random.default_rng(0).uniform(-1, 1, size=(3, 4, 2))
    w0, U0 = ntk_draws(4, 2, random_state=0)
    with pytest.raises(TypeError, match="n_last_steps"):
        rnn_ntk_features(X, w0=w0, U0=U0, n_last_steps=bad)
    with pytest.raises(ValueError, match="n_last_steps"):
        rnn_ntk_features(X, w0=w0, U0=U0, n_last_steps=0)

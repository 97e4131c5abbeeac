"""The teacher of known complexity: make_rkhs_teacher and RKHSTeacher."""

import math

import numpy as np
import pytest

from skrnn._validation import max_step_norm
from skrnn.datasets import RKHSTeacher, make_rkhs_teacher

ACTIVATIONS = ["tanh", "logistic", "gaussian"]

# sigma, sigma', sigma0, sigma1 written out independently of the package
SIGMA = {
    "tanh": (math.tanh, lambda z: 1.0 - math.tanh(z) ** 2, 1.0, 1.0),
    "logistic": (
        lambda z: 1.0 / (1.0 + math.exp(-z)),
        lambda z: math.exp(-z) / (1.0 + math.exp(-z)) ** 2,
        1.0,
        0.25,
    ),
    "gaussian": (
        lambda z: math.exp(-0.5 * z * z),
        lambda z: -z * math.exp(-0.5 * z * z),
        1.0,
        math.exp(-0.5),
    ),
}


# ---------------------------------------------------------------------------
# slow references
# ---------------------------------------------------------------------------


def eq8_reference(X, w0, U0, v_w, V_u, activation):
    """Eq. 8 as the explicit sum over k, averaged over the given draws."""
    sigma, dsigma, _, _ = SIGMA[activation]
    n, T, d = X.shape
    out = np.zeros((n, T))
    for j in range(n):
        for i in range(len(w0)):
            # paper indexing: h[0] = 0, z[s] for s = 1..T reads X[j, s-1]
            h = [0.0]
            z = [None]
            for s in range(1, T + 1):
                z.append(w0[i] * h[s - 1] + float(np.dot(U0[i], X[j, s - 1])))
                h.append(sigma(z[s]))
            for t in range(1, T + 1):
                total = 0.0
                for k in range(t):
                    product = 1.0
                    for s in range(k + 1):
                        product *= dsigma(z[t - s])
                    drive = float(np.dot(V_u[i], X[j, t - k - 1])) + v_w[i] * h[t - k - 1]
                    total += w0[i] ** k * drive * product
                out[j, t - 1] += total / len(w0)
    return out


def forward_mode_reference(X, w0, U0, v_w, V_u, activation):
    """Proposition 1: per-draw gradients dh/dw, dh/du, then <phi, v>."""
    sigma, dsigma, _, _ = SIGMA[activation]
    n, T, d = X.shape
    out = np.zeros((n, T))
    for j in range(n):
        for i in range(len(w0)):
            h, dh_dw, dh_du = 0.0, 0.0, np.zeros(d)
            for t in range(T):
                z = w0[i] * h + U0[i] @ X[j, t]
                slope = dsigma(z)
                dh_dw, dh_du = (h + w0[i] * dh_dw) * slope, (X[j, t] + w0[i] * dh_du) * slope
                h = sigma(z)
                out[j, t] += (v_w[i] * dh_dw + V_u[i] @ dh_du) / len(w0)
    return out


def single_neuron(X, w, u, activation):
    sigma = np.vectorize(SIGMA[activation][0])
    h = np.zeros(X.shape[0])
    out = np.empty(X.shape[:2])
    for t in range(X.shape[1]):
        h = sigma(w * h + X[:, t] @ u)
        out[:, t] = h
    return out


def transport_reference(teacher):
    """The transport maps at the draws, written out from the stored parameters.

    ``v_w(w0, u0) = nu_w tanh(a_w . u0 + b_w[w0 >= 0])`` and
    ``v_u(u0) = nu_u tanh(A u0 + b) / sqrt(d)``, one neuron at a time.
    """
    d = teacher.n_features
    v_w = np.empty(teacher.n_draws)
    V_u = np.empty((teacher.n_draws, d))
    for i in range(teacher.n_draws):
        w0, u0 = teacher.w0[i], teacher.U0[i]
        offset = teacher.transport_w_offsets[1 if w0 >= 0 else 0]
        v_w[i] = teacher.nu_w * math.tanh(
            sum(teacher.transport_w_direction[k] * u0[k] for k in range(d)) + offset
        )
        for r in range(d):
            pre = sum(teacher.transport_matrix[r, k] * u0[k] for k in range(d))
            V_u[i, r] = teacher.nu_u * math.tanh(pre + teacher.transport_offset[r]) / math.sqrt(d)
    return v_w, V_u


def small_teacher(activation="tanh", n_draws=6, random_state=0, **kwargs):
    params = dict(
        n_samples=3,
        n_timesteps=5,
        n_features=2,
        nu_w=0.7,
        nu_u=1.3,
        recurrent_scale=0.8,
        n_draws=n_draws,
        activation=activation,
        random_state=random_state,
    )
    params.update(kwargs)
    return make_rkhs_teacher(**params)


# ---------------------------------------------------------------------------
# make_rkhs_teacher
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("sequence_output", [True, False])
def test_teacher_shapes_and_dtypes(sequence_output):
    X, y, info = make_rkhs_teacher(
        n_samples=7,
        n_timesteps=4,
        n_features=2,
        n_draws=16,
        sequence_output=sequence_output,
        random_state=0,
    )
    assert X.shape == (7, 4, 2) and X.dtype == np.float64 and X.flags.c_contiguous
    assert y.shape == ((7, 4) if sequence_output else (7,))
    assert y.dtype == np.float64 and np.all(np.isfinite(y))
    assert isinstance(info.teacher, RKHSTeacher)
    assert info.teacher.w0.shape == (16,) and info.teacher.U0.shape == (16, 2)


def test_teacher_last_step_matches_sequence_output():
    _, y_seq, _ = make_rkhs_teacher(n_samples=5, n_draws=32, random_state=3)
    _, y_last, _ = make_rkhs_teacher(n_samples=5, n_draws=32, random_state=3, sequence_output=False)
    np.testing.assert_array_equal(y_last, y_seq[:, -1])


def test_teacher_determinism():
    a = make_rkhs_teacher(n_samples=10, n_draws=32, random_state=42)
    b = make_rkhs_teacher(n_samples=10, n_draws=32, random_state=np.random.RandomState(42))
    c = make_rkhs_teacher(n_samples=10, n_draws=32, random_state=43)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.allclose(a[1], c[1])


def test_teacher_does_not_depend_on_sample_size():
    _, _, small = make_rkhs_teacher(n_samples=3, n_timesteps=4, n_draws=32, random_state=5)
    X, y, large = make_rkhs_teacher(n_samples=30, n_timesteps=9, n_draws=32, random_state=5)
    np.testing.assert_array_equal(small.teacher.U0, large.teacher.U0)
    np.testing.assert_allclose(small.teacher(X), y, rtol=0, atol=1e-14)


def test_teacher_inputs_in_unit_ball():
    X, _, _ = make_rkhs_teacher(
        n_samples=300, n_timesteps=30, n_features=4, n_draws=8, random_state=0
    )
    norms = np.linalg.norm(X, axis=2)
    assert max_step_norm(X) <= 1.0 and norms.max() <= 1.0
    # norms are spread over [0, 1)
    assert norms.min() < 0.01 and norms.max() > 0.99


def test_teacher_causal():
    X, y, info = make_rkhs_teacher(n_samples=6, n_timesteps=8, n_draws=64, random_state=1)
    rng = np.random.default_rng(0)
    for t in range(1, 8):
        X_changed = X.copy()
        X_changed[:, t:] = rng.uniform(-1, 1, size=X_changed[:, t:].shape) / 2
        y_changed = info.teacher(X_changed)
        np.testing.assert_array_equal(y_changed[:, :t], y[:, :t])
        assert not np.allclose(y_changed[:, t], y[:, t])


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_teacher_matches_eq8_double_sum(activation):
    X, y, info = small_teacher(activation)
    teacher = info.teacher
    v_w, V_u = transport_reference(teacher)
    np.testing.assert_allclose(info.transport_w(teacher.w0, teacher.U0), v_w, rtol=1e-14)
    np.testing.assert_allclose(info.transport_u(teacher.U0), V_u, rtol=1e-14)
    # v_w depends on u0: the antithetic partners (same w0, opposite u0) differ
    assert not np.allclose(v_w[:3], v_w[3:])
    expected = eq8_reference(X, teacher.w0, teacher.U0, v_w, V_u, activation)
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-10)
    expected_prop1 = forward_mode_reference(X, teacher.w0, teacher.U0, v_w, V_u, activation)
    np.testing.assert_allclose(y, expected_prop1, rtol=0, atol=1e-10)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_teacher_matches_finite_differences(activation):
    X, y, info = small_teacher(activation, n_draws=4)
    teacher = info.teacher
    v_w, V_u = transport_reference(teacher)
    eps = 1e-5
    estimate = np.zeros_like(y)
    for i in range(teacher.n_draws):
        plus = single_neuron(
            X, teacher.w0[i] + eps * v_w[i], teacher.U0[i] + eps * V_u[i], activation
        )
        minus = single_neuron(
            X, teacher.w0[i] - eps * v_w[i], teacher.U0[i] - eps * V_u[i], activation
        )
        estimate += (plus - minus) / (2 * eps) / teacher.n_draws
    np.testing.assert_allclose(y, estimate, rtol=0, atol=1e-8)


def test_teacher_info():
    _, _, info = make_rkhs_teacher(
        n_samples=4,
        n_timesteps=6,
        nu_w=0.3,
        nu_u=2.5,
        activation="logistic",
        recurrent_scale=0.9,
        n_draws=20,
        random_state=0,
    )
    assert info.nu_w == 0.3 and info.nu_u == 2.5
    assert info.activation == "logistic" and info.recurrent_scale == 0.9
    assert info.n_draws == 20
    assert 0 < info.max_transport_w < 0.3
    v_w = info.transport_w(info.teacher.w0, info.teacher.U0)
    assert v_w.shape == (20,) and info.max_transport_w == np.max(np.abs(v_w))
    assert 0 < info.max_transport_u <= 2.5
    assert info.rkhs_norm_bound == pytest.approx(math.hypot(0.3, 2.5))
    teacher = info.teacher
    assert teacher.nu_w == 0.3 and teacher.nu_u == 2.5
    # the transport maps respect their bounds far from the draws too
    rng = np.random.default_rng(0)
    w = rng.normal(size=1000) * 5
    U = rng.normal(size=(1000, 3)) * 50
    assert np.all(np.abs(info.transport_w(w, U)) <= 0.3)
    # ... and approach them: sup |v_w| = nu_w, sup ||v_u|| = nu_u
    assert np.max(np.abs(info.transport_w(w, U))) > 0.3 * (1 - 1e-6)
    assert np.all(np.linalg.norm(info.transport_u(U), axis=1) <= 2.5 * (1 + 1e-12))
    # w0 is stratified: half +alpha, half -alpha; u0 in antithetic pairs
    assert set(np.unique(teacher.w0)) == {-0.9, 0.9}
    assert abs(np.sum(teacher.w0 > 0) - 10) <= 1
    np.testing.assert_array_equal(teacher.U0[:10], -teacher.U0[10:])
    np.testing.assert_array_equal(teacher.w0[:10], teacher.w0[10:])
    assert "RKHSTeacher(" in repr(teacher)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.5])
def test_teacher_output_bound(activation, alpha):
    nu_w, nu_u, T = 1.7, 0.6, 12
    sigma0, sigma1 = SIGMA[activation][2:]
    mu0 = sum((alpha * sigma1) ** k for k in range(T))
    ymax = sigma1 * mu0 * (nu_u + sigma0 * nu_w)
    _, y, info = make_rkhs_teacher(
        n_samples=100,
        n_timesteps=T,
        n_features=2,
        nu_w=nu_w,
        nu_u=nu_u,
        activation=activation,
        recurrent_scale=alpha,
        n_draws=64,
        random_state=0,
    )
    assert info.output_bound == pytest.approx(ymax, rel=1e-12)
    assert np.max(np.abs(y)) <= ymax
    # the bound holds for any input in the unit ball, e.g. constant unit steps
    X = np.ones((1, T, 2)) / np.sqrt(2)
    assert np.max(np.abs(info.teacher(X))) <= ymax


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_teacher_nu_w_term_contributes(activation):
    # v_w depends on (w0, u0), so the v_w term of eq. 8 does not vanish, not
    # even for tanh (a map of w0 alone would: dh/dw0 is odd in u0).
    params = dict(
        n_samples=50, n_timesteps=8, n_features=3, nu_u=0.0, activation=activation, random_state=2
    )
    X, y1, _ = make_rkhs_teacher(nu_w=1.0, n_draws=4096, **params)
    _, y3, _ = make_rkhs_teacher(nu_w=3.0, n_draws=4096, **params)
    _, y_zero, _ = make_rkhs_teacher(nu_w=0.0, n_draws=4096, **params)
    np.testing.assert_array_equal(y_zero, 0.0)
    # linear in nu_w
    np.testing.assert_allclose(y3, 3 * y1, rtol=1e-12, atol=1e-15)
    # a signal of the size of the v_u term's (measured: 0.5 to 4 times it at
    # this seed) ...
    _, y_u, _ = make_rkhs_teacher(nu_w=0.0, n_draws=4096, **{**params, "nu_u": 1.0})
    assert np.std(y1) > 0.1 * np.std(y_u)
    # ... and not Monte Carlo noise: the same system (the maps are drawn
    # before the draws) evaluated with 16x fewer draws agrees with it
    _, _, coarse = make_rkhs_teacher(nu_w=1.0, n_draws=256, **params)
    assert np.corrcoef(coarse.teacher(X).ravel(), y1.ravel())[0, 1] > 0.8
    # eq. 8 is linear in v = (v_w, v_u): the two terms add up
    _, y_both, _ = make_rkhs_teacher(nu_w=1.0, n_draws=4096, **{**params, "nu_u": 1.0})
    np.testing.assert_allclose(y_both, y1 + y_u, rtol=0, atol=1e-14)


def test_teacher_stratified_draws_are_unbiased():
    # The stratified draws (antithetic u0 pairs sharing w0, alternating w0)
    # estimate the same eq. 8 as i.i.d. draws from Definition 1, with the
    # u0-dependent v_w included.
    X, y, info = make_rkhs_teacher(
        n_samples=40, n_timesteps=6, n_features=2, nu_w=1.0, nu_u=0.0, n_draws=16384, random_state=3
    )
    t = info.teacher
    rng = np.random.default_rng(0)
    iid = RKHSTeacher(
        t.recurrent_scale * rng.choice([-1.0, 1.0], size=t.n_draws),
        rng.standard_normal((t.n_draws, 2)),
        t.readout_signs,
        t.transport_w_direction,
        t.transport_w_offsets,
        t.transport_matrix,
        t.transport_offset,
        nu_w=t.nu_w,
        nu_u=t.nu_u,
        activation=t.activation,
        recurrent_scale=t.recurrent_scale,
    )
    difference = iid(X) - y
    assert np.sqrt(np.mean(difference**2)) < 0.1 * np.std(y)


def test_teacher_recurrent_signs_start_at_random():
    # With n_draws/2 odd the alternation cannot balance the signs; a random
    # start keeps each w0 at +alpha or -alpha with probability 1/2.
    counts = set()
    for seed in range(20):
        _, _, info = make_rkhs_teacher(
            n_samples=1, n_draws=6, recurrent_scale=0.5, random_state=seed
        )
        counts.add(int(np.sum(info.teacher.w0 > 0)))
    assert counts == {2, 4}


def test_teacher_scales_linearly_with_nu():
    _, y1, _ = make_rkhs_teacher(
        n_samples=10, n_draws=32, nu_w=1.0, nu_u=1.0, activation="logistic", random_state=4
    )
    _, y3, _ = make_rkhs_teacher(
        n_samples=10, n_draws=32, nu_w=3.0, nu_u=3.0, activation="logistic", random_state=4
    )
    np.testing.assert_allclose(y3, 3 * y1, rtol=1e-12, atol=1e-15)


def test_teacher_noise():
    X0, y0, _ = make_rkhs_teacher(n_samples=400, n_draws=16, random_state=6)
    X1, y1, info = make_rkhs_teacher(n_samples=400, n_draws=16, noise=0.1, random_state=6)
    np.testing.assert_array_equal(X0, X1)
    assert info.noise == 0.1
    assert np.std(y1 - y0) == pytest.approx(0.1, rel=0.05)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_teacher_is_linearization_of_remark4_network(activation):
    from skrnn._activations import ACTIVATIONS as REGISTRY
    from skrnn._numba.recurrence import forward

    n_draws = 256
    X, y, info = make_rkhs_teacher(
        n_samples=40,
        n_timesteps=10,
        n_features=2,
        activation=activation,
        n_draws=n_draws,
        random_state=0,
    )
    net = info.teacher.transported_network()
    width = 2 * n_draws
    code = REGISTRY[activation].code
    c_half = np.ascontiguousarray(net.c[:n_draws])
    # symmetric initialization: the network output is exactly zero
    F0 = forward(X, net.w_init, np.ascontiguousarray(net.U_init.T), c_half, code)
    np.testing.assert_array_equal(F0, 0.0)
    # the moved parameters stay in the balls of radii nu / sqrt(m)
    assert np.max(np.abs(net.w - net.w_init)) <= info.nu_w / np.sqrt(width) * (1 + 1e-12)
    assert np.max(np.linalg.norm(net.U - net.U_init, axis=1)) <= (
        info.nu_u / np.sqrt(width) * (1 + 1e-12)
    )
    # F(Theta_bar) = F_lin(Theta_bar) + O(1/m); F_lin(Theta_bar) is the teacher
    F = forward(X, net.w, np.ascontiguousarray(net.U.T), c_half, code)
    assert np.max(np.abs(F - y)) < 2.0 / width


def test_teacher_call_rejects_bad_input():
    _, _, info = make_rkhs_teacher(n_samples=2, n_draws=4, n_features=3, random_state=0)
    with pytest.raises(ValueError, match="n_timesteps, 3"):
        info.teacher(np.zeros((2, 5, 2)))
    with pytest.raises(ValueError, match="NaN"):
        info.teacher(np.full((2, 5, 3), np.nan))
    with pytest.raises(ValueError, match="columns"):
        info.transport_u(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="columns"):
        info.transport_w(np.zeros(4), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="match U0"):
        info.transport_w(np.zeros(3), np.zeros((4, 3)))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(n_samples=0), ValueError, "n_samples"),
        (dict(n_samples=2.0), TypeError, "n_samples"),
        (dict(n_timesteps=0), ValueError, "n_timesteps"),
        (dict(n_features=0), ValueError, "n_features"),
        (dict(nu_w=-1.0), ValueError, "nu_w"),
        (dict(nu_u=np.inf), ValueError, "nu_u"),
        (dict(nu_u="1"), TypeError, "nu_u"),
        (dict(activation="relu"), ValueError, "activation"),
        (dict(recurrent_scale=-0.1), ValueError, "recurrent_scale"),
        (dict(n_draws=7), ValueError, "n_draws"),
        (dict(n_draws=0), ValueError, "n_draws"),
        (dict(sequence_output="yes"), TypeError, "sequence_output"),
        (dict(noise=-0.1), ValueError, "noise"),
        (dict(random_state="seed"), ValueError, "seed"),
    ],
)
def test_teacher_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_rkhs_teacher(**{"n_draws": 4, **kwargs})

"""Tests of skrnn.theory against an independent transcription of Section 4.

The reference (``paper_reference``) re-types the paper's formulas, with the
proofs' readings where a statement differs, using plain loops; it shares no
code with skrnn.theory. Theorem 2 is tested in ``test_theory_theorem2.py``,
Lemma 1 and Prop. 6 on actual networks in ``test_theory_networks.py``, and
speed and robustness over wide input ranges in ``test_theory_properties.py``.
"""

import math
import warnings

import numpy as np
import pytest
from paper_reference import (
    SIGMAS,
    ref_any_eta,
    ref_B1,
    ref_Bavg,
    ref_constants,
    ref_cor_any_eta,
    ref_mu0,
    ref_mu1,
)

from skrnn import theory

REL = 1e-12

# --------------------------------------------------------------------------
# configurations: (activation, alpha, m, rho_w, rho_u, nu_w, nu_u, T, n, d, delta)
# --------------------------------------------------------------------------

CONFIGS = [
    ("tanh", 0.5, 128, 1.0, 1.0, 1.0, 1.0, 10, 100, 3, 0.05),  # short
    ("tanh", 1.2, 64, 2.0, 0.5, 1.5, 0.25, 20, 50, 1, 0.1),  # long
    ("logistic", 1.0, 256, 1.0, 2.0, 0.5, 2.0, 15, 10, 4, 0.01),  # short
    ("logistic", 4.5, 32, 0.5, 0.5, 0.5, 0.1, 12, 200, 2, 0.2),  # long
    ("gaussian", 0.3, 512, 3.0, 1.0, 2.0, 1.0, 8, 30, 5, 0.05),  # short
    ("gaussian", 2.0, 100, 1.0, 1.0, 0.7, 0.9, 25, 7, 2, 0.05),  # long
]


def _kw(cfg):
    act, alpha, m, rw, ru, nw, nu, T, n, d, delta = cfg
    return dict(
        activation=act,
        recurrent_scale=alpha,
        width=m,
        radius_w=rw,
        radius_u=ru,
        nu_w=nw,
        nu_u=nu,
        n_timesteps=T,
        n_samples=n,
        n_features=d,
        delta=delta,
    )


def _approx(x):
    return pytest.approx(x, rel=REL, abs=0.0)


# --------------------------------------------------------------------------
# activation constants and memory sums
# --------------------------------------------------------------------------


@pytest.mark.parametrize("act", ["tanh", "logistic", "gaussian"])
def test_activation_constants_match_table_and_numeric_suprema(act):
    assert theory.activation_constants(act) == pytest.approx(SIGMAS[act], rel=1e-15)
    z = np.linspace(-8, 8, 400001)
    f = {
        "tanh": np.tanh,
        "logistic": lambda v: 1 / (1 + np.exp(-v)),
        "gaussian": lambda v: np.exp(-(v**2) / 2),
    }[act](z)
    f1 = np.gradient(f, z)
    f2 = np.gradient(f1, z)
    numeric = (np.abs(f).max(), np.abs(f1).max(), np.abs(f2).max())
    assert numeric == pytest.approx(SIGMAS[act], rel=1e-3)


@pytest.mark.parametrize("bad", ["relu", "ReLU", "softplus", None])
def test_unknown_activation_raises_naming_valid_ones(bad):
    with pytest.raises(ValueError, match="tanh") as info:
        theory.activation_constants(bad)
    assert "logistic" in str(info.value) and "gaussian" in str(info.value)


@pytest.mark.parametrize("T", [0, 1, 2, 3, 7, 64, 100, 1000, 2000])
@pytest.mark.parametrize("z", [0.0, 0.3, 0.9, 1.0 - 1e-9, 1.0, 1.0 + 1e-9, 1.05, 1.3])
def test_mu_sums_match_loops(T, z):
    assert theory.mu0(T, z) == _approx(ref_mu0(T, z))
    assert theory.mu1(T, z) == _approx(ref_mu1(T, z))


def test_mu_sums_huge_T_cheap_and_accurate():
    T = 10**6
    assert theory.mu0(T, 1.0) == T
    assert theory.mu1(T, 1.0) == T * (T + 1) / 2
    z = 1.0 - 1e-9
    x = T * math.log(z)
    exact0 = -math.expm1(x) / (1 - z)
    assert theory.mu0(T, z) == pytest.approx(exact0, rel=1e-10)
    # mu1 = (mu0 - T z^T) / (1 - z), in exact terms
    exact1 = (exact0 - T * math.exp(x)) / (1 - z)
    assert theory.mu1(T, z) == pytest.approx(exact1, rel=1e-6)
    assert theory.mu0(10**15, 0.5) == pytest.approx(2.0, rel=1e-15)
    assert theory.mu1(10**15, 0.5) == pytest.approx(4.0, rel=1e-15)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert theory.mu0(10**6, 1.001) == math.inf
        assert theory.mu1(10**6, 1.001) == math.inf


# --------------------------------------------------------------------------
# constants and bounds against the reference
# --------------------------------------------------------------------------


@pytest.mark.parametrize("cfg", CONFIGS)
def test_constants_match_reference(cfg):
    act, alpha, m, rw, ru, nw, nu, T, n, d, delta = cfg
    got = theory.theory_constants(**_kw(cfg))
    ref = ref_constants(*cfg)
    for key, value in ref.items():
        assert got[key] == _approx(value), key
    assert (got["sigma0"], got["sigma1"], got["sigma2"]) == pytest.approx(SIGMAS[act], rel=1e-15)
    expected = "short" if ref["alpha_m"] * SIGMAS[act][1] < 1 else "long"
    assert got["regime"] == expected


def test_configs_cover_both_regimes():
    regimes = {theory.theory_constants(**_kw(cfg))["regime"] for cfg in CONFIGS}
    assert regimes == {"short", "long"}


@pytest.mark.parametrize("cfg", CONFIGS)
def test_theorem1_and_corollary1_match_reference(cfg):
    act, alpha, m, rw, ru, nw, nu, T, n, d, delta = cfg
    c = ref_constants(*cfg)
    for tau in (1, 10, 1000):
        b1 = ref_B1(c, nw, nu, T, m, tau)
        assert theory.theorem1_bound(**_kw(cfg), n_iter=tau) == _approx(b1)
        assert theory.corollary1_bound(**_kw(cfg), n_iter=tau) == _approx(
            ref_Bavg(act, c, rw, ru, nw, nu, T, m, tau)
        )
        for eta in (1e-4, 0.01, 0.3):
            assert theory.theorem1_bound(**_kw(cfg), n_iter=tau, learning_rate=eta) == _approx(
                ref_any_eta(c, nw, nu, T, m, tau, eta)
            )
            assert theory.corollary1_bound(**_kw(cfg), n_iter=tau, learning_rate=eta) == _approx(
                ref_cor_any_eta(act, c, rw, ru, nw, nu, T, m, tau, eta)
            )


@pytest.mark.parametrize("cfg", CONFIGS)
def test_any_step_size_reduces_to_theorem_at_theory_step(cfg):
    act, alpha, m, rw, ru, nw, nu, T, n, d, delta = cfg
    c = ref_constants(*cfg)
    for tau in (3, 500):
        eta = 1 / (T * math.sqrt(tau))
        # the algebra: generic form == B1 and 4 * generic + extra == Bavg
        assert ref_any_eta(c, nw, nu, T, m, tau, eta) == _approx(ref_B1(c, nw, nu, T, m, tau))
        assert ref_cor_any_eta(act, c, rw, ru, nw, nu, T, m, tau, eta) == _approx(
            ref_Bavg(act, c, rw, ru, nw, nu, T, m, tau)
        )
        # the library: passing the theory step explicitly gives B1 exactly
        b_none = theory.theorem1_bound(**_kw(cfg), n_iter=tau)
        assert theory.theorem1_bound(**_kw(cfg), n_iter=tau, learning_rate=eta) == b_none
        a_none = theory.corollary1_bound(**_kw(cfg), n_iter=tau)
        assert theory.corollary1_bound(**_kw(cfg), n_iter=tau, learning_rate=eta) == a_none
        # a step a hair away uses the generic form, which is continuous there
        near = theory.theorem1_bound(**_kw(cfg), n_iter=tau, learning_rate=eta * (1 + 1e-9))
        assert near == pytest.approx(b_none, rel=1e-8)
        # the theory step minimizes neither form exactly, but the average bound
        # is four times the best-iterate one plus a nonnegative term
        for lr in (eta / 3, 3 * eta):
            best = theory.theorem1_bound(**_kw(cfg), n_iter=tau, learning_rate=lr)
            avg = theory.corollary1_bound(**_kw(cfg), n_iter=tau, learning_rate=lr)
            assert avg >= 4 * best


@pytest.mark.parametrize("cfg", CONFIGS)
def test_prop3_and_ntk_bound_match_reference(cfg):
    act, alpha, m, rw, ru, nw, nu, T, n, d, delta = cfg
    s0, s1, _ = SIGMAS[act]
    for M in (1, 64, 4096):
        ref = (
            2
            * ref_mu0(T, alpha * s1)
            * s1
            * (nu + s0 * nw)
            * math.sqrt(2 * math.log(2 * n * T / delta) / (2 * M))
        )
        got = theory.prop3_bound(
            activation=act,
            recurrent_scale=alpha,
            width=2 * M,
            nu_w=nw,
            nu_u=nu,
            n_timesteps=T,
            n_samples=n,
            delta=delta,
        )
        assert got == _approx(ref)
        value, details = theory.ntk_bound(
            activation=act,
            recurrent_scale=alpha,
            n_mc_samples=M,
            nu_w=nw,
            nu_u=nu,
            n_timesteps=T,
            n_samples=n,
            delta=delta,
            max_input_norm=1.0,
        )
        assert value == _approx(ref)
        assert details["width"] == 2 * M
        assert details["regime"] == ("short" if alpha * s1 < 1 else "long")
        assert "Proposition 3" in details["result"]


# --------------------------------------------------------------------------
# the estimator entry point
# --------------------------------------------------------------------------


def _gd_kw(cfg, **over):
    kw = _kw(cfg)
    kw.update(n_iter=1000, learning_rate=None, iterate="best", max_input_norm=1.0)
    kw.update(over)
    return kw


@pytest.mark.parametrize("cfg", CONFIGS[:3])
def test_gd_rnn_bound_projected(cfg):
    act, alpha, m, rw, ru, nw, nu, T, n, d, delta = cfg
    c = ref_constants(*cfg)
    value, det = theory.gd_rnn_bound(**_gd_kw(cfg))
    assert value == _approx(ref_B1(c, nw, nu, T, m, 1000))
    assert det["result"] == "Theorem 1 (best iterate)"
    for key in (
        "alpha_m",
        "mu0",
        "mu1",
        "L_T",
        "beta_T",
        "Lambda_T",
        "gamma_T",
        "Fmax",
        "ymax",
        "err",
    ):
        assert det[key] == _approx(c[key]), key
    for key in (
        "regime",
        "nu_w",
        "nu_u",
        "delta",
        "n_iter",
        "learning_rate",
        "max_input_norm",
        "width",
        "radius_w",
        "radius_u",
        "n_timesteps",
        "n_samples",
        "n_features",
        "sigma0",
        "sigma1",
        "sigma2",
    ):
        assert key in det, key
    assert det["learning_rate"] == det["theory_learning_rate"] == 1 / (T * math.sqrt(1000))

    # the estimator passes the choice "theory" itself: the same value and result
    v_theory, det_theory = theory.gd_rnn_bound(**_gd_kw(cfg, learning_rate="theory"))
    assert v_theory == value and det_theory["result"] == "Theorem 1 (best iterate)"
    # a float that equals the theory step up to rounding is not recognized as
    # the theory step (no guessing), but the generic form agrees up to rounding
    v2, det2 = theory.gd_rnn_bound(**_gd_kw(cfg, learning_rate=1 / T / 1000**0.5))
    assert v2 == pytest.approx(value, rel=1e-13)
    assert "any step size" in det2["result"]

    value, det = theory.gd_rnn_bound(**_gd_kw(cfg, learning_rate=0.05))
    assert value == _approx(ref_any_eta(c, nw, nu, T, m, 1000, 0.05))
    assert "any step size" in det["result"] and det["learning_rate"] == 0.05

    value, det = theory.gd_rnn_bound(**_gd_kw(cfg, iterate="average"))
    assert value == _approx(ref_Bavg(act, c, rw, ru, nw, nu, T, m, 1000))
    assert det["result"].startswith("Corollary 1")

    value, det = theory.gd_rnn_bound(**_gd_kw(cfg, iterate="last"))
    assert value == _approx(ref_B1(c, nw, nu, T, m, 1000))
    assert "last iterate" in det["note"]


def test_gd_rnn_bound_nu_defaults_to_radius():
    cfg = CONFIGS[1]
    act, alpha, m, rw, ru, nw, nu, T, n, d, delta = cfg
    value, det = theory.gd_rnn_bound(**_gd_kw(cfg, nu_w=None, nu_u=None))
    assert det["nu_w"] == rw and det["nu_u"] == ru
    c = ref_constants(act, alpha, m, rw, ru, rw, ru, T, n, d, delta)
    assert value == _approx(ref_B1(c, rw, ru, T, m, 1000))


def test_gd_rnn_bound_nu_above_radius_is_nan_with_warning():
    cfg = CONFIGS[0]
    with pytest.warns(UserWarning, match="nu_w"):
        value, det = theory.gd_rnn_bound(**_gd_kw(cfg, nu_w=2.0))
    assert math.isnan(value) and "reason" in det
    with pytest.warns(UserWarning, match="rho >= nu"):
        assert math.isnan(theory.theorem1_bound(**dict(_kw(cfg), nu_u=5.0), n_iter=10))
    with pytest.raises(ValueError):
        theory.theorem1_requirements(
            0.1,
            activation="tanh",
            recurrent_scale=0.5,
            radius_w=1.0,
            radius_u=1.0,
            nu_w=2.0,
            nu_u=1.0,
            n_timesteps=5,
            n_samples=10,
            n_features=1,
            delta=0.05,
        )


def test_gd_rnn_bound_one_radius_is_nan_with_warning():
    with pytest.warns(UserWarning, match="only one"):
        value, _ = theory.gd_rnn_bound(**_gd_kw(CONFIGS[0], radius_u=None))
    assert math.isnan(value)


@pytest.mark.parametrize("norm", [1.0 + 1e-6, 2.0, 100.0, math.inf, math.nan])
def test_input_norm_above_one_gives_nan_and_warning(norm):
    cfg = CONFIGS[0]
    for over in ({}, {"radius_w": None, "radius_u": None}):
        with pytest.warns(UserWarning, match="skrnn.preprocessing"):
            value, det = theory.gd_rnn_bound(**_gd_kw(cfg, max_input_norm=norm, **over))
        assert math.isnan(value)
        assert "||X_t||" in det["reason"]
    with pytest.warns(UserWarning, match=r"<= 1"):
        value, _ = theory.ntk_bound(
            activation="tanh",
            recurrent_scale=0.5,
            n_mc_samples=8,
            nu_w=1.0,
            nu_u=1.0,
            n_timesteps=5,
            n_samples=10,
            delta=0.05,
            max_input_norm=norm,
        )
    assert math.isnan(value)


def test_input_norm_slack_and_none_accepted():
    cfg = CONFIGS[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for norm in (1.0 + 1e-13, 0.3, None):
            value, _ = theory.gd_rnn_bound(**_gd_kw(cfg, max_input_norm=norm))
            assert math.isfinite(value)


def test_memory_regime_cutoff():
    assert theory.memory_regime(activation="tanh", recurrent_scale=1.0) == "long"
    below = math.nextafter(1.0, 0.0)
    assert theory.memory_regime(activation="tanh", recurrent_scale=below) == "short"
    assert theory.memory_regime(activation="logistic", recurrent_scale=4.0) == "long"
    assert theory.memory_regime(activation="logistic", recurrent_scale=3.999) == "short"
    # the projection radius pushes alpha_m = alpha + rho_w / sqrt(m) over the edge
    assert (
        theory.memory_regime(activation="tanh", recurrent_scale=0.9, width=100, radius_w=1.0)
        == "long"
    )
    assert (
        theory.memory_regime(activation="tanh", recurrent_scale=0.9, width=100, radius_w=0.999)
        == "short"
    )
    kw = _gd_kw(CONFIGS[0], recurrent_scale=0.9, width=100, radius_w=1.0, nu_w=0.5)
    assert theory.gd_rnn_bound(**kw)[1]["regime"] == "long"
    kw["radius_w"] = 0.99
    assert theory.gd_rnn_bound(**kw)[1]["regime"] == "short"


# --------------------------------------------------------------------------
# overflow safety
# --------------------------------------------------------------------------


def test_long_memory_overflow_is_inf_without_warnings():
    kw = dict(
        activation="tanh",
        recurrent_scale=1.5,
        width=128,
        radius_w=1.0,
        radius_u=1.0,
        nu_w=None,
        nu_u=None,
        n_timesteps=2000,
        n_samples=100,
        n_features=3,
        delta=0.05,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        consts = theory.theory_constants(**kw)
        for key in ("mu0", "mu1", "L_T", "beta_T", "Lambda_T", "gamma_T", "Fmax", "ymax", "err"):
            assert consts[key] == math.inf, key
        assert consts["regime"] == "long"
        assert theory.theorem1_bound(**kw, n_iter=100) == math.inf
        assert theory.corollary1_bound(**kw, n_iter=100, learning_rate=0.1) == math.inf
        for iterate in ("best", "average", "last"):
            value, det = theory.gd_rnn_bound(
                **dict(kw, n_iter=100, learning_rate=None, iterate=iterate, max_input_norm=1.0)
            )
            assert value == math.inf
        plain = dict(
            kw,
            radius_w=None,
            radius_u=None,
            n_iter=100,
            learning_rate=1e-3,
            iterate="best",
            max_input_norm=1.0,
        )
        value, det = theory.gd_rnn_bound(**plain)
        assert value == math.inf and det["eps_star"] == math.inf
        assert not any(isinstance(v, float) and math.isnan(v) for v in det.values())
        assert (
            theory.prop3_bound(
                activation="tanh",
                recurrent_scale=1.5,
                width=64,
                nu_w=1,
                nu_u=1,
                n_timesteps=2000,
                n_samples=10,
                delta=0.1,
            )
            == math.inf
        )
        reqs = dict(kw)
        del reqs["width"]
        assert theory.theorem1_requirements(0.5, **reqs) == (math.inf, math.inf)
        r2 = theory.theorem2_requirements(
            0.5,
            activation="tanh",
            recurrent_scale=1.5,
            n_timesteps=2000,
            n_samples=10,
            n_features=3,
            delta=0.05,
        )
        assert r2["width"] == math.inf and r2["n_iter"] == math.inf
        assert r2["learning_rate"] == 0.0
        # zero radius and zero complexity: 0 * (overflowed constant) is 0, not NaN
        zero = dict(kw, radius_w=0.0, radius_u=0.0, nu_w=0.0, nu_u=0.0)
        c0 = theory.theory_constants(**zero)
        assert c0["Fmax"] == 0.0 and c0["ymax"] == 0.0 and c0["err"] == 0.0
        assert theory.theorem1_bound(**zero, n_iter=10) == 0.0
        assert math.isinf(theory.mu0(10**9, 1.5))


# --------------------------------------------------------------------------
# Theorem 1 inverse
# --------------------------------------------------------------------------


@pytest.mark.parametrize("cfg", [CONFIGS[0], CONFIGS[2], CONFIGS[3], CONFIGS[4]])
@pytest.mark.parametrize("eps", [5.0, 0.5])
def test_theorem1_requirements_consistent_and_minimal_for_the_split(cfg, eps):
    act, alpha, _, rw, ru, nw, nu, T, n, d, delta = cfg
    kw = _kw(cfg)
    del kw["width"]
    m, tau = theory.theorem1_requirements(eps, **kw)
    assert m % 2 == 0

    def terms(width, iters):
        c = ref_constants(act, alpha, width, rw, ru, nw, nu, T, n, d, delta)
        phi = c["Fmax"] + c["ymax"]
        opt = T / math.sqrt(iters) * ((nw**2 + nu**2) / 2 + c["L_T"] ** 2 / 2 * phi**2)
        lin = T * phi / math.sqrt(width) * c["err"]
        return opt, lin

    opt, lin = terms(m, tau)
    assert opt <= eps / 2 * (1 + 1e-12) and lin <= eps / 2 * (1 + 1e-12)
    assert ref_B1(
        ref_constants(act, alpha, m, rw, ru, nw, nu, T, n, d, delta), nw, nu, T, m, tau
    ) <= eps * (1 + 1e-12)
    assert theory.theorem1_bound(**_kw(cfg) | {"width": m}, n_iter=tau) <= eps
    if m > 2:
        assert terms(m - 2, tau)[1] > eps / 2 * (1 - 1e-12)
    if tau > 1:
        assert terms(m, tau - 1)[0] > eps / 2 * (1 - 1e-12)


# --------------------------------------------------------------------------
# the step choice, max_iter=0, validation and the public surface
# --------------------------------------------------------------------------


def test_theory_step_is_the_choice_not_a_guess():
    cfg = CONFIGS[0]
    act, alpha, m, rw, ru, nw, nu, T, n, d, delta = cfg
    c = ref_constants(*cfg)
    tau = 400
    step = 1 / (T * math.sqrt(tau))
    for iterate, reference in (
        ("best", ref_B1(c, nw, nu, T, m, tau)),
        ("average", ref_Bavg(act, c, rw, ru, nw, nu, T, m, tau)),
    ):
        value, det = theory.gd_rnn_bound(
            **_gd_kw(cfg, n_iter=tau, learning_rate="theory", iterate=iterate)
        )
        assert value == _approx(reference)
        assert "any step size" not in det["result"]
        assert det["learning_rate"] == det["theory_learning_rate"] == step
        # any float is the generic form, whatever its value: a step chosen by
        # other means (a curvature estimate, say) that lands on 1/(T sqrt(tau))
        for eta in (step, 2 * step, 1e-9, 7.5):
            value, det = theory.gd_rnn_bound(
                **_gd_kw(cfg, n_iter=tau, learning_rate=eta, iterate=iterate)
            )
            generic = ref_any_eta(c, nw, nu, T, m, tau, eta)
            if iterate == "average":
                generic = ref_cor_any_eta(act, c, rw, ru, nw, nu, T, m, tau, eta)
            assert value == _approx(generic)
            assert "any step size" in det["result"] and det["learning_rate"] == eta
    with pytest.raises(ValueError, match="learning_rate"):
        theory.gd_rnn_bound(**_gd_kw(cfg, learning_rate="auto"))


@pytest.mark.parametrize("over", [{}, {"radius_w": None, "radius_u": None}])
@pytest.mark.parametrize("learning_rate", ["theory", 0.01])
def test_no_iteration_gives_inf_with_a_note(over, learning_rate):
    cfg = CONFIGS[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, det = theory.gd_rnn_bound(
            **_gd_kw(cfg, n_iter=0, learning_rate=learning_rate, **over)
        )
    assert value == math.inf
    assert det["n_iter"] == 0 and "no gradient step" in det["note"]
    T = cfg[7]
    assert det["theory_learning_rate"] == 1 / T  # tau = max(n_iter, 1)
    # a theorem that does not apply still says NaN, with its reason
    with pytest.warns(UserWarning, match="rho >= nu"):
        value, det = theory.gd_rnn_bound(**_gd_kw(cfg, n_iter=0, nu_w=5.0, **{}))
    assert math.isnan(value) and "reason" in det
    with pytest.warns(UserWarning, match="skrnn.preprocessing"):
        value, _ = theory.gd_rnn_bound(**_gd_kw(cfg, n_iter=0, max_input_norm=3.0, **over))
    assert math.isnan(value)
    with pytest.raises(ValueError, match="n_iter"):
        theory.gd_rnn_bound(**_gd_kw(cfg, n_iter=-1))
    with pytest.raises(ValueError, match="n_iter"):
        theory.theorem1_bound(**_kw(cfg), n_iter=0)


@pytest.mark.parametrize(
    "name, bad, error",
    [
        ("recurrent_scale", -0.1, ValueError),
        ("recurrent_scale", math.nan, ValueError),
        ("recurrent_scale", math.inf, ValueError),
        ("recurrent_scale", "0.5", TypeError),
        ("recurrent_scale", True, TypeError),
        ("width", 0, ValueError),
        ("width", 2.0, TypeError),
        ("width", np.bool_(True), TypeError),
        ("width", 10**400, ValueError),
        ("radius_w", -1.0, ValueError),
        ("radius_u", math.nan, ValueError),
        ("nu_w", -1e-300, ValueError),
        ("nu_u", math.inf, ValueError),
        ("n_timesteps", 0, ValueError),
        ("n_samples", 1.5, TypeError),
        ("n_features", False, TypeError),
        ("delta", 0.0, ValueError),
        ("delta", 1.0, ValueError),
        ("delta", None, TypeError),
    ],
)
def test_every_input_is_validated_with_its_name(name, bad, error):
    kw = _kw(CONFIGS[0])
    kw[name] = bad
    calls = [
        lambda: theory.theory_constants(**kw),
        lambda: theory.theorem1_bound(**kw, n_iter=10),
        lambda: theory.corollary1_bound(**kw, n_iter=10, learning_rate=0.1),
        lambda: theory.gd_rnn_bound(
            **kw, n_iter=10, learning_rate="theory", iterate="best", max_input_norm=1.0
        ),
    ]
    if name not in ("width", "radius_w", "radius_u"):
        reqs = {k: v for k, v in kw.items() if k != "width"}
        calls.append(lambda: theory.theorem1_requirements(0.5, **reqs))
        plain = {k: v for k, v in reqs.items() if k not in ("radius_w", "radius_u")}
        calls.append(lambda: theory.theorem2_requirements(0.5, **plain))
    for call in calls:
        with pytest.raises(error, match=name):
            call()


def test_scalar_arguments_are_validated():
    kw = _kw(CONFIGS[0])
    plain = {k: v for k, v in kw.items() if k not in ("width", "radius_w", "radius_u")}
    for bad in (0.0, -1.0, math.nan, math.inf, "1"):
        with pytest.raises((ValueError, TypeError), match="eps"):
            theory.theorem2_requirements(bad, **plain)
    for bad in (0.0, -1.0, math.nan, "1"):
        with pytest.raises((ValueError, TypeError), match="learning_rate"):
            theory.theorem1_bound(**kw, n_iter=10, learning_rate=bad)
    with pytest.raises(ValueError, match="iterate"):
        theory.gd_rnn_bound(**_gd_kw(CONFIGS[0], iterate="first"))
    with pytest.raises(TypeError, match="radius_u"):
        theory.theorem1_bound(**dict(kw, radius_u=None), n_iter=10)
    with pytest.raises(ValueError, match="T"):
        theory.mu0(-1, 0.5)
    with pytest.raises(ValueError, match="z"):
        theory.mu1(3, -0.5)
    with pytest.raises(ValueError, match="n_mc_samples"):
        theory.ntk_bound(
            activation="tanh",
            recurrent_scale=0.5,
            n_mc_samples=0,
            nu_w=1.0,
            nu_u=1.0,
            n_timesteps=5,
            n_samples=10,
            delta=0.05,
            max_input_norm=1.0,
        )


def test_public_names_and_import_paths_are_unchanged():
    expected = [
        "ACTIVATIONS",
        "activation_constants",
        "mu0",
        "mu1",
        "memory_regime",
        "theory_constants",
        "theorem1_bound",
        "corollary1_bound",
        "theorem1_requirements",
        "theorem2_certified_risk",
        "theorem2_requirements",
        "prop3_bound",
        "gd_rnn_bound",
        "ntk_bound",
    ]
    assert theory.__all__ == expected
    import skrnn

    namespace = {}
    exec("from skrnn.theory import " + ", ".join(expected), namespace)  # noqa: S102
    for name in expected:
        assert namespace[name] is getattr(skrnn.theory, name) is getattr(theory, name)
        if callable(namespace[name]):
            assert namespace[name].__module__ == "skrnn.theory"
    assert theory.ACTIVATIONS == ("gaussian", "logistic", "tanh")

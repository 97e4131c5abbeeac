"""Theorem 2 (gradient descent without projection) against the reference transcription."""

import math
import warnings

import pytest
from paper_reference import ref_theorem2, ref_theorem2_ok

from skrnn import theory

# --------------------------------------------------------------------------
# Theorem 2
# --------------------------------------------------------------------------

T2_SETTINGS = [
    ("tanh", 0.5, 1.0, 1.0, 10, 100, 3, 0.05),
    ("logistic", 3.0, 0.5, 1.0, 30, 100, 2, 0.05),
    ("gaussian", 1.0, 1.0, 0.3, 6, 20, 1, 0.1),
]


def _t2_kw(s):
    act, alpha, nw, nu, T, n, d, delta = s
    return dict(
        activation=act,
        recurrent_scale=alpha,
        nu_w=nw,
        nu_u=nu,
        n_timesteps=T,
        n_samples=n,
        n_features=d,
        delta=delta,
    )


@pytest.mark.parametrize("s", T2_SETTINGS)
@pytest.mark.parametrize("eps", [0.05, 0.5])
def test_theorem2_requirements_meet_conditions_and_are_tight(s, eps):
    act, alpha, nw, nu, T, n, d, delta = s
    r = theory.theorem2_requirements(eps, **_t2_kw(s))
    eta_max, m_min, tau0_eta = ref_theorem2(act, alpha, eps, nw, nu, T, n, d, delta)
    assert r["learning_rate"] == pytest.approx(eta_max, rel=1e-12)
    assert r["width"] % 2 == 0
    assert m_min * (1 - 1e-12) <= r["width"] < m_min * (1 + 1e-12) + 2
    assert r["n_iter"] >= tau0_eta / r["learning_rate"] * (1 - 1e-12)
    assert r["n_iter"] - 1 < tau0_eta / r["learning_rate"] * (1 + 1e-12)
    assert r["certified_risk"] == 2.25 * eps
    assert r["alpha_target"] == alpha + math.sqrt(2 * eps)


@pytest.mark.parametrize("s", T2_SETTINGS)
def test_theorem2_certified_risk_is_the_smallest_admissible_eps(s):
    act, alpha, nw, nu, T, n, d, delta = s
    kw = _t2_kw(s)
    r = theory.theorem2_requirements(0.1, **kw)
    runs = [
        (r["width"], r["learning_rate"], r["n_iter"]),  # floor = 0.1
        (r["width"] * 4, r["learning_rate"], r["n_iter"] * 50),  # bisected boundary
        (r["width"] * 2, r["learning_rate"] / 4, r["n_iter"] * 4),
    ]
    for m, eta, tau in runs:
        value, det = theory.gd_rnn_bound(
            activation=act,
            recurrent_scale=alpha,
            width=m,
            radius_w=None,
            radius_u=None,
            nu_w=nw,
            nu_u=nu,
            n_timesteps=T,
            n_samples=n,
            n_features=d,
            delta=delta,
            n_iter=tau,
            learning_rate=eta,
            iterate="best",
            max_input_norm=1.0,
        )
        eps = det["eps_star"]
        assert math.isfinite(eps) and value == 2.25 * eps
        assert value == theory.theorem2_certified_risk(width=m, learning_rate=eta, n_iter=tau, **kw)
        assert det["result"].startswith("Theorem 2")
        assert det["alpha_target"] == alpha + math.sqrt(2 * eps)
        args = (act, alpha)
        rest = (nw, nu, T, n, d, delta, m, eta, tau)
        assert ref_theorem2_ok(*args, eps, *rest, slack=1e-12)
        assert not ref_theorem2_ok(*args, eps * (1 - 1e-11), *rest)
        for k in range(-320, 321):  # nothing admissible on the grid below eps*
            g = 10.0 ** (k / 20)
            if g >= eps * (1 - 1e-11):
                break
            assert not ref_theorem2_ok(*args, g, *rest)
        # the certified level is at most the one the run was sized for
        assert eps <= 0.1 * (1 + 1e-9)


def test_theorem2_narrow_admissible_interval_is_found():
    # eta exactly at its bound for eps=0.1, width and iterations with 2% slack:
    # the admissible set is a sliver around 0.1, far narrower than the grid
    s = T2_SETTINGS[0]
    act, alpha, nw, nu, T, n, d, delta = s
    r = theory.theorem2_requirements(0.1, **_t2_kw(s))
    m, eta, tau = int(r["width"] * 1.02), r["learning_rate"], int(r["n_iter"] * 1.02)
    value = theory.theorem2_certified_risk(width=m, learning_rate=eta, n_iter=tau, **_t2_kw(s))
    eps = value / 2.25
    assert 0.09 < eps <= 0.1 * (1 + 1e-9)
    assert ref_theorem2_ok(act, alpha, eps, nw, nu, T, n, d, delta, m, eta, tau, slack=1e-12)
    assert not ref_theorem2_ok(act, alpha, 0.9 * eps, nw, nu, T, n, d, delta, m, eta, tau)
    assert not ref_theorem2_ok(act, alpha, 1.1 * eps, nw, nu, T, n, d, delta, m, eta, tau)


def test_theorem2_tiny_width_is_inf():
    for s in T2_SETTINGS:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            v = theory.theorem2_certified_risk(
                width=2, learning_rate=1e-3, n_iter=1000, **_t2_kw(s)
            )
        assert v == math.inf


def test_theorem2_plain_gd_defaults_nu_to_one():
    kw = dict(
        activation="tanh",
        recurrent_scale=0.5,
        width=10**20,
        radius_w=None,
        radius_u=None,
        nu_w=None,
        nu_u=None,
        n_timesteps=5,
        n_samples=10,
        n_features=1,
        delta=0.05,
        n_iter=10**14,
        learning_rate=1e-12,
        iterate="average",
        max_input_norm=1.0,
    )
    value, det = theory.gd_rnn_bound(**kw)
    assert det["nu_w"] == 1.0 and det["nu_u"] == 1.0
    assert value == theory.theorem2_certified_risk(
        activation="tanh",
        recurrent_scale=0.5,
        width=10**20,
        learning_rate=1e-12,
        n_iter=10**14,
        nu_w=1.0,
        nu_u=1.0,
        n_timesteps=5,
        n_samples=10,
        n_features=1,
        delta=0.05,
    )
    assert math.isfinite(value)
    assert "best iterate" in det["note"]

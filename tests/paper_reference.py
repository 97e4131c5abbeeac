"""The tests' own transcription of the paper's Section 4 formulas.

Cayci & Eryilmaz, "Convergence of Gradient Descent for Recurrent Neural
Networks: A Nonasymptotic Analysis": Lemmas 1-2, eq. (31), Prop. 6, eq. (19),
Theorem 1, Corollary 1 (also for any step size) and Theorem 2, with the
proofs' readings where a statement differs (Lemma 1's modulus is the square
root of the stated value, ``alpha_m`` inside ``beta_t``, Theorem 2's
``lambda`` carries ``sqrt(T)``).

Written with plain loops and products, sharing no code with
:mod:`skrnn.theory`; products rather than ``**`` so that an overflow gives
``inf`` (a failed condition) instead of an exception. Used by
``test_theory*.py`` and ``test_paper_claims.py``.
"""

import math

#: (sigma0, sigma1, sigma2) = sup |sigma|, |sigma'|, |sigma''| (eq. 4)
SIGMAS = {
    "tanh": (1.0, 1.0, 4.0 / (3.0 * math.sqrt(3.0))),
    "logistic": (1.0, 0.25, 1.0 / (6.0 * math.sqrt(3.0))),
    "gaussian": (1.0, math.exp(-0.5), 1.0),
}


def ref_mu0(T, z):
    return sum(z**k for k in range(T))


def ref_mu1(T, z):
    return sum((k + 1) * z**k for k in range(T))


def ref_lipschitz(act, a, T, d):
    """Lemmas 1-2 and eq. (31) for ``|w_i| <= a``."""
    s0, s1, s2 = SIGMAS[act]
    M0, M1 = ref_mu0(T, a * s1), ref_mu1(T, a * s1)
    L = s1 * M0 * math.sqrt(1 + s0 * s0)
    beta = (
        d * s2 * (a * s1 * M0 + 1) * M1
        + math.sqrt(d) * (s1 * s1 * M0 * M0 + s0 * s1 * M0 * M1 + M1 * (s1 + s2 + a * s1 * s2 * M0))
        + s1 * s1 * M0 * M0
        + s0 * s2 * M1 * (a * s1 * M0 + 1)
    )
    Lam = math.sqrt(2) * (s0 + 1 + a * L)
    gam = math.sqrt(2) * (L + a * beta)
    return dict(mu0=M0, mu1=M1, L_T=L, beta_T=beta, Lambda_T=Lam, gamma_T=gam)


def ref_err(act, c, rho_w, rho_u, nu_w, nu_u, T, n, delta):
    """Eq. (19) with the constants ``c`` of :func:`ref_lipschitz`."""
    _, s1, s2 = SIGMAS[act]
    rho2 = rho_w * rho_w + rho_u * rho_u
    return (
        c["L_T"] * math.sqrt(nu_u * nu_u + nu_w * nu_w) * math.sqrt(math.log(2 * T * n / delta))
        + 2 * rho2 * (s2 * c["Lambda_T"] * c["Lambda_T"] + s1 * c["gamma_T"])
        + 2 * c["beta_T"] * rho2
    )


def ref_ymax(act, alpha, T, nu_w, nu_u):
    """Prop. 6's bound on the targets, at ``alpha`` (not ``alpha_m``)."""
    s0, s1, _ = SIGMAS[act]
    return s1 * ref_mu0(T, alpha * s1) * (nu_u + s0 * nu_w)


def ref_constants(act, alpha, m, rho_w, rho_u, nu_w, nu_u, T, n, d, delta):
    """Every constant of projected gradient descent at width ``m``."""
    alpha_m = alpha + rho_w / math.sqrt(m)
    c = ref_lipschitz(act, alpha_m, T, d)
    c["alpha_m"] = alpha_m
    c["Fmax"] = c["L_T"] * math.sqrt(rho_w * rho_w + rho_u * rho_u)
    c["ymax"] = ref_ymax(act, alpha, T, nu_w, nu_u)
    c["err"] = ref_err(act, c, rho_w, rho_u, nu_w, nu_u, T, n, delta)
    return c


def ref_B1(c, nu_w, nu_u, T, m, tau):
    """Theorem 1 at its own step ``1 / (T sqrt(tau))``."""
    phi = c["Fmax"] + c["ymax"]
    return (T / math.sqrt(tau)) * (
        (nu_w**2 + nu_u**2) / 2 + c["L_T"] ** 2 / 2 * phi**2
    ) + T * phi / math.sqrt(m) * c["err"]


def ref_corollary_term(act, c, rho_w, rho_u, m):
    """Corollary 1's last term."""
    _, s1, s2 = SIGMAS[act]
    return 6 / m * (c["Lambda_T"] ** 2 * s2 + c["gamma_T"] * s1) * (rho_w**2 + rho_u**2)


def ref_Bavg(act, c, rho_w, rho_u, nu_w, nu_u, T, m, tau):
    """Corollary 1 at the theory step."""
    phi = c["Fmax"] + c["ymax"]
    return (
        2 * T / math.sqrt(tau) * ((nu_w**2 + nu_u**2) + c["L_T"] ** 2 * phi**2)
        + 4 * T * phi / math.sqrt(m) * c["err"]
        + ref_corollary_term(act, c, rho_w, rho_u, m)
    )


def ref_any_eta(c, nu_w, nu_u, T, m, tau, eta):
    """Theorem 1's proof before the step size is substituted."""
    phi = c["Fmax"] + c["ymax"]
    N0 = nu_w**2 + nu_u**2
    return (
        N0 / (2 * eta * tau)
        + T * phi * c["err"] / math.sqrt(m)
        + eta * T**2 * phi**2 * c["L_T"] ** 2 / 2
    )


def ref_cor_any_eta(act, c, rho_w, rho_u, nu_w, nu_u, T, m, tau, eta):
    """Corollary 1 for any step size."""
    return 4 * ref_any_eta(c, nu_w, nu_u, T, m, tau, eta) + ref_corollary_term(
        act, c, rho_w, rho_u, m
    )


def ref_theorem1_family(act, alpha, m, rho_w, rho_u, nu_w, nu_u, T, n, d, delta, tau, eta):
    """The constants plus ``B1``, ``Bavg`` and both any-step-size forms at ``eta``."""
    c = ref_constants(act, alpha, m, rho_w, rho_u, nu_w, nu_u, T, n, d, delta)
    c["B1"] = ref_B1(c, nu_w, nu_u, T, m, tau)
    c["Bavg"] = ref_Bavg(act, c, rho_w, rho_u, nu_w, nu_u, T, m, tau)
    c["best_any_step"] = ref_any_eta(c, nu_w, nu_u, T, m, tau, eta)
    c["average_any_step"] = ref_cor_any_eta(act, c, rho_w, rho_u, nu_w, nu_u, T, m, tau, eta)
    return c


def ref_theorem2(act, alpha, eps, nu_w, nu_u, T, n, d, delta):
    """Theorem 2 at ``eps``: ``(eta_max, m_min, tau0 * eta)``."""
    c = ref_lipschitz(act, alpha + math.sqrt(2 * eps), T, d)
    L, N0 = c["L_T"], nu_w * nu_w + nu_u * nu_u
    lam = L * math.sqrt(T) * N0 / math.sqrt(eps)
    err = ref_err(act, c, lam, lam, nu_w, nu_u, T, n, delta)
    phi = L * math.sqrt(2 * lam * lam) + ref_ymax(act, alpha, T, nu_w, nu_u)
    eta_max = eps / (2 * T * T * L * L * phi * phi)
    m_min = (err * err + lam * lam) / (2 * eps)
    tau0_eta = N0 / ((math.sqrt(2) + 1) ** 2 * eps)
    return eta_max, m_min, tau0_eta


def ref_theorem2_ok(act, alpha, eps, nu_w, nu_u, T, n, d, delta, m, eta, tau, slack=0.0):
    """Whether a run ``(m, eta, tau)`` meets Theorem 2's three conditions at ``eps``."""
    eta_max, m_min, tau0_eta = ref_theorem2(act, alpha, eps, nu_w, nu_u, T, n, d, delta)
    return (
        eta <= eta_max * (1 + slack)
        and m >= m_min * (1 - slack)
        and tau >= tau0_eta / eta * (1 - slack)
    )


def ref_theorem2_holds(act, alpha, eps, nu_w, nu_u, T, n, d, delta, m, eta, tau):
    """:func:`ref_theorem2_ok` without slack."""
    return ref_theorem2_ok(act, alpha, eps, nu_w, nu_u, T, n, d, delta, m, eta, tau)

"""Constants and convergence bounds of Cayci & Eryilmaz, Section 4.

This module turns the nonasymptotic results of "Convergence of Gradient
Descent for Recurrent Neural Networks: A Nonasymptotic Analysis" (Cayci &
Eryilmaz) into numbers:

* the activation constants of eq. (4) and the memory sums ``mu0_t``,
  ``mu1_t``;
* the local Lipschitz/smoothness constants of Lemmas 1-2 and eq. (31), the
  norm bounds of Proposition 6 and the error term of eq. (19);
* Theorem 1 (best iterate of max-norm projected gradient descent),
  Corollary 1 (average iterate), both also for an arbitrary step size;
* Theorem 2 (gradient descent without projection), evaluated backwards: the
  smallest risk level it certifies for a finished run;
* Proposition 3 (random-feature approximation of the kernel class,
  union bound of Proposition 5);
* the width and iteration counts Theorems 1 and 2 ask for a target risk;
* the memory regime of Remark 5.

Where the paper's statements and proofs disagree, the proofs are followed
(the Lipschitz modulus of Lemma 1 is the square root of the stated value,
``alpha_m`` inside ``beta_t``, and Theorem 2's ``lambda`` carries the
``sqrt(T)`` of its proof).

Everything is plain Python floating point. In the long-memory regime the
constants grow like ``(alpha_m * sigma1) ** T`` and overflow quickly; such
values come back as ``inf``: no function here raises ``OverflowError``,
returns NaN for an overflow or emits a ``RuntimeWarning``. A NaN is only
returned, with a ``UserWarning`` that says why, when a theorem does not
apply to the inputs (inputs with norm above 1, target complexity above the
projection radius).

The two entry points used by the estimators are :func:`gd_rnn_bound` and
:func:`ntk_bound`.
"""

import math
import warnings

from ._validation import check_int, check_real

__all__ = [
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

_SQRT3 = math.sqrt(3.0)
_SQRT2 = math.sqrt(2.0)

#: ``(sigma0, sigma1, sigma2)`` = sup of ``|sigma|``, ``|sigma'|``, ``|sigma''|`` (eq. 4)
_ACTIVATION_CONSTANTS = {
    "tanh": (1.0, 1.0, 4.0 / (3.0 * _SQRT3)),
    "logistic": (1.0, 0.25, 1.0 / (6.0 * _SQRT3)),
    "gaussian": (1.0, math.exp(-0.5), 1.0),
}

#: activations covered by the theory
ACTIVATIONS = tuple(sorted(_ACTIVATION_CONSTANTS))

#: tolerance on ``max_t ||X_t|| <= 1`` (rounding of a rescaled input)
_INPUT_NORM_SLACK = 1e-12

#: Theorem 2 search grid: ``10 ** (k / 20)`` for ``eps`` in ``[1e-16, 1e16]``
_EPS_GRID = tuple(10.0 ** (k / 20.0) for k in range(-320, 321))

#: largest width :func:`theorem1_requirements` looks at before giving up
_MAX_WIDTH_EXPONENT = 1000

_ITERATES = ("best", "average", "last")


# --------------------------------------------------------------------------
# small helpers (all overflow-safe on Python floats)
# --------------------------------------------------------------------------


def _prod(*factors):
    """Product of nonnegative factors, with an exact zero winning over ``inf``.

    A factor that overflowed to ``inf`` stands for a finite number, so a
    product with an exact zero factor is zero, not NaN.
    """
    result = 1.0
    for factor in factors:
        if factor == 0:
            return 0.0
        result *= factor
    return result


def _sq(x):
    """``x * x`` (``x ** 2`` raises ``OverflowError`` on Python floats)."""
    return x * x


def _ceil(x):
    """``math.ceil`` that maps ``inf`` to ``inf`` instead of raising."""
    return math.inf if math.isinf(x) else int(math.ceil(x))


def _check_float(name, value, *, positive=False, below_one=False):
    """A finite number ``>= 0`` (``> 0`` with ``positive``; ``< 1`` with ``below_one``)."""
    return check_real(
        name, value, low=0.0, low_open=positive, high=1.0 if below_one else None, high_open=True
    )


def _check_delta(delta):
    return _check_float("delta", delta, positive=True, below_one=True)


def _default_nu(nu, radius, name):
    """``nu`` or, when it is None, the radius (the largest Theorem 1 allows)."""
    if nu is None:
        return radius
    return _check_float(name, nu)


# --------------------------------------------------------------------------
# activation constants, memory sums, regime
# --------------------------------------------------------------------------


def activation_constants(activation):
    """Suprema of the activation and its first two derivatives (eq. 4).

    Parameters
    ----------
    activation : {"tanh", "logistic", "gaussian"}
        Name of the activation function.

    Returns
    -------
    sigma0, sigma1, sigma2 : float
        ``sup|sigma|``, ``sup|sigma'|`` and ``sup|sigma''|``.

    Raises
    ------
    ValueError
        For any other name. ReLU in particular is outside the theory
        (Remark 2: its derivative is not Lipschitz).
    """
    try:
        return _ACTIVATION_CONSTANTS[activation]
    except (KeyError, TypeError):
        valid = ", ".join(repr(a) for a in ACTIVATIONS)
        extra = ""
        if isinstance(activation, str) and activation.lower() == "relu":
            extra = " ReLU is outside the theory (Remark 2: sigma' is not Lipschitz)."
        raise ValueError(
            f"Unknown activation {activation!r}; the bounds cover {valid}.{extra}"
        ) from None


def _memory_sums(T, z):
    """``(mu0_T(z), mu1_T(z))`` by binary doubling, ``O(log T)`` operations.

    With ``S0(n) = sum_{k<n} z^k`` and ``S1(n) = sum_{k<n} (k+1) z^k``:
    ``S0(2n) = S0(n) + z^n S0(n)``, ``S1(2n) = S1(n) + z^n (S1(n) + n S0(n))``,
    ``S0(n+1) = S0(n) + z^n``, ``S1(n+1) = S1(n) + (n+1) z^n``. For ``z >= 0``
    every term is nonnegative, so there is no cancellation (the closed forms
    ``(1 - z^T) / (1 - z)`` lose all accuracy near ``z = 1``), and an
    overflow only ever produces ``inf``.
    """
    s0 = 0.0
    s1 = 0.0
    power = 1.0  # z ** n
    n = 0
    for bit in bin(T)[2:]:
        if n:
            s1 = s1 + power * (s1 + n * s0)
            s0 = s0 + power * s0
            power = power * power
            n *= 2
        if bit == "1":
            s0 = s0 + power
            s1 = s1 + (n + 1) * power
            power = power * z
            n += 1
    return s0, s1


def _check_memory_args(T, z):
    T = check_int("T", T, 0)
    z = _check_float("z", z)
    return T, z


def mu0(T, z):
    """Geometric memory sum ``mu0_T(z) = sum_{k=0}^{T-1} z^k`` (Lemma 1).

    Parameters
    ----------
    T : int
        Number of terms (the horizon), ``T >= 0``.
    z : float
        Ratio, ``z >= 0`` (in the bounds ``z = alpha_m * sigma1``).

    Returns
    -------
    float
        The sum; ``inf`` when it overflows. Accurate for ``z`` near 1 and
        cheap for very large ``T`` (``O(log T)`` operations).
    """
    T, z = _check_memory_args(T, z)
    return _memory_sums(T, z)[0]


def mu1(T, z):
    """Weighted memory sum ``mu1_T(z) = sum_{k=0}^{T-1} (k+1) z^k`` (Lemma 2).

    Parameters
    ----------
    T : int
        Number of terms (the horizon), ``T >= 0``.
    z : float
        Ratio, ``z >= 0`` (in the bounds ``z = alpha_m * sigma1``).

    Returns
    -------
    float
        The sum; ``inf`` when it overflows.
    """
    T, z = _check_memory_args(T, z)
    return _memory_sums(T, z)[1]


def _effective_scale(alpha, width, radius_w):
    """``alpha_m = alpha + rho_w / sqrt(m)``: the largest ``|w_i|`` in the ball."""
    if radius_w == 0:
        return alpha
    return alpha + radius_w / math.sqrt(width)


def memory_regime(*, activation, recurrent_scale, width=None, radius_w=None):
    """Memory regime of Remark 5.

    Short-term memory iff ``alpha_m * sigma1 < 1``: the memory sums stay
    bounded in ``T``. Otherwise ("long") they grow like
    ``(alpha_m * sigma1) ** T``, the exploding-gradient regime, and so do
    the width and iteration counts the theorems ask for.

    Parameters
    ----------
    activation : {"tanh", "logistic", "gaussian"}
        Activation function.
    recurrent_scale : float
        The paper's ``alpha`` (``w_i(0)`` uniform on ``{-alpha, +alpha}``).
    width : int, default=None
        Width ``m``; with ``radius_w`` gives ``alpha_m = alpha + rho_w/sqrt(m)``.
    radius_w : float, default=None
        Projection radius ``rho_w``. When ``width`` or ``radius_w`` is None
        the regime is judged at ``alpha`` itself.

    Returns
    -------
    {"short", "long"}
    """
    sigma1 = activation_constants(activation)[1]
    alpha = _check_float("recurrent_scale", recurrent_scale)
    if width is not None and radius_w is not None:
        width = check_int("width", width, 1)
        alpha = _effective_scale(alpha, width, _check_float("radius_w", radius_w))
    return _regime(alpha * sigma1)


def _regime(z):
    return "short" if z < 1.0 else "long"


# --------------------------------------------------------------------------
# constants of Section 4
# --------------------------------------------------------------------------


def _lipschitz_constants(sigmas, alpha_eff, T, d):
    """``mu0, mu1, L_T, beta_T, Lambda_T, gamma_T`` at ``|w_i| <= alpha_eff``."""
    sigma0, sigma1, sigma2 = sigmas
    z = alpha_eff * sigma1
    m0, m1 = _memory_sums(T, z)
    # Lemma 1 (erratum 1): modulus sigma1 * mu0 * sqrt(1 + sigma0^2).
    L = sigma1 * m0 * math.sqrt(1.0 + sigma0 * sigma0)
    # eq. (31) with alpha_m (erratum 3).
    a_s_mu0 = _prod(alpha_eff, sigma1, m0)
    beta = (
        d * sigma2 * (a_s_mu0 + 1.0) * m1
        + math.sqrt(d)
        * (
            _sq(sigma1 * m0)
            + sigma0 * sigma1 * m0 * m1
            + m1 * (sigma1 + sigma2 + _prod(alpha_eff, sigma1, sigma2, m0))
        )
        + _sq(sigma1 * m0)
        + sigma0 * sigma2 * m1 * (a_s_mu0 + 1.0)
    )
    # Lemma 2.
    Lambda = _SQRT2 * (sigma0 + 1.0 + _prod(alpha_eff, L))
    gamma = _SQRT2 * (L + _prod(alpha_eff, beta))
    return {
        "alpha_m": alpha_eff,
        "mu0": m0,
        "mu1": m1,
        "L_T": L,
        "beta_T": beta,
        "Lambda_T": Lambda,
        "gamma_T": gamma,
    }


def _ymax(sigmas, alpha, T, nu_w, nu_u):
    """Prop. 6: ``sup |F*_t|`` over the class, with ``alpha`` (not ``alpha_m``)."""
    sigma0, sigma1, _ = sigmas
    return _prod(sigma1, _memory_sums(T, alpha * sigma1)[0], nu_u + sigma0 * nu_w)


def _err(sigmas, consts, rho2, nu2, T, n, delta):
    """Eq. (19): ``err = err_1 + err_2`` with ``rho2 = rho_w^2 + rho_u^2``."""
    _, sigma1, sigma2 = sigmas
    L = consts["L_T"]
    err1 = _prod(L, math.sqrt(nu2), math.sqrt(math.log(2.0 * T * n / delta)))
    curvature = sigma2 * _sq(consts["Lambda_T"]) + sigma1 * consts["gamma_T"]
    return err1 + _prod(2.0, rho2, curvature) + _prod(2.0, consts["beta_T"], rho2)


def _projected_constants(sigmas, alpha, m, rho_w, rho_u, nu_w, nu_u, T, n, d, delta):
    consts = _lipschitz_constants(sigmas, _effective_scale(alpha, m, rho_w), T, d)
    rho2 = _sq(rho_w) + _sq(rho_u)
    consts["Fmax"] = _prod(consts["L_T"], math.sqrt(rho2))
    consts["ymax"] = _ymax(sigmas, alpha, T, nu_w, nu_u)
    consts["err"] = _err(sigmas, consts, rho2, _sq(nu_w) + _sq(nu_u), T, n, delta)
    consts["regime"] = _regime(consts["alpha_m"] * sigmas[1])
    return consts


def _parse_projected(
    activation, recurrent_scale, width, radius_w, radius_u, nu_w, nu_u,
    n_timesteps, n_samples, n_features, delta,
):
    sigmas = activation_constants(activation)
    alpha = _check_float("recurrent_scale", recurrent_scale)
    m = check_int("width", width, 1)
    rho_w = _check_float("radius_w", radius_w)
    rho_u = _check_float("radius_u", radius_u)
    nu_w = _default_nu(nu_w, rho_w, "nu_w")
    nu_u = _default_nu(nu_u, rho_u, "nu_u")
    T = check_int("n_timesteps", n_timesteps, 1)
    n = check_int("n_samples", n_samples, 1)
    d = check_int("n_features", n_features, 1)
    delta = _check_delta(delta)
    return sigmas, alpha, m, rho_w, rho_u, nu_w, nu_u, T, n, d, delta


def theory_constants(
    *, activation, recurrent_scale, width, radius_w, radius_u, nu_w=None,
    nu_u=None, n_timesteps, n_samples, n_features, delta,
):
    """Constants of Section 4 for projected gradient descent.

    Parameters
    ----------
    activation : {"tanh", "logistic", "gaussian"}
        Activation function (constants ``sigma0, sigma1, sigma2`` of eq. 4).
    recurrent_scale : float
        ``alpha``: the initial recurrent weights are ``+-alpha``.
    width : int
        Width ``m``.
    radius_w, radius_u : float
        Projection radii ``rho_w``, ``rho_u`` (the iterates satisfy
        ``|w_i - w_i(0)| <= rho_w / sqrt(m)``, ``||U_i - U_i(0)|| <= rho_u / sqrt(m)``).
    nu_w, nu_u : float, default=None
        Complexity of the target in the class ``F_{nu_w, nu_u}`` (eq. 9).
        None means the radius, the largest value Theorem 1 allows.
    n_timesteps : int
        Horizon ``T``.
    n_samples : int
        Number ``n`` of training sequences.
    n_features : int
        Input dimension ``d``.
    delta : float
        Failure probability, in ``(0, 1)``.

    Returns
    -------
    dict
        ``sigma0, sigma1, sigma2``; ``alpha_m = alpha + rho_w / sqrt(m)``;
        ``mu0, mu1`` (at ``alpha_m * sigma1``); ``L_T`` (Lemma 1, as its
        proof gives it: ``sigma1 mu0 sqrt(1 + sigma0^2)``); ``beta_T``
        (eq. 31); ``Lambda_T, gamma_T`` (Lemma 2); ``Fmax, ymax``
        (Prop. 6; ``ymax`` uses ``alpha``, not ``alpha_m``); ``err``
        (eq. 19); ``regime`` (Remark 5). Overflowed values are ``inf``.
    """
    sigmas, alpha, m, rho_w, rho_u, nu_w, nu_u, T, n, d, delta = _parse_projected(
        activation, recurrent_scale, width, radius_w, radius_u, nu_w, nu_u,
        n_timesteps, n_samples, n_features, delta,
    )
    out = dict(zip(("sigma0", "sigma1", "sigma2"), sigmas))
    out.update(_projected_constants(sigmas, alpha, m, rho_w, rho_u, nu_w, nu_u, T, n, d, delta))
    return out


# --------------------------------------------------------------------------
# Theorem 1 and Corollary 1
# --------------------------------------------------------------------------


def _theory_step(T, tau):
    """Theorem 1's step size ``1 / (T sqrt(tau))``."""
    return 1.0 / (T * math.sqrt(tau))


def _is_theory_step(eta, T, tau):
    return eta is None or math.isclose(eta, _theory_step(T, tau), rel_tol=1e-12)


def _average_risk_bound(consts, nu2, T, m, tau, eta):
    """Average-risk bound of the proof of Theorem 1 (eq. 25 before ``eta`` is set).

    With ``eta`` None the theorem's own form ``B1`` is used; it equals the
    generic form at ``eta = 1 / (T sqrt(tau))``.
    """
    phi = consts["Fmax"] + consts["ymax"]
    L = consts["L_T"]
    linearization = _prod(T, phi, consts["err"]) / math.sqrt(m)
    if eta is None:
        drift = (T / math.sqrt(tau)) * (0.5 * nu2 + _prod(0.5, _sq(L), _sq(phi)))
        return drift + linearization
    return (
        nu2 / (2.0 * eta * tau)
        + linearization
        + _prod(eta, _sq(T), _sq(phi), _sq(L)) / 2.0
    )


def _corollary_extra(sigmas, consts, rho2, m):
    """``(6/m) (Lambda_T^2 sigma2 + gamma_T sigma1) (rho_w^2 + rho_u^2)`` (Corollary 1)."""
    _, sigma1, sigma2 = sigmas
    curvature = _sq(consts["Lambda_T"]) * sigma2 + consts["gamma_T"] * sigma1
    return _prod(6.0 / m, curvature, rho2)


def _theorem1_violation(rho_w, rho_u, nu_w, nu_u):
    """Why Theorem 1 does not apply (``nu > rho``), or None."""
    reasons = []
    if nu_w > rho_w:
        reasons.append(f"nu_w={nu_w!r} > radius_w={rho_w!r}")
    if nu_u > rho_u:
        reasons.append(f"nu_u={nu_u!r} > radius_u={rho_u!r}")
    if not reasons:
        return None
    return (
        "Theorem 1 and Corollary 1 need the projection radii to be at least the "
        "target complexity (rho >= nu); here " + " and ".join(reasons)
        + ". The bound is NaN."
    )


def _projected_bound(kind, kwargs):
    n_iter = kwargs.pop("n_iter")
    learning_rate = kwargs.pop("learning_rate")
    sigmas, alpha, m, rho_w, rho_u, nu_w, nu_u, T, n, d, delta = _parse_projected(**kwargs)
    tau = check_int("n_iter", n_iter, 1)
    eta = None
    if learning_rate is not None:
        eta = _check_float("learning_rate", learning_rate, positive=True)
    reason = _theorem1_violation(rho_w, rho_u, nu_w, nu_u)
    if reason is not None:
        warnings.warn(reason, UserWarning, stacklevel=3)
        return math.nan
    consts = _projected_constants(sigmas, alpha, m, rho_w, rho_u, nu_w, nu_u, T, n, d, delta)
    nu2 = _sq(nu_w) + _sq(nu_u)
    if eta is not None and _is_theory_step(eta, T, tau):
        eta = None
    value = _average_risk_bound(consts, nu2, T, m, tau, eta)
    if kind == "average":
        rho2 = _sq(rho_w) + _sq(rho_u)
        value = 4.0 * value + _corollary_extra(sigmas, consts, rho2, m)
    return value


def theorem1_bound(
    *, activation, recurrent_scale, width, radius_w, radius_u, nu_w=None,
    nu_u=None, n_timesteps, n_samples, n_features, delta, n_iter,
    learning_rate=None,
):
    """Theorem 1: best-iterate risk of max-norm projected gradient descent.

    With the theorem's step size ``eta = 1 / (T sqrt(tau))`` (``learning_rate``
    None, or equal to it up to rounding) this is

    ``B1 = (T / sqrt(tau)) ((nu_w^2 + nu_u^2)/2 + (L_T^2/2) (Fmax + ymax)^2)
    + (T (Fmax + ymax) / sqrt(m)) err``.

    For any other step size the proof, stopped before the step size is
    substituted, gives

    ``(nu_w^2 + nu_u^2) / (2 eta tau) + T (Fmax + ymax) err / sqrt(m)
    + eta T^2 (Fmax + ymax)^2 L_T^2 / 2``,

    which bounds the average of the risks along the path and hence the best
    one; it coincides with ``B1`` at the theory step.

    Parameters
    ----------
    activation, recurrent_scale, width, radius_w, radius_u, nu_w, nu_u, \
n_timesteps, n_samples, n_features, delta
        As in :func:`theory_constants`.
    n_iter : int
        Number ``tau`` of gradient steps; the bound is on
        ``min_{s < tau} R(Theta(s))``.
    learning_rate : float, default=None
        Step size ``eta``; None means ``1 / (T sqrt(tau))``.

    Returns
    -------
    float
        The bound (holds with probability ``1 - delta`` over the
        initialization when ``max_t ||X_t|| <= 1``); ``inf`` on overflow;
        NaN with a ``UserWarning`` when ``nu > rho`` (the theorem needs
        ``rho_w >= nu_w`` and ``rho_u >= nu_u``).
    """
    kwargs = dict(locals())
    return _projected_bound("best", kwargs)


def corollary1_bound(
    *, activation, recurrent_scale, width, radius_w, radius_u, nu_w=None,
    nu_u=None, n_timesteps, n_samples, n_features, delta, n_iter,
    learning_rate=None,
):
    """Corollary 1: risk of the average iterate ``(1/tau) sum_{s<tau} Theta(s)``.

    At the theory step ``eta = 1 / (T sqrt(tau))``:

    ``Bavg = (2T / sqrt(tau)) ((nu_w^2 + nu_u^2) + L_T^2 (Fmax + ymax)^2)
    + (4T (Fmax + ymax) / sqrt(m)) err
    + (6/m) (Lambda_T^2 sigma2 + gamma_T sigma1) (rho_w^2 + rho_u^2)``.

    For any other step size the corollary's proof gives four times the
    step-size-generic bound of :func:`theorem1_bound` plus the same last
    term (at the theory step the two agree).

    Parameters
    ----------
    activation, recurrent_scale, width, radius_w, radius_u, nu_w, nu_u, \
n_timesteps, n_samples, n_features, delta, n_iter, learning_rate
        As in :func:`theorem1_bound`.

    Returns
    -------
    float
        The bound; ``inf`` on overflow; NaN with a ``UserWarning`` when
        ``nu > rho``.
    """
    kwargs = dict(locals())
    return _projected_bound("average", kwargs)


def theorem1_requirements(
    eps, *, activation, recurrent_scale, radius_w, radius_u, nu_w=None,
    nu_u=None, n_timesteps, n_samples, n_features, delta,
):
    """Width and iteration count for which Theorem 1 certifies risk ``eps``.

    The bound ``B1`` is split into its two terms, each required to be at most
    ``eps / 2``:

    * the linearization term ``T (Fmax + ymax) err / sqrt(m)`` depends on the
      width only, and decreases with it (every constant grows with
      ``alpha_m = alpha + rho_w / sqrt(m)``): the returned ``width`` is the
      smallest even ``m`` that brings it to ``eps / 2`` (binary search);
    * the optimization term ``(T / sqrt(tau)) ((nu_w^2 + nu_u^2)/2 +
      (L_T^2/2) (Fmax + ymax)^2)``, evaluated at that width, gives the
      smallest ``tau``.

    Both are minimal for this split: ``width - 2`` breaks the first half,
    ``n_iter - 1`` the second. Other splits trade width for iterations; the
    step size is Theorem 1's ``1 / (T sqrt(n_iter))``.

    Parameters
    ----------
    eps : float
        Target risk, ``> 0``.
    activation, recurrent_scale, radius_w, radius_u, nu_w, nu_u, \
n_timesteps, n_samples, n_features, delta
        As in :func:`theory_constants`.

    Returns
    -------
    width : int or float
        Even width ``m``; ``inf`` when no width up to ``2 ** 1000`` suffices
        (in practice: the constants overflow in the long-memory regime).
    n_iter : int or float
        Iteration count ``tau``; ``inf`` when it overflows or the width is
        ``inf``.

    Raises
    ------
    ValueError
        When ``nu > rho`` (the theorem does not apply).
    """
    eps = _check_float("eps", eps, positive=True)
    sigmas, alpha, _, rho_w, rho_u, nu_w, nu_u, T, n, d, delta = _parse_projected(
        activation, recurrent_scale, 2, radius_w, radius_u, nu_w, nu_u,
        n_timesteps, n_samples, n_features, delta,
    )
    reason = _theorem1_violation(rho_w, rho_u, nu_w, nu_u)
    if reason is not None:
        raise ValueError(reason.replace(" The bound is NaN.", ""))
    half = 0.5 * eps
    nu2 = _sq(nu_w) + _sq(nu_u)

    def constants(m):
        return _projected_constants(sigmas, alpha, m, rho_w, rho_u, nu_w, nu_u, T, n, d, delta)

    def linearization(m):
        c = constants(m)
        return _prod(T, c["Fmax"] + c["ymax"], c["err"]) / math.sqrt(m)

    # smallest even m = 2k with linearization(m) <= eps/2
    hi = 1
    while linearization(2 * hi) > half:
        if hi.bit_length() > _MAX_WIDTH_EXPONENT:
            return math.inf, math.inf
        hi *= 2
    lo = hi // 2  # linearization(2 * lo) > half, or lo == 0
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if linearization(2 * mid) <= half:
            hi = mid
        else:
            lo = mid
    m = 2 * hi

    c = constants(m)
    phi = c["Fmax"] + c["ymax"]
    drift = 0.5 * nu2 + _prod(0.5, _sq(c["L_T"]), _sq(phi))

    def optimization(tau):
        return (T / math.sqrt(tau)) * drift

    tau = _ceil(_sq(T * drift / half))
    if math.isinf(tau):
        return m, math.inf
    tau = max(tau, 1)
    while optimization(tau) > half:
        tau += 1
    while tau > 1 and optimization(tau - 1) <= half:
        tau -= 1
    return m, tau


# --------------------------------------------------------------------------
# Theorem 2
# --------------------------------------------------------------------------


def _theorem2_at(eps, sigmas, alpha, nu_w, nu_u, T, n, d, delta):
    """Everything Theorem 2 defines for a target ``eps``."""
    alpha_target = alpha + math.sqrt(2.0 * eps)
    consts = _lipschitz_constants(sigmas, alpha_target, T, d)
    nu2 = _sq(nu_w) + _sq(nu_u)
    L = consts["L_T"]
    # proof's lambda, with sqrt(T) (erratum 4)
    lam = _prod(L, math.sqrt(T), nu2) / math.sqrt(eps)
    rho2 = 2.0 * _sq(lam)
    consts["alpha_target"] = alpha_target
    consts["lambda"] = lam
    consts["Fmax"] = _prod(L, math.sqrt(rho2))
    consts["ymax"] = _ymax(sigmas, alpha, T, nu_w, nu_u)
    consts["err"] = _err(sigmas, consts, rho2, nu2, T, n, delta)
    # eta <= eps / step_denominator
    consts["step_denominator"] = _prod(2.0, _sq(T), _sq(L), _sq(consts["Fmax"] + consts["ymax"]))
    # m >= width_numerator / (2 eps)
    consts["width_numerator"] = _sq(consts["err"]) + _sq(lam)
    consts["regime"] = _regime(alpha_target * sigmas[1])
    return consts


_TAU_FACTOR = _sq(_SQRT2 + 1.0)

#: golden-section ratio, for locating narrow admissible intervals
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


def _theorem2_holds(eps, consts, nu2, m, eta, tau):
    """The three conditions of Theorem 2, in division-free form."""
    return (
        eta * consts["step_denominator"] <= eps
        and consts["width_numerator"] <= 2.0 * eps * m
        and nu2 <= _TAU_FACTOR * eta * eps * tau
    )


def _log(x):
    if x == 0:
        return -math.inf
    return math.log(x)


def _theorem2_margin(eps, consts, nu2, m, eta, tau):
    """Smallest log-margin of the three conditions (>= 0 iff all hold, up to rounding)."""
    return min(
        _log(eps) - _log(eta * consts["step_denominator"]),
        _log(2.0 * eps * m) - _log(consts["width_numerator"]),
        _log(_TAU_FACTOR * eta * eps * tau) - _log(nu2),
    )


def _parse_plain(
    activation, recurrent_scale, nu_w, nu_u, n_timesteps, n_samples, n_features, delta
):
    sigmas = activation_constants(activation)
    alpha = _check_float("recurrent_scale", recurrent_scale)
    nu_w = 1.0 if nu_w is None else _check_float("nu_w", nu_w)
    nu_u = 1.0 if nu_u is None else _check_float("nu_u", nu_u)
    T = check_int("n_timesteps", n_timesteps, 1)
    n = check_int("n_samples", n_samples, 1)
    d = check_int("n_features", n_features, 1)
    delta = _check_delta(delta)
    return sigmas, alpha, nu_w, nu_u, T, n, d, delta


def _theorem2_search(sigmas, alpha, nu_w, nu_u, T, n, d, delta, m, eta, tau):
    """Smallest ``eps`` meeting Theorem 2's conditions for a finished run.

    Returns ``(eps_star, eps_below, consts)``: ``eps_star`` meets all three
    conditions and ``eps_below`` (within a relative ``1e-13`` of it) does
    not; ``eps_below`` is None when ``eps_star`` is the first point examined:
    the floor set by the iteration condition (nothing below it qualifies) or,
    when that floor is below ``1e-16``, the bottom of the grid. ``(inf, None, None)``
    when nothing is found.

    The iteration condition is monotone and gives a floor; from there a log
    grid is walked upwards. Since the step-size condition can bound ``eps``
    from above (``alpha_target`` grows with ``eps``) while the width and
    iteration conditions bound it from below, the admissible set can be an
    interval narrower than the grid spacing: at every grid-local maximum of
    the smallest log-margin the margin is maximized by golden-section search
    before moving on. The first admissible point found is then pushed down
    by bisection against the infeasible point to its left.
    """
    nu2 = _sq(nu_w) + _sq(nu_u)

    def evaluate(eps):
        consts = _theorem2_at(eps, sigmas, alpha, nu_w, nu_u, T, n, d, delta)
        ok = _theorem2_holds(eps, consts, nu2, m, eta, tau)
        return ok, _theorem2_margin(eps, consts, nu2, m, eta, tau), consts

    def refine(lo, hi, consts):
        """Bisect (in log scale) keeping ``lo`` infeasible and ``hi`` feasible."""
        for _ in range(200):
            if hi <= lo * (1.0 + 1e-13):
                break
            mid = math.sqrt(lo) * math.sqrt(hi)
            if not lo < mid < hi:
                break
            ok, _, mid_consts = evaluate(mid)
            if ok:
                hi, consts = mid, mid_consts
            else:
                lo = mid
        return hi, lo, consts

    def maximize(lo, hi):
        """Golden-section search of the margin on ``[lo, hi]``; a feasible point or None."""
        a, b = math.log(lo), math.log(hi)
        x1 = b - _GOLDEN * (b - a)
        x2 = a + _GOLDEN * (b - a)
        ok1, f1, c1 = evaluate(math.exp(x1))
        if ok1:
            return math.exp(x1), c1
        ok2, f2, c2 = evaluate(math.exp(x2))
        if ok2:
            return math.exp(x2), c2
        for _ in range(80):
            if f1 >= f2:
                b, x2, f2 = x2, x1, f1
                x1 = b - _GOLDEN * (b - a)
                ok1, f1, c1 = evaluate(math.exp(x1))
                if ok1:
                    return math.exp(x1), c1
            else:
                a, x1, f1 = x1, x2, f2
                x2 = a + _GOLDEN * (b - a)
                ok2, f2, c2 = evaluate(math.exp(x2))
                if ok2:
                    return math.exp(x2), c2
        return None

    eps_floor = nu2 / (_TAU_FACTOR * eta * tau)
    grid = [e for e in _EPS_GRID if e > eps_floor]
    if eps_floor > 0:
        grid.insert(0, eps_floor)
    results = [None] * len(grid)

    def at(k):
        if results[k] is None:
            results[k] = evaluate(grid[k])
        return results[k]

    for k in range(len(grid)):
        ok, margin, consts = at(k)
        if ok:
            if k == 0:  # the floor itself, or the bottom of the grid
                return grid[0], None, consts
            return refine(grid[k - 1], grid[k], consts)
        if 0 < k < len(grid) - 1 and margin > -math.inf:
            if margin >= at(k - 1)[1] and margin >= at(k + 1)[1]:
                found = maximize(grid[k - 1], grid[k + 1])
                if found is not None:
                    return refine(grid[k - 1], found[0], found[1])
    return math.inf, None, None


def theorem2_certified_risk(
    *, activation, recurrent_scale, width, learning_rate, n_iter, nu_w=None,
    nu_u=None, n_timesteps, n_samples, n_features, delta,
):
    """Risk level Theorem 2 certifies for a finished plain gradient-descent run.

    Theorem 2 (no projection) states: for a target ``eps``, with
    ``alpha_target = alpha + sqrt(2 eps)``, every constant of Lemmas 1-2 at
    ``mu = mu(alpha_target * sigma1)``, ``lambda = L_T sqrt(T) (nu_w^2 +
    nu_u^2) / sqrt(eps)`` (the proof's value), if

    * ``eta <= eps / (2 T^2 L_T^2 (Fmax(lambda, lambda) + ymax)^2)``,
    * ``m >= [err(lambda, lambda)^2 + lambda^2] / (2 eps)``, with
      ``err(lambda, lambda)`` eq. (19) at ``rho_w = rho_u = lambda``, and
    * ``tau >= (nu_w^2 + nu_u^2) / ((sqrt(2) + 1)^2 eta eps)``,

    then ``min_{s<tau} R(Theta(s)) <= 9 eps / 4`` with probability
    ``1 - delta``. Here ``m``, ``eta`` and ``tau`` are given and the smallest
    admissible ``eps`` is searched: from the floor set by the third
    condition up a log grid of 20 points per decade over ``[1e-16, 1e16]``,
    then by bisection between the last failing and the first admissible
    point (to a relative ``1e-13``). The conditions are not assumed monotone
    in ``eps``: ``alpha_target`` grows with ``eps``, so the step-size
    condition can bound ``eps`` from above while the other two bound it
    from below, and the admissible set can be a sliver between two grid
    points. At each grid-local maximum of the smallest (log) margin of the
    three conditions the margin is therefore maximized by golden-section
    search before the walk goes on. A sliver away from any such maximum
    could still be missed; that only makes the reported value larger, never
    wrong: the returned ``eps*`` always meets the three conditions. ``ymax``
    keeps ``alpha`` (it describes the target class, Prop. 6).

    Parameters
    ----------
    activation, recurrent_scale, n_timesteps, n_samples, n_features, delta
        As in :func:`theory_constants`.
    width : int
        Width ``m`` of the trained network.
    learning_rate : float
        Step size ``eta`` used.
    n_iter : int
        Number ``tau`` of iterations run.
    nu_w, nu_u : float, default=None
        Target complexity; None means 1.0 (there is no radius to default to).

    Returns
    -------
    float
        ``9 eps* / 4``, or ``inf`` when no ``eps`` on the grid qualifies.
    """
    sigmas, alpha, nu_w, nu_u, T, n, d, delta = _parse_plain(
        activation, recurrent_scale, nu_w, nu_u, n_timesteps, n_samples, n_features, delta
    )
    m = check_int("width", width, 1)
    eta = _check_float("learning_rate", learning_rate, positive=True)
    tau = check_int("n_iter", n_iter, 1)
    eps_star = _theorem2_search(sigmas, alpha, nu_w, nu_u, T, n, d, delta, m, eta, tau)[0]
    return 2.25 * eps_star


def theorem2_requirements(
    eps, *, activation, recurrent_scale, nu_w=None, nu_u=None, n_timesteps,
    n_samples, n_features, delta,
):
    """Width, step size and iteration count Theorem 2 asks for target ``eps``.

    Parameters
    ----------
    eps : float
        Target ``eps`` (the certified risk is ``9 eps / 4``), ``> 0``.
    activation, recurrent_scale, n_timesteps, n_samples, n_features, delta
        As in :func:`theory_constants`.
    nu_w, nu_u : float, default=None
        Target complexity; None means 1.0.

    Returns
    -------
    dict
        ``width``: the smallest even ``m0 >= [err^2 + lambda^2] / (2 eps)``;
        ``learning_rate``: the largest admissible ``eta``;
        ``n_iter``: the smallest integer ``tau >= tau0(eps)`` at that ``eta``
        (at least 1); ``certified_risk``: ``9 eps / 4``; and ``alpha_target``,
        ``lambda`` and the constants ``mu0, mu1, L_T, beta_T, Lambda_T,
        gamma_T, Fmax, ymax, err``. Counts are ``inf`` on overflow (and the
        step size is then 0).
    """
    eps = _check_float("eps", eps, positive=True)
    sigmas, alpha, nu_w, nu_u, T, n, d, delta = _parse_plain(
        activation, recurrent_scale, nu_w, nu_u, n_timesteps, n_samples, n_features, delta
    )
    consts = _theorem2_at(eps, sigmas, alpha, nu_w, nu_u, T, n, d, delta)
    nu2 = _sq(nu_w) + _sq(nu_u)
    denominator = consts["step_denominator"]
    eta = math.inf if denominator == 0 else eps / denominator
    while eta * denominator > eps:  # rounding: keep the condition exact
        eta = math.nextafter(eta, 0.0)

    width = _ceil(consts["width_numerator"] / (2.0 * eps))
    if not math.isinf(width):
        width = max(2, width + (width % 2))
        while consts["width_numerator"] > 2.0 * eps * width:
            width += 2

    if eta == 0:
        tau = math.inf
    elif nu2 == 0 or math.isinf(eta):
        tau = 1
    else:
        tau = _ceil(nu2 / (_TAU_FACTOR * eta * eps))
        if not math.isinf(tau):
            tau = max(1, tau)
            while nu2 > _TAU_FACTOR * eta * eps * tau:
                tau += 1
    out = {
        "width": width,
        "learning_rate": eta,
        "n_iter": tau,
        "certified_risk": 2.25 * eps,
    }
    for key in ("alpha_target", "lambda", "mu0", "mu1", "L_T", "beta_T",
                "Lambda_T", "gamma_T", "Fmax", "ymax", "err", "regime"):
        out[key] = consts[key]
    return out


# --------------------------------------------------------------------------
# Proposition 3
# --------------------------------------------------------------------------


def prop3_bound(*, activation, recurrent_scale, width, nu_w, nu_u, n_timesteps, n_samples, delta):
    """Proposition 3 (with the union bound of Prop. 5): random-feature error.

    For the linearized model of width ``m = 2M`` (``M`` random features of a
    symmetric initialization), with probability ``1 - delta`` every target
    of ``F_{nu_w, nu_u}`` is matched on all ``n`` training sequences and all
    ``T`` steps within

    ``2 mu0_T(alpha sigma1) sigma1 (nu_u + sigma0 nu_w) sqrt(2 log(2 n T / delta) / m)``.

    No projection radius enters, so ``mu0`` is at ``alpha``, not ``alpha_m``.

    Parameters
    ----------
    activation, recurrent_scale
        As in :func:`theory_constants`.
    width : int
        ``m = 2M``.
    nu_w, nu_u : float
        Complexity of the target class.
    n_timesteps, n_samples, delta
        ``T``, ``n`` and the failure probability.

    Returns
    -------
    float
        The bound; ``inf`` on overflow.
    """
    sigma0, sigma1, _ = activation_constants(activation)
    alpha = _check_float("recurrent_scale", recurrent_scale)
    m = check_int("width", width, 1)
    nu_w = _check_float("nu_w", nu_w)
    nu_u = _check_float("nu_u", nu_u)
    T = check_int("n_timesteps", n_timesteps, 1)
    n = check_int("n_samples", n_samples, 1)
    delta = _check_delta(delta)
    root = math.sqrt(2.0 * math.log(2.0 * n * T / delta) / m)
    return _prod(2.0, _memory_sums(T, alpha * sigma1)[0], sigma1, nu_u + sigma0 * nu_w, root)


# --------------------------------------------------------------------------
# entry points used by the estimators
# --------------------------------------------------------------------------


def _input_norm_problem(max_input_norm):
    """Why the bounds do not apply to these inputs, or None."""
    if max_input_norm is None:
        return None
    value = float(max_input_norm)
    if math.isfinite(value) and value <= 1.0 + _INPUT_NORM_SLACK:
        return None
    return (
        f"The bounds need max_t ||X_t||_2 <= 1 for every training sequence; here "
        f"it is {value!r}, so the bound is NaN. Rescale the inputs first, e.g. with "
        "the sequence scaler in skrnn.preprocessing."
    )


def _not_applicable(details, reason):
    details["result"] = "not applicable"
    details["reason"] = reason
    warnings.warn(reason, UserWarning, stacklevel=3)
    return math.nan, details


def gd_rnn_bound(
    *, activation, recurrent_scale, width, radius_w, radius_u, nu_w, nu_u,
    n_timesteps, n_samples, n_features, delta, n_iter, learning_rate, iterate,
    max_input_norm,
):
    """Bound on the training risk of a fitted gradient-descent RNN.

    Picks the result that covers the run:

    * both radii given (max-norm projected GD): ``iterate="best"`` gives
      Theorem 1, ``"average"`` Corollary 1, both in their step-size-generic
      form when ``learning_rate`` is not ``1 / (T sqrt(n_iter))`` (at that
      step they reduce to the theorem's own expressions). ``"last"`` gets the
      best-iterate bound, with ``details["note"]`` saying that no theorem
      covers the last iterate. ``nu_w``/``nu_u`` None default to the radii;
      a complexity above its radius makes the theorem inapplicable (NaN and
      a warning).
    * both radii None (plain GD): Theorem 2's certified ``9 eps* / 4`` (see
      :func:`theorem2_certified_risk`), with ``nu_w``/``nu_u`` None read as
      1.0. Theorem 2 bounds the best iterate; for ``"average"`` and
      ``"last"`` the same value is returned with a note (Remark 7's
      average-iterate bound needs exactly ``tau0`` iterations).
    * exactly one radius None: neither theorem applies (NaN and a warning).

    Parameters
    ----------
    activation : {"tanh", "logistic", "gaussian"}
        Activation function.
    recurrent_scale : float
        ``alpha``.
    width : int
        ``m``.
    radius_w, radius_u : float or None
        Projection radii; both None for plain gradient descent.
    nu_w, nu_u : float or None
        Target complexity (see above for None).
    n_timesteps, n_samples, n_features : int
        ``T``, ``n``, ``d``.
    delta : float
        Failure probability.
    n_iter : int
        Number ``tau`` of gradient steps.
    learning_rate : float or None
        Step size used; None means ``1 / (T sqrt(n_iter))``.
    iterate : {"best", "average", "last"}
        Which iterate the estimator kept.
    max_input_norm : float or None
        ``max_{j,t} ||X_t^j||_2`` of the training data. Above 1 (plus a
        ``1e-12`` slack) the theory does not apply: NaN and a
        ``UserWarning``. None skips the check (the caller vouches for it).

    Returns
    -------
    bound : float
        The bound, ``inf`` when it overflows (long memory) or, for plain GD,
        when no ``eps`` is certified; NaN when no theorem applies.
    details : dict
        The inputs used (``activation``, ``recurrent_scale``, ``width``,
        ``radius_w``, ``radius_u``, ``nu_w``, ``nu_u``, ``n_timesteps``,
        ``n_samples``, ``n_features``, ``delta``, ``n_iter``,
        ``learning_rate``, ``theory_learning_rate``, ``iterate``,
        ``max_input_norm``), the constants (``sigma0..2``, ``alpha_m``,
        ``mu0``, ``mu1``, ``L_T``, ``beta_T``, ``Lambda_T``, ``gamma_T``,
        ``Fmax``, ``ymax``, ``err``), ``regime`` and ``result`` (the
        theorem applied); ``reason`` when NaN, ``note`` where relevant.
        For plain GD the constants are Theorem 2's at ``eps*`` (``alpha_m``
        is then ``alpha_target``) and ``eps_star``, ``lambda``,
        ``alpha_target`` are added; without a certified ``eps*`` they are
        the ``eps -> 0`` limits (constants at ``alpha``, ``lambda``,
        ``Fmax`` and ``err`` infinite).
    """
    sigmas = activation_constants(activation)
    if iterate not in _ITERATES:
        raise ValueError(f"iterate must be one of {_ITERATES}, got {iterate!r}.")
    alpha = _check_float("recurrent_scale", recurrent_scale)
    m = check_int("width", width, 1)
    T = check_int("n_timesteps", n_timesteps, 1)
    n = check_int("n_samples", n_samples, 1)
    d = check_int("n_features", n_features, 1)
    delta = _check_delta(delta)
    tau = check_int("n_iter", n_iter, 1)
    theory_eta = _theory_step(T, tau)
    eta = theory_eta if learning_rate is None else _check_float(
        "learning_rate", learning_rate, positive=True)
    plain = radius_w is None and radius_u is None
    if plain:
        nu_w = 1.0 if nu_w is None else _check_float("nu_w", nu_w)
        nu_u = 1.0 if nu_u is None else _check_float("nu_u", nu_u)
    else:
        if radius_w is not None:
            radius_w = _check_float("radius_w", radius_w)
            nu_w = _default_nu(nu_w, radius_w, "nu_w")
        if radius_u is not None:
            radius_u = _check_float("radius_u", radius_u)
            nu_u = _default_nu(nu_u, radius_u, "nu_u")
    details = {
        "activation": activation,
        "recurrent_scale": alpha,
        "width": m,
        "radius_w": radius_w,
        "radius_u": radius_u,
        "nu_w": None if nu_w is None else float(nu_w),
        "nu_u": None if nu_u is None else float(nu_u),
        "n_timesteps": T,
        "n_samples": n,
        "n_features": d,
        "delta": delta,
        "n_iter": tau,
        "learning_rate": eta,
        "theory_learning_rate": theory_eta,
        "iterate": iterate,
        "max_input_norm": None if max_input_norm is None else float(max_input_norm),
        "sigma0": sigmas[0],
        "sigma1": sigmas[1],
        "sigma2": sigmas[2],
    }

    if not plain and (radius_w is None or radius_u is None):
        details["regime"] = _regime(alpha * sigmas[1])
        return _not_applicable(
            details,
            "Theorem 1 needs both projection radii and Theorem 2 needs neither; with "
            "only one of radius_w, radius_u set no theorem applies, so the bound is NaN.",
        )

    if plain:
        details["result"] = "Theorem 2 (best iterate, gradient descent without projection)"
        details["regime"] = _regime(alpha * sigmas[1])
        reason = _input_norm_problem(max_input_norm)
        if reason is not None:
            return _not_applicable(details, reason)
        eps_star, _, consts = _theorem2_search(
            sigmas, alpha, nu_w, nu_u, T, n, d, delta, m, eta, tau)
        if consts is None:  # nothing certified: the eps -> 0 limits
            consts = _lipschitz_constants(sigmas, alpha, T, d)
            consts.update(alpha_target=alpha, regime=_regime(alpha * sigmas[1]),
                          ymax=_ymax(sigmas, alpha, T, nu_w, nu_u))
            consts.update({"lambda": math.inf, "Fmax": math.inf, "err": math.inf})
        for key in ("alpha_m", "alpha_target", "lambda", "mu0", "mu1", "L_T",
                    "beta_T", "Lambda_T", "gamma_T", "Fmax", "ymax", "err", "regime"):
            details[key] = consts[key]
        details["eps_star"] = eps_star
        if iterate != "best":
            details["note"] = (
                f"Theorem 2 bounds the best iterate only; no theorem covers the "
                f"{iterate} iterate of gradient descent without projection (Remark 7's "
                "average-iterate bound needs exactly tau0 iterations). The best-iterate "
                "bound is reported."
            )
        return 2.25 * eps_star, details

    consts = _projected_constants(
        sigmas, alpha, m, radius_w, radius_u, nu_w, nu_u, T, n, d, delta)
    details.update(consts)
    reason = _input_norm_problem(max_input_norm)
    if reason is None:
        reason = _theorem1_violation(radius_w, radius_u, nu_w, nu_u)
    if reason is not None:
        return _not_applicable(details, reason)

    nu2 = _sq(nu_w) + _sq(nu_u)
    generic = None if _is_theory_step(eta, T, tau) else eta
    value = _average_risk_bound(consts, nu2, T, m, tau, generic)
    step = "" if generic is None else ", any step size"
    if iterate == "average":
        rho2 = _sq(radius_w) + _sq(radius_u)
        value = 4.0 * value + _corollary_extra(sigmas, consts, rho2, m)
        details["result"] = f"Corollary 1 (average iterate{step})"
    else:
        details["result"] = f"Theorem 1 (best iterate{step})"
        if iterate == "last":
            details["note"] = (
                "No theorem covers the last iterate; the best-iterate bound of "
                "Theorem 1 is reported (the last iterate's risk may exceed it)."
            )
    return value, details


def ntk_bound(
    *, activation, recurrent_scale, n_mc_samples, nu_w, nu_u, n_timesteps,
    n_samples, delta, max_input_norm,
):
    """Proposition 3 bound for the kernel (random-feature) regressor.

    Parameters
    ----------
    activation : {"tanh", "logistic", "gaussian"}
        Activation function.
    recurrent_scale : float
        ``alpha``.
    n_mc_samples : int
        ``M`` Monte Carlo draws, i.e. a symmetric network of width ``m = 2M``.
    nu_w, nu_u : float or None
        Complexity of the target class; None means 1.0.
    n_timesteps, n_samples : int
        ``T`` and ``n``.
    delta : float
        Failure probability.
    max_input_norm : float or None
        ``max_{j,t} ||X_t^j||_2``; above 1 (plus ``1e-12``) the bound is NaN
        with a ``UserWarning``. None skips the check.

    Returns
    -------
    bound : float
        ``2 mu0_T(alpha sigma1) sigma1 (nu_u + sigma0 nu_w)
        sqrt(2 log(2 n T / delta) / m)`` (see :func:`prop3_bound`); ``inf``
        on overflow.
    details : dict
        Inputs used, ``sigma0..2``, ``mu0`` (at ``alpha sigma1``), ``ymax``,
        ``regime`` (at ``alpha``), ``result``; ``reason`` when NaN.
    """
    sigmas = activation_constants(activation)
    alpha = _check_float("recurrent_scale", recurrent_scale)
    M = check_int("n_mc_samples", n_mc_samples, 1)
    nu_w = 1.0 if nu_w is None else _check_float("nu_w", nu_w)
    nu_u = 1.0 if nu_u is None else _check_float("nu_u", nu_u)
    T = check_int("n_timesteps", n_timesteps, 1)
    n = check_int("n_samples", n_samples, 1)
    delta = _check_delta(delta)
    details = {
        "activation": activation,
        "recurrent_scale": alpha,
        "n_mc_samples": M,
        "width": 2 * M,
        "nu_w": nu_w,
        "nu_u": nu_u,
        "n_timesteps": T,
        "n_samples": n,
        "delta": delta,
        "max_input_norm": None if max_input_norm is None else float(max_input_norm),
        "sigma0": sigmas[0],
        "sigma1": sigmas[1],
        "sigma2": sigmas[2],
        "mu0": _memory_sums(T, alpha * sigmas[1])[0],
        "ymax": _ymax(sigmas, alpha, T, nu_w, nu_u),
        "regime": _regime(alpha * sigmas[1]),
        "result": "Proposition 3 (kernel approximation, union bound of Proposition 5)",
    }
    reason = _input_norm_problem(max_input_norm)
    if reason is not None:
        return _not_applicable(details, reason)
    value = prop3_bound(
        activation=activation, recurrent_scale=alpha, width=2 * M, nu_w=nu_w,
        nu_u=nu_u, n_timesteps=T, n_samples=n, delta=delta,
    )
    return value, details

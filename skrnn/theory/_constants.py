"""Section 4's constants: memory sums, Lemmas 1-2, eq. (31), Prop. 6, eq. (19).

Plain Python floats throughout. Quantities that overflow come back as
``inf`` (never as an ``OverflowError`` or a ``RuntimeWarning``), and a product
with an exact zero factor is zero even when another factor overflowed: an
overflowed factor stands for a finite number.
"""

import math

from .._activations import activation_names, get_activation
from ._docstrings import fill_doc
from ._settings import PROJECTED_FIELDS, TheorySettings, check_count, check_nonnegative

__all__ = [
    "ACTIVATIONS",
    "activation_constants",
    "effective_scale",
    "linearization_error",
    "lipschitz_constants",
    "memory_regime",
    "memory_sums",
    "mu0",
    "mu1",
    "output_bound",
    "product",
    "projected_constants",
    "ratio",
    "regime",
    "square",
    "theory_constants",
    "upper",
]

#: the activations the theory covers
ACTIVATIONS = activation_names()

SQRT2 = math.sqrt(2.0)


# --------------------------------------------------------------------------
# overflow-safe arithmetic
# --------------------------------------------------------------------------


def product(*factors):
    """Product of nonnegative factors; an exact zero wins over ``inf``."""
    result = 1.0
    for factor in factors:
        if factor == 0:
            return 0.0
        result *= factor
    return result


def square(x):
    """``x * x`` (``x ** 2`` raises ``OverflowError`` on Python floats)."""
    return x * x


def ratio(numerator, denominator):
    """``numerator / denominator`` for nonnegative numbers, as an upper bound.

    A denominator that underflowed to 0 gives ``inf`` (0 for a zero
    numerator) instead of ``ZeroDivisionError``; ``inf / inf`` gives ``inf``.
    """
    if denominator == 0:
        return 0.0 if numerator == 0 else math.inf
    return upper(numerator / denominator)


def upper(value):
    """An upper bound that lost its value to overflow (``inf / inf``) is ``inf``."""
    return math.inf if math.isnan(value) else value


# --------------------------------------------------------------------------
# activation constants, memory sums, regime
# --------------------------------------------------------------------------


def activation_constants(activation):
    """Suprema of the activation and of its first two derivatives (eq. 4).

    Parameters
    ----------
    activation : {"tanh", "logistic", "gaussian"}
        Name of the activation function.

    Returns
    -------
    tuple of float
        ``(sigma0, sigma1, sigma2)``: the suprema of ``|sigma|``,
        ``|sigma'|`` and ``|sigma''|``.

    Raises
    ------
    ValueError
        For any other name. ReLU in particular is outside the theory
        (Remark 2: its derivative is not Lipschitz).
    """
    return get_activation(activation).constants


def memory_sums(T, z):
    """``(mu0_T(z), mu1_T(z))`` by binary doubling, ``O(log T)`` operations.

    With ``S0(n) = sum_{k<n} z^k`` and ``S1(n) = sum_{k<n} (k+1) z^k``:
    ``S0(2n) = S0(n) + z^n S0(n)``, ``S1(2n) = S1(n) + z^n (S1(n) + n S0(n))``,
    ``S0(n+1) = S0(n) + z^n``, ``S1(n+1) = S1(n) + (n+1) z^n``. For ``z >= 0``
    every term is nonnegative, so there is no cancellation (the closed forms
    ``(1 - z^T) / (1 - z)`` lose all accuracy near ``z = 1``), and an
    overflow only ever produces ``inf``. Once ``z^n`` has underflowed to 0,
    or it and both sums have overflowed, no later term can change the sums,
    so the loop stops there: for ``z != 1`` at most about 64 rounds,
    whatever ``T``.
    """
    s0 = 0.0
    s1 = 0.0
    power = 1.0  # z ** n
    n = 0
    for bit in bin(T)[2:]:
        if n:
            s1 = s1 + power * (s1 + float(n) * s0)
            s0 = s0 + power * s0
            power = power * power
            n *= 2
        if bit == "1":
            s0 = s0 + power
            s1 = s1 + float(n + 1) * power
            power = power * z
            n += 1
        if power == 0.0 or (power == math.inf and s0 == math.inf and s1 == math.inf):
            break  # no later term can change the sums
    return s0, s1


def _checked_memory_sums(T, z):
    """:func:`memory_sums` after the public functions' checks of ``T`` and ``z``."""
    return memory_sums(check_count("T", T, 0), check_nonnegative("z", z))


@fill_doc
def mu0(T, z):
    """Geometric memory sum ``mu0_T(z) = sum_{k=0}^{T-1} z^k`` (Lemma 1).

    Parameters
    ----------
    %(T)s
    %(z)s

    Returns
    -------
    float
        The sum; ``inf`` when it overflows. Accurate for ``z`` near 1 and
        cheap for any ``T`` (``O(log T)`` operations).
    """
    return _checked_memory_sums(T, z)[0]


@fill_doc
def mu1(T, z):
    """Weighted memory sum ``mu1_T(z) = sum_{k=0}^{T-1} (k+1) z^k`` (Lemma 2).

    Parameters
    ----------
    %(T)s
    %(z)s

    Returns
    -------
    float
        The sum; ``inf`` when it overflows.
    """
    return _checked_memory_sums(T, z)[1]


def regime(z):
    """Remark 5: ``"short"`` memory iff ``z = alpha_m sigma1 < 1``."""
    return "short" if z < 1.0 else "long"


def effective_scale(alpha, width, radius_w):
    """``alpha_m = alpha + rho_w / sqrt(m)``: the largest ``|w_i|`` in the ball."""
    if not radius_w:
        return alpha
    return alpha + radius_w / math.sqrt(width)


@fill_doc
def memory_regime(*, activation, recurrent_scale, width=None, radius_w=None):
    """Memory regime of Remark 5.

    Short-term memory iff ``alpha_m * sigma1 < 1``: the memory sums stay
    bounded in ``T``. Otherwise ("long") they grow like
    ``(alpha_m * sigma1) ** T``, the exploding-gradient regime, and so do the
    width and iteration counts the theorems ask for.

    Parameters
    ----------
    %(activation)s
    %(recurrent_scale)s
    width : int, default=None
        Width ``m >= 1``; with ``radius_w`` it gives
        ``alpha_m = alpha + rho_w / sqrt(m)``.
    radius_w : float, default=None
        Projection radius ``rho_w >= 0``. When ``width`` or ``radius_w`` is
        None the regime is judged at ``alpha`` itself.

    Returns
    -------
    {"short", "long"}
        The regime.
    """
    settings = TheorySettings(
        activation=activation, recurrent_scale=recurrent_scale, width=width, radius_w=radius_w
    )
    alpha = settings.recurrent_scale
    if settings.width is not None and settings.radius_w is not None:
        alpha = effective_scale(alpha, settings.width, settings.radius_w)
    return regime(alpha * settings.sigmas[1])


# --------------------------------------------------------------------------
# constants of Section 4
# --------------------------------------------------------------------------


def lipschitz_constants(sigmas, scale, T, d):
    """``mu0, mu1, L_T, beta_T, Lambda_T, gamma_T`` for ``|w_i| <= scale``."""
    sigma0, sigma1, sigma2 = sigmas
    m0, m1 = memory_sums(T, scale * sigma1)
    # Lemma 1, as its proof gives it: the modulus is sigma1 mu0 sqrt(1 + sigma0^2)
    L = sigma1 * m0 * math.sqrt(1.0 + sigma0 * sigma0)
    # eq. (31), with alpha_m where the appendix writes alpha
    a_s_mu0 = product(scale, sigma1, m0)
    d = float(d)
    beta = (
        d * sigma2 * (a_s_mu0 + 1.0) * m1
        + math.sqrt(d)
        * (
            square(sigma1 * m0)
            + sigma0 * sigma1 * m0 * m1
            + m1 * (sigma1 + sigma2 + product(scale, sigma1, sigma2, m0))
        )
        + square(sigma1 * m0)
        + sigma0 * sigma2 * m1 * (a_s_mu0 + 1.0)
    )
    # Lemma 2
    Lambda = SQRT2 * (sigma0 + 1.0 + product(scale, L))
    gamma = SQRT2 * (L + product(scale, beta))
    return {
        "alpha_m": scale,
        "mu0": m0,
        "mu1": m1,
        "L_T": L,
        "beta_T": beta,
        "Lambda_T": Lambda,
        "gamma_T": gamma,
    }


def output_bound(settings):
    """Prop. 6: ``ymax = sup |F*_t|`` over the class, at ``alpha`` (not ``alpha_m``)."""
    sigma0, sigma1, _ = settings.sigmas
    m0 = memory_sums(settings.n_timesteps, settings.recurrent_scale * sigma1)[0]
    return product(sigma1, m0, settings.nu_u + sigma0 * settings.nu_w)


def linearization_error(settings, consts, rho2):
    """Eq. (19): ``err = err_1 + err_2`` for radii with ``rho_w^2 + rho_u^2 = rho2``."""
    _, sigma1, sigma2 = settings.sigmas
    err1 = product(consts["L_T"], math.sqrt(settings.nu2), math.sqrt(settings.log_term))
    curvature = sigma2 * square(consts["Lambda_T"]) + sigma1 * consts["gamma_T"]
    return err1 + product(2.0, rho2, curvature) + product(2.0, consts["beta_T"], rho2)


def projected_constants(settings, width=None):
    """Every constant of projected gradient descent, as a dict (no inputs).

    ``width`` overrides ``settings.width`` (the width searches vary it);
    ``math.inf`` gives the infinite-width limit, ``alpha_m = alpha``.
    """
    width = settings.width if width is None else width
    scale = effective_scale(settings.recurrent_scale, width, settings.radius_w)
    consts = lipschitz_constants(settings.sigmas, scale, settings.n_timesteps, settings.n_features)
    rho2 = settings.rho2
    consts["Fmax"] = product(consts["L_T"], math.sqrt(rho2))
    consts["ymax"] = output_bound(settings)
    consts["err"] = linearization_error(settings, consts, rho2)
    consts["regime"] = regime(scale * settings.sigmas[1])
    return consts


@fill_doc
def theory_constants(
    *,
    activation,
    recurrent_scale,
    width,
    radius_w,
    radius_u,
    nu_w=None,
    nu_u=None,
    n_timesteps,
    n_samples,
    n_features,
    delta,
):
    """Compute the constants of Section 4 for max-norm projected gradient descent.

    Parameters
    ----------
    %(projected_setting)s

    Returns
    -------
    dict
        ``sigma0, sigma1, sigma2`` (eq. 4); ``alpha_m = alpha + rho_w /
        sqrt(m)``; ``mu0, mu1`` (at ``alpha_m * sigma1``); ``L_T`` (Lemma 1,
        as its proof gives it: ``sigma1 mu0 sqrt(1 + sigma0^2)``);
        ``beta_T`` (eq. 31); ``Lambda_T, gamma_T`` (Lemma 2); ``Fmax, ymax``
        (Prop. 6; ``ymax`` uses ``alpha``, not ``alpha_m``); ``err``
        (eq. 19); ``regime`` (Remark 5). Overflowed values are ``inf``.
    """
    settings = TheorySettings.from_arguments(locals(), *PROJECTED_FIELDS)
    settings.require(
        "width", "radius_w", "radius_u", "n_timesteps", "n_samples", "n_features", "delta"
    )
    out = settings.sigma_dict
    out.update(projected_constants(settings))
    return out

"""Theorem 1 and Corollary 1: max-norm projected gradient descent.

The proof of Theorem 1, stopped before the step size is substituted, bounds
the average risk along the path for any step ``eta``::

    N0 / (2 eta tau) + eta T^2 phi^2 L_T^2 / 2  +  T phi err / sqrt(m)
    \\_____________ optimization ____________/     \\__ linearization __/

with ``phi = Fmax + ymax`` and ``N0 = nu_w^2 + nu_u^2``; it bounds the best
iterate too. At Theorem 1's step ``eta = 1 / (T sqrt(tau))`` it is the
theorem's ``B1``. Corollary 1 (average iterate) is four times that plus
``(6/m) (Lambda_T^2 sigma2 + gamma_T sigma1) (rho_w^2 + rho_u^2)``. This
module assembles both once, in :func:`projected_bound`; the public bounds,
the requirements and the estimator adapter all call it.
"""

import functools
import math
import sys
import warnings

from ._constants import product, projected_constants, ratio, square, upper
from ._docstrings import fill_doc
from ._optimize import smallest_integer
from ._settings import (
    PROJECTED_FIELDS,
    TheorySettings,
    check_count,
    check_nonnegative,
    check_step,
)

__all__ = [
    "corollary1_bound",
    "projected_bound",
    "theorem1_bound",
    "theorem1_requirements",
    "theorem1_violation",
    "theory_step",
]

#: largest width and iteration count the searches consider
_MAX_HALF_WIDTH = 2**1022
_MAX_ITERATIONS = int(sys.float_info.max)


def theory_step(n_timesteps, n_iter):
    """Theorem 1's step size ``1 / (T sqrt(tau))``, with ``tau = max(n_iter, 1)``.

    Parameters
    ----------
    n_timesteps : int
        Horizon ``T >= 1``.
    n_iter : int
        Number of gradient steps ``tau >= 0`` (0 is read as 1: the step is
        then never taken).

    Returns
    -------
    float
        The step size.
    """
    return 1.0 / (float(n_timesteps) * math.sqrt(max(n_iter, 1)))


def _optimization_term(settings, consts, n_iter, eta):
    """``N0 / (2 eta tau) + eta T^2 phi^2 L_T^2 / 2``."""
    T = float(settings.n_timesteps)
    phi = consts["Fmax"] + consts["ymax"]
    drift = ratio(settings.nu2, 2.0 * eta * float(n_iter))
    return upper(drift + product(eta, T * T, square(phi), square(consts["L_T"])) / 2.0)


def _linearization_term(settings, consts, width):
    """``T (Fmax + ymax) err / sqrt(m)``."""
    T = float(settings.n_timesteps)
    return upper(product(T, consts["Fmax"] + consts["ymax"], consts["err"]) / math.sqrt(width))


def _corollary_term(settings, consts):
    """``(6/m) (Lambda_T^2 sigma2 + gamma_T sigma1) (rho_w^2 + rho_u^2)`` (Corollary 1)."""
    _, sigma1, sigma2 = settings.sigmas
    curvature = square(consts["Lambda_T"]) * sigma2 + consts["gamma_T"] * sigma1
    return product(6.0 / settings.width, curvature, settings.rho2)


def projected_bound(settings, consts, n_iter, eta, iterate):
    """Theorem 1 (``iterate`` "best" or "last") or Corollary 1 ("average") at step ``eta``.

    The two terms are added last, so that a width and an iteration count
    that bring each below ``eps / 2`` give a bound of at most ``eps``,
    rounding included.
    """
    value = _optimization_term(settings, consts, n_iter, eta) + _linearization_term(
        settings, consts, settings.width
    )
    if iterate == "average":
        value = 4.0 * value + _corollary_term(settings, consts)
    return upper(value)


def theorem1_violation(settings):
    """Why Theorem 1 does not apply (a radius below its complexity), or None."""
    reasons = []
    if settings.nu_w > settings.radius_w:
        reasons.append(f"nu_w={settings.nu_w!r} > radius_w={settings.radius_w!r}")
    if settings.nu_u > settings.radius_u:
        reasons.append(f"nu_u={settings.nu_u!r} > radius_u={settings.radius_u!r}")
    if not reasons:
        return None
    return (
        "Theorem 1 and Corollary 1 need the projection radii to be at least the "
        "target complexity (rho >= nu); here " + " and ".join(reasons) + "."
    )


def _public_bound(settings, n_iter, learning_rate, iterate):
    tau = check_count("n_iter", n_iter)
    step = check_step(learning_rate)
    eta = theory_step(settings.n_timesteps, tau) if step == "theory" else step
    reason = theorem1_violation(settings)
    if reason is not None:
        warnings.warn(reason + " The bound is NaN.", UserWarning, stacklevel=3)
        return math.nan
    return projected_bound(settings, projected_constants(settings), tau, eta, iterate)


@fill_doc
def theorem1_bound(
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
    n_iter,
    learning_rate=None,
):
    """Theorem 1: best-iterate risk of max-norm projected gradient descent.

    With the theorem's step size ``eta = 1 / (T sqrt(tau))`` this is

    ``B1 = (T / sqrt(tau)) ((nu_w^2 + nu_u^2)/2 + (L_T^2/2) (Fmax + ymax)^2)
    + (T (Fmax + ymax) / sqrt(m)) err``.

    For any other step size the proof, stopped before the step size is
    substituted, gives

    ``(nu_w^2 + nu_u^2) / (2 eta tau) + T (Fmax + ymax) err / sqrt(m)
    + eta T^2 (Fmax + ymax)^2 L_T^2 / 2``,

    which bounds the average of the risks along the path and hence the best
    one; at the theory step it is ``B1``, and it is evaluated in this form
    for every step.

    Parameters
    ----------
    %(projected_setting)s
    %(n_iter)s
    %(learning_rate)s

    Returns
    -------
    float
        The bound on ``min_{s < tau} R(Theta(s))``, which holds with
        probability ``1 - delta`` over the initialization when
        ``max_t ||X_t||_2 <= 1``; ``inf`` on overflow; NaN with a
        ``UserWarning`` when ``nu > rho`` (the theorem needs
        ``rho_w >= nu_w`` and ``rho_u >= nu_u``).
    """
    settings = TheorySettings.from_arguments(locals(), *PROJECTED_FIELDS)
    return _public_bound(settings, n_iter, learning_rate, "best")


@fill_doc
def corollary1_bound(
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
    n_iter,
    learning_rate=None,
):
    """Corollary 1: risk of the average iterate ``(1/tau) sum_{s<tau} Theta(s)``.

    At the theory step ``eta = 1 / (T sqrt(tau))``:

    ``Bavg = (2T / sqrt(tau)) ((nu_w^2 + nu_u^2) + L_T^2 (Fmax + ymax)^2)
    + (4T (Fmax + ymax) / sqrt(m)) err
    + (6/m) (Lambda_T^2 sigma2 + gamma_T sigma1) (rho_w^2 + rho_u^2)``.

    For any step size the corollary's proof gives four times the
    step-size-generic bound of :func:`theorem1_bound` plus the same last
    term (at the theory step the two agree).

    Parameters
    ----------
    %(projected_setting)s
    %(n_iter)s
    %(learning_rate)s

    Returns
    -------
    float
        The bound on the risk of the average iterate; ``inf`` on overflow;
        NaN with a ``UserWarning`` when ``nu > rho``.
    """
    settings = TheorySettings.from_arguments(locals(), *PROJECTED_FIELDS)
    return _public_bound(settings, n_iter, learning_rate, "average")


def _width_suffices(settings, half, half_width):
    """Whether the linearization term at width ``2 * half_width`` is at most ``half``."""
    width = 2 * half_width
    consts = projected_constants(settings, width)
    return _linearization_term(settings, consts, width) <= half


def _iterations_suffice(settings, consts, half, n_iter):
    """Whether the optimization term at the theory step for ``n_iter`` is at most ``half``."""
    eta = theory_step(settings.n_timesteps, n_iter)
    return _optimization_term(settings, consts, n_iter, eta) <= half


@fill_doc
def theorem1_requirements(
    eps,
    *,
    activation,
    recurrent_scale,
    radius_w,
    radius_u,
    nu_w=None,
    nu_u=None,
    n_timesteps,
    n_samples,
    n_features,
    delta,
):
    """Width and iteration count for which Theorem 1 certifies risk ``eps``.

    The bound ``B1`` is split into its two terms, each required to be at most
    ``eps / 2``:

    * the linearization term ``T (Fmax + ymax) err / sqrt(m)`` depends on the
      width only and decreases with it (every constant grows with
      ``alpha_m = alpha + rho_w / sqrt(m)``): the returned ``width`` is the
      smallest even ``m`` that brings it to ``eps / 2``;
    * the optimization term ``(T / sqrt(tau)) ((nu_w^2 + nu_u^2)/2 +
      (L_T^2/2) (Fmax + ymax)^2)``, evaluated at that width, gives the
      smallest ``tau``.

    Both are minimal for this split: ``width - 2`` breaks the first half,
    ``n_iter - 1`` the second (exactly below ``2**53``, to a relative
    ``2**-60`` above). Other splits trade width for iterations; the step
    size is Theorem 1's ``1 / (T sqrt(n_iter))``, and
    :func:`theorem1_bound` at the returned values is at most ``eps``.
    Each count is found by a bounded search (an exponential bracket from
    the infinite-width estimate, then bisection), so the answer comes in
    well under a millisecond per count.

    Parameters
    ----------
    eps : float
        Target risk, ``> 0``.
    %(activation)s
    %(recurrent_scale)s
    %(radii)s
    %(data)s

    Returns
    -------
    width : int or float
        Even width ``m``; ``inf`` when no width up to ``2**1023`` suffices
        (in practice: the constants overflow in the long-memory regime).
    n_iter : int or float
        Iteration count ``tau``; ``inf`` when it would exceed the largest
        float or the width is ``inf``.

    Raises
    ------
    ValueError
        When ``nu > rho`` (the theorem does not apply).
    """
    eps = check_nonnegative("eps", eps, positive=True)
    settings = TheorySettings.from_arguments(locals(), *PROJECTED_FIELDS[1:])
    reason = theorem1_violation(settings)
    if reason is not None:
        raise ValueError(reason)
    half = 0.5 * eps

    # the infinite-width constants are the smallest: m >= (T phi err / (eps/2))^2 there
    limit = _linearization_term(settings, projected_constants(settings, math.inf), 1.0)
    if math.isinf(limit):
        return math.inf, math.inf
    half_width = smallest_integer(
        functools.partial(_width_suffices, settings, half),
        lowest=1,
        guess=0.5 * square(ratio(limit, half)),
        highest=_MAX_HALF_WIDTH,
    )
    if math.isinf(half_width):
        return math.inf, math.inf
    width = 2 * half_width

    consts = projected_constants(settings, width)
    T = float(settings.n_timesteps)
    phi = consts["Fmax"] + consts["ymax"]
    drift = 0.5 * settings.nu2 + product(0.5, square(consts["L_T"]), square(phi))
    n_iter = smallest_integer(
        functools.partial(_iterations_suffice, settings, consts, half),
        lowest=1,
        guess=square(ratio(T * drift, half)),
        highest=_MAX_ITERATIONS,
    )
    return width, n_iter

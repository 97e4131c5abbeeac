"""Theorem 2: gradient descent without projection.

For a target ``eps`` Theorem 2 sets ``alpha_target = alpha + sqrt(2 eps)``,
evaluates every constant of Lemmas 1-2 at ``mu(alpha_target * sigma1)``,
takes ``lambda = L_T sqrt(T) (nu_w^2 + nu_u^2) / sqrt(eps)`` (the value of
its proof, with ``sqrt(T)``) and asks for

* ``eta <= eps / (2 T^2 L_T^2 (Fmax(lambda, lambda) + ymax)^2)``,
* ``m >= [err(lambda, lambda)^2 + lambda^2] / (2 eps)``,
* ``tau >= (nu_w^2 + nu_u^2) / ((sqrt(2) + 1)^2 eta eps)``;

then ``min_{s<tau} R(Theta(s)) <= 9 eps / 4`` with probability
``1 - delta``. :func:`theorem2_requirements` reads the conditions forwards,
:func:`theorem2_certified_risk` backwards (the smallest ``eps`` a finished
run meets).
"""

import functools
import math
import sys

from ._constants import (
    SQRT2,
    linearization_error,
    lipschitz_constants,
    output_bound,
    product,
    ratio,
    regime,
    square,
)
from ._docstrings import fill_doc
from ._optimize import first_feasible, largest_admissible, smallest_integer
from ._settings import DATA_FIELDS, TheorySettings, check_count, check_nonnegative

__all__ = [
    "certified_eps",
    "theorem2_at",
    "theorem2_certified_risk",
    "theorem2_requirements",
]

#: ``(sqrt(2) + 1)^2`` of the iteration condition
_TAU_FACTOR = square(SQRT2 + 1.0)

#: the search grid for ``eps``: ``10 ** (k / 20)`` over ``[1e-16, 1e16]``
_EPS_GRID = tuple(10.0 ** (k / 20.0) for k in range(-320, 321))

#: floats above the rounded iteration floor that are tried before the grid
_FLOOR_ULPS = 8

_MAX_HALF_WIDTH = 2**1022
_MAX_ITERATIONS = int(sys.float_info.max)

#: the constants reported with a Theorem 2 result
REPORTED = (
    "alpha_target",
    "lambda",
    "mu0",
    "mu1",
    "L_T",
    "beta_T",
    "Lambda_T",
    "gamma_T",
    "Fmax",
    "ymax",
    "err",
    "regime",
)


def theorem2_at(settings, eps):
    """Everything Theorem 2 defines for a target ``eps``, as a dict."""
    alpha_target = settings.recurrent_scale + math.sqrt(2.0 * eps)
    T = settings.n_timesteps
    consts = lipschitz_constants(settings.sigmas, alpha_target, T, settings.n_features)
    L = consts["L_T"]
    lam = product(L, math.sqrt(float(T)), settings.nu2) / math.sqrt(eps)
    rho2 = 2.0 * square(lam)  # rho_w = rho_u = lambda
    consts["alpha_target"] = alpha_target
    consts["lambda"] = lam
    consts["Fmax"] = product(L, math.sqrt(rho2))
    consts["ymax"] = output_bound(settings)
    consts["err"] = linearization_error(settings, consts, rho2)
    # eta <= eps / step_denominator and m >= width_numerator / (2 eps)
    phi = consts["Fmax"] + consts["ymax"]
    consts["step_denominator"] = product(2.0, square(float(T)), square(L), square(phi))
    consts["width_numerator"] = square(consts["err"]) + square(lam)
    consts["regime"] = regime(alpha_target * settings.sigmas[1])
    return consts


def _holds(lhs, rhs):
    """``lhs <= rhs`` for a condition; an overflowed left side never holds."""
    return lhs <= rhs and not math.isinf(lhs)


def _progress(eta, eps, n_iter):
    """``(sqrt(2) + 1)^2 eta eps tau``, the right side of the iteration condition."""
    return _TAU_FACTOR * eta * eps * float(n_iter)


def _log(x):
    return -math.inf if x == 0 else math.log(x)


def _conditions(settings, width, eta, n_iter, eps):
    """``(all three conditions hold, smallest log margin, constants)`` at ``eps``.

    The conditions are checked in division-free form; the margin is ``>= 0``
    exactly when they hold (up to rounding) and NaN-free up to ``inf - inf``,
    which :func:`first_feasible` reads as ``-inf``.
    """
    consts = theorem2_at(settings, eps)
    step = eta * consts["step_denominator"]
    capacity = 2.0 * eps * float(width)
    progress = _progress(eta, eps, n_iter)
    nu2 = settings.nu2
    ok = _holds(step, eps) and _holds(consts["width_numerator"], capacity) and _holds(nu2, progress)
    margin = min(
        _log(eps) - _log(step),
        _log(capacity) - _log(consts["width_numerator"]),
        _log(progress) - _log(nu2),
    )
    return ok, margin, consts


def certified_eps(settings, width, eta, n_iter):
    """Smallest ``eps`` meeting Theorem 2's conditions for a finished run.

    Returns ``(eps_star, eps_below, consts)``: ``eps_star`` meets all three
    conditions and ``eps_below`` (within a relative ``1e-13`` of it) does
    not; ``eps_below`` is None when ``eps_star`` is the first point examined
    (the floor set by the iteration condition, below which nothing
    qualifies, or the bottom of the grid). The floor is followed by the next
    few floats, so ``eps_star`` can be a few ulps above it. ``(inf, None, None)`` when
    nothing is found.
    """
    nu2 = settings.nu2
    eps_floor = nu2 / (_TAU_FACTOR * eta * float(n_iter))
    start = []
    if eps_floor > 0 and math.isfinite(eps_floor):
        # The quotient is rounded and can sit a few ulps off the point where
        # the iteration condition (product form) starts to hold, while a run
        # sized by theorem2_requirements is admissible at that one point
        # only: step down to that point, then try the next few floats too.
        for _ in range(_FLOOR_ULPS):
            below = math.nextafter(eps_floor, 0.0)
            if not _holds(nu2, _progress(eta, below, n_iter)):
                break
            eps_floor = below
        start = [eps_floor]
        for _ in range(2 * _FLOOR_ULPS):
            start.append(math.nextafter(start[-1], math.inf))
    grid = start + [eps for eps in _EPS_GRID if eps > max(eps_floor, *start, 0.0)]
    evaluate = functools.partial(_conditions, settings, width, eta, n_iter)
    return first_feasible(evaluate, grid)


@fill_doc
def theorem2_certified_risk(
    *,
    activation,
    recurrent_scale,
    width,
    learning_rate,
    n_iter,
    nu_w=None,
    nu_u=None,
    n_timesteps,
    n_samples,
    n_features,
    delta,
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
    points. At grid-local maxima of the smallest (log) margin of the three
    conditions the margin is therefore maximized by golden-section search
    before the walk goes on. A sliver away from any such maximum could
    still be missed; that only makes the reported value larger, never
    wrong: the returned ``eps*`` always meets the three conditions. ``ymax``
    keeps ``alpha`` (it describes the target class, Prop. 6). The number of
    evaluations is bounded (a few thousand at most).

    Parameters
    ----------
    %(activation)s
    %(recurrent_scale)s
    %(width)s
    learning_rate : float
        Step size ``eta > 0`` used.
    %(n_iter)s
    %(nu_w_plain)s
    %(nu_u_plain)s
    %(data)s

    Returns
    -------
    float
        ``9 eps* / 4``, or ``inf`` when no ``eps`` qualifies.
    """
    settings = TheorySettings.from_arguments(locals(), *DATA_FIELDS, "width")
    eta = check_nonnegative("learning_rate", learning_rate, positive=True)
    tau = check_count("n_iter", n_iter)
    return 2.25 * certified_eps(settings, settings.width, eta, tau)[0]


# The two count conditions hold in product form (as certified_eps checks them)
# and in the theorem's quotient form; in floating point the two can differ by
# an ulp, and a count meant to meet the condition should meet both.


def _width_suffices(numerator, eps, half_width):
    width = float(2 * half_width)
    return _holds(numerator, 2.0 * eps * width) and width >= numerator / (2.0 * eps)


def _iterations_suffice(nu2, eta, eps, n_iter):
    threshold = ratio(nu2, _TAU_FACTOR * eta * eps)
    return _holds(nu2, _progress(eta, eps, n_iter)) and float(n_iter) >= threshold


@fill_doc
def theorem2_requirements(
    eps,
    *,
    activation,
    recurrent_scale,
    nu_w=None,
    nu_u=None,
    n_timesteps,
    n_samples,
    n_features,
    delta,
):
    """Width, step size and iteration count Theorem 2 asks for target ``eps``.

    Each count is the smallest integer meeting its condition, found by a
    bounded search (an exponential bracket from the closed-form estimate,
    then bisection), so the answer comes in well under a millisecond.

    Parameters
    ----------
    eps : float
        Target ``eps > 0`` (the certified risk is ``9 eps / 4``).
    %(activation)s
    %(recurrent_scale)s
    %(nu_w_plain)s
    %(nu_u_plain)s
    %(data)s

    Returns
    -------
    dict
        ``width``: the smallest even ``m0 >= [err^2 + lambda^2] / (2 eps)``;
        ``learning_rate``: the largest admissible ``eta``; ``n_iter``: the
        smallest integer ``tau >= tau0(eps)`` at that ``eta`` (at least 1);
        ``certified_risk``: ``9 eps / 4``; and ``alpha_target``, ``lambda``,
        the constants ``mu0, mu1, L_T, beta_T, Lambda_T, gamma_T, Fmax,
        ymax, err`` and ``regime``. Counts are ``inf`` on overflow (the step
        size is then 0).
    """
    eps = check_nonnegative("eps", eps, positive=True)
    settings = TheorySettings.from_arguments(locals(), *DATA_FIELDS)
    consts = theorem2_at(settings, eps)
    nu2 = settings.nu2
    eta = largest_admissible(eps, consts["step_denominator"])

    numerator = consts["width_numerator"]
    if math.isinf(numerator):
        width = math.inf
    else:
        half_width = smallest_integer(
            functools.partial(_width_suffices, numerator, eps),
            lowest=1,
            guess=numerator / (4.0 * eps),
            highest=_MAX_HALF_WIDTH,
        )
        width = 2 * half_width if not math.isinf(half_width) else math.inf

    if eta == 0:
        n_iter = math.inf
    elif nu2 == 0 or math.isinf(eta):
        n_iter = 1
    else:
        n_iter = smallest_integer(
            functools.partial(_iterations_suffice, nu2, eta, eps),
            lowest=1,
            guess=ratio(nu2, _TAU_FACTOR * eta * eps),
            highest=_MAX_ITERATIONS,
        )
    out = {"width": width, "learning_rate": eta, "n_iter": n_iter, "certified_risk": 2.25 * eps}
    out.update({key: consts[key] for key in REPORTED})
    return out

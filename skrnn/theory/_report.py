"""The bounds as the estimators report them: one call, a value and a dict.

:func:`gd_rnn_bound` picks the result that covers a gradient-descent run
(Theorem 1, Corollary 1 or Theorem 2) and :func:`ntk_bound` evaluates
Proposition 3 for the kernel regressor. Both check the input condition
``max_t ||X_t||_2 <= 1`` and say in ``details`` what was applied and why.
"""

import math
import warnings

from ._constants import (
    lipschitz_constants,
    memory_sums,
    output_bound,
    projected_constants,
    regime,
)
from ._docstrings import fill_doc
from ._kernel import prop3_value
from ._plain import REPORTED, certified_eps
from ._projected import projected_bound, theorem1_violation, theory_step
from ._settings import DATA_FIELDS, TheorySettings, check_count, check_iterate, check_step

__all__ = ["gd_rnn_bound", "ntk_bound"]

#: tolerance on ``max_t ||X_t|| <= 1`` (rounding of a rescaled input)
_INPUT_NORM_SLACK = 1e-12

_SETTINGS_KEYS = (
    "activation",
    "recurrent_scale",
    "width",
    "radius_w",
    "radius_u",
    "nu_w",
    "nu_u",
    "n_timesteps",
    "n_samples",
    "n_features",
    "delta",
)


def _input_norm_problem(max_input_norm):
    """Why the bounds do not apply to inputs of this norm, or None."""
    if max_input_norm is None:
        return None
    value = float(max_input_norm)
    if math.isfinite(value) and value <= 1.0 + _INPUT_NORM_SLACK:
        return None
    return (
        # a fixed text (the measured norm is in the details), so that Python
        # shows the warning once per place, not once per fit of a grid search
        "The bounds need max_t ||X_t||_2 <= 1 for every training sequence (the "
        "measured value is bound_details_['max_input_norm']), so the bound is NaN. "
        "Rescale the inputs first, e.g. with SequenceMaxNormScaler in skrnn.preprocessing."
    )


def _not_applicable(details, reason):
    details["result"] = "not applicable"
    details["reason"] = reason
    warnings.warn(reason, UserWarning, stacklevel=3)
    return math.nan, details


def _no_step(details):
    details["note"] = (
        "n_iter=0: no gradient step was taken, so no theorem bounds the risk; the bound is inf."
    )
    return math.inf, details


def _plain_report(settings, details, tau, eta, iterate):
    """Theorem 2's certified ``9 eps* / 4`` for a run without projection."""
    details["result"] = "Theorem 2 (best iterate, gradient descent without projection)"
    eps_star, consts = math.inf, None
    if tau > 0:
        eps_star, _, consts = certified_eps(settings, settings.width, eta, tau)
    if consts is None:  # nothing certified: the eps -> 0 limits
        alpha = settings.recurrent_scale
        consts = lipschitz_constants(
            settings.sigmas, alpha, settings.n_timesteps, settings.n_features
        )
        consts.update(alpha_target=alpha, ymax=output_bound(settings))
        consts.update({"lambda": math.inf, "Fmax": math.inf, "err": math.inf})
        consts["regime"] = regime(alpha * settings.sigmas[1])
    details["alpha_m"] = consts["alpha_m"]
    details.update({key: consts[key] for key in REPORTED})
    details["eps_star"] = eps_star
    if iterate != "best":
        details["note"] = (
            f"Theorem 2 bounds the best iterate only; no theorem covers the {iterate} "
            "iterate of gradient descent without projection (Remark 7's average-iterate "
            "bound needs exactly tau0 iterations). The best-iterate bound is reported."
        )
    if tau == 0:
        return _no_step(details)
    return 2.25 * eps_star, details


def _projected_report(settings, details, tau, eta, iterate, theory):
    """Theorem 1 or Corollary 1 for a projected run."""
    consts = projected_constants(settings)
    details.update(consts)
    step = "" if theory else ", any step size"
    if iterate == "average":
        details["result"] = f"Corollary 1 (average iterate{step})"
    else:
        details["result"] = f"Theorem 1 (best iterate{step})"
        if iterate == "last":
            details["note"] = (
                "No theorem covers the last iterate; the best-iterate bound of "
                "Theorem 1 is reported (the last iterate's risk may exceed it)."
            )
    reason = theorem1_violation(settings)
    if reason is not None:
        return _not_applicable(details, reason + " The bound is NaN.")
    if tau == 0:
        return _no_step(details)
    return projected_bound(settings, consts, tau, eta, iterate), details


@fill_doc
def gd_rnn_bound(
    *,
    activation,
    recurrent_scale,
    width,
    radius_w,
    radius_u,
    nu_w,
    nu_u,
    n_timesteps,
    n_samples,
    n_features,
    delta,
    n_iter,
    learning_rate,
    iterate,
    max_input_norm,
):
    """Bound on the training risk of a fitted gradient-descent RNN.

    Picks the result that covers the run:

    * both radii given (max-norm projected GD): ``iterate="best"`` gives
      Theorem 1, ``"average"`` Corollary 1, at Theorem 1's step when
      ``learning_rate="theory"`` and in their step-size-generic form for a
      float step (the two agree at the theory step). ``"last"`` gets the
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

    With ``n_iter=0`` no step was taken and no theorem says anything: the
    bound is ``inf`` with a note (NaN still wins when no theorem applies).

    Parameters
    ----------
    %(activation)s
    %(recurrent_scale)s
    %(width)s
    radius_w : float or None
        Projection radius ``rho_w >= 0`` of the recurrent weights; None for
        gradient descent without projection.
    radius_u : float or None
        Projection radius ``rho_u >= 0`` of the input weights; None for
        gradient descent without projection.
    nu_w : float or None
        Target complexity ``nu_w >= 0`` (eq. 9); None means ``radius_w``,
        or 1.0 without a radius.
    nu_u : float or None
        Target complexity ``nu_u >= 0``; None means ``radius_u``, or 1.0
        without a radius.
    %(data)s
    n_iter : int
        Number ``tau >= 0`` of gradient steps taken.
    learning_rate : "theory", float or None
        Step size of the run: ``"theory"`` (or None) when the run used
        Theorem 1's ``1 / (T sqrt(max(n_iter, 1)))``, otherwise the float
        ``eta > 0`` it used (however it was chosen).
    iterate : {"best", "average", "last"}
        Which iterate the estimator kept.
    %(max_input_norm)s

    Returns
    -------
    bound : float
        The bound; ``inf`` when it overflows (long memory), when no step was
        taken or, for plain GD, when no ``eps`` is certified; NaN when no
        theorem applies.
    details : dict
        The inputs used (``activation``, ``recurrent_scale``, ``width``,
        ``radius_w``, ``radius_u``, ``nu_w``, ``nu_u``, ``n_timesteps``,
        ``n_samples``, ``n_features``, ``delta``, ``n_iter``,
        ``learning_rate`` (the float step), ``theory_learning_rate``,
        ``iterate``, ``max_input_norm``), the constants (``sigma0..2``,
        ``alpha_m``, ``mu0``, ``mu1``, ``L_T``, ``beta_T``, ``Lambda_T``,
        ``gamma_T``, ``Fmax``, ``ymax``, ``err``), ``regime`` and ``result``
        (the theorem applied); ``reason`` when NaN, ``note`` where relevant.
        For plain GD the constants are Theorem 2's at ``eps*`` (``alpha_m``
        is then ``alpha_target``) and ``eps_star``, ``lambda``,
        ``alpha_target`` are added; without a certified ``eps*`` they are
        the ``eps -> 0`` limits (constants at ``alpha``, ``lambda``,
        ``Fmax`` and ``err`` infinite).
    """
    settings = TheorySettings.from_arguments(locals(), "width", *DATA_FIELDS)
    iterate = check_iterate(iterate)
    tau = check_count("n_iter", n_iter, 0)
    step = check_step(learning_rate)
    theory_eta = theory_step(settings.n_timesteps, tau)
    eta = theory_eta if step == "theory" else step
    details = {key: getattr(settings, key) for key in _SETTINGS_KEYS}
    details.update(
        n_iter=tau,
        learning_rate=eta,
        theory_learning_rate=theory_eta,
        iterate=iterate,
        max_input_norm=None if max_input_norm is None else float(max_input_norm),
    )
    details.update(settings.sigma_dict)

    if not (settings.plain or settings.projected):
        details["regime"] = regime(settings.recurrent_scale * settings.sigmas[1])
        return _not_applicable(
            details,
            "Theorem 1 needs both projection radii and Theorem 2 needs neither; with "
            "only one of radius_w, radius_u set no theorem applies, so the bound is NaN.",
        )
    reason = _input_norm_problem(max_input_norm)
    if settings.plain:
        if reason is not None:
            details["regime"] = regime(settings.recurrent_scale * settings.sigmas[1])
            return _not_applicable(details, reason)
        return _plain_report(settings, details, tau, eta, iterate)
    if reason is not None:
        details.update(projected_constants(settings))
        return _not_applicable(details, reason)
    return _projected_report(settings, details, tau, eta, iterate, step == "theory")


@fill_doc
def ntk_bound(
    *,
    activation,
    recurrent_scale,
    n_mc_samples,
    nu_w,
    nu_u,
    n_timesteps,
    n_samples,
    delta,
    max_input_norm,
):
    """Proposition 3 bound for the kernel (random-feature) regressor.

    Parameters
    ----------
    %(activation)s
    %(recurrent_scale)s
    n_mc_samples : int
        ``M >= 1`` Monte Carlo draws, i.e. a symmetric network of width
        ``m = 2M``.
    %(nu_w_or_none)s
    %(nu_u_or_none)s
    %(n_timesteps)s
    %(n_samples)s
    %(delta)s
    %(max_input_norm)s

    Returns
    -------
    bound : float
        ``2 mu0_T(alpha sigma1) sigma1 (nu_u + sigma0 nu_w)
        sqrt(2 log(2 n T / delta) / m)`` (see :func:`prop3_bound`); ``inf``
        on overflow; NaN when the inputs are too large.
    details : dict
        Inputs used, ``sigma0..2``, ``mu0`` (at ``alpha sigma1``), ``ymax``,
        ``regime`` (at ``alpha``), ``result``; ``reason`` when NaN.
    """
    draws = check_count("n_mc_samples", n_mc_samples)
    settings = TheorySettings(
        activation=activation,
        recurrent_scale=recurrent_scale,
        width=2 * draws,
        nu_w=nu_w,
        nu_u=nu_u,
        n_timesteps=n_timesteps,
        n_samples=n_samples,
        delta=delta,
    )
    settings.require("n_timesteps", "n_samples", "delta")
    alpha, sigma1 = settings.recurrent_scale, settings.sigmas[1]
    details = {
        "activation": activation,
        "recurrent_scale": alpha,
        "n_mc_samples": draws,
        "width": settings.width,
        "nu_w": settings.nu_w,
        "nu_u": settings.nu_u,
        "n_timesteps": settings.n_timesteps,
        "n_samples": settings.n_samples,
        "delta": settings.delta,
        "max_input_norm": None if max_input_norm is None else float(max_input_norm),
    }
    details.update(settings.sigma_dict)
    details.update(
        mu0=memory_sums(settings.n_timesteps, alpha * sigma1)[0],
        ymax=output_bound(settings),
        regime=regime(alpha * sigma1),
        result="Proposition 3 (kernel approximation, union bound of Proposition 5)",
    )
    reason = _input_norm_problem(max_input_norm)
    if reason is not None:
        return _not_applicable(details, reason)
    return prop3_value(settings), details

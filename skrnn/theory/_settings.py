"""The theory's inputs, validated once.

Every public function of :mod:`skrnn.theory` turns its keyword arguments into
one :class:`TheorySettings` (a frozen dataclass whose ``__post_init__`` checks
and normalizes every field) and works from that object only. The other
scalars (a target risk, an iteration count, a step size) are checked by the
helpers below, with scikit-learn's :func:`~sklearn.utils.validation.check_scalar`
underneath, so every message has the same form.
"""

import math
import numbers
import sys
from dataclasses import dataclass, fields

import numpy as np
from sklearn.utils.validation import check_scalar

from .._activations import ACTIVATIONS, get_activation

__all__ = [
    "DATA_FIELDS",
    "ITERATES",
    "PROJECTED_FIELDS",
    "TheorySettings",
    "check_count",
    "check_iterate",
    "check_nonnegative",
    "check_probability",
    "check_step",
]

#: which iterate of gradient descent a bound is about
ITERATES = ("best", "average", "last")

#: the fields every data-dependent bound requires
DATA_FIELDS = ("n_timesteps", "n_samples", "n_features", "delta")

#: the fields the projected-gradient-descent results require
PROJECTED_FIELDS = ("width", "radius_w", "radius_u", *DATA_FIELDS)

#: the integer fields of :class:`TheorySettings`
_COUNTS = ("n_timesteps", "n_samples", "n_features", "width")

#: largest count accepted: counts enter the formulas as floats
_MAX_COUNT = sys.float_info.max


def _reject_bool(name, value):
    # bool is an int to Python and to check_scalar, but never a count or a scale
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a number, got the boolean {value!r}.")


def check_count(name, value, min_value=1):
    """``value`` as a Python int in ``[min_value, float max]``.

    Parameters
    ----------
    name : str
        Name used in error messages.
    value : int
        The count to check (a NumPy integer is accepted, a bool is not).
    min_value : int, default=1
        Smallest allowed value.

    Returns
    -------
    int
        The validated count.
    """
    _reject_bool(name, value)
    check_scalar(value, name, numbers.Integral, min_val=min_value, max_val=_MAX_COUNT)
    return int(value)


def _check_real(name, value, *, low_open, high=None):
    _reject_bool(name, value)
    check_scalar(value, name, numbers.Real)
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}.")
    # (0, high) or [0, high): a closed upper end is never needed
    bounds = "neither" if low_open else "left"
    check_scalar(value, name, numbers.Real, min_val=0.0, max_val=high, include_boundaries=bounds)
    return value


def check_nonnegative(name, value, *, positive=False):
    """``value`` as a finite float ``>= 0`` (``> 0`` when ``positive``).

    Parameters
    ----------
    name : str
        Name used in error messages.
    value : float
        The number to check.
    positive : bool, default=False
        Whether 0 is excluded.

    Returns
    -------
    float
        The validated number.
    """
    return _check_real(name, value, low_open=positive)


def check_probability(name, value):
    """``value`` as a float in the open interval ``(0, 1)``.

    Parameters
    ----------
    name : str
        Name used in error messages.
    value : float
        The probability to check.

    Returns
    -------
    float
        The validated probability.
    """
    return _check_real(name, value, low_open=True, high=1.0)


def check_step(learning_rate):
    """A step size: ``"theory"`` (or None, its old spelling) or a finite float ``> 0``.

    Parameters
    ----------
    learning_rate : "theory", None or float
        The step size to check.

    Returns
    -------
    "theory" or float
        ``"theory"`` for the theory's own step, otherwise the validated float.
    """
    if learning_rate is None or (isinstance(learning_rate, str) and learning_rate == "theory"):
        return "theory"
    if isinstance(learning_rate, str):
        raise ValueError(f'learning_rate must be "theory" or a float > 0, got {learning_rate!r}.')
    return check_nonnegative("learning_rate", learning_rate, positive=True)


def check_iterate(iterate):
    """``iterate`` if it is one of ``"best"``, ``"average"``, ``"last"``.

    Parameters
    ----------
    iterate : str
        The iterate to check.

    Returns
    -------
    str
        The validated name.
    """
    if not (isinstance(iterate, str) and iterate in ITERATES):
        raise ValueError(f"iterate must be one of {ITERATES}, got {iterate!r}.")
    return iterate


@dataclass(frozen=True)
class TheorySettings:
    """The inputs shared by every bound, checked and normalized once.

    Attributes
    ----------
    activation : str
        Name of the activation (a key of the activation registry).
    recurrent_scale : float
        The paper's ``alpha >= 0``.
    n_timesteps : int or None
        Horizon ``T >= 1``.
    n_samples : int or None
        Number ``n >= 1`` of training sequences.
    delta : float or None
        Failure probability in ``(0, 1)``.
    n_features : int or None
        Input dimension ``d >= 1``.
    width : int or None
        Width ``m >= 1``.
    radius_w, radius_u : float or None
        Projection radii ``rho_w, rho_u >= 0``; None for no projection.
    nu_w, nu_u : float
        Target complexity ``>= 0``; a None passed in becomes the radius of
        the same name when that radius is set (the largest value Theorem 1
        allows), otherwise 1.0.

    Notes
    -----
    Fields a result does not use stay None; a public function that needs
    one makes it a required argument and calls :meth:`require`.
    """

    activation: str
    recurrent_scale: float
    n_timesteps: int | None = None
    n_samples: int | None = None
    delta: float | None = None
    n_features: int | None = None
    width: int | None = None
    radius_w: float | None = None
    radius_u: float | None = None
    nu_w: float | None = None
    nu_u: float | None = None

    def __post_init__(self):
        get_activation(self.activation)
        fields = {"recurrent_scale": check_nonnegative("recurrent_scale", self.recurrent_scale)}
        for name in ("n_timesteps", "n_samples", "n_features", "width"):
            value = getattr(self, name)
            if value is not None:
                fields[name] = check_count(name, value)
        if self.delta is not None:
            fields["delta"] = check_probability("delta", self.delta)
        for axis in ("w", "u"):
            radius = getattr(self, f"radius_{axis}")
            if radius is not None:
                radius = check_nonnegative(f"radius_{axis}", radius)
                fields[f"radius_{axis}"] = radius
            nu = getattr(self, f"nu_{axis}")
            if nu is None:
                nu = 1.0 if radius is None else radius
            fields[f"nu_{axis}"] = check_nonnegative(f"nu_{axis}", nu)
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    @classmethod
    def from_arguments(cls, arguments, *required):
        """The settings among a public function's arguments, ``required`` ones present.

        Parameters
        ----------
        arguments : dict
            The function's arguments by name (its ``locals()`` on entry);
            names that are not fields are ignored.
        *required : str
            Fields that must not be None (see :meth:`require`).

        Returns
        -------
        TheorySettings
            The validated settings.
        """
        names = [field.name for field in fields(cls) if field.name in arguments]
        settings = cls(**{name: arguments[name] for name in names})
        settings.require(*required)
        return settings

    def require(self, *names):
        """Raise a ``TypeError`` for each named field that is None.

        The public signatures make these arguments mandatory; None is the
        one value the field checks let through, so it is refused here.
        """
        for name in names:
            if getattr(self, name) is None:
                kind = "an int >= 1" if name in _COUNTS else "a number"
                raise TypeError(f"{name} must be {kind} here, got None.")

    # ----------------------------------------------------------- derived values

    @property
    def sigmas(self):
        """``(sigma0, sigma1, sigma2)`` of the activation (eq. 4)."""
        return ACTIVATIONS[self.activation].constants

    @property
    def sigma_dict(self):
        """``{"sigma0": ..., "sigma1": ..., "sigma2": ...}``, as reported in details."""
        sigma0, sigma1, sigma2 = self.sigmas
        return {"sigma0": sigma0, "sigma1": sigma1, "sigma2": sigma2}

    @property
    def projected(self):
        """Whether both radii are set (max-norm projected gradient descent)."""
        return self.radius_w is not None and self.radius_u is not None

    @property
    def plain(self):
        """Whether neither radius is set (gradient descent without projection)."""
        return self.radius_w is None and self.radius_u is None

    @property
    def nu2(self):
        """``nu_w^2 + nu_u^2``."""
        return self.nu_w * self.nu_w + self.nu_u * self.nu_u

    @property
    def rho2(self):
        """``rho_w^2 + rho_u^2`` (both radii must be set)."""
        return self.radius_w * self.radius_w + self.radius_u * self.radius_u

    @property
    def log_term(self):
        """``log(2 T n / delta)``; from exact integer logarithms once the quotient overflows."""
        quotient = 2.0 * self.n_timesteps * self.n_samples / self.delta
        if math.isfinite(quotient):
            return math.log(quotient)
        return math.log(2 * self.n_timesteps * self.n_samples) - math.log(self.delta)

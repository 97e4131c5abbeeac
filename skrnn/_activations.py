"""The one registry of activation functions.

Every fact about an activation lives here, once:

* ``code``: the integer the Numba kernels branch on (``skrnn._numba``);
* ``sigma0, sigma1, sigma2``: ``sup|sigma|``, ``sup|sigma'|``, ``sup|sigma''|``
  (the constants of the paper's eq. 4, used by the theory);
* ``numpy``: a plain NumPy function returning ``(sigma(z), sigma'(z))``, used
  by code that does not need Numba (the teacher data generator) and as the
  readable definition of each activation.

This module imports neither Numba nor the rest of the package, so the theory
and the data generators can use it without compiling anything.
"""

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.special import expit

__all__ = ["ACTIVATIONS", "Activation", "activation_names", "get_activation"]


def _tanh(z):
    value = np.tanh(z)
    return value, 1.0 - value * value


def _logistic(z):
    value = expit(z)
    return value, value * (1.0 - value)


def _gaussian(z):
    value = np.exp(-0.5 * np.square(z))
    return value, -z * value


class Activation(NamedTuple):
    """Everything the package knows about one activation function."""

    name: str
    code: int
    sigma0: float
    sigma1: float
    sigma2: float
    numpy: Callable

    @property
    def constants(self):
        """``(sigma0, sigma1, sigma2)``: sup of ``|sigma|``, ``|sigma'|``, ``|sigma''|``."""
        return (self.sigma0, self.sigma1, self.sigma2)


_SQRT3 = math.sqrt(3.0)

#: name -> :class:`Activation`; the codes are the Numba kernels' branch values
ACTIVATIONS = {
    "tanh": Activation("tanh", 0, 1.0, 1.0, 4.0 / (3.0 * _SQRT3), _tanh),
    "logistic": Activation("logistic", 1, 1.0, 0.25, 1.0 / (6.0 * _SQRT3), _logistic),
    "gaussian": Activation("gaussian", 2, 1.0, math.exp(-0.5), 1.0, _gaussian),
}


def activation_names():
    """The supported activation names, sorted."""
    return tuple(sorted(ACTIVATIONS))


def get_activation(activation):
    """Look up ``activation`` by name, with an error that lists the choices.

    Raises
    ------
    ValueError
        If ``activation`` is not one of :func:`activation_names`. ReLU gets a
        sentence of its own: the theory needs a Lipschitz ``sigma'``.
    """
    if isinstance(activation, str) and activation in ACTIVATIONS:
        return ACTIVATIONS[activation]
    valid = ", ".join(repr(name) for name in activation_names())
    message = f"activation must be one of {valid}, got {activation!r}."
    if isinstance(activation, str) and activation.lower() == "relu":
        message += " ReLU is outside the theory (its derivative is not Lipschitz)."
    raise ValueError(message)

"""Activation functions and their derivatives, applied to a whole row.

Each kernel works on one contiguous row of pre-activations ``z`` (the
neuron or Monte Carlo draw index) and writes ``sigma(z)`` and
``sigma'(z)`` into two output rows. The branch on the activation code sits
outside the loop, so each loop body is branch-free and can be vectorized.
"""

import math

from . import jit

TANH = 0
LOGISTIC = 1
GAUSSIAN = 2

ACTIVATION_CODES = {"tanh": TANH, "logistic": LOGISTIC, "gaussian": GAUSSIAN}


@jit(inline="always")
def activate_row(code, z, out_value, out_derivative):
    """Write ``sigma(z)`` into ``out_value`` and ``sigma'(z)`` into ``out_derivative``."""
    size = z.shape[0]
    if code == TANH:
        for i in range(size):
            value = math.tanh(z[i])
            out_value[i] = value
            out_derivative[i] = 1.0 - value * value
    elif code == LOGISTIC:
        for i in range(size):
            e = math.exp(-abs(z[i]))
            value = (1.0 if z[i] >= 0.0 else e) / (1.0 + e)
            out_value[i] = value
            out_derivative[i] = value * (1.0 - value)
    else:
        for i in range(size):
            value = math.exp(-0.5 * z[i] * z[i])
            out_value[i] = value
            out_derivative[i] = -z[i] * value

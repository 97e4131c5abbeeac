"""Plain NumPy activations and derivatives, the tests' independent reference.

Written from their textbook formulas, not from skrnn's Numba kernels.
"""

import numpy as np

#: name -> (sigma, sigma')
SIGMA = {
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "logistic": (
        lambda z: 1.0 / (1.0 + np.exp(-z)),
        lambda z: np.exp(-z) / (1.0 + np.exp(-z)) ** 2,
    ),
    "gaussian": (lambda z: np.exp(-0.5 * z * z), lambda z: -z * np.exp(-0.5 * z * z)),
}

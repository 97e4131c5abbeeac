"""Regenerate ``activation_reference.npz``: activations to 0.5 ulp, from mpmath.

Run once, offline: ``python tests/data/make_activation_reference.py``
(needs ``mpmath``, which the tests themselves do not). The arguments are
special magnitudes of both signs and random points over every range the
kernels treat differently; each stored value is the exact function value
(computed with 60 significant digits) rounded once to float64.

The Gaussian is stored as ``exp(-fl(z*z)/2)``: the kernel, like NumPy's
``exp(-z*z/2)``, rounds the square first, and that rounding alone moves the
result by up to ``z^2/2`` ulp; what is tested is the rest.
"""

import os
from fractions import Fraction

import mpmath
import numpy as np

mpmath.mp.dps = 60

MAGNITUDES = [
    0.0, 5e-324, 1e-310, 2.2250738585072014e-308, 1e-300, 1e-150, 1e-20, 1e-8, 1e-4,
    0.01, 0.1, 0.17, 0.3, 0.35, 0.5, 0.549, 0.6931471805599453, 1.0, 2.0, np.pi, 5.0,
    10.0, 18.0, 19.1, 20.0, 36.0, 37.0, 38.0, 40.0, 100.0, 300.0, 600.0, 700.0, 708.0,
    709.8, 710.0, 744.0, 745.0, 745.2, 746.0, 800.0, 1e4, 1e10, 1e100, 1e154,
    1.3407807929942596e154, 1e200, 1e308, 1.7976931348623157e308,
]  # fmt: skip


def arguments():
    rng = np.random.default_rng(20240607)
    magnitudes = np.array(MAGNITUDES)
    return np.concatenate([
        magnitudes,
        -magnitudes,
        rng.uniform(-1.0, 1.0, 1000),
        rng.uniform(-45.0, 45.0, 1000),
        rng.uniform(-800.0, 800.0, 500),
        np.exp(rng.uniform(-740.0, 709.0, 1000)) * rng.choice([-1.0, 1.0], 1000),
        # where the Gaussian and the derivatives go subnormal
        rng.uniform(-39.0, -36.0, 200),
        rng.uniform(700.0, 746.0, 200),
        rng.uniform(37.0, 38.7, 200) * rng.choice([-1.0, 1.0], 200),
        np.linspace(-3.0, 3.0, 601),
    ])  # fmt: skip


def exact(z):
    x = mpmath.mpf(float(z))
    tanh = mpmath.tanh(x)
    e = mpmath.exp(-x)
    logistic = 1 / (1 + e)
    gaussian = mpmath.exp(-mpmath.mpf(float(z) * float(z)) / 2)
    return {
        "tanh": tanh,
        "tanh_derivative": 1 / mpmath.cosh(x) ** 2,
        "logistic": logistic,
        "logistic_derivative": e / (1 + e) ** 2,
        "gaussian": gaussian,
        "gaussian_derivative": -x * gaussian,
    }


def to_double(x):
    """Round once to float64 (int / int is correctly rounded, subnormals too)."""
    sign, man, exp, _ = mpmath.mpf(x)._mpf_
    if man == 0 or exp + man.bit_length() < -1100:  # below half the least subnormal
        return 0.0
    return float((-1) ** sign * Fraction(man) * Fraction(2) ** exp)


def main():
    z = arguments()
    columns = {}
    for value in z:
        for name, result in exact(value).items():
            columns.setdefault(name, []).append(to_double(result))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "activation_reference.npz")
    np.savez_compressed(path, z=z, **{k: np.array(v) for k, v in columns.items()})
    print(f"wrote {len(z)} arguments to {path}")


if __name__ == "__main__":
    main()

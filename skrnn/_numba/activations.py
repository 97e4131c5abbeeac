"""Activation functions and their derivatives, applied to a whole row.

Each kernel works on one contiguous row of pre-activations ``z`` (the
neuron or Monte Carlo draw index) and writes ``sigma(z)`` and
``sigma'(z)`` into two output rows. The branch on the activation code sits
outside the loop, so each loop body is branch-free and can be vectorized.

The scalar ``math.tanh`` / ``math.exp`` are calls into libm that LLVM
cannot vectorize (and no vector math library is available to Numba), so
the exponential is written out by hand from arithmetic that vectorizes:

* Cody-Waite range reduction ``x = k ln2 + r`` with ``|r| <= ln2/2``; the
  constant ln2 is split in a high part with 32 significant bits (so that
  ``k * LN2_HI`` is exact) and a low part.
* ``expm1(r) = r + r^2 q(r)`` with a degree-10 near-minimax polynomial ``q``
  (relative error below 1e-18 on the reduced interval).
* ``2^k`` built from its bit pattern (``(k + 1023) << 52``), in two factors
  so that subnormal results come out right.

Only arguments ``x <= 0`` are needed: tanh uses ``expm1(-2|z|)``, the
logistic ``exp(-|z|)`` and the Gaussian ``exp(-z^2/2)``. Values agree with
NumPy's to a couple of units in the last place; NaN propagates and
infinities give the limits.

The kernels are compiled with the ``contract`` flag only (fused
multiply-add), never ``reassoc`` or ``arcp``: reassociation would fold the
two-step Cody-Waite reduction back into one inexact product, and
reciprocal approximation would cost accuracy. For that reason
``activate_row`` is a separately compiled function rather than inlined in
its callers (inlined code would take the callers' fast-math flags); the
call costs a few nanoseconds per row.
"""

import numba
import numpy as np

from . import CACHE

TANH = 0
LOGISTIC = 1
GAUSSIAN = 2

ACTIVATION_CODES = {"tanh": TANH, "logistic": LOGISTIC, "gaussian": GAUSSIAN}

# Compiler settings of this module: see the module docstring.
_strict_jit = numba.njit(
    cache=CACHE, fastmath={"contract"}, error_model="numpy", inline="never"
)

_INV_LN2 = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01  # 0x1.62e42fee00000p-1, 32 significant bits
_LN2_LO = 1.90821492927058770002e-10  # ln 2 - _LN2_HI
# exp(x) is below half the smallest subnormal for x < -745.14; clamping there
# keeps the exponent arithmetic in range without changing any result.
_X_MIN = -746.0
_K_MIN = -1077.0

# q(r) = (expm1(r) - r) / r^2 on |r| <= ln2/2, Chebyshev fit (mpmath), highest
# degree first.
_Q10 = 2.0914717341716378e-09
_Q9 = 2.5105259538448494e-08
_Q8 = 2.755727357010214e-07
_Q7 = 2.7557255297969643e-06
_Q6 = 2.4801587325605324e-05
_Q5 = 0.0001984126987490126
_Q4 = 0.001388888888888373
_Q3 = 0.008333333333326112
_Q2 = 0.04166666666666667
_Q1 = 0.1666666666666667
_Q0 = 0.5


@numba.njit(inline="always")
def _exp_parts(x):
    """For ``x <= 0`` (or NaN): ``(s, p)`` with ``exp(x) = s * (1 + p)``, ``s = 2^k``, ``p = expm1(r)``.

    Then ``exp(x) = s + s * p`` and ``expm1(x) = (s - 1) + s * p``, each with
    a single rounding when the compiler fuses the multiply-add.
    """
    # "x < min" is False for NaN, so NaN is kept and flows into r.
    x = _X_MIN if x < _X_MIN else x
    kf = np.floor(x * _INV_LN2 + 0.5)
    # ... and "kf > min" is False for NaN: the exponent stays a valid integer.
    kf = kf if kf > _K_MIN else _K_MIN
    r = (x - kf * _LN2_HI) - kf * _LN2_LO
    q = _Q10
    q = q * r + _Q9
    q = q * r + _Q8
    q = q * r + _Q7
    q = q * r + _Q6
    q = q * r + _Q5
    q = q * r + _Q4
    q = q * r + _Q3
    q = q * r + _Q2
    q = q * r + _Q1
    q = q * r + _Q0
    p = r + (r * r) * q
    # 2^k = 2^k1 * 2^k2 with both factors normal numbers: k1 = max(k, -1022).
    k = np.int64(kf)
    k1 = k if k > -1022 else np.int64(-1022)
    k2 = k - k1
    s1 = np.int64((k1 + 1023) << 52).view(np.float64)
    s2 = np.int64((k2 + 1023) << 52).view(np.float64)
    return s1 * s2, p


@_strict_jit
def activate_row(code, z, out_value, out_derivative):
    """Write ``sigma(z)`` into ``out_value`` and ``sigma'(z)`` into ``out_derivative``."""
    size = z.shape[0]
    if code == TANH:
        # tanh|z| = -E / (2 + E) with E = expm1(-2|z|), and
        # 1 - tanh^2 = 4 exp(-2|z|) / (2 + E)^2 (no cancellation for large |z|).
        for i in range(size):
            zi = z[i]
            s, p = _exp_parts(-2.0 * abs(zi))
            em1 = (s - 1.0) + s * p
            big = 2.0 + em1
            value = -em1 / big
            out_value[i] = np.copysign(value, zi)
            out_derivative[i] = 4.0 * (s + s * p) / (big * big)
    elif code == LOGISTIC:
        # e = exp(-|z|): sigma(z) = 1/(1+e) for z >= 0, e/(1+e) otherwise;
        # sigma' = sigma(z) sigma(-z), with 1 - sigma(z) = e sigma(z) for z >= 0.
        for i in range(size):
            zi = z[i]
            s, p = _exp_parts(-abs(zi))
            e = s + s * p
            positive = zi >= 0.0
            value = (1.0 if positive else e) / (1.0 + e)
            out_value[i] = value
            out_derivative[i] = value * (e * value if positive else 1.0 - value)
    else:
        for i in range(size):
            zi = z[i]
            # z * z rounded first, as in NumPy's exp(-z*z/2); overflows to inf -> 0.
            square = zi * zi
            s, p = _exp_parts(-0.5 * square)
            value = s + s * p
            out_value[i] = value
            # value == 0 where z is large or infinite: avoid inf * 0 = NaN.
            out_derivative[i] = 0.0 if value == 0.0 else -zi * value

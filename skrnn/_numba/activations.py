"""Activation functions and their derivatives, applied to a whole row.

Each kernel works on one contiguous row of pre-activations ``z`` (the
neuron or Monte Carlo draw index) and writes ``sigma(z)`` and
``sigma'(z)`` into two output rows. The branch on the activation code sits
outside the loop, so each loop body is branch-free and can be vectorized.

The scalar ``math.tanh`` / ``math.exp`` are calls into libm that LLVM
cannot vectorize (and Numba has no vector math library to call instead), so
the exponential is written out from arithmetic that vectorizes:

* Cody-Waite range reduction ``x = k ln2 + r``, ``|r| <= ln2/2``: ln 2 is
  split in a high part with 32 significant bits (``k * _LN2_HI`` and the
  first subtraction are exact) and a low part; ``r`` is kept as a
  double-double ``rh + rl``.
* ``expm1(r) = r + r^2 q(r)`` with a degree-10 near-minimax polynomial
  ``q`` (relative error below 1e-18 on the reduced interval), again kept as
  a double-double ``ph + pl``.
* ``k`` rounded with the 1.5 * 2^52 shift trick, and ``2^k`` assembled from
  its bit pattern (as ``2^(k+64) 2^-64`` so that subnormal results come out
  right).

Only arguments ``x <= 0`` are needed: tanh uses ``expm1(-2|z|)``, the
logistic ``exp(-|z|)`` and the Gaussian ``exp(-z^2/2)``. The final ratio of
tanh and of the logistic is a double-double division corrected with an
exact remainder, so that the values are within about half a unit in the
last place of the exact ones (about one unit of NumPy's). NaN propagates;
infinities give the limits.

Floating-point rules: the kernels are compiled without fast-math flags and
call fused multiply-add explicitly (``llvm.fma``; a single instruction on
x86-64 since Haswell and on every ARM64; under ``NUMBA_DISABLE_JIT=1`` an
exact pure-Python version, which gives the same bits, only slower).
Reassociation would fold the two-step reductions back into inexact
one-step ones. For that reason ``activate_row`` is compiled on its own rather than inlined into its
callers, which may use fast-math flags (code inlined by Numba would take
them), and states ``fastmath=False`` explicitly: a dispatcher without it
would inherit the flags of the first jitted caller that compiles it. LLVM
may still inline the compiled function, but its instructions keep their own
(strict) flags. The call costs a few nanoseconds per row.
"""

import math
from fractions import Fraction

import numba
import numpy as np
from numba import types
from numba.extending import intrinsic

from . import CACHE

TANH = 0
LOGISTIC = 1
GAUSSIAN = 2

ACTIVATION_CODES = {"tanh": TANH, "logistic": LOGISTIC, "gaussian": GAUSSIAN}

# Strict IEEE arithmetic, see the module docstring.
# ``fastmath=False`` must be given explicitly: a dispatcher that leaves it
# unset inherits the flags of the jitted function that first calls it, and
# the disk cache would then freeze that caller's choice.
_strict_jit = numba.njit(cache=CACHE, fastmath=False, error_model="numpy", inline="never")


def _python_fma(a, b, c):
    """``a * b + c`` with a single rounding, in pure Python (exact rationals)."""
    a, b, c = float(a), float(b), float(c)
    if not (math.isfinite(a) and math.isfinite(b) and math.isfinite(c)):
        return a * b + c  # inf and NaN: the same result as a fused operation
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    if exact == 0:
        # then a * b == -c is exact, and the float sum has IEEE's signed zero
        return a * b + c
    try:
        return float(exact)  # int / int: correctly rounded, subnormals too
    except OverflowError:
        return math.inf if exact > 0 else -math.inf


if numba.config.DISABLE_JIT:
    # NUMBA_DISABLE_JIT=1 (debuggers, coverage): the kernels run as Python.
    _fma = _python_fma
else:

    @intrinsic
    def _fma(typingctx, a, b, c):
        """``a * b + c`` with a single rounding."""
        sig = types.float64(types.float64, types.float64, types.float64)

        def codegen(context, builder, signature, args):
            return builder.fma(*args)

        return sig, codegen


_INV_LN2 = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01  # 0x1.62e42fee00000p-1, 32 significant bits
_LN2_LO = 1.90821492927058770002e-10  # ln 2 - _LN2_HI, rounded
# exp(x) is below half the smallest subnormal for x < -745.14: clamping at
# -746 changes no result and keeps the exponent k >= -1077.
_X_MIN = -746.0
# 1.5 * 2^52: for |y| < 2^51, y + _ROUNDER rounds y to the nearest integer k
# and holds k in the low bits of its significand: bits = _ROUNDER_BITS + k.
_ROUNDER = 6755399441055744.0
_ROUNDER_BITS = 0x4338000000000000
# 2^k is assembled as 2^(k + 64) * 2^-64 so that the first factor is a normal
# number for every k >= -1077 (and the product rounds as a subnormal should).
_EXPONENT_SHIFT = 64
_POW2_MINUS_SHIFT = 2.0**-64

# q(r) = (expm1(r) - r) / r^2 on |r| <= ln2/2: Chebyshev fit computed with
# mpmath, coefficients rounded to double, highest degree first.
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
    """``(s, ph, pl)`` with ``exp(x) = s (1 + ph + pl)``, for ``x <= 0`` or NaN.

    ``s = 2^k`` and ``ph + pl = expm1(r)`` (a double-double with
    ``|pl| <= ulp(ph)``), ``|ph| < 0.42``. For NaN, ``ph`` is NaN (``s`` is
    then meaningless but every result computed from ``ph`` is NaN).
    """
    # "x < min" is False for NaN, so NaN is kept and flows into r.
    x = _X_MIN if x < _X_MIN else x
    shifted = _fma(x, _INV_LN2, _ROUNDER)
    kf = shifted - _ROUNDER
    r1 = _fma(-kf, _LN2_HI, x)  # exact
    rh = _fma(-kf, _LN2_LO, r1)
    rl = _fma(-kf, _LN2_LO, r1 - rh)  # r1 - rh is exact
    q = _Q10
    q = _fma(q, rh, _Q9)
    q = _fma(q, rh, _Q8)
    q = _fma(q, rh, _Q7)
    q = _fma(q, rh, _Q6)
    q = _fma(q, rh, _Q5)
    q = _fma(q, rh, _Q4)
    q = _fma(q, rh, _Q3)
    q = _fma(q, rh, _Q2)
    q = _fma(q, rh, _Q1)
    q = _fma(q, rh, _Q0)
    # expm1(rh + rl) = rh + rh^2 q(rh) + rl (1 + rh) + O(rl^2)
    t = _fma(rh * rh, q, _fma(rl, rh, rl))
    ph = rh + t
    pl = (rh - ph) + t  # |t| < |rh|: exact rounding error of ph
    biased = np.float64(shifted).view(np.int64) + (1023 + _EXPONENT_SHIFT - _ROUNDER_BITS)
    s = np.int64(biased << 52).view(np.float64) * _POW2_MINUS_SHIFT
    return s, ph, pl


@numba.njit(inline="always")
def _exp_dd(s, ph, pl):
    """``exp(x) = s (1 + ph + pl)`` as a double-double ``eh + el``."""
    sph = s * ph
    eh = s + sph
    el = ((s - eh) + sph) + s * pl
    return eh, el


@numba.njit(inline="always")
def _divide_dd(nh, nl, dh, dl):
    """``(nh + nl) / (dh + dl)`` rounded once, and ``1 / dh`` (for ``dh`` in [1, 2])."""
    inverse = 1.0 / dh
    quotient = nh * inverse
    remainder = _fma(-quotient, dh, nh)  # exact
    return _fma((remainder + nl) - quotient * dl, inverse, quotient), inverse


@_strict_jit
def activate_row(code, z, out_value, out_derivative):
    """Write ``sigma(z)`` into ``out_value`` and ``sigma'(z)`` into ``out_derivative``."""
    size = z.shape[0]
    if code == TANH:
        # tanh|z| = -E / (2 + E) with E = expm1(-2|z|), and
        # 1 - tanh^2 = 4 exp(-2|z|) / (2 + E)^2 (no cancellation for large |z|).
        for i in range(size):
            zi = z[i]
            s, ph, pl = _exp_parts(-2.0 * abs(zi))
            # E = (s - 1) + s ph + s pl; |s - 1| >= |s ph| unless s = 1
            a = s - 1.0
            b = s * ph
            eh = a + b
            el = (b - (eh - a)) + s * pl
            dh = 2.0 + eh
            dl = (eh - (dh - 2.0)) + el
            value, inverse = _divide_dd(-eh, -el, dh, dl)
            out_value[i] = np.copysign(value, zi)
            out_derivative[i] = (4.0 * _fma(s, ph, s)) * inverse * inverse
    elif code == LOGISTIC:
        # e = exp(-|z|): sigma(z) = 1/(1+e) for z >= 0, e/(1+e) otherwise, and
        # sigma'(z) = e / (1+e)^2.
        for i in range(size):
            zi = z[i]
            s, ph, pl = _exp_parts(-abs(zi))
            eh, el = _exp_dd(s, ph, pl)
            dh = 1.0 + eh
            dl = ((1.0 - dh) + eh) + el
            positive = zi >= 0.0
            nh = 1.0 if positive else eh
            nl = 0.0 if positive else el
            value, inverse = _divide_dd(nh, nl, dh, dl)
            out_value[i] = value
            out_derivative[i] = eh * inverse * inverse
    else:
        for i in range(size):
            zi = z[i]
            # z * z rounded first, as in NumPy's exp(-z*z/2); overflow -> inf -> 0.
            square = zi * zi
            s, ph, pl = _exp_parts(-0.5 * square)
            eh, el = _exp_dd(s, ph, pl)
            value = eh + el
            out_value[i] = value
            # value == 0 where z is large or infinite: avoid inf * 0 = NaN.
            out_derivative[i] = 0.0 if value == 0.0 else -zi * value

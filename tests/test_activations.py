"""The hand-written vectorizable activations.

Accuracy is checked against stored reference values (``data/
activation_reference.npz``, exact values rounded once to float64, made with
mpmath by ``data/make_activation_reference.py``) with error budgets in units
in the last place, as NumPy's own umath validation sets do. NumPy itself is
only a loose cross-check: its SIMD ``tanh`` and ``exp`` depend on the CPU.
"""

import os

import numpy as np
import pytest

from skrnn._numba import jit
from skrnn._numba.activations import ACTIVATION_CODES, GAUSSIAN, LOGISTIC, TANH, activate_row


def reference_value(name, z):
    with np.errstate(over="ignore", under="ignore"):
        if name == "tanh":
            return np.tanh(z)
        if name == "logistic":
            return 1.0 / (1.0 + np.exp(-z))
        return np.exp(-z * z / 2.0)


def reference_derivative(name, z):
    """Closed forms written without cancellation."""
    with np.errstate(over="ignore", under="ignore"):
        if name == "tanh":
            return 1.0 / np.cosh(z) ** 2
        if name == "logistic":
            e = np.exp(-np.abs(z))
            return e / (1.0 + e) ** 2
        return -z * np.exp(-z * z / 2.0)


def apply(name, z):
    z = np.ascontiguousarray(z, dtype=np.float64)
    value = np.empty_like(z)
    derivative = np.empty_like(z)
    activate_row(ACTIVATION_CODES[name], z, value, derivative)
    return value, derivative


_MAGNITUDES = [
    0.0, 5e-324, 1e-310, 2.2250738585072014e-308, 1e-300, 1e-150, 1e-20, 1e-8, 1e-4,
    0.01, 0.1, 0.17, 0.3, 0.35, 0.5, 0.549, 0.6931471805599453, 1.0, 2.0, np.pi, 5.0,
    10.0, 18.0, 19.1, 20.0, 36.0, 37.0, 38.0, 40.0, 100.0, 300.0, 600.0, 700.0, 708.0,
    709.8, 710.0, 744.0, 745.0, 745.2, 746.0, 800.0, 1e4, 1e10, 1e100, 1e154,
    1.3407807929942596e154, 1e200, 1e308, 1.7976931348623157e308,
]  # fmt: skip


def accuracy_grid():
    rng = np.random.default_rng(2024)
    magnitudes = np.array(_MAGNITUDES)
    size = 20_000
    return np.concatenate(
        [
            magnitudes,
            -magnitudes,
            rng.uniform(-1.0, 1.0, size),
            rng.uniform(-45.0, 45.0, size),
            rng.uniform(-800.0, 800.0, size),
            np.exp(rng.uniform(-740.0, 709.0, size)) * rng.choice([-1.0, 1.0], size),
            np.linspace(-3.0, 3.0, 6001),
        ]
    )


def relative_or_underflow_error(actual, expected):
    """Relative error where the reference is a normal number, absolute where it underflows."""
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    normal = np.abs(expected) > 1e-300
    relative = np.abs(actual[normal] - expected[normal]) / np.abs(expected[normal])
    absolute = np.abs(actual[~normal] - expected[~normal])
    return relative.max(initial=0.0), absolute.max(initial=0.0)


_REFERENCE = os.path.join(os.path.dirname(__file__), "data", "activation_reference.npz")
_SMALLEST_SUBNORMAL = 5e-324

# Error budgets in ulp of the exact result. Values: faithfully rounded (the
# double-double quotient is corrected once). Derivatives: a few roundings
# after the exponential (tanh: 4 e / (2 + E)^2 with a rounded inverse).
_VALUE_ULP = 1.0
_DERIVATIVE_ULP = {"tanh": 6.0, "logistic": 4.0, "gaussian": 2.0}


def load_reference():
    with np.load(_REFERENCE) as data:
        return {key: data[key] for key in data.files}


def ulp_budget_excess(actual, exact, budget_ulp, extra=0.0):
    """Largest ``|actual - exact|`` beyond ``budget_ulp * ulp(exact) + extra`` (<= 0: within)."""
    allowed = budget_ulp * np.spacing(np.abs(exact)) + extra
    return np.max(np.abs(actual - exact) - allowed)


def test_reference_file_is_sane():
    """The stored values agree with NumPy to 1e-13 where NumPy is accurate: no mix-up."""
    reference = load_reference()
    z = reference["z"]
    moderate = np.abs(z) < 20.0
    np.testing.assert_allclose(reference["tanh"][moderate], np.tanh(z[moderate]), rtol=1e-13)
    np.testing.assert_allclose(
        reference["gaussian_derivative"][moderate],
        -z[moderate] * np.exp(-(z[moderate] ** 2) / 2),
        rtol=1e-13,
        atol=1e-300,
    )
    assert z.size > 4000 and np.isfinite(z).all()


@pytest.mark.parametrize("name", ["tanh", "logistic", "gaussian"])
def test_values_within_one_ulp_of_exact(name):
    reference = load_reference()
    value, _ = apply(name, reference["z"])
    assert ulp_budget_excess(value, reference[name], _VALUE_ULP) <= 0.0


@pytest.mark.parametrize("name", ["tanh", "logistic", "gaussian"])
def test_derivatives_within_a_few_ulp_of_exact(name):
    reference = load_reference()
    z = reference["z"]
    _, derivative = apply(name, z)
    extra = 0.0
    if name == "gaussian":
        # -z * value: where value is subnormal its own rounding (half the
        # smallest subnormal) is multiplied by |z|
        extra = np.abs(z) * _SMALLEST_SUBNORMAL
    budget = _DERIVATIVE_ULP[name]
    assert ulp_budget_excess(derivative, reference[f"{name}_derivative"], budget, extra) <= 0.0


def test_ulp_check_can_fail():
    """The budget check rejects a result two ulp off."""
    exact = np.array([0.75, 1e-310])
    assert ulp_budget_excess(exact, exact, 1.0) <= 0.0
    off = exact + 2 * np.spacing(exact)
    assert ulp_budget_excess(off, exact, 1.0) > 0.0


# NumPy's tanh/exp have CPU-dependent SIMD paths with errors of a few ulp:
# compare with a relative tolerance that covers them, not at ulp level.
_NUMPY_RTOL = 4e-15


@pytest.mark.parametrize("name", ["tanh", "logistic", "gaussian"])
def test_values_close_to_numpy(name):
    z = accuracy_grid()
    value, _ = apply(name, z)
    relative, absolute = relative_or_underflow_error(value, reference_value(name, z))
    assert relative <= _NUMPY_RTOL
    assert absolute <= 1e-300


@pytest.mark.parametrize("name", ["tanh", "logistic", "gaussian"])
def test_derivative_matches_closed_form(name):
    z = accuracy_grid()
    _, derivative = apply(name, z)
    relative, absolute = relative_or_underflow_error(derivative, reference_derivative(name, z))
    assert relative <= 2 * _NUMPY_RTOL
    assert absolute <= 1e-300


@pytest.mark.parametrize("name", ["tanh", "logistic", "gaussian"])
def test_derivative_matches_finite_differences(name):
    z = np.linspace(-3.0, 3.0, 1201)
    z = z[np.abs(z) > 1e-3]  # the Gaussian's derivative vanishes at 0
    step = 1e-4
    numeric = (reference_value(name, z + step) - reference_value(name, z - step)) / (2 * step)
    _, derivative = apply(name, z)
    np.testing.assert_allclose(derivative, numeric, rtol=1e-7, atol=0)


@pytest.mark.parametrize("name", ["tanh", "logistic", "gaussian"])
def test_derivative_is_consistent_with_value(name):
    z = np.linspace(-12.0, 12.0, 2401)
    value, derivative = apply(name, z)
    if name == "tanh":
        expected = 1.0 - value * value
    elif name == "logistic":
        expected = value * (1.0 - value)
    else:
        expected = -z * value
    # value within 1 ulp, derivative within its budget: the identities hold
    # to a few ulp of the value (1 - v^2 loses the relative accuracy near 1)
    np.testing.assert_allclose(derivative, expected, rtol=2e-15, atol=4e-16)


def test_special_values():
    z = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0])
    tanh, tanh_d = apply("tanh", z)
    logistic, logistic_d = apply("logistic", z)
    gaussian, gaussian_d = apply("gaussian", z)
    for row in (tanh, tanh_d, logistic, logistic_d, gaussian, gaussian_d):
        assert np.isnan(row[0])  # NaN in, NaN out: never silently a number
        assert not np.isnan(row[1:]).any()
    np.testing.assert_array_equal(tanh[1:], [1.0, -1.0, 0.0, 0.0])
    assert np.signbit(tanh[4]) and not np.signbit(tanh[3])
    np.testing.assert_array_equal(tanh_d[1:], [0.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(logistic[1:], [1.0, 0.0, 0.5, 0.5])
    np.testing.assert_array_equal(logistic_d[1:], [0.0, 0.0, 0.25, 0.25])
    np.testing.assert_array_equal(gaussian[1:], [0.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(gaussian_d[1:], [0.0, 0.0, 0.0, 0.0])


@pytest.mark.parametrize("name", ["tanh", "logistic", "gaussian"])
def test_nan_anywhere_in_a_row(name):
    z = np.linspace(-5.0, 5.0, 37)
    z[[0, 7, 8, 36]] = np.nan
    value, derivative = apply(name, z)
    nan = np.isnan(z)
    assert np.isnan(value[nan]).all() and np.isnan(derivative[nan]).all()
    assert np.isfinite(value[~nan]).all() and np.isfinite(derivative[~nan]).all()


@pytest.mark.parametrize("name", ["tanh", "logistic", "gaussian"])
def test_odd_and_even_symmetry(name):
    z = np.random.default_rng(0).uniform(0.0, 30.0, 1000)
    value, derivative = apply(name, z)
    mirrored, mirrored_derivative = apply(name, -z)
    if name == "tanh":
        np.testing.assert_array_equal(mirrored, -value)
    elif name == "logistic":
        np.testing.assert_allclose(mirrored + value, 1.0, rtol=0, atol=2.3e-16)
    else:
        np.testing.assert_array_equal(mirrored, value)
    if name == "gaussian":
        np.testing.assert_array_equal(mirrored_derivative, -derivative)
    else:
        np.testing.assert_array_equal(mirrored_derivative, derivative)


@jit
def _rows_from_fastmath_caller(code, Z, V, D):
    for j in range(Z.shape[0]):
        activate_row(code, Z[j], V[j], D[j])


@pytest.mark.parametrize("code", [TANH, LOGISTIC, GAUSSIAN])
def test_same_bits_from_a_fastmath_kernel_strided_rows_and_in_place(code):
    rng = np.random.default_rng(3)
    Z = rng.normal(scale=4.0, size=(5, 67))
    V = np.empty_like(Z)
    D = np.empty_like(Z)
    _rows_from_fastmath_caller(code, Z, V, D)
    for j in range(Z.shape[0]):
        value = np.empty(Z.shape[1])
        derivative = np.empty(Z.shape[1])
        activate_row(code, Z[j], value, derivative)
        np.testing.assert_array_equal(V[j], value)
        np.testing.assert_array_equal(D[j], derivative)
    # a strided view (column of a C array) and an output aliasing the input
    value = np.empty(Z.shape[0])
    derivative = np.empty(Z.shape[0])
    activate_row(code, Z[:, 3], value, derivative)
    np.testing.assert_array_equal(value, V[:, 3])
    np.testing.assert_array_equal(derivative, D[:, 3])
    in_place = Z[1].copy()
    activate_row(code, in_place, in_place, np.empty(Z.shape[1]))
    np.testing.assert_array_equal(in_place, V[1])

"""The ``learning_rate="auto"`` step: from the curvature at the initialization.

Near its initialization the RNN is close to its linearization (the paper's
``F^Lin``). Gradient descent on half of the risk of a linear model,
``R/2 = (1/2n) ||J theta - y||^2``, is stable exactly when
``eta < 2 / lambda_max(A)`` with ``A = J^T J / n``; the nonzero spectrum of
``A`` is that of the empirical NTK Gram ``K = J J^T`` divided by ``n``, so the
limit is the ``2 n / lambda_max(K)`` of the paper's linearized analysis.

``lambda_max(A)`` is found by Lanczos iteration (``scipy.sparse.linalg.eigsh``)
on the matrix-free product ``v -> A v``, with two existing kernels:

* ``J v`` by a central difference of two forward passes (the outputs are
  smooth in the parameters; with a unit ``v`` and a step of ``1e-4`` the
  relative error is about ``1e-8``, far below what a step size needs);
* ``J^T u / n`` by backpropagation through time: the gradient of ``R/2`` with
  targets ``F(theta) - u`` is exactly ``J^T u / n``.

Each product costs about two gradient evaluations, and a handful of them
suffices.
"""

import math

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh
from sklearn.utils import check_random_state

from ._numba.recurrence import forward, risk_and_gradient

__all__ = ["curvature_step", "top_curvature", "top_curvature_buckets"]

#: relative size of the central-difference step for ``J v`` (unit ``v``)
_DIFFERENCE_STEP = 1e-4

#: below this many parameters ``A`` is formed densely (one product per column)
_DENSE_LIMIT = 64

#: the chosen step as a fraction of the stability limit ``2 / lambda_max``.
#: Measured with ``benchmarks/bench_defaults.py --candidates --quick`` (four
#: tasks, width 64, 300 steps, radii 1, 3, 10 and None): fractions 0.3, 0.6
#: and 0.9 gave test R^2 within 0.01 of each other on every task (the
#: halving guard of the estimator catches the larger steps), so the middle
#: value is kept; it also leaves room for the curvature growing away from
#: the initialization.
STEP_FRACTION = 0.6

#: steps are rounded to the grid ``2^(k/8)``, so that last-bit differences in
#: the eigenvalue estimate (BLAS inside Lanczos) cannot change the step
_GRID_PER_OCTAVE = 8


def _curvature_operator(X, Y_shape, w, UT, c_half, code, sample_weight=None):
    """``v -> J^T S J v / n`` at ``(w, UT)`` for the fitted steps, as a function.

    ``S`` is the diagonal of ``sample_weight`` (weights summing to ``n``;
    None: the identity).
    """
    n_fitted = Y_shape[1]
    outputs = forward(X, w, UT, c_half, code)[:, X.shape[1] - n_fitted :]
    m = w.shape[0]
    d = UT.shape[0]

    def apply(v):
        v = np.asarray(v, dtype=np.float64).reshape(-1)
        norm = float(np.linalg.norm(v))
        if norm == 0.0:
            return np.zeros_like(v)
        step = _DIFFERENCE_STEP / norm
        delta_w = v[:m]
        delta_UT = v[m:].reshape(d, m)
        plus = forward(X, w + step * delta_w, UT + step * delta_UT, c_half, code)
        minus = forward(X, w - step * delta_w, UT - step * delta_UT, c_half, code)
        directional = (plus[:, -n_fitted:] - minus[:, -n_fitted:]) / (2.0 * step)
        grad_w = np.empty(m)
        grad_UT = np.empty((d, m))
        targets = np.ascontiguousarray(outputs - directional)
        if sample_weight is None:
            risk_and_gradient(X, targets, w, UT, c_half, code, grad_w, grad_UT)
        else:
            risk_and_gradient(X, targets, w, UT, c_half, code, grad_w, grad_UT, sample_weight)
        return np.concatenate([grad_w, grad_UT.reshape(-1)])

    return apply, m * (d + 1)


def top_curvature(X, n_fitted_steps, w, UT, c_half, code, *, random_state=None, sample_weight=None):
    """Largest eigenvalue of ``J^T J / n`` at the parameters ``(w, UT)``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_timesteps, n_features)
        Training sequences, C-contiguous float64.
    n_fitted_steps : int
        Number of fitted last steps (1: sequence-to-one, ``n_timesteps``:
        sequence-to-sequence).
    w : ndarray of shape (width,)
        Recurrent weights.
    UT : ndarray of shape (n_features, width)
        Input weights, transposed.
    c_half : ndarray of shape (width // 2,)
        Readout signs of the first half of the neurons.
    code : int
        Activation code (see ``skrnn._activations``).
    random_state : int, RandomState instance or None, default=None
        Seeds the Lanczos start vector.
    sample_weight : ndarray of shape (n_samples,) or None, default=None
        Weights of the sequences, rescaled to sum to ``n_samples``: the
        matrix is then ``J^T S J / n``, the curvature of the weighted risk.

    Returns
    -------
    lambda_max : float
        The top eigenvalue, ``>= 0``.
    """
    apply, size = _curvature_operator(
        X, (X.shape[0], n_fitted_steps), w, UT, c_half, code, sample_weight
    )
    return _top_eigenvalue(apply, size, random_state)


def top_curvature_buckets(
    buckets, rows, w, UT, c_half, code, *, random_state=None, sample_weight=None
):
    """:func:`top_curvature` of sequences of different lengths, bucketed by length.

    The matrix ``J^T S J / n`` is a sum over the buckets of their own
    matrices (each a mean over its ``n_b`` sequences) times ``n_b / n``, so
    the product ``v -> A v`` is the same sum of per-bucket products; the
    work is proportional to the total number of steps. With one bucket the
    result is bit for bit that of :func:`top_curvature`.

    Parameters
    ----------
    buckets : list of (X_b, n_fitted_b)
        Sequences of one length ``(n_b, T_b, d)`` (C-contiguous float64) and
        their number of fitted last steps (1 or ``T_b``).
    rows : list of ndarray of int
        Indices of each bucket's sequences in ``sample_weight``.
    w, UT, c_half, code, random_state
        As in :func:`top_curvature`.
    sample_weight : ndarray of shape (n_samples,) or None, default=None
        Weights of all sequences, rescaled to sum to ``n_samples``.

    Returns
    -------
    lambda_max : float
        The top eigenvalue, ``>= 0``.
    """
    n_samples = sum(X_b.shape[0] for X_b, _ in buckets)
    parts = []
    for (X_b, n_fitted), r in zip(buckets, rows, strict=True):
        weights = None if sample_weight is None else np.ascontiguousarray(sample_weight[r])
        apply_b, size = _curvature_operator(
            X_b, (X_b.shape[0], n_fitted), w, UT, c_half, code, weights
        )
        parts.append((X_b.shape[0] / n_samples, apply_b))

    def apply(v):
        total = parts[0][0] * parts[0][1](v)
        for factor, apply_b in parts[1:]:
            total += factor * apply_b(v)
        return total

    return _top_eigenvalue(apply, size, random_state)


def _top_eigenvalue(apply, size, random_state):
    """Top eigenvalue of the symmetric operator ``apply`` on vectors of length ``size``."""
    if size <= _DENSE_LIMIT:
        dense = np.column_stack([apply(column) for column in np.eye(size)])
        dense = 0.5 * (dense + dense.T)
        return max(float(np.linalg.eigvalsh(dense)[-1]), 0.0)
    start = check_random_state(random_state).standard_normal(size)
    operator = LinearOperator((size, size), matvec=apply, dtype=np.float64)
    top = eigsh(operator, k=1, which="LA", v0=start, tol=1e-3, ncv=min(size - 1, 16))[0]
    return max(float(top[0]), 0.0)


def _round_to_grid(value):
    """``value`` rounded to the nearest ``2^(k / _GRID_PER_OCTAVE)``."""
    exponent = round(_GRID_PER_OCTAVE * math.log2(value)) / _GRID_PER_OCTAVE
    return 2.0**exponent


def curvature_step(lambda_max, *, fraction=STEP_FRACTION):
    """Step ``fraction * 2 / lambda_max``, rounded to a coarse grid.

    Parameters
    ----------
    lambda_max : float
        Top eigenvalue of ``J^T J / n`` (see :func:`top_curvature`).
    fraction : float, default=STEP_FRACTION
        Fraction of the stability limit ``2 / lambda_max``.

    Returns
    -------
    learning_rate : float
        The step; ``1.0`` when the curvature is zero (nothing to learn from
        the gradient at the initialization, any step is stable there).
    """
    if not math.isfinite(lambda_max) or lambda_max <= 0.0:
        return 1.0
    return _round_to_grid(fraction * 2.0 / lambda_max)

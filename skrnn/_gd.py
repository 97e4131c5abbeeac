"""The full-batch (projected) gradient-descent driver of the RNN.

:func:`gradient_descent` runs the loop of Section 2.3 of Cayci & Eryilmaz on
plain arrays and returns a :class:`~sklearn.utils.Bunch`; the estimator
(:class:`skrnn.ProjectedGDRNNRegressor`) only validates, calls it and stores
the result. The risk and its gradient come from a callable, so that the same
loop can run on data held elsewhere (a distributed evaluator summing the
per-partition risks and gradients): :class:`InMemoryRisk`, the default, calls
the Numba kernel on arrays in memory.

Parameters follow the kernels' layout: ``w`` (m,) recurrent weights, ``UT``
(d, m) input weights transposed.
"""

import math
import sys
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import Bunch

from ._numba.recurrence import project, risk_and_gradient

__all__ = ["BallProjection", "InMemoryRisk", "choose_iterate", "gradient_descent"]


class InMemoryRisk:
    """Empirical risk (eq. 1) and the gradient of half of it, on in-memory data.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_timesteps, n_features)
        Validated sequences (C-contiguous float64).
    Y : ndarray of shape (n_samples, n_fitted_steps)
        Targets of the last ``n_fitted_steps`` steps.
    c_half : ndarray of shape (m // 2,)
        Readout signs of the first half of the neurons.
    code : int
        Activation code of the Numba kernels.

    Notes
    -----
    Calling it as ``evaluate(w, UT, grad_w, grad_UT)`` writes the gradient
    into the two buffers and returns the risk. Any callable with that
    signature can replace it in :func:`gradient_descent`.
    """

    def __init__(self, X, Y, c_half, code):
        self.X = X
        self.Y = Y
        self.c_half = c_half
        self.code = code

    def __call__(self, w, UT, grad_w, grad_UT):
        return risk_and_gradient(self.X, self.Y, w, UT, self.c_half, self.code, grad_w, grad_UT)


class BallProjection:
    """Max-norm projection onto balls around the initialization, in place.

    Parameters
    ----------
    w_init : ndarray of shape (m,)
        Initial recurrent weights.
    UT_init : ndarray of shape (d, m)
        Initial input weights, transposed.
    radius_w, radius_u : float
        Radii of the balls (already divided by ``sqrt(m)``).
    """

    def __init__(self, w_init, UT_init, radius_w, radius_u):
        self.w_init = w_init
        self.UT_init = UT_init
        self.radius_w = radius_w
        self.radius_u = radius_u

    def __call__(self, w, UT):
        project(w, UT, self.w_init, self.UT_init, self.radius_w, self.radius_u)


# ---------------------------------------------------------------- small parts


def _is_finite(risk, grad_w, grad_UT):
    """The divergence test: a non-finite risk or gradient ends the run."""
    return math.isfinite(risk) and np.isfinite(grad_w).all() and np.isfinite(grad_UT).all()


def _new_buffers(w, UT, average):
    """Buffers of the best iterate (overwritten in place) and of the running sum."""
    buffers = Bunch(best_risk=np.inf, best_w=w.copy(), best_UT=UT.copy(), n_averaged=0)
    if average:
        buffers.sum_w, buffers.sum_UT = np.zeros_like(w), np.zeros_like(UT)
    return buffers


def _record(buffers, risk, w, UT):
    if risk < buffers.best_risk:
        buffers.best_risk = risk
        np.copyto(buffers.best_w, w)
        np.copyto(buffers.best_UT, UT)


def _accumulate(buffers, w, UT):
    buffers.sum_w += w
    buffers.sum_UT += UT
    buffers.n_averaged += 1


def choose_iterate(requested, *, diverged, n_averaged):
    """Which iterate to keep: ``requested``, or ``"best"`` when it does not exist.

    After a divergence the last iterate is not finite, so ``"last"`` falls
    back to the best finite one; so does ``"average"`` with nothing averaged.
    ``"average"`` with ``max_iter=0`` (no divergence) keeps ``Theta(0)``.
    """
    if diverged and (requested == "last" or (requested == "average" and n_averaged == 0)):
        return "best"
    if requested == "average" and n_averaged == 0:
        return "last"
    return requested


def _warn(result, learning_rate, max_iter, stacklevel):
    if result.diverged_at is not None:
        warnings.warn(
            f"Gradient descent diverged: the risk or its gradient is not finite at "
            f"iteration {result.diverged_at} (learning_rate={learning_rate:.3g}). The best "
            f"finite iterate (risk {result.best_loss:.4g}) is kept; use a smaller "
            "learning_rate.",
            ConvergenceWarning,
            stacklevel=stacklevel,
        )
    elif max_iter > 0 and result.best_loss >= result.loss_curve[0]:
        warnings.warn(
            f"The training risk did not decrease in {max_iter} iterations "
            f"(learning_rate={learning_rate:.3g}); increase max_iter or learning_rate.",
            ConvergenceWarning,
            stacklevel=stacklevel,
        )


# --------------------------------------------------------------------- driver


def gradient_descent(
    w_init,
    UT_init,
    evaluate,
    *,
    learning_rate,
    max_iter,
    iterate="best",
    projection=None,
    verbose=0,
    name="gradient descent",
):
    """Run full-batch (projected) gradient descent from ``(w_init, UT_init)``.

    Parameters
    ----------
    w_init : ndarray of shape (m,)
        Initial recurrent weights (not modified).
    UT_init : ndarray of shape (d, m)
        Initial input weights, transposed (not modified).
    evaluate : callable
        ``evaluate(w, UT, grad_w, grad_UT) -> risk``: the empirical risk of
        ``(w, UT)``, with the gradient of half of it written into the
        buffers (see :class:`InMemoryRisk`).
    learning_rate : float
        Step size ``eta``.
    max_iter : int
        Number of gradient steps ``tau``; the risk of ``Theta(0..tau)`` is
        recorded.
    iterate : {"best", "average", "last"}, default="best"
        Which parameters are returned (Theorem 1, Corollary 1, or the final
        iterate); see :func:`choose_iterate` for the fallbacks.
    projection : callable or None, default=None
        ``projection(w, UT)``, applied in place after every step (see
        :class:`BallProjection`); None for plain gradient descent.
    verbose : int, default=0
        Print the risk every ``max_iter // 10`` iterations when positive.
    name : str, default="gradient descent"
        Prefix of the progress lines.

    Returns
    -------
    result : Bunch
        ``w``, ``UT``: the kept parameters; ``train_loss``: their risk;
        ``loss_curve``: risks of the finite iterates ``Theta(0..n_iter)``;
        ``best_loss``: its minimum; ``n_iter``: steps taken to the last
        finite iterate; ``diverged_at``: the iteration whose risk or
        gradient was not finite (None when none was); ``kept``: the iterate
        returned.

    Raises
    ------
    ValueError
        If the risk at the initialization is not finite.
    """
    w, UT = w_init.copy(), UT_init.copy()
    grad_w, grad_UT = np.empty_like(w), np.empty_like(UT)
    buffers = _new_buffers(w, UT, iterate == "average")
    losses = []
    diverged_at = None
    report_every = max(1, max_iter // 10)
    for step in range(max_iter + 1):
        risk = evaluate(w, UT, grad_w, grad_UT)
        if not _is_finite(risk, grad_w, grad_UT):
            diverged_at = step
            break
        losses.append(risk)
        _record(buffers, risk, w, UT)
        if verbose and (step % report_every == 0 or step == max_iter):
            print(f"[{name}] iteration {step:6d}  risk {risk:.6g}", file=sys.stdout)
        if step == max_iter:
            break  # the risk of the final iterate is recorded, no step after it
        if iterate == "average":
            _accumulate(buffers, w, UT)
        with np.errstate(over="ignore", invalid="ignore"):
            # an overflowing step shows up as a non-finite risk next iteration
            w -= learning_rate * grad_w
            UT -= learning_rate * grad_UT
        if projection is not None:
            projection(w, UT)

    if not losses:
        raise ValueError(
            "The training risk is not finite at initialization: the targets are too "
            "large for float64 arithmetic; rescale y."
        )
    kept = choose_iterate(iterate, diverged=diverged_at is not None, n_averaged=buffers.n_averaged)
    if kept == "best":
        w_kept, UT_kept, train_loss = buffers.best_w, buffers.best_UT, buffers.best_risk
    elif kept == "average":
        w_kept = buffers.sum_w / buffers.n_averaged
        UT_kept = buffers.sum_UT / buffers.n_averaged
        train_loss = evaluate(w_kept, UT_kept, grad_w, grad_UT)
    else:
        w_kept, UT_kept, train_loss = w, UT, losses[-1]
    result = Bunch(
        w=w_kept,
        UT=UT_kept,
        train_loss=float(train_loss),
        loss_curve=np.asarray(losses),
        best_loss=float(buffers.best_risk),
        n_iter=len(losses) - 1 if diverged_at is None else max(diverged_at - 1, 0),
        diverged_at=diverged_at,
        kept=kept,
    )
    _warn(result, learning_rate, max_iter, stacklevel=3)
    return result

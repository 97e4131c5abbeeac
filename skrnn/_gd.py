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
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import Bunch

from ._numba.recurrence import project, risk_and_gradient
from ._targets import normalized_weights

__all__ = [
    "BallProjection",
    "BucketedRisk",
    "InMemoryRisk",
    "choose_iterate",
    "gradient_descent",
]


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
    sample_weight : ndarray of shape (n_samples,) or None, default=None
        Weights of the sequences; the risk becomes ``sum_j s_j r_j / sum_j s_j``
        (integer weights act as repeated sequences).

    Notes
    -----
    Calling it as ``evaluate(w, UT, grad_w, grad_UT)`` writes the gradient
    into the two buffers and returns the risk. Any callable with that
    signature can replace it in :func:`gradient_descent`.
    """

    def __init__(self, X, Y, c_half, code, sample_weight=None):
        self.X = X
        self.Y = Y
        self.c_half = c_half
        self.code = code
        self.sample_weight = normalized_weights(sample_weight, X.shape[0])

    def __call__(self, w, UT, grad_w, grad_UT):
        if self.sample_weight is None:
            return risk_and_gradient(self.X, self.Y, w, UT, self.c_half, self.code, grad_w, grad_UT)
        return risk_and_gradient(
            self.X, self.Y, w, UT, self.c_half, self.code, grad_w, grad_UT, self.sample_weight
        )


class BucketedRisk:
    """Empirical risk and gradient of sequences of different lengths, bucket by bucket.

    The sequences are grouped into buckets of equal length (see
    :mod:`skrnn._ragged`); the Numba kernel runs on each bucket, whose risk
    is a mean over its ``n_b`` sequences, and the results are added with the
    factors ``n_b / n``. The sum is the risk of all the data,
    ``(1/n) sum_j s_j sum_t (F_t(X_j) - y_{j,t})^2`` (a mean over sequences
    of the squared errors of their fitted steps), and the work is
    proportional to the total number of steps. With a single bucket the
    result is bit for bit that of :class:`InMemoryRisk`.

    Parameters
    ----------
    buckets : list of (X_b, Y_b)
        ``X_b`` of shape (n_b, T_b, d) and ``Y_b`` of shape (n_b, S_b)
        (``S_b`` = 1 or ``T_b``), C-contiguous float64, in a fixed order
        (the order of the sum).
    rows : list of ndarray of int
        The indices of each bucket's sequences in ``sample_weight``.
    c_half : ndarray of shape (m // 2,)
        Readout signs of the first half of the neurons.
    code : int
        Activation code of the Numba kernels.
    sample_weight : ndarray of shape (n_samples,) or None, default=None
        Weights of all the sequences; the risk becomes
        ``sum_j s_j r_j / sum_j s_j``.
    """

    def __init__(self, buckets, rows, c_half, code, sample_weight=None):
        self.buckets = buckets
        n_samples = sum(X_b.shape[0] for X_b, _ in buckets)
        weights = normalized_weights(sample_weight, n_samples)
        self.weights = [None if weights is None else weights[r] for r in rows]
        self.factors = [X_b.shape[0] / n_samples for X_b, _ in buckets]
        self.c_half = c_half
        self.code = code
        self._scratch = None

    def _bucket(self, i, w, UT, grad_w, grad_UT):
        X_b, Y_b = self.buckets[i]
        if self.weights[i] is None:
            return risk_and_gradient(X_b, Y_b, w, UT, self.c_half, self.code, grad_w, grad_UT)
        return risk_and_gradient(
            X_b, Y_b, w, UT, self.c_half, self.code, grad_w, grad_UT, self.weights[i]
        )

    def __call__(self, w, UT, grad_w, grad_UT):
        risk = self.factors[0] * self._bucket(0, w, UT, grad_w, grad_UT)
        grad_w *= self.factors[0]
        grad_UT *= self.factors[0]
        if len(self.buckets) > 1 and self._scratch is None:
            self._scratch = (np.empty_like(grad_w), np.empty_like(grad_UT))
        for i in range(1, len(self.buckets)):
            scratch_w, scratch_UT = self._scratch
            risk += self.factors[i] * self._bucket(i, w, UT, scratch_w, scratch_UT)
            grad_w += self.factors[i] * scratch_w
            grad_UT += self.factors[i] * scratch_UT
        return risk


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


def _warn(result, learning_rate, max_iter, stacklevel, early=False):
    if result.diverged_at is not None:
        warnings.warn(
            f"Gradient descent diverged: the risk or its gradient is not finite at "
            f"iteration {result.diverged_at} (learning_rate={learning_rate:.3g}). The best "
            f"finite iterate (risk {result.best_loss:.4g}) is kept; use a smaller "
            "learning_rate.",
            ConvergenceWarning,
            stacklevel=stacklevel,
        )
        return
    if max_iter == 0 or early:
        return
    stalled = result.best_loss >= result.loss_curve[0]
    # a run that rose and ended well above its best was unstable, not slow
    unstable = result.rose and (stalled or result.loss_curve[-1] > 1.5 * result.best_loss)
    if unstable:
        warnings.warn(
            f"The training risk rose: step too large, use a smaller learning_rate (now "
            f"{learning_rate:.3g}) or learning_rate='auto'.",
            ConvergenceWarning,
            stacklevel=stacklevel,
        )
    elif stalled:
        warnings.warn(
            f"The training risk did not decrease in {max_iter} iterations "
            f"(learning_rate={learning_rate:.3g}); increase max_iter or learning_rate.",
            ConvergenceWarning,
            stacklevel=stacklevel,
        )


# --------------------------------------------------------------------- driver

#: a risk counts as having risen when it exceeds the previous one by more than
#: this relative amount (rounding near a minimum must not shrink the step)
_RISE_TOLERANCE = 1e-10

#: at most this many halvings in a row before the run gives up on the step
_MAX_HALVINGS = 40


class _Validation:
    """Early-stopping bookkeeping: the best-validation iterate and the patience count."""

    def __init__(self, score, w, UT, tol, n_iter_no_change):
        self.score = score
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.scores = []
        self.best_score = -np.inf
        self.best_w, self.best_UT = w.copy(), UT.copy()
        self.best_iteration = 0
        self.best_risk = np.inf
        self.no_improvement = 0

    def update(self, step, w, UT, risk):
        """Score the iterate; return True when the patience is exhausted."""
        value = float(self.score(w, UT))
        self.scores.append(value)
        if value > self.best_score:
            if value > self.best_score + self.tol:
                self.no_improvement = 0
            else:
                self.no_improvement += 1
            self.best_score = value
            np.copyto(self.best_w, w)
            np.copyto(self.best_UT, UT)
            self.best_iteration = step
            self.best_risk = risk
        else:
            self.no_improvement += 1
        return self.no_improvement >= self.n_iter_no_change


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
    backtrack=False,
    validation=None,
    tol=1e-4,
    n_iter_no_change=10,
    first_iteration=0,
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
        Step size ``eta`` (the first one, with ``backtrack=True``).
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
        Progress table (:class:`skrnn._progress.ProgressTable`) when positive.
    name : str, default="gradient descent"
        Title of the progress table.
    backtrack : bool, default=False
        When True, a step after which the risk rose (or became non-finite)
        is undone: the step size is halved and the step retried from the
        previous iterate. Rejected steps are not iterations: ``loss_curve``
        only holds accepted iterates. With False, every step is taken with
        the fixed ``learning_rate`` (the paper's algorithm).
    validation : callable or None, default=None
        ``validation(w, UT) -> score`` (higher is better), evaluated at every
        iterate; turns on early stopping and returns the best-scoring
        iterate (``iterate`` is then ignored).
    tol, n_iter_no_change : float and int, default=1e-4 and 10
        Early stopping: the run stops after ``n_iter_no_change`` iterates in
        a row without a validation score above the best one plus ``tol``.
    first_iteration : int, default=0
        Number of the first iterate in the progress table (warm starts).

    Returns
    -------
    result : Bunch
        ``w``, ``UT``: the kept parameters; ``train_loss``: their risk;
        ``loss_curve``: risks of the accepted iterates ``Theta(0..n_iter)``;
        ``best_loss``: its minimum; ``n_iter``: steps taken to the last
        finite iterate; ``diverged_at``: the iteration whose risk or
        gradient was not finite (None when none was); ``kept``: the iterate
        returned (``"validation"`` with early stopping); ``learning_rate``:
        the final step; ``halvings``: iterations at which the step was
        halved; ``validation_scores``: the scores (None without
        validation); ``best_validation_score``; ``rose``: whether the risk
        ever rose with a fixed step.

    Raises
    ------
    ValueError
        If the risk at the initialization is not finite.
    """
    from ._progress import ProgressTable

    w, UT = w_init.copy(), UT_init.copy()
    grad_w, grad_UT = np.empty_like(w), np.empty_like(UT)
    buffers = _new_buffers(w, UT, iterate == "average")
    tracker = None
    if validation is not None:
        tracker = _Validation(validation, w, UT, tol, n_iter_no_change)
    table = None
    if verbose:
        table = ProgressTable(max_iter, title=name, validation=tracker is not None, verbose=verbose)
    if backtrack:
        previous_w, previous_UT = w.copy(), UT.copy()
        previous_grad_w, previous_grad_UT = grad_w.copy(), grad_UT.copy()
    losses = []
    halvings = []
    diverged_at = None
    rose = False
    stopped_early = False
    step = 0
    n_halvings_in_a_row = 0
    while True:
        risk = evaluate(w, UT, grad_w, grad_UT)
        finite = _is_finite(risk, grad_w, grad_UT)
        if backtrack and step > 0:
            risen = not finite or risk > losses[-1] * (1.0 + _RISE_TOLERANCE)
            if risen and n_halvings_in_a_row < _MAX_HALVINGS:
                # undo the step, halve it and retry from the previous iterate
                n_halvings_in_a_row += 1
                halvings.append(step)
                learning_rate *= 0.5
                np.copyto(w, previous_w)
                np.copyto(UT, previous_UT)
                with np.errstate(over="ignore", invalid="ignore"):
                    w -= learning_rate * previous_grad_w
                    UT -= learning_rate * previous_grad_UT
                if projection is not None:
                    projection(w, UT)
                continue
            n_halvings_in_a_row = 0
        if not finite:
            diverged_at = step
            break
        if losses and risk > losses[-1] * (1.0 + _RISE_TOLERANCE):
            rose = True
        losses.append(risk)
        _record(buffers, risk, w, UT)
        score = None
        if tracker is not None:
            stopped_early = tracker.update(step, w, UT, risk)
            score = tracker.scores[-1]
        if table is not None:
            table.update(first_iteration + step, risk, score)
        if step == max_iter or stopped_early:
            break  # the risk of the final iterate is recorded, no step after it
        if iterate == "average":
            _accumulate(buffers, w, UT)
        if backtrack:
            np.copyto(previous_w, w)
            np.copyto(previous_UT, UT)
            np.copyto(previous_grad_w, grad_w)
            np.copyto(previous_grad_UT, grad_UT)
        with np.errstate(over="ignore", invalid="ignore"):
            # an overflowing step shows up as a non-finite risk next iteration
            w -= learning_rate * grad_w
            UT -= learning_rate * grad_UT
        if projection is not None:
            projection(w, UT)
        step += 1

    if not losses:
        raise ValueError(
            "The training risk is not finite at initialization: the targets are too "
            "large for float64 arithmetic; rescale y."
        )
    if tracker is not None:
        kept = "validation"
        w_kept, UT_kept, train_loss = tracker.best_w, tracker.best_UT, tracker.best_risk
    else:
        kept = choose_iterate(
            iterate, diverged=diverged_at is not None, n_averaged=buffers.n_averaged
        )
        if kept == "best":
            w_kept, UT_kept, train_loss = buffers.best_w, buffers.best_UT, buffers.best_risk
        elif kept == "average":
            w_kept = buffers.sum_w / buffers.n_averaged
            UT_kept = buffers.sum_UT / buffers.n_averaged
            train_loss = evaluate(w_kept, UT_kept, grad_w, grad_UT)
        else:
            w_kept, UT_kept, train_loss = w, UT, losses[-1]
    n_iter = len(losses) - 1
    result = Bunch(
        w=w_kept,
        UT=UT_kept,
        train_loss=float(train_loss),
        loss_curve=np.asarray(losses),
        best_loss=float(buffers.best_risk),
        n_iter=n_iter,
        diverged_at=diverged_at,
        kept=kept,
        learning_rate=float(learning_rate),
        halvings=np.asarray(halvings, dtype=np.intp),
        validation_scores=None if tracker is None else np.asarray(tracker.scores),
        best_validation_score=None if tracker is None else tracker.best_score,
        stopped_early=stopped_early,
        rose=rose,
    )
    if table is not None:
        reason = "stopped early: no validation improvement" if stopped_early else ""
        table.finish(first_iteration + n_iter, losses[-1], message=reason)
    _warn(result, learning_rate, max_iter, stacklevel=3, early=tracker is not None)
    return result

"""Diagonal Elman RNN trained by (projected) full-batch gradient descent."""

import math
import numbers
import sys
import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._numba import numba_threads
from ._numba.activations import ACTIVATION_CODES
from ._numba.recurrence import forward, project, risk_and_gradient
from ._validation import max_step_norm, validate_sequences, validate_targets

__all__ = ["ProjectedGDRNNRegressor", "symmetric_initialization"]


def symmetric_initialization(width, n_features, recurrent_scale, random_state):
    """Draw the symmetric random initialization of Definition 1.

    The first ``width // 2`` neurons get independent draws ``c_i ~ Rad_1``,
    ``w_i ~ Rad_alpha`` (``alpha = recurrent_scale``) and ``U_i ~ N(0, I_d)``;
    neuron ``i + width // 2`` copies ``w_i`` and ``U_i`` and takes ``-c_i``,
    so the network output is identically zero.

    Returns
    -------
    w : ndarray of shape (width,)
    U : ndarray of shape (width, n_features)
    c : ndarray of shape (width,)
    """
    rng = check_random_state(random_state)
    half = width // 2
    c_half = rng.choice(np.array([-1.0, 1.0]), size=half)
    w_half = recurrent_scale * rng.choice(np.array([-1.0, 1.0]), size=half)
    U_half = rng.standard_normal(size=(half, n_features))
    w = np.concatenate([w_half, w_half])
    U = np.concatenate([U_half, U_half])
    c = np.concatenate([c_half, -c_half])
    return w, U, c


class ProjectedGDRNNRegressor(RegressorMixin, BaseEstimator):
    """Elman RNN with diagonal recurrence, fitted by projected gradient descent.

    The model of Cayci & Eryilmaz (Section 2.2, eqs. 2-3) of width ``m``::

        H_0 = 0,   H_t = sigma(w * H_{t-1} + U X_{t-1}),   F_t = c . H_t / sqrt(m)

    with a diagonal recurrent matrix ``diag(w)``, input weights ``U`` and fixed
    readout signs ``c``. It starts from the symmetric random initialization
    (Definition 1, so ``F_t = 0`` at the start) and runs full-batch gradient
    descent on the empirical risk (eq. 1); after every step ``w_i`` and each
    row ``U_i`` are projected back onto the balls of radius
    ``radius_w / sqrt(m)`` and ``radius_u / sqrt(m)`` around their initial
    values (max-norm projection). With both radii ``None`` it is plain
    gradient descent (Theorem 2).

    After fitting, ``theoretical_bound_`` holds the paper's guarantee for the
    run (Theorem 1, Corollary 1 or Theorem 2, see ``bound_details_``).

    Parameters
    ----------
    width : int, default=128
        Number of hidden neurons ``m``; must be even (symmetric initialization).
    activation : {"tanh", "logistic", "gaussian"}, default="tanh"
        Smooth activation ``sigma``.
    recurrent_scale : float, default=0.5
        The paper's ``alpha``: initial recurrent weights are ``+alpha`` or
        ``-alpha`` with equal probability.
    radius_w, radius_u : float or None, default=1.0
        Projection radii ``rho_w`` and ``rho_u`` (before division by
        ``sqrt(m)``). Both ``None``: no projection.
    learning_rate : "theory" or float, default="theory"
        Step size ``eta``. ``"theory"`` is Theorem 1's
        ``1 / (T * sqrt(max_iter))``, T the number of time steps.
    max_iter : int, default=1000
        Number of gradient steps ``tau``.
    iterate : {"best", "average", "last"}, default="best"
        Which parameters are kept: the iterate of smallest training risk
        (Theorem 1), the average of the iterates ``0..max_iter-1``
        (Corollary 1), or the final one.
    nu_w, nu_u : float or None, default=None
        Complexity of the target function class used by the bound; ``None``
        takes the projection radius (the largest the theorem allows).
    delta : float, default=0.05
        Failure probability of the bound.
    random_state : int, RandomState instance or None, default=None
        Seed of the initialization.
    n_jobs : int or None, default=None
        Threads of the Numba kernels (parallel over samples). ``None`` keeps
        Numba's setting (all cores unless ``numba.set_num_threads`` says
        otherwise); ``-1`` means all cores. Results do not depend on it.
    verbose : int, default=0
        Print progress every ``max_iter // 10`` iterations when positive.

    Attributes
    ----------
    w_ : ndarray of shape (width,)
        Diagonal recurrent weights of the kept iterate.
    U_ : ndarray of shape (width, n_features_in_)
        Input weights of the kept iterate (for 2-D ``X``, shape (width, 1)).
    c_ : ndarray of shape (width,)
        Fixed readout signs.
    w_init_, U_init_ : ndarray
        The symmetric initialization.
    loss_curve_ : ndarray of shape (n_iter_ + 1,)
        Empirical risk (eq. 1) of every iterate ``Theta(0), ..., Theta(n_iter_)``.
    best_loss_ : float
        Smallest value of ``loss_curve_``.
    train_loss_ : float
        Empirical risk of the kept iterate.
    n_iter_ : int
        Number of gradient steps taken (fewer than ``max_iter`` on divergence).
    learning_rate_ : float
        The step size used.
    theoretical_bound_ : float
        The paper's bound on the training risk: Theorem 1 (best iterate) or
        Corollary 1 (average iterate) with projection, Theorem 2 (best
        iterate) without. For ``iterate="last"``, and for ``"average"``
        without projection, no theorem covers the kept iterate and the
        best-iterate bound is reported (``bound_details_["note"]`` says so).
        NaN with a warning when the inputs break ``max_t ||X_t|| <= 1`` or the
        theorem's conditions; ``inf`` when it overflows or ``max_iter=0``.
    bound_details_ : dict
        Constants of Section 5, the result applied, the regime and the inputs.
    memory_regime_ : {"short", "long"}
        ``"short"`` when ``alpha_m * sigma1 < 1`` (Remark 5).
    n_features_in_ : int
        Features per time step for 3-D ``X``; number of columns (time steps)
        for 2-D ``X``.
    feature_names_in_ : ndarray of str
        Column names, for 2-D ``X`` given as a DataFrame with string columns.

    Notes
    -----
    ``X`` is ``(n_samples, n_timesteps, n_features)``; a 2-D ``X`` is read as
    univariate sequences. A 1-D ``y`` fits the output of the last step
    (sequence-to-one); a 2-D ``y`` of shape ``(n_samples, n_timesteps)`` fits
    every step. ``predict`` returns the layout of the ``y`` given to ``fit``.
    A model fitted on 3-D ``X`` accepts sequences of any length; on 2-D ``X``
    the number of columns must match, as for any scikit-learn estimator.

    The Numba kernels run in parallel over samples; set the thread count
    with ``numba.set_num_threads``. Results do not depend on it.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import ProjectedGDRNNRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-0.5, 0.5, size=(64, 10, 1))
    >>> y = 0.5 * X[:, -1, 0] + 0.3 * X[:, -2, 0]
    >>> model = ProjectedGDRNNRegressor(width=32, max_iter=200, random_state=0)
    >>> model.fit(X, y).predict(X).shape
    (64,)
    """

    _parameter_constraints: dict = {
        "width": [Interval(numbers.Integral, 2, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATION_CODES))],
        "recurrent_scale": [Interval(numbers.Real, 0, None, closed="left")],
        "radius_w": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "radius_u": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "learning_rate": [
            StrOptions({"theory"}),
            Interval(numbers.Real, 0, None, closed="neither"),
        ],
        "max_iter": [Interval(numbers.Integral, 0, None, closed="left")],
        "iterate": [StrOptions({"best", "average", "last"})],
        "nu_w": [Interval(numbers.Real, 0, None, closed="left"), None],
        "nu_u": [Interval(numbers.Real, 0, None, closed="left"), None],
        "delta": [Interval(numbers.Real, 0, 1, closed="neither")],
        "random_state": ["random_state"],
        "n_jobs": [numbers.Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        width=128,
        *,
        activation="tanh",
        recurrent_scale=0.5,
        radius_w=1.0,
        radius_u=1.0,
        learning_rate="theory",
        max_iter=1000,
        iterate="best",
        nu_w=None,
        nu_u=None,
        delta=0.05,
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        self.width = width
        self.activation = activation
        self.recurrent_scale = recurrent_scale
        self.radius_w = radius_w
        self.radius_u = radius_u
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.iterate = iterate
        self.nu_w = nu_w
        self.nu_u = nu_u
        self.delta = delta
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    def _check_structure(self):
        if self.width % 2:
            raise ValueError(
                f"width must be even (symmetric initialization pairs neurons), got {self.width}."
            )
        if (self.radius_w is None) != (self.radius_u is None):
            raise ValueError(
                "radius_w and radius_u must both be numbers (projected gradient descent) "
                f"or both None (plain gradient descent); got radius_w={self.radius_w!r}, "
                f"radius_u={self.radius_u!r}."
            )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the RNN by (projected) full-batch gradient descent.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or (n_samples, n_timesteps)
            Input sequences.
        y : array-like of shape (n_samples,) or (n_samples, n_timesteps)
            Target of the last step, or of every step.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        self._check_structure()
        X = validate_sequences(self, X, reset=True)
        Y, self._sequence_output = validate_targets(y, X.shape[0], X.shape[1])
        n_samples, n_timesteps, n_features = X.shape

        w, U, c = symmetric_initialization(
            self.width, n_features, self.recurrent_scale, self.random_state
        )
        self.w_init_, self.U_init_, self.c_ = w, U, c
        self._n_timesteps_fit = n_timesteps
        if self.learning_rate == "theory":
            self.learning_rate_ = 1.0 / (n_timesteps * math.sqrt(max(self.max_iter, 1)))
        else:
            self.learning_rate_ = float(self.learning_rate)

        start = time.perf_counter()
        with numba_threads(self.n_jobs):
            self._gradient_descent(X, Y)
        self.fit_time_ = time.perf_counter() - start
        self._set_bound(X)
        return self

    def _gradient_descent(self, X, Y):
        code = ACTIVATION_CODES[self.activation]
        width = self.width
        c_half = np.ascontiguousarray(self.c_[: width // 2])
        w_init = self.w_init_
        UT_init = np.ascontiguousarray(self.U_init_.T)
        w, UT = w_init.copy(), UT_init.copy()
        grad_w, grad_UT = np.empty_like(w), np.empty_like(UT)
        projected = self.radius_w is not None
        if projected:
            radius_w = self.radius_w / math.sqrt(width)
            radius_u = self.radius_u / math.sqrt(width)
        eta = self.learning_rate_
        average = self.iterate == "average"
        sum_w, sum_UT = np.zeros_like(w), np.zeros_like(UT)
        n_averaged = 0

        losses = []
        # buffers of the best iterate, overwritten in place when it improves
        best_risk, best_w, best_UT = np.inf, w.copy(), UT.copy()
        diverged_at = None
        report_every = max(1, self.max_iter // 10)
        for step in range(self.max_iter + 1):
            risk = risk_and_gradient(X, Y, w, UT, c_half, code, grad_w, grad_UT)
            if not (
                math.isfinite(risk)
                and np.isfinite(grad_w).all()
                and np.isfinite(grad_UT).all()
            ):
                diverged_at = step
                break
            losses.append(risk)
            if risk < best_risk:
                best_risk = risk
                np.copyto(best_w, w)
                np.copyto(best_UT, UT)
            if self.verbose and (step % report_every == 0 or step == self.max_iter):
                print(f"[{type(self).__name__}] iteration {step:6d}  risk {risk:.6g}", file=sys.stdout)
            if step == self.max_iter:
                break  # the risk of the final iterate is recorded, no step after it
            if average:
                sum_w += w
                sum_UT += UT
                n_averaged += 1
            with np.errstate(over="ignore", invalid="ignore"):
                # an overflowing step shows up as a non-finite risk next iteration
                w -= eta * grad_w
                UT -= eta * grad_UT
            if projected:
                project(w, UT, w_init, UT_init, radius_w, radius_u)

        if not losses:
            raise ValueError(
                "The training risk is not finite at initialization: the targets are too "
                "large for float64 arithmetic; rescale y."
            )
        self.loss_curve_ = np.asarray(losses)
        self.n_iter_ = len(losses) - 1 if diverged_at is None else max(diverged_at - 1, 0)
        self.best_loss_ = float(best_risk)
        kept = self.iterate
        if diverged_at is not None:
            warnings.warn(
                f"Gradient descent diverged: the risk or its gradient is not finite at "
                f"iteration {diverged_at} (learning_rate={eta:.3g}). The best finite "
                f"iterate (risk {best_risk:.4g}) is kept; use a smaller learning_rate.",
                ConvergenceWarning,
            )
            if kept == "last" or (kept == "average" and n_averaged == 0):
                kept = "best"
        elif self.max_iter > 0 and best_risk >= losses[0]:
            warnings.warn(
                f"The training risk did not decrease in {self.max_iter} iterations "
                f"(learning_rate={eta:.3g}); increase max_iter or learning_rate.",
                ConvergenceWarning,
            )

        if kept == "best":
            risk, w_kept, UT_kept = best_risk, best_w, best_UT
        elif kept == "average" and n_averaged > 0:
            w_kept, UT_kept = sum_w / n_averaged, sum_UT / n_averaged
            risk = risk_and_gradient(X, Y, w_kept, UT_kept, c_half, code, grad_w, grad_UT)
        else:  # last, or average with max_iter == 0 (the single iterate Theta(0))
            risk, w_kept, UT_kept = losses[-1], w, UT
        self.train_loss_ = float(risk)
        self.w_ = w_kept
        self.U_ = np.ascontiguousarray(UT_kept.T)

    def _set_bound(self, X):
        from .theory import gd_rnn_bound

        n_samples, n_timesteps, n_features = X.shape
        self.theoretical_bound_, self.bound_details_ = gd_rnn_bound(
            activation=self.activation,
            recurrent_scale=self.recurrent_scale,
            width=self.width,
            radius_w=self.radius_w,
            radius_u=self.radius_u,
            nu_w=self.nu_w,
            nu_u=self.nu_u,
            n_timesteps=n_timesteps,
            n_samples=n_samples,
            n_features=n_features,
            delta=self.delta,
            n_iter=max(self.max_iter, 1),
            learning_rate=self.learning_rate_,
            iterate=self.iterate,
            max_input_norm=max_step_norm(X),
        )
        if self.max_iter == 0 and not math.isnan(self.theoretical_bound_):
            # no step taken: the theorems say nothing beyond the initial risk
            self.theoretical_bound_ = math.inf
            self.bound_details_["n_iter"] = 0
            self.bound_details_["note"] = "max_iter=0: no gradient step, no guarantee"
        self.memory_regime_ = self.bound_details_["regime"]

    def _outputs(self, X):
        """Outputs at every step, (n_samples, n_timesteps), for validated ``X``."""
        c_half = np.ascontiguousarray(self.c_[: self.width // 2])
        return forward(
            X, self.w_, np.ascontiguousarray(self.U_.T), c_half, ACTIVATION_CODES[self.activation]
        )

    def predict(self, X):
        """Predict with the kept iterate.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or (n_samples, n_timesteps)
            Input sequences.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_timesteps)
            Output of the last step, or of every step when ``fit`` saw a 2-D ``y``.
        """
        check_is_fitted(self)
        X = validate_sequences(self, X, reset=False)
        with numba_threads(self.n_jobs):
            outputs = self._outputs(X)
        return outputs if self._sequence_output else outputs[:, -1]

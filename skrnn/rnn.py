"""Diagonal Elman RNN trained by (projected) full-batch gradient descent."""

import numbers
import os
import sys
import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from ._activations import ACTIVATIONS, activation_names
from ._base import SequenceRegressorMixin, SequenceTagsMixin, VersionedPickleMixin
from ._dask import is_dask_collection
from ._fit_bound import store_bound
from ._gd import InMemoryRisk, gradient_descent
from ._memory import check_rnn_memory
from ._numba import numba_threads
from ._numba.recurrence import forward
from ._ragged import is_ragged
from ._rnn_fit import (
    ball_projection,
    check_warm_start_layout,
    descent_attributes,
    initial_curvature,
    r2_validation,
    symmetric_initialization,
)
from ._sklearn_compat import Integers, Interval, StrOptions, fit_context
from ._step_size import curvature_step
from ._targets import (
    TargetNormalizer,
    check_weights,
    validation_split,
)
from ._validation import max_step_norm, validate_sequences, validate_targets

__all__ = ["InputScaleWarning", "ProjectedGDRNNRegressor", "symmetric_initialization"]

#: ``fit`` warns (:class:`InputScaleWarning`) when the largest step norm of the
#: training inputs, ``max_{j,t} ||X[j, t]||_2``, exceeds this. Measured with the
#: default estimator (see the Notes of :class:`ProjectedGDRNNRegressor`): test
#: R^2 fell by 0.09 or more beyond it, while standardized inputs (a few
#: features or fewer) stay below it.
SATURATION_NORM = 10.0

_INPUT_SCALE_MESSAGE = (
    # The measured norm is in the text: a fixed text would not make Python show
    # the warning once per place, since scikit-learn's check_array enters
    # catch_warnings on every fit, which clears the registries of the "default"
    # and "once" actions. The text starts the same for every fit, so
    # filterwarnings(message=...) matches it.
    "The training inputs have steps of norm above {threshold:g}: max_t ||X_t||_2 = "
    "{norm:.3g} (also in bound_details_['max_input_norm']). The input weights start "
    "standard normal, so the hidden units saturate and gradient descent barely moves "
    "them: the model will likely underfit. Scale the inputs in a Pipeline, e.g. "
    "make_pipeline(SequenceStandardScaler(), ProjectedGDRNNRegressor()) with "
    "SequenceStandardScaler (or SequenceMaxNormScaler, which the theory's bound "
    "needs) from skrnn.preprocessing."
)


class InputScaleWarning(UserWarning):
    """The inputs of a fit are so large that the hidden units saturate.

    :class:`ProjectedGDRNNRegressor` warns with it when a training step has
    norm ``||X_t||_2`` above ``SATURATION_NORM`` (10): the pre-activations
    ``U X_t`` of the standard normal input weights are then far outside the
    range where ``tanh`` / ``logistic`` / ``gaussian`` have useful slope, and
    gradient descent underfits. Scale the inputs with
    :class:`skrnn.preprocessing.SequenceStandardScaler` or
    :class:`skrnn.preprocessing.SequenceMaxNormScaler` in a pipeline.
    Silence it with ``warnings.filterwarnings("ignore",
    category=InputScaleWarning)``.
    """


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _caller_stacklevel():
    """The ``stacklevel`` that points a warning of the calling function at user code.

    It skips the frames in skrnn and in scikit-learn's ``_fit_context``
    wrapper (``sklearn/base.py``), so the warning names the line that called
    ``fit`` (in a grid search, the line of scikit-learn that fits each
    candidate) instead of a line inside skrnn.
    """
    import sklearn.base

    wrapper_file = os.path.abspath(sklearn.base.__file__)
    frame, level = sys._getframe(1), 1
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if not filename.startswith(_PACKAGE_DIR) and filename != wrapper_file:
            break
        frame, level = frame.f_back, level + 1
    return level


def _check_input_scale(max_input_norm):
    """Warn (:class:`InputScaleWarning`) for steps of norm above ``SATURATION_NORM``."""
    if max_input_norm is not None and float(max_input_norm) > SATURATION_NORM:
        message = _INPUT_SCALE_MESSAGE.format(threshold=SATURATION_NORM, norm=float(max_input_norm))
        warnings.warn(message, InputScaleWarning, stacklevel=_caller_stacklevel())


class ProjectedGDRNNRegressor(
    SequenceTagsMixin,
    VersionedPickleMixin,
    SequenceRegressorMixin,
    RegressorMixin,
    BaseEstimator,
):
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
    radius_w, radius_u : float or None, default=10.0
        Projection radii ``rho_w`` and ``rho_u`` (before division by
        ``sqrt(m)``). Both ``None``: no projection. The default was chosen by
        ``benchmarks/bench_defaults.py`` (NARMA-10, a teacher of the class
        ``F_{nu_w, nu_u}``, linear memory and the sunspot series): radius 1
        caps the fit (test ``R^2`` 0.15 / 0.46 / 0.74 / 0.40 against
        0.29 / 0.77 / 0.97 / 0.58 with radius 10), while 10 is as good as no
        projection and keeps Theorem 1's setting.
    learning_rate : "auto", "theory" or float, default="auto"
        Step size ``eta``. ``"auto"`` takes ``fraction * 2 / lambda_max``,
        with ``lambda_max`` the largest eigenvalue of ``J^T J / n`` at the
        initialization (the empirical NTK Gram over ``n``, found by a few
        Lanczos iterations of Jacobian-vector products) and ``fraction =
        0.6``: gradient descent on the linearized model is stable below
        ``2 / lambda_max``. The nonlinear phase is guarded: when a step makes
        the risk rise, it is undone, the step is halved and retried from the
        previous iterate (``step_halvings_``). ``"theory"`` is Theorem 1's
        ``1 / (T * sqrt(max_iter))``, T the number of time steps (far too
        small to learn much in practice); a float is used as given, without
        the guard (the paper's algorithm).
    max_iter : int, default=1000
        Number of gradient steps ``tau``.
    iterate : {"best", "average", "last"}, default="best"
        Which parameters are kept: the iterate of smallest training risk
        (Theorem 1), the average of the iterates ``0..max_iter-1``
        (Corollary 1), or the final one.
    normalize_y : bool, default=True
        Center and scale ``y`` inside ``fit`` (one mean and one standard
        deviation over all fitted steps, weighted by ``sample_weight``) and
        map predictions back. ``loss_curve_``, ``best_loss_``,
        ``train_loss_`` and ``theoretical_bound_`` then refer to the
        normalized targets ``(y - y_mean_) / y_scale_``: multiply risks by
        ``y_scale_ ** 2`` for the original units. With False the estimator
        minimizes exactly the paper's risk (eq. 1) on the raw targets.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the sequences (chosen with
        ``random_state``), score them (``R^2``) after every iterate, stop
        when the score has not improved by ``tol`` for ``n_iter_no_change``
        iterates, and keep the best-scoring iterate (``iterate`` is then
        ignored). As in :class:`~sklearn.neural_network.MLPRegressor`.
    validation_fraction : float, default=0.1
        Fraction of the sequences held out for early stopping (at least 2).
    n_iter_no_change : int, default=10
        Patience of early stopping, in iterations.
    tol : float, default=1e-4
        Smallest improvement of the validation score that resets the
        patience. Only used with ``early_stopping``.
    warm_start : bool, default=False
        When True, ``fit`` continues gradient descent from the kept
        parameters of the previous fit (same initialization, projection
        balls and, for ``"auto"``, the last step size) instead of starting
        anew; ``loss_curve_`` and ``n_iter_`` continue. With
        ``iterate="last"`` and a float ``learning_rate``, two warm fits of
        ``k`` steps give exactly one fit of ``2 k`` steps.
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
        When positive, a table of the progress (iteration, risk, best risk,
        validation score with early stopping, elapsed time) goes to the
        ``skrnn`` logger when it is configured, else to standard output;
        about 20 rows per fit, every row with ``verbose >= 2``.

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
        The step size at the end of the fit: the requested float, the
        theory step, or for ``"auto"`` the curvature step after any
        halvings.
    step_halvings_ : ndarray of int
        Iterations at which ``"auto"`` halved the step (empty otherwise).
    y_mean_, y_scale_ : float
        The target normalization (0 and 1 with ``normalize_y=False``).
    validation_scores_ : ndarray of shape (n_iter_ + 1,) or None
        Validation ``R^2`` of every iterate with ``early_stopping``.
    best_validation_score_ : float or None
        Its maximum, the score of the kept iterate.
    fit_time_ : float
        Seconds spent in gradient descent.
    theoretical_bound_ : float
        The paper's bound on the training risk (of the normalized targets
        with ``normalize_y``; for the final step size ``learning_rate_``):
        Theorem 1 (best iterate) or Corollary 1 (average iterate) with
        projection, Theorem 2 (best iterate) without. For ``iterate="last"``, and for ``"average"``
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
    Sequences of different lengths are passed as a list of ``(T_j, d)`` (or
    ``(T_j,)``) arrays, with ``y`` of shape ``(n_samples,)`` or a list of
    ``(T_j,)`` arrays (see :meth:`fit`); the theory's bound is then computed
    with ``T = max_j T_j``.

    The Numba kernels run in parallel over samples; set the thread count
    with ``numba.set_num_threads``. Results do not depend on it.

    Scale the inputs. The input weights start standard normal, so a step of
    norm ``r`` gives pre-activations of standard deviation ``r``; for ``r``
    well above 1 most units sit where ``tanh``, ``logistic`` and
    ``gaussian`` are flat, their gradients nearly vanish and gradient
    descent hardly moves. skrnn never rescales silently: ``fit`` warns with
    ``skrnn.rnn.InputScaleWarning`` when the largest step norm of the
    training inputs, ``max_t ||X_t||_2`` (kept in
    ``bound_details_["max_input_norm"]``), exceeds 10. Put
    :class:`~skrnn.preprocessing.SequenceStandardScaler` or
    :class:`~skrnn.preprocessing.SequenceMaxNormScaler` in a pipeline in
    front. The threshold comes from default fits on standardized inputs
    multiplied by a factor (test ``R^2``, mean over two seeds for the first
    two rows; the largest step norm in brackets):

    ====================  ===========  ===========  ==========  ==========  ===========
    data                  x1           x3           x10         x30         x100
    ====================  ===========  ===========  ==========  ==========  ===========
    sunspots, 20 years    0.78 (3.2)   0.72 (9.7)   0.64 (32)   0.46 (97)   0.27 (322)
    NARMA-5, T=30         0.65 (1.7)   0.61 (5.2)   0.56 (17)   0.52 (52)   0.37 (173)
    teacher, 3 features   0.97 (3.1)   0.94 (9.2)   0.87 (31)   0.68 (92)   0.32 (306)
    ====================  ===========  ===========  ==========  ==========  ===========

    Up to a norm of 10 the fits lost at most 0.06 of ``R^2`` against x1;
    beyond it every fit lost 0.09 or more, and the raw sunspot windows
    (norm up to 154, all positive) score below 0. Standardized inputs with
    a few features stay below 10, so the warning does not fire for them.
    With many features a standardized step has norm about
    ``sqrt(n_features)``, which saturates the units without reaching 10: on
    a linear-memory task with 16 features the fit scored 0.61 standardized
    (largest norm 6.9) and 0.95 with every step in the unit ball, so prefer
    :class:`~skrnn.preprocessing.SequenceMaxNormScaler` there.

    ``score`` is ``R^2``; for sequence-to-sequence models it pools all
    (sample, step) pairs (``r2_score(y.ravel(), y_pred.ravel())``) instead
    of averaging one ``R^2`` per step, which explodes on steps whose targets
    are equal across samples.

    ``fit`` estimates the memory the kernels need and raises ``MemoryError``
    up front when it exceeds the machine's physical memory. The gradient
    loop itself is :func:`skrnn._gd.gradient_descent`.

    Pickles record the skrnn version; loading one under another version
    warns with :class:`skrnn.InconsistentVersionWarning`.

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
        "width": [Integers(2, None, closed="left")],
        "activation": [StrOptions(set(activation_names()))],
        "recurrent_scale": [Interval(numbers.Real, 0, None, closed="left")],
        "radius_w": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "radius_u": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "learning_rate": [
            StrOptions({"auto", "theory"}),
            Interval(numbers.Real, 0, None, closed="neither"),
        ],
        "max_iter": [Integers(0, None, closed="left")],
        "normalize_y": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Integers(1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
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
        radius_w=10.0,
        radius_u=10.0,
        learning_rate="auto",
        max_iter=1000,
        iterate="best",
        normalize_y=True,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        warm_start=False,
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
        self.normalize_y = normalize_y
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.nu_w = nu_w
        self.nu_u = nu_u
        self.delta = delta
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    _fitted_state = (
        "w_",
        "U_",
        "c_",
        "n_features_in_",
        "_input_ndim",
        "_sequence_output",
        "y_mean_",
        "y_scale_",
    )

    _bound_parameters = (
        *("activation", "recurrent_scale", "width", "radius_w", "radius_u"),
        *("nu_w", "nu_u", "delta", "iterate"),
    )

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

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the RNN by (projected) full-batch gradient descent.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps), or list of array-like
            Input sequences. Sequences of different lengths go in a list
            ``[X_1, ..., X_n]`` of arrays of shape ``(T_j, n_features)`` (or
            ``(T_j,)``): they are grouped by length and the risk, its
            gradient and the ``"auto"`` curvature are sums over the groups,
            equal to those of all the data, at a cost proportional to
            ``sum_j T_j``. A list of equal-length sequences is stacked into a
            3-D array. NaN is not read as padding.
        y : array-like of shape (n_samples,) or (n_samples, n_timesteps), or list of array-like
            Target of the last step, or of every step (for a list ``X``, a
            list of ``(T_j,)`` arrays; the risk is then
            ``(1/n) sum_j sum_{t <= T_j} (F_t(X_j) - y_{j,t})^2``).
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence in the risk (eq. 1 becomes a weighted
            mean): integer weights act as repeated sequences, zero weights
            as removed ones. None: all ones.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        self._check_structure()
        if any(is_dask_collection(data) for data in (X, y, sample_weight)):
            from ._dask import fit_rnn_on_dask  # the gradient loop here, the risk on workers

            return fit_rnn_on_dask(self, X, y, sample_weight)
        if is_ragged(X):  # a list of sequences of different lengths, bucketed by length
            from ._ragged_fit import fit_rnn_ragged

            return fit_rnn_ragged(self, X, y, sample_weight)
        warm = self.warm_start and hasattr(self, "w_")
        previous = None
        if warm:
            previous = (self.n_features_in_, self._input_ndim, self._sequence_output)
        X = validate_sequences(self, X, reset=True)
        Y, self._sequence_output = validate_targets(y, X.shape[0], X.shape[1])
        n_samples, n_timesteps, n_features = X.shape
        weights = None
        if sample_weight is not None:
            weights = check_weights(sample_weight, X)
        check_rnn_memory(type(self).__name__, n_samples, n_timesteps, n_features, self.width)
        if warm:
            check_warm_start_layout(self, previous, n_features)

        normalizer = TargetNormalizer(self.normalize_y).fit(Y, weights)
        self.y_mean_, self.y_scale_ = normalizer.mean, normalizer.scale
        Y = normalizer.transform(Y)

        fit_rows, validation_rows = np.arange(n_samples), None
        if self.early_stopping:
            fit_rows, validation_rows = validation_split(
                n_samples, self.validation_fraction, self.random_state
            )

        if not warm:
            w, U, c = symmetric_initialization(
                self.width, n_features, self.recurrent_scale, self.random_state
            )
            self.w_init_, self.U_init_, self.c_ = w, U, c
        self._n_timesteps_fit = n_timesteps
        X_fit, Y_fit = X[fit_rows], Y[fit_rows]
        weights_fit = None if weights is None else weights[fit_rows]
        if warm and self.learning_rate == "auto":
            step = self.learning_rate_  # continue with the step the last fit ended with
        else:
            step = self._initial_step(X_fit, Y_fit.shape[1], n_timesteps, weights_fit)
        start = time.perf_counter()
        with numba_threads(self.n_jobs):
            result = self._gradient_descent(
                X_fit, Y_fit, weights_fit, step, warm, X, Y, weights, validation_rows
            )
        self.fit_time_ = time.perf_counter() - start
        self._store_result(result, warm)
        self._set_bound(X_fit)
        return self

    def _store_result(self, result, warm):
        """Fitted attributes from the result of :func:`skrnn._gd.gradient_descent`."""
        previous = None
        if warm:  # the history of the fit this one continues
            scores = getattr(self, "validation_scores_", None) if self.early_stopping else None
            previous = {"n_iter": self.n_iter_, "loss_curve": self.loss_curve_, "scores": scores}
        for name, value in descent_attributes(result, previous).items():
            setattr(self, name, value)

    def _initial_step(self, X, n_fitted_steps, n_timesteps, sample_weight=None):
        """The first step size: from the curvature at the start, the theory, or as given."""
        if self.learning_rate == "theory":
            from .theory._projected import theory_step

            return theory_step(n_timesteps, self.max_iter)
        if self.learning_rate != "auto":
            return float(self.learning_rate)
        code = ACTIVATIONS[self.activation].code
        with numba_threads(self.n_jobs):
            curvature = initial_curvature(
                X, n_fitted_steps, self.w_init_, self.U_init_, self.c_, code, sample_weight
            )
        return curvature_step(curvature)

    def _gradient_descent(
        self,
        X,
        Y,
        weights,
        step,
        warm,
        X_all=None,
        Y_all=None,
        weights_all=None,
        held_out=None,
        risk=None,
        validation=None,
    ):
        """Run the driver of :mod:`skrnn._gd` on the training data.

        ``risk`` replaces the in-memory evaluator (Dask input passes a
        :class:`skrnn._dask.DistributedRisk`, ragged input a
        :class:`skrnn._gd.BucketedRisk`; ``X``, ``Y``, ``weights`` are then
        unused); ``validation`` replaces the early-stopping score that
        ``held_out`` would give (ragged input passes its own).
        """
        code = ACTIVATIONS[self.activation].code
        c_half = np.ascontiguousarray(self.c_[: self.width // 2])
        UT_init = np.ascontiguousarray(self.U_init_.T)
        if held_out is not None:
            weights_val = None if weights_all is None else weights_all[held_out]
            validation = r2_validation(X_all[held_out], Y_all[held_out], weights_val, c_half, code)
        if risk is None:
            X, Y = np.ascontiguousarray(X), np.ascontiguousarray(Y)
            risk = InMemoryRisk(X, Y, c_half, code, weights)
        w_start, UT_start = self.w_init_, UT_init
        if warm:
            w_start, UT_start = self.w_.copy(), np.ascontiguousarray(self.U_.T)
        return gradient_descent(
            w_start,
            UT_start,
            risk,
            learning_rate=step,
            max_iter=self.max_iter,
            iterate=self.iterate,
            projection=ball_projection(self.w_init_, UT_init, self.radius_w, self.radius_u),
            verbose=self.verbose,
            name=f"{type(self).__name__}(width={self.width})",
            backtrack=self.learning_rate == "auto",
            validation=validation,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            first_iteration=self.n_iter_ if warm else 0,
        )

    def _set_bound(self, X, max_input_norm=None):
        """Store the bound of the run; warn first when the inputs saturate the units.

        ``max_input_norm`` is ``max_t ||X_t||`` when measured elsewhere (Dask
        input: on the workers); None measures it on ``X`` (array or ragged).
        """
        from .theory import gd_rnn_bound

        if max_input_norm is None:
            max_input_norm = max_step_norm(X)
        _check_input_scale(max_input_norm)
        store_bound(
            self,
            gd_rnn_bound,
            self._bound_parameters,
            X,
            max_input_norm,
            n_features=X.shape[2],
            n_iter=self.max_iter,
            # the choice itself, so that theory need not recognize its own step
            learning_rate="theory" if self.learning_rate == "theory" else self.learning_rate_,
        )

    def _outputs(self, X):
        """Outputs at every step, (n_samples, n_timesteps), for validated ``X``."""
        c_half = np.ascontiguousarray(self.c_[: self.width // 2])
        code = ACTIVATIONS[self.activation].code
        return forward(X, self.w_, np.ascontiguousarray(self.U_.T), c_half, code)

    def predict(self, X):
        """Predict with the kept iterate.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps), or list of array-like
            Input sequences; for a model fitted on 3-D ``X`` (or a list) any
            length. A list of arrays of shape ``(T_j, n_features)`` (or
            ``(T_j,)``) holds sequences of different lengths.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_timesteps), or list of ndarray
            Output of the last step, or of every step when ``fit`` saw a 2-D
            ``y`` (or a list ``y``): for a list ``X`` of different lengths, a
            list of ``(T_j,)`` arrays.
        """
        check_is_fitted(self)
        if is_dask_collection(X):
            from ._dask import distributed_predict

            return distributed_predict(self, X)
        if is_ragged(X):
            from ._ragged_fit import predict_rnn_ragged

            return predict_rnn_ragged(self, X)
        X = validate_sequences(self, X, reset=False)
        check_rnn_memory(type(self).__name__, *X.shape, self.width, training=False)
        with numba_threads(self.n_jobs):
            outputs = self._outputs(X)
        outputs = outputs * self.y_scale_ + self.y_mean_
        return outputs if self._sequence_output else outputs[:, -1]

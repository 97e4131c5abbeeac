"""Kernel ridge regression with the RNN's neural tangent kernel.

:class:`NTKRNNKernelRegressor` is the kernel limit of the diagonal Elman RNN
of Cayci & Eryilmaz (Section 3): a linear model on the Monte Carlo NTK
features of :mod:`skrnn.kernels`, fitted by ridge regression or by the
closed form of linearized gradient descent. The estimator validates, chooses
and stores: the fitting steps are the functions of :mod:`skrnn._ntk_fit`,
the linear algebra those of :mod:`skrnn._ntk_solvers`, the feature cache
the object of :mod:`skrnn._ntk_cache`.
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from ._activations import ACTIVATIONS, activation_names
from ._base import SequenceRegressorMixin, SequenceTagsMixin, VersionedPickleMixin
from ._dask import is_dask_collection
from ._fit_bound import store_bound
from ._gram import _same_step_gram
from ._memory import physical_memory_bytes
from ._ntk_cache import FEATURE_CACHE
from ._ntk_fit import (
    TrainingSystem,
    alpha_candidates,
    choose_solver_and_draw,
    design_features,
    fit_linearized_gd,
    fit_ridge,
    linearized_gd_step,
    predict_linear,
    training_key,
    weighted_rows,
)
from ._numba import numba_threads
from ._ragged import is_ragged
from ._sklearn_compat import Integers, Interval, StrOptions, fit_context
from ._targets import TargetNormalizer, check_weights
from ._validation import validate_sequences, validate_targets
from .theory import ntk_bound

__all__ = ["NTKRNNKernelRegressor", "clear_feature_cache", "FEATURE_CACHE_BYTES"]

#: Upper bound on the bytes held by the process-wide cache of NTK features and
#: training Gram matrices (set to 0 to disable caching).
FEATURE_CACHE_BYTES = 256 * 2**20


def clear_feature_cache():
    """Empty the cache of NTK features and training Gram matrices."""
    FEATURE_CACHE.clear()


# --------------------------------------------------------------------------
# estimator
# --------------------------------------------------------------------------


class NTKRNNKernelRegressor(
    SequenceTagsMixin,
    VersionedPickleMixin,
    SequenceRegressorMixin,
    RegressorMixin,
    BaseEstimator,
):
    """Kernel regression with the neural tangent kernel of the diagonal Elman RNN.

    The infinite-width (kernel) limit of the RNN of
    :class:`~skrnn.ProjectedGDRNNRegressor` (Cayci & Eryilmaz, Section 3).
    The NTK of Proposition 2 is estimated with ``n_mc_samples`` random
    neurons ``(w0, u0)``: each gives the forward-mode derivatives
    ``phi_t(X) = [dh_t/dw0, dh_t/du0]`` of the scalar recursion
    ``h_t = sigma(w0 h_{t-1} + u0 . X_{t-1})``, and the model is linear in
    these features (the linearized RNN ``F^Lin`` of a symmetric network of
    width ``2 * n_mc_samples``)::

        f_t(X) = <beta, Phi_t(X)>,  Phi_t(X) = [phi_t(X; w0_i, u0_i)]_i / sqrt(M)

    with one coefficient vector ``beta`` (``coef_``, length
    ``p = M * (1 + d)``) shared by all time steps, as the RNN shares its
    weights.

    **Ridge regression** (default). ``beta`` minimizes::

        sum_j sum_{t fitted} (y_{j,t} - f_t(X_j))^2 + alpha * ||beta||^2

    where the fitted steps are the last step (1-D ``y``, sequence-to-one,
    kernel ``kappa_T``) or every step (2-D ``y``, sequence-to-sequence,
    kernel ``kappa_{t,t'}`` over all (sample, step) pairs). This is exactly
    :class:`~sklearn.kernel_ridge.KernelRidge` with that kernel (a sum, not
    a mean, of squared errors; ``alpha`` is not scaled by ``n``).
    ``alpha=0`` gives the minimum-norm least-squares solution.

    **Linearized gradient descent** (``gd_steps`` set). Predictions of the
    linearized RNN after ``gd_steps`` full-batch gradient steps of size
    ``eta = gd_learning_rate`` from ``f = 0``, with the RNN's normalization
    (steps on ``R / 2``, ``R = (1/n) sum_j sum_t (f_t(X_j) - y_{j,t})^2``,
    ``n`` the number of sequences). With ``K`` the training Gram matrix,
    the fitted values after ``s`` steps are ``(I - (I - eta K / n)^s) y``
    and test predictions are ``K_test,train K^+ (I - (I - eta K / n)^s) y``,
    computed in the eigenbasis of ``K`` (or, equivalently, of the primal
    ``Phi^T Phi``); zero eigenvalues are dropped (pseudo-inverse). ``alpha``
    is ignored in this mode.

    Parameters
    ----------
    n_mc_samples : int, default=512
        Number ``M`` of Monte Carlo draws (a symmetric RNN of width ``2M``);
        even, half of them with ``w0 = +recurrent_scale`` and half with
        ``w0 = -recurrent_scale``.
    activation : {"tanh", "logistic", "gaussian"}, default="tanh"
        Activation ``sigma``.
    recurrent_scale : float, default=0.5
        The paper's ``alpha``: ``w0 ~ Rad_alpha``.
    alpha : "auto", float or array-like of float, default="auto"
        Ridge penalty on ``||beta||^2`` (see the objective above). ``"auto"``
        chooses it by generalized cross-validation (GCV, Golub, Heath &
        Wahba 1979) over 41 log-spaced values from ``1e-7`` to ``1e3`` times
        the mean eigenvalue ``trace K / N``, in closed form: from the
        tridiagonal form of the ``N x N`` kernel matrix (one tridiagonal
        solve per candidate, then a Cholesky solve; a default fit at
        N = 2000 took 0.85 s instead of 1.19 s with an eigendecomposition)
        for the dual solver, from the
        eigendecomposition of ``Phi^T Phi`` for the primal one; a list or
        array gives the candidates instead. The chosen value is ``alpha_``.
        A float is used as given (the former default ``1e-6`` is nearly
        unregularized and overfits noisy targets).
    normalize_y : bool, default=True
        Center and scale ``y`` inside ``fit`` (one mean and one standard
        deviation over all fitted steps, weighted by ``sample_weight``) and
        map predictions back: the model has no intercept, so this is what
        lets it fit an offset. With False the objective above is solved
        exactly on the raw targets.
    solver : {"auto", "dual", "primal"}, default="auto"
        ``"dual"`` solves with the Gram matrix over the ``N`` fitted
        (sample, step) pairs (size ``N x N``); ``"primal"`` with the
        ``p x p`` matrix ``Phi^T Phi``, ``p = M * (1 + d)``. ``"auto"`` takes
        the dual when ``N <= p`` and the primal otherwise, switching when
        only the other fits in ``max_memory_bytes``.
    sampling : {"qmc", "mc"}, default="qmc"
        How ``u0 ~ N(0, I_d)`` is drawn: a scrambled Sobol' sequence through
        the normal inverse CDF (randomized quasi-Monte Carlo) or i.i.d.
        normal draws. See ``benchmarks/bench_ntk_sampling.py``: at
        ``M = 1024`` the kernel error of ``"qmc"`` is about 150x (``d = 1``),
        12x (``d = 3``) and 2.6x (``d = 8``) smaller than plain Monte Carlo.
    gd_steps : int or None, default=None
        Number of linearized gradient-descent steps; ``None`` fits ridge
        regression instead.
    gd_learning_rate : "auto", "theory" or float, default="auto"
        Step size of linearized gradient descent. ``"auto"`` is ``0.6 * 2 n /
        lambda_max`` (rounded to a grid of ratio ``2^(1/8)``), with the exact
        ``lambda_max`` of the training Gram matrix: the same rule as the
        RNN's ``learning_rate="auto"``. ``"theory"`` is
        ``1 / (T * sqrt(gd_steps))`` as in
        :class:`~skrnn.ProjectedGDRNNRegressor`. Linearized gradient descent
        converges only for ``eta < 2 n / lambda_max`` (``lambda_max`` the
        largest eigenvalue of the training Gram matrix); a larger step would
        blow the coefficients up like ``|1 - eta lambda_max / n|^s``. Such a
        step is clipped to ``n / lambda_max`` (the largest step with which
        every eigendirection decays monotonically) with a
        ``ConvergenceWarning`` naming the limit; ``gd_learning_rate_`` holds
        the step used.
    nu_w, nu_u : float, default=1.0
        Complexity of the target class ``F_{nu_w, nu_u}`` (eq. 9) used by the
        approximation bound.
    delta : float, default=0.05
        Failure probability of the bound.
    max_memory_bytes : int or "auto", default="auto"
        Refuse (with a ``ValueError`` naming a cheaper setting) to fit when
        the training features and the solver's matrices would need more
        memory than this. ``"auto"``: half of the physical memory.
    random_state : int, RandomState instance or None, default=None
        Seed of the Monte Carlo draws.
    n_jobs : int or None, default=None
        Threads of the Numba feature kernel (parallel over samples). ``None``
        keeps Numba's setting (all cores unless ``numba.set_num_threads``
        says otherwise); ``-1`` means all cores. The BLAS products use
        BLAS's own threads (see threadpoolctl). Results do not depend on it.

    Attributes
    ----------
    w0_ : ndarray of shape (n_mc_samples,)
        Recurrent weights of the draws.
    U0_ : ndarray of shape (n_mc_samples, n_features_in_)
        Input weights of the draws (``(n_mc_samples, 1)`` for 2-D ``X``).
    coef_ : ndarray of shape (n_mc_samples * (1 + d),)
        Coefficients ``beta`` on the NTK features, laid out as in
        :func:`skrnn.kernels.rnn_ntk_features`.
    solver_ : {"dual", "primal"}
        Solver used.
    alpha_ : float
        The ridge penalty used (ridge regression only): ``alpha`` itself, or
        the GCV choice.
    alphas_, gcv_scores_ : ndarray of shape (n_alphas,)
        The candidates and their GCV scores (only when ``alpha`` is
        ``"auto"`` or a list).
    y_mean_, y_scale_ : float
        The target normalization (0 and 1 with ``normalize_y=False``).
    gd_learning_rate_ : float
        Step size of linearized gradient descent actually used (only with
        ``gd_steps``): ``gd_learning_rate``, or ``n / lambda_max`` when that
        was above the stable limit.
    theoretical_bound_ : float
        Proposition 3 with the union bound of Proposition 5: with
        probability ``1 - delta`` over the draws, every target in
        ``F_{nu_w, nu_u}`` is approximated on the training sequences within
        this uniform error by the linearized RNN of width ``2M``. NaN (with
        a warning) when ``max_t ||X_t|| > 1``.
    bound_details_ : dict
        Constants and inputs of the bound.
    memory_regime_ : {"short", "long"}
        ``"short"`` when ``recurrent_scale * sigma1 < 1`` (Remark 5).
    n_features_in_ : int
        Features per time step for 3-D ``X``; number of columns (time steps)
        for 2-D ``X``.
    feature_names_in_ : ndarray of str
        Column names, for 2-D ``X`` given as a DataFrame with string columns.

    See Also
    --------
    skrnn.ProjectedGDRNNRegressor : the finite-width RNN trained by gradient descent.
    skrnn.kernels.rnn_ntk : the same-step kernel for given draws.
    sklearn.kernel_ridge.KernelRidge : the same objective with other kernels.

    Notes
    -----
    Inputs follow the package conventions: ``X`` of shape
    ``(n_samples, n_timesteps, n_features)`` or 2-D univariate sequences;
    ``predict`` returns the layout of the ``y`` given to ``fit``. A model
    fitted on 3-D ``X`` predicts sequences of any length (the coefficients
    are shared by all steps); on 2-D ``X`` the number of columns must match.

    Variable-length sequences: ``X`` may be a list of arrays of shape
    ``(T_j, n_features)`` (or ``(T_j,)``), with ``y`` of shape
    ``(n_samples,)`` (each sequence's last step) or a list of ``(T_j,)``
    arrays (every step). The features are computed per group of equal
    length and their rows stacked in the original order, so the model is
    the same as for sequences given one at a time and the cost is
    proportional to ``sum_j T_j``; such features are not cached.

    Memory: fitting holds the ``N x p`` training features plus the ``N x N``
    (dual) or ``p x p`` (primal) matrix and one working copy of it (two for
    linearized gradient descent), ``N = n_samples`` (sequence-to-one) or
    ``n_samples * n_timesteps`` (sequence-to-sequence). Prediction and
    :meth:`kernel` build features in blocks of bounded size.

    Caching: the Monte Carlo features are a deterministic function of the
    draws and the data, so a process-wide least-recently-used cache (the
    object ``skrnn._ntk_cache.FEATURE_CACHE``, at most
    :data:`FEATURE_CACHE_BYTES`, keyed by a hash of draws, activation and
    data) keeps the training features, the training Gram matrix (or its
    eigendecomposition) and the features of predicted data. A grid search
    over ``alpha`` (or over ``gd_steps``/``gd_learning_rate``) with a fixed
    ``random_state`` then computes the features of each fold once per
    process and only redoes the ``O(N^3)`` (or ``O(p^3)``) solve. Set
    ``skrnn.ntk.FEATURE_CACHE_BYTES = 0`` to disable it, or call
    :func:`clear_feature_cache`. Without a fixed ``random_state`` the draws,
    hence the features, differ between fits and nothing is reused.

    ``score`` is ``R^2``; for sequence-to-sequence models it pools all
    (sample, step) pairs (``r2_score(y.ravel(), y_pred.ravel())``) instead
    of averaging one ``R^2`` per step, which explodes on steps whose targets
    are equal across samples. Pickles record the skrnn version; loading one
    under another version warns with :class:`skrnn.InconsistentVersionWarning`.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.ntk import NTKRNNKernelRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-0.5, 0.5, size=(40, 8, 2))
    >>> y = np.tanh(X[:, -1, 0] + 0.5 * X[:, -2, 1])
    >>> model = NTKRNNKernelRegressor(n_mc_samples=64, alpha=1e-3, random_state=0)
    >>> model.fit(X, y).predict(X).shape
    (40,)
    >>> model.kernel(X[:3]).shape
    (8, 3, 3)
    """

    _parameter_constraints: dict = {
        "n_mc_samples": [Integers(2, None, closed="left")],
        "activation": [StrOptions(set(activation_names()))],
        "recurrent_scale": [Interval(numbers.Real, 0, None, closed="left")],
        "alpha": [
            Interval(numbers.Real, 0, None, closed="left"),
            StrOptions({"auto"}),
            "array-like",
        ],
        "normalize_y": ["boolean"],
        "solver": [StrOptions({"auto", "dual", "primal"})],
        "sampling": [StrOptions({"qmc", "mc"})],
        "gd_steps": [Integers(0, None, closed="left"), None],
        "gd_learning_rate": [
            StrOptions({"auto", "theory"}),
            Interval(numbers.Real, 0, None, closed="neither"),
        ],
        "nu_w": [Interval(numbers.Real, 0, None, closed="left")],
        "nu_u": [Interval(numbers.Real, 0, None, closed="left")],
        "delta": [Interval(numbers.Real, 0, 1, closed="neither")],
        "max_memory_bytes": [
            StrOptions({"auto"}),
            Integers(1, None, closed="left"),
        ],
        "random_state": ["random_state"],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(
        self,
        n_mc_samples=512,
        *,
        activation="tanh",
        recurrent_scale=0.5,
        alpha="auto",
        normalize_y=True,
        solver="auto",
        sampling="qmc",
        gd_steps=None,
        gd_learning_rate="auto",
        nu_w=1.0,
        nu_u=1.0,
        delta=0.05,
        max_memory_bytes="auto",
        random_state=None,
        n_jobs=None,
    ):
        self.n_mc_samples = n_mc_samples
        self.activation = activation
        self.recurrent_scale = recurrent_scale
        self.alpha = alpha
        self.normalize_y = normalize_y
        self.solver = solver
        self.sampling = sampling
        self.gd_steps = gd_steps
        self.gd_learning_rate = gd_learning_rate
        self.nu_w = nu_w
        self.nu_u = nu_u
        self.delta = delta
        self.max_memory_bytes = max_memory_bytes
        self.random_state = random_state
        self.n_jobs = n_jobs

    _fitted_state = (
        "w0_",
        "U0_",
        "coef_",
        "solver_",
        "n_features_in_",
        "_input_ndim",
        "_sequence_output",
        "y_mean_",
        "y_scale_",
    )

    _bound_parameters = ("activation", "recurrent_scale", "n_mc_samples", "nu_w", "nu_u", "delta")

    # ------------------------------------------------------------------ fit

    def _memory_limit(self):
        if self.max_memory_bytes != "auto":
            return int(self.max_memory_bytes)
        return physical_memory_bytes() // 2

    def _alpha_candidates(self):
        return alpha_candidates(self.alpha)

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the kernel model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps), or list of array-like
            Input sequences (2-D: univariate). Sequences of different lengths
            go in a list ``[X_1, ..., X_n]`` of arrays of shape
            ``(T_j, n_features)`` (or ``(T_j,)``): they are grouped by
            length, so the work is proportional to ``sum_j T_j``, and each
            sequence-to-one row is the feature vector at the sequence's own
            last step. A list of equal-length sequences is stacked into a
            3-D array. NaN is not read as padding.
        y : array-like of shape (n_samples,) or (n_samples, n_timesteps), or list of array-like
            Target of the last step (sequence-to-one) or of every step
            (sequence-to-sequence; for a list ``X``, a list of ``(T_j,)``
            arrays).
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence: its squared errors are multiplied by
            it (integer weights act as repeated sequences, zero weights as
            removed ones). None: all ones.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        if self.n_mc_samples % 2:
            raise ValueError(
                "n_mc_samples must be even (half of the draws take w0 = +recurrent_scale, "
                f"half w0 = -recurrent_scale), got {self.n_mc_samples}."
            )
        if any(is_dask_collection(data) for data in (X, y, sample_weight)):
            from ._dask import fit_ntk_on_dask  # the primal system summed over chunks

            return fit_ntk_on_dask(self, X, y, sample_weight)
        if is_ragged(X):  # a list of sequences of different lengths
            from ._ragged_fit import fit_ntk_ragged

            return fit_ntk_ragged(self, X, y, sample_weight)
        alpha = self._alpha_candidates()
        X = validate_sequences(self, X, reset=True)
        Y, self._sequence_output = validate_targets(y, X.shape[0], X.shape[1])
        n_samples, n_timesteps, n_features = X.shape
        weights = None
        if sample_weight is not None:
            weights = check_weights(sample_weight, X)
            if np.all(weights == 1.0):
                weights = None  # the unweighted arithmetic, bit for bit
        normalizer = TargetNormalizer(self.normalize_y).fit(Y, weights)
        self.y_mean_, self.y_scale_ = normalizer.mean, normalizer.scale
        Y = normalizer.transform(Y)
        n_rows = n_samples * Y.shape[1]
        choose_solver_and_draw(self, n_rows, n_features)
        key = training_key(*self._draws(transposed=False), X, Y.shape[1], FEATURE_CACHE_BYTES)
        with numba_threads(self.n_jobs):
            Phi = design_features(
                X, *self._draws(transposed=False), Y.shape[1], key, FEATURE_CACHE_BYTES
            ).reshape(n_rows, -1)
        targets = Y.reshape(n_rows)
        n_effective = float(n_samples)
        if weights is not None:
            Phi, targets = weighted_rows(Phi, targets, weights, Y.shape[1])
            n_effective, key = float(np.sum(weights)), None  # weighted matrices: not cached
        self._solve(Phi, targets, alpha, n_effective, n_effective * Y.shape[1], n_timesteps, key)
        self._set_bound(X)
        return self

    def _solve(self, Phi, targets, alpha, n_effective, n_rows_effective, n_timesteps, key):
        """Fit ``coef_`` on the (weighted) design ``Phi`` (N, p) and targets (N,).

        ``n_effective`` is the number (or weight sum) of sequences, the
        normalization of linearized gradient descent; ``n_rows_effective``
        the (weighted) number of rows, for GCV; ``key`` the cache key of the
        unweighted training features (None: no caching).
        """
        system = TrainingSystem(Phi, targets, self.solver_, key, FEATURE_CACHE_BYTES)
        self._solve_system(system, alpha, n_effective, n_rows_effective, n_timesteps)

    def _solve_system(self, system, alpha, n_effective, n_rows_effective, n_timesteps):
        """Fit ``coef_`` on a :class:`~skrnn._ntk_fit.TrainingSystem` (see :meth:`_solve`)."""
        for name in ("gd_learning_rate_", "alpha_", "alphas_", "gcv_scores_"):
            if hasattr(self, name):  # left by an earlier fit
                delattr(self, name)
        if self.gd_steps is None:
            fitted = fit_ridge(system, alpha, n_rows_effective)
        else:
            # called here, so that its warning's stacklevel reaches the fit
            step = linearized_gd_step(
                self.gd_learning_rate, system.spectrum()[0], n_effective, n_timesteps, self.gd_steps
            )
            fitted = {
                "gd_learning_rate_": step,
                "coef_": fit_linearized_gd(system, self.gd_steps, step, n_effective),
            }
        for name, value in fitted.items():
            setattr(self, name, value)

    def _set_bound(self, X, max_input_norm=None):
        store_bound(self, ntk_bound, self._bound_parameters, X, max_input_norm)

    # -------------------------------------------------------------- predict

    def _draws(self, transposed=True):
        """``(w0, U0^T, code)`` for the kernels (``(w0, U0, code)`` with ``transposed=False``)."""
        code = ACTIVATIONS[self.activation].code
        return self.w0_, np.ascontiguousarray(self.U0_.T) if transposed else self.U0_, code

    def predict(self, X):
        """Predict with the fitted kernel model.

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
            Prediction of the last step, or of every step when ``fit`` saw a
            2-D ``y`` (or a list ``y``): for a list ``X`` of different
            lengths, a list of ``(T_j,)`` arrays.
        """
        check_is_fitted(self)
        if is_dask_collection(X):
            from ._dask import distributed_predict

            return distributed_predict(self, X)
        if is_ragged(X):
            from ._ragged_fit import predict_ntk_ragged

            return predict_ntk_ragged(self, X)
        X = validate_sequences(self, X, reset=False)
        n_steps = X.shape[1] if self._sequence_output else 1
        with numba_threads(self.n_jobs):
            out = predict_linear(
                X, *self._draws(transposed=False), n_steps, self.coef_, FEATURE_CACHE_BYTES
            )
        out = out * self.y_scale_ + self.y_mean_
        return out if self._sequence_output else out[:, 0]

    def kernel(self, X, Y=None):
        """Same-step NTK under the fitted Monte Carlo draws.

        Parameters
        ----------
        X : array-like of shape (n_X, n_timesteps, n_features) or (n_X, n_timesteps), \
                or list of array-like
            Input sequences. A list of arrays of different lengths
            ``(T_j, n_features)`` (or ``(T_j,)``) gives the sequence-to-one
            kernel instead (see Returns).
        Y : array-like of the same number of steps and features, or list, default=None
            Second set of sequences; ``None`` uses ``X``.

        Returns
        -------
        K : ndarray of shape (n_timesteps, n_X, n_Y) or (n_X, n_Y)
            ``K[t - 1]`` is the Monte Carlo estimate of ``kappa_t`` (Prop. 2).
            When ``X`` or ``Y`` is a list of sequences of different lengths,
            ``K[i, k]`` is the kernel between sequence ``i`` at its last step
            and sequence ``k`` at its last step (the kernel of
            sequence-to-one regression), a 2-D array.
        """
        check_is_fitted(self)
        if is_ragged(X) or is_ragged(Y):
            from ._ragged_fit import ntk_last_step_kernel

            return ntk_last_step_kernel(self, X, Y)
        X = validate_sequences(self, X, reset=False)
        if Y is not None:
            Y = validate_sequences(self, Y, reset=False)
            if Y.shape[1] != X.shape[1]:
                raise ValueError(
                    f"X and Y must have the same number of time steps, got "
                    f"{X.shape[1]} and {Y.shape[1]}."
                )
        w0, UT0, code = self._draws()
        with numba_threads(self.n_jobs):
            return _same_step_gram(X, Y, w0, UT0, code)

"""Kernel ridge regression with the RNN's neural tangent kernel.

:class:`NTKRNNKernelRegressor` is the kernel limit of the diagonal Elman RNN
of Cayci & Eryilmaz (Section 3): a linear model on the Monte Carlo NTK
features of :mod:`skrnn.kernels`, fitted by ridge regression or by the
closed form of linearized gradient descent.
"""

import math
import numbers
import os
import threading
import warnings
from collections import OrderedDict

import joblib
import numpy as np
from scipy import linalg
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._numba import numba_threads
from ._numba.activations import ACTIVATION_CODES
from ._validation import max_step_norm, validate_sequences, validate_targets
from . import kernels as _kernels
from .kernels import _features, _row_blocks, _same_step_gram, ntk_draws
from .theory import ntk_bound

__all__ = ["NTKRNNKernelRegressor", "clear_feature_cache", "FEATURE_CACHE_BYTES"]

#: Upper bound on the bytes held by the module-level cache of NTK features and
#: training Gram matrices (set to 0 to disable caching).
FEATURE_CACHE_BYTES = 256 * 2**20

#: Memory limit used when ``max_memory_bytes="auto"`` and the machine's
#: physical memory cannot be read.
_FALLBACK_MEMORY_BYTES = 4 * 2**30


# --------------------------------------------------------------------------
# cache of Monte Carlo features and Gram matrices
# --------------------------------------------------------------------------


class _LRUCache:
    """Least-recently-used store of read-only arrays, bounded in bytes."""

    def __init__(self):
        self._items = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            item = self._items.pop(key, None)
            if item is None:
                return None
            self._items[key] = item
            return item[0]

    def put(self, key, value):
        arrays = value if isinstance(value, tuple) else (value,)
        nbytes = sum(a.nbytes for a in arrays)
        budget = FEATURE_CACHE_BYTES
        if nbytes > budget:
            return
        for a in arrays:
            a.setflags(write=False)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, nbytes)
            self._bytes += nbytes
            while self._bytes > budget and self._items:
                _, (_, freed) = self._items.popitem(last=False)
                self._bytes -= freed

    def clear(self):
        with self._lock:
            self._items.clear()
            self._bytes = 0


_CACHE = _LRUCache()


def clear_feature_cache():
    """Empty the cache of NTK features and training Gram matrices."""
    _CACHE.clear()


def _cached(key, compute):
    """``compute()``, memoized under ``key`` when ``key`` is not None."""
    if key is None:
        return compute()
    value = _CACHE.get(key)
    if value is None:
        value = compute()
        _CACHE.put(key, value)
    return value


# --------------------------------------------------------------------------
# linear algebra
# --------------------------------------------------------------------------


def _spectral_cutoff(eigenvalues, size):
    top = eigenvalues[-1] if eigenvalues.size else 0.0
    return max(top, 0.0) * size * np.finfo(np.float64).eps


def _apply_spectral(eigenvectors, weights, rhs):
    """``V diag(weights) V^T rhs``."""
    return eigenvectors @ (weights * (eigenvectors.T @ rhs))


def _ridge_solve(gram, rhs, alpha, eigh):
    """Solve ``(gram + alpha I) x = rhs`` for a PSD ``gram``.

    Cholesky when ``alpha > 0``; with ``alpha == 0`` (or a failed
    factorization) the minimum-norm least-squares solution through the
    eigendecomposition, eigenvalues below ``size * eps * max`` counting as 0.
    """
    size = gram.shape[0]
    if alpha > 0:
        shifted = gram.copy()
        shifted.flat[:: size + 1] += alpha
        try:
            return linalg.solve(shifted, rhs, assume_a="pos", overwrite_a=True, check_finite=False)
        except np.linalg.LinAlgError:
            warnings.warn(
                "Singular matrix in the ridge system; using the least-squares "
                "solution instead. Increase alpha.",
                linalg.LinAlgWarning,
                stacklevel=4,
            )
    eigenvalues, eigenvectors = eigh()
    cutoff = _spectral_cutoff(eigenvalues, size)
    weights = np.zeros_like(eigenvalues)
    kept = eigenvalues > cutoff
    weights[kept] = 1.0 / (eigenvalues[kept] + alpha)
    return _apply_spectral(eigenvectors, weights, rhs)


def _gd_weights(eigenvalues, n_steps, learning_rate, n_samples, size):
    """Spectral filter of ``n_steps`` of linearized gradient descent.

    ``g(lam) = (1 - (1 - eta lam / n)^s) / lam`` on the eigenvalues above the
    numerical cutoff, 0 on the others (the pseudo-inverse convention).
    """
    weights = np.zeros_like(eigenvalues)
    kept = eigenvalues > _spectral_cutoff(eigenvalues, size)
    lam = eigenvalues[kept]
    step = learning_rate * lam / n_samples
    if step.size and step.max() >= 2.0:
        warnings.warn(
            f"Linearized gradient descent diverges: gd_learning_rate={learning_rate:.4g} "
            f"exceeds 2 n / lambda_max = {2.0 * n_samples / lam.max():.4g} for the "
            "training Gram matrix; use a smaller gd_learning_rate.",
            ConvergenceWarning,
            stacklevel=4,
        )
    contracting = step < 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        decay = np.empty_like(lam)
        # 1 - (1 - x)^s computed as -expm1(s log1p(-x)): exact for tiny x
        decay[contracting] = -np.expm1(n_steps * np.log1p(-step[contracting]))
        decay[~contracting] = 1.0 - np.power(1.0 - step[~contracting], n_steps)
    weights[kept] = decay / lam
    return weights


def _memory_text(nbytes):
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if nbytes >= size:
            return f"{nbytes / size:.3g} {unit}"
    return f"{nbytes} bytes"


# --------------------------------------------------------------------------
# estimator
# --------------------------------------------------------------------------


class NTKRNNKernelRegressor(RegressorMixin, BaseEstimator):
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
    alpha : float, default=1e-6
        Ridge penalty on ``||beta||^2`` (see the objective above).
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
    gd_learning_rate : float or "theory", default="theory"
        Step size of linearized gradient descent; ``"theory"`` is
        ``1 / (T * sqrt(gd_steps))`` as in
        :class:`~skrnn.ProjectedGDRNNRegressor`.
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
    gd_learning_rate_ : float
        Step size of linearized gradient descent (only with ``gd_steps``).
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

    Memory: fitting holds the ``N x p`` training features plus the ``N x N``
    (dual) or ``p x p`` (primal) matrix and one working copy of it (two for
    linearized gradient descent), ``N = n_samples`` (sequence-to-one) or
    ``n_samples * n_timesteps`` (sequence-to-sequence). Prediction and
    :meth:`kernel` build features in blocks of bounded size.

    Caching: the Monte Carlo features are a deterministic function of the
    draws and the data, so a module-level least-recently-used cache (at most
    :data:`FEATURE_CACHE_BYTES`, keyed by a hash of draws, activation and
    data) keeps the training features, the training Gram matrix (or its
    eigendecomposition) and the features of predicted data. A grid search
    over ``alpha`` (or over ``gd_steps``/``gd_learning_rate``) with a fixed
    ``random_state`` then computes the features of each fold once per
    process and only redoes the ``O(N^3)`` (or ``O(p^3)``) solve. Set
    ``skrnn.ntk.FEATURE_CACHE_BYTES = 0`` to disable it, or call
    :func:`clear_feature_cache`. Without a fixed ``random_state`` the draws,
    hence the features, differ between fits and nothing is reused.

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
        "n_mc_samples": [Interval(numbers.Integral, 2, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATION_CODES))],
        "recurrent_scale": [Interval(numbers.Real, 0, None, closed="left")],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "solver": [StrOptions({"auto", "dual", "primal"})],
        "sampling": [StrOptions({"qmc", "mc"})],
        "gd_steps": [Interval(numbers.Integral, 0, None, closed="left"), None],
        "gd_learning_rate": [
            StrOptions({"theory"}),
            Interval(numbers.Real, 0, None, closed="neither"),
        ],
        "nu_w": [Interval(numbers.Real, 0, None, closed="left")],
        "nu_u": [Interval(numbers.Real, 0, None, closed="left")],
        "delta": [Interval(numbers.Real, 0, 1, closed="neither")],
        "max_memory_bytes": [
            StrOptions({"auto"}),
            Interval(numbers.Integral, 1, None, closed="left"),
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
        alpha=1e-6,
        solver="auto",
        sampling="qmc",
        gd_steps=None,
        gd_learning_rate="theory",
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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    # ------------------------------------------------------------------ fit

    def _memory_limit(self):
        if self.max_memory_bytes != "auto":
            return int(self.max_memory_bytes)
        try:
            physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (AttributeError, ValueError, OSError):
            return _FALLBACK_MEMORY_BYTES
        return physical // 2 if physical > 0 else _FALLBACK_MEMORY_BYTES

    def _choose_solver(self, n_rows, n_features_per_step):
        """Pick the solver and check the memory it needs against the limit."""
        M = self.n_mc_samples
        p = M * (1 + n_features_per_step)
        copies = 1 + (2 if self.gd_steps is not None else 1)
        limit = self._memory_limit()

        def need(solver, n_draws=M):
            width = n_draws * (1 + n_features_per_step)
            size = n_rows if solver == "dual" else width
            return 8 * (n_rows * width + copies * size * size)

        if self.solver == "auto":
            preferred = "dual" if n_rows <= p else "primal"
            other = "primal" if preferred == "dual" else "dual"
            if need(preferred) <= limit:
                return preferred
            if need(other) <= limit:
                return other
            solver = preferred
        else:
            solver = self.solver
            if need(solver) <= limit:
                return solver
        other = "primal" if solver == "dual" else "dual"
        advice = []
        if self.solver != "auto" and need(other) <= limit:
            advice.append(f"solver='{other}' needs {_memory_text(need(other))}")
        def fits_in_memory(n_draws):
            return min(need("dual", n_draws), need("primal", n_draws)) <= limit

        # the need grows with the number of draws: bisect over even counts
        low, high = 0, (M - 2) // 2  # candidates 2*k for k in [1, high]
        while low < high:
            middle = (low + high + 1) // 2
            if fits_in_memory(2 * middle):
                low = middle
            else:
                high = middle - 1
        if low >= 1:
            fits = 2 * low
            advice.append(f"n_mc_samples={fits} fits (p = {fits * (1 + n_features_per_step)})")
        else:
            advice.append("fit fewer samples or time steps")
        advice.append(f"or raise max_memory_bytes (now {limit})")
        raise ValueError(
            f"{type(self).__name__}(solver='{solver}') needs about "
            f"{_memory_text(need(solver))} to fit {n_rows} (sample, step) pairs with "
            f"p = {p} features (n_mc_samples={M}), more than max_memory_bytes="
            f"{_memory_text(limit)}. Cheaper: " + "; ".join(advice) + "."
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the kernel model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or (n_samples, n_timesteps)
            Input sequences (2-D: univariate).
        y : array-like of shape (n_samples,) or (n_samples, n_timesteps)
            Target of the last step (sequence-to-one) or of every step
            (sequence-to-sequence).

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
        X = validate_sequences(self, X, reset=True)
        Y, self._sequence_output = validate_targets(y, X.shape[0], X.shape[1])
        n_samples, n_timesteps, n_features = X.shape
        n_fitted_steps = Y.shape[1]
        n_rows = n_samples * n_fitted_steps
        self.solver_ = self._choose_solver(n_rows, n_features)

        self.w0_, self.U0_ = ntk_draws(
            self.n_mc_samples,
            n_features,
            recurrent_scale=self.recurrent_scale,
            sampling=self.sampling,
            random_state=self.random_state,
        )
        code = ACTIVATION_CODES[self.activation]
        UT0 = np.ascontiguousarray(self.U0_.T)
        key = None
        if FEATURE_CACHE_BYTES > 0:
            key = joblib.hash((self.w0_, self.U0_, code, X, n_fitted_steps))

        def tagged(*tags):
            return None if key is None else (*tags, key)

        with numba_threads(self.n_jobs):
            features = _cached(
                tagged("features"), lambda: _features(X, self.w0_, UT0, code, n_fitted_steps)
            )
        Phi = features.reshape(n_rows, -1)
        targets = Y.reshape(n_rows)
        dual = self.solver_ == "dual"

        def gram():
            return _cached(
                tagged("gram", self.solver_), lambda: Phi @ Phi.T if dual else Phi.T @ Phi
            )

        def eigh():
            return _cached(tagged("eigh", self.solver_), lambda: linalg.eigh(gram()))

        rhs = targets if dual else Phi.T @ targets
        size = n_rows if dual else Phi.shape[1]
        if self.gd_steps is None:
            solution = _ridge_solve(gram(), rhs, float(self.alpha), eigh)
            if hasattr(self, "gd_learning_rate_"):  # left by an earlier fit
                del self.gd_learning_rate_
        else:
            if self.gd_learning_rate == "theory":
                self.gd_learning_rate_ = 1.0 / (n_timesteps * math.sqrt(max(self.gd_steps, 1)))
            else:
                self.gd_learning_rate_ = float(self.gd_learning_rate)
            eigenvalues, eigenvectors = eigh()
            weights = _gd_weights(
                eigenvalues, self.gd_steps, self.gd_learning_rate_, n_samples, size
            )
            solution = _apply_spectral(eigenvectors, weights, rhs)
        self.coef_ = Phi.T @ solution if dual else solution
        self._set_bound(X)
        return self

    def _set_bound(self, X):
        n_samples, n_timesteps, _ = X.shape
        self.theoretical_bound_, self.bound_details_ = ntk_bound(
            activation=self.activation,
            recurrent_scale=self.recurrent_scale,
            n_mc_samples=self.n_mc_samples,
            nu_w=self.nu_w,
            nu_u=self.nu_u,
            n_timesteps=n_timesteps,
            n_samples=n_samples,
            delta=self.delta,
            max_input_norm=max_step_norm(X),
        )
        self.memory_regime_ = self.bound_details_["regime"]

    # -------------------------------------------------------------- predict

    def _draws(self):
        return self.w0_, np.ascontiguousarray(self.U0_.T), ACTIVATION_CODES[self.activation]

    def predict(self, X):
        """Predict with the fitted kernel model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or (n_samples, n_timesteps)
            Input sequences; for a model fitted on 3-D ``X`` any length.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_timesteps)
            Prediction of the last step, or of every step when ``fit`` saw a
            2-D ``y``.
        """
        check_is_fitted(self)
        X = validate_sequences(self, X, reset=False)
        w0, UT0, code = self._draws()
        n_steps = X.shape[1] if self._sequence_output else 1
        out = np.empty((X.shape[0], n_steps))
        with numba_threads(self.n_jobs):
            self._predict_into(out, X, w0, UT0, code, n_steps)
        return out if self._sequence_output else out[:, 0]

    def _predict_into(self, out, X, w0, UT0, code, n_steps):
        n_samples = X.shape[0]
        row_bytes = 8 * n_steps * w0.shape[0] * (1 + X.shape[2])
        if n_samples * row_bytes <= min(FEATURE_CACHE_BYTES, _kernels.FEATURE_BLOCK_BYTES):
            key = ("features", joblib.hash((self.w0_, self.U0_, code, X, n_steps)))
            features = _cached(key, lambda: _features(X, w0, UT0, code, n_steps))
            out[:] = features @ self.coef_
        else:
            for block in _row_blocks(n_samples, row_bytes):
                out[block] = _features(X[block], w0, UT0, code, n_steps) @ self.coef_

    def kernel(self, X, Y=None):
        """Same-step NTK under the fitted Monte Carlo draws.

        Parameters
        ----------
        X : array-like of shape (n_X, n_timesteps, n_features) or (n_X, n_timesteps)
            Input sequences.
        Y : array-like of the same number of steps and features, default=None
            Second set of sequences; ``None`` uses ``X``.

        Returns
        -------
        K : ndarray of shape (n_timesteps, n_X, n_Y)
            ``K[t - 1]`` is the Monte Carlo estimate of ``kappa_t`` (Prop. 2).
        """
        check_is_fitted(self)
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

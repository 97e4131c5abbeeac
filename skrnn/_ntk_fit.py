"""Fitting steps of :class:`skrnn.NTKRNNKernelRegressor`, as functions on arrays.

The estimator's ``fit`` validates its input, draws the Monte Carlo weights
and then only chooses among these steps and stores what they return:

* :func:`alpha_candidates`: the ``alpha`` parameter as the solvers take it;
  :func:`choose_solver_and_draw`: the memory plan and the Monte Carlo draws;
  :func:`weighted_rows`: sample weights as row scalings;
* :func:`design_features`: the Monte Carlo NTK features of a data set, kept
  in the process-wide cache of :mod:`skrnn._ntk_cache` under a hash of the
  draws, the activation and the data; :func:`predict_linear` applies fitted
  coefficients to them in blocks of bounded memory;
* :class:`TrainingSystem`: the (weighted) least-squares system of one fit,
  in the dual or primal form, with its matrix and eigendecomposition
  computed at most once (and cached under the key of the features);
* :func:`fit_ridge`: ridge regression with a given penalty, or with the
  generalized cross-validation (GCV) choice of :func:`gcv_alpha`;
* :func:`fit_linearized_gd`: linearized gradient descent with the step of
  :func:`linearized_gd_step`.

The linear algebra itself (Cholesky, spectral filters, memory planning) is
in :mod:`skrnn._ntk_solvers`.
"""

import numbers
import warnings

import numpy as np
from scipy import linalg
from sklearn.exceptions import ConvergenceWarning

from . import _gram
from ._alpha_selection import choose_alpha, default_alpha_grid, select_alpha
from ._gram import _features, _row_blocks
from ._ntk_cache import FEATURE_CACHE, feature_key
from ._ntk_solvers import (
    choose_solver,
    eigendecomposition,
    first_kept,
    gram_matrix,
    linearized_gd,
    ridge_cholesky,
    ridge_spectral,
    spectral_cutoff,
    stable_step_limit,
    tridiagonal_gcv_scores,
    tridiagonal_reduction,
)
from ._step_size import curvature_step
from .kernels import ntk_draws

__all__ = [
    "TrainingSystem",
    "alpha_candidates",
    "cached",
    "check_finite_coefficients",
    "choose_solver_and_draw",
    "design_features",
    "draw_weights",
    "fit_linearized_gd",
    "fit_ridge",
    "gcv_alpha",
    "linearized_gd_step",
    "predict_linear",
    "training_key",
    "weighted_rows",
]


def alpha_candidates(alpha):
    """The ``alpha`` parameter as the solvers take it.

    None for ``"auto"`` (the default GCV grid), a float for a number, an
    array of candidates for a list (``ValueError`` unless it holds at least
    one finite value, all ``>= 0``).
    """
    if isinstance(alpha, str):
        return None
    if isinstance(alpha, numbers.Real):
        return float(alpha)
    candidates = np.asarray(alpha, dtype=np.float64).reshape(-1)
    if candidates.size == 0 or not np.all(np.isfinite(candidates)) or np.any(candidates < 0):
        raise ValueError(
            f"alpha given as a list must hold at least one finite penalty >= 0, got {alpha!r}."
        )
    return candidates


def draw_weights(estimator, n_features):
    """Set ``w0_`` and ``U0_`` to the estimator's Monte Carlo draws (:func:`ntk_draws`)."""
    estimator.w0_, estimator.U0_ = ntk_draws(
        estimator.n_mc_samples,
        n_features,
        recurrent_scale=estimator.recurrent_scale,
        sampling=estimator.sampling,
        random_state=estimator.random_state,
    )


def choose_solver_and_draw(estimator, n_rows, n_features):
    """Set ``solver_`` (refusing what does not fit in memory) and draw ``w0_``, ``U0_``.

    Parameters
    ----------
    estimator : NTKRNNKernelRegressor
        The estimator being fitted (its parameters validated).
    n_rows : int
        Number of fitted (sample, step) pairs.
    n_features : int
        Features per time step.
    """
    estimator.solver_ = choose_solver(
        estimator.solver,
        n_rows,
        estimator.n_mc_samples,
        n_features,
        estimator._memory_limit(),
        linearized_gd=estimator.gd_steps is not None,
        estimator_name=type(estimator).__name__,
    )
    draw_weights(estimator, n_features)


def weighted_rows(Phi, targets, weights, rows_per_sample):
    """``Phi`` and ``targets`` with rows scaled by the square root of their sample's weight.

    Weighted least squares is least squares on these rows. ``rows_per_sample``
    is the number of rows of each sample (an int, or one count per sample).
    """
    root = np.repeat(np.sqrt(weights), rows_per_sample)
    return Phi * root[:, np.newaxis], targets * root


def cached(key, compute, budget):
    """The value cached under ``key``, else ``compute()`` (stored when it fits ``budget`` bytes).

    ``key=None`` disables caching for this value.
    """
    if key is None:
        return compute()
    value = FEATURE_CACHE.get(key)
    if value is None:
        value = FEATURE_CACHE.put(key, compute(), budget)
    return value


def training_key(w0, U0, code, X, n_steps, budget):
    """Cache key of the features of ``X`` under the draws; None when caching is off."""
    return feature_key(w0, U0, code, X, n_steps) if budget > 0 else None


def design_features(X, w0, U0, code, n_steps, key, budget):
    """Features ``(n_samples, n_steps, p)`` of the last ``n_steps`` steps of ``X``.

    Cached under ``("features", key)``; ``key=None`` computes them afresh.
    """
    features_key = None if key is None else ("features", key)
    return cached(
        features_key,
        lambda: _features(X, w0, np.ascontiguousarray(U0.T), code, n_steps),
        budget,
    )


def predict_linear(X, w0, U0, code, n_steps, coef, budget):
    """``Phi_t(X) @ coef`` for the last ``n_steps`` steps, shape ``(n_samples, n_steps)``.

    Features that fit both the cache budget and one feature block are cached
    (a grid search predicts the same validation fold again and again);
    larger inputs are processed in blocks of bounded size.
    """
    n_samples = X.shape[0]
    out = np.empty((n_samples, n_steps))
    row_bytes = 8 * n_steps * w0.shape[0] * (1 + X.shape[2])
    if n_samples * row_bytes <= min(budget, _gram.FEATURE_BLOCK_BYTES):
        key = feature_key(w0, U0, code, X, n_steps)
        out[:] = design_features(X, w0, U0, code, n_steps, key, budget) @ coef
    else:
        UT0 = np.ascontiguousarray(U0.T)
        for block in _row_blocks(n_samples, row_bytes):
            out[block] = _features(X[block], w0, UT0, code, n_steps) @ coef
    return out


def check_finite_coefficients(coef):
    """Return ``coef``; raise ``ValueError`` when an entry is not finite."""
    if not np.all(np.isfinite(coef)):
        raise ValueError(
            "The fitted coefficients are not finite: the targets are too large for "
            "float64 arithmetic; rescale y."
        )
    return coef


class TrainingSystem:
    """The least-squares system of one fit, in the dual or the primal form.

    Parameters
    ----------
    Phi : ndarray of shape (n_rows, p)
        Training features, one row per fitted (sample, step) pair, already
        scaled by the square roots of the sample weights.
    targets : ndarray of shape (n_rows,)
        Targets of the rows, scaled like ``Phi``.
    solver : {"dual", "primal"}
        ``"dual"``: the ``n_rows x n_rows`` matrix ``Phi Phi^T`` and
        right-hand side ``targets``; ``"primal"``: the ``p x p`` matrix
        ``Phi^T Phi`` and right-hand side ``Phi^T targets``.
    key : str or None, default=None
        Cache key of the unweighted training features (None: no caching).
    budget : int, default=0
        Byte budget of the cache.
    """

    # class-level default: subclasses that skip this __init__ still get it
    _coordinates = None

    def __init__(self, Phi, targets, solver, key=None, budget=0):
        self.Phi = Phi
        self.targets = targets
        self.dual = solver == "dual"
        self.rhs = targets if self.dual else Phi.T @ targets
        self._solver, self._key, self._budget = solver, key, budget
        self._spectrum = None

    def _cache_key(self, kind):
        return None if self._key is None else (kind, self._solver, self._key)

    def gram(self):
        """The solver's matrix (not kept by the object: only the cache holds it)."""
        return cached(
            self._cache_key("gram"), lambda: gram_matrix(self.Phi, self._solver), self._budget
        )

    def spectrum(self):
        """``(eigenvalues, eigenvectors)`` of :meth:`gram`, ascending; computed once."""
        if self._spectrum is None:
            self._spectrum = cached(
                self._cache_key("eigh"), lambda: eigendecomposition(self.gram()), self._budget
            )
        return self._spectrum

    def coordinates(self):
        """``V^T rhs``, the right-hand side in the eigenbasis of :meth:`spectrum`; computed once.

        GCV and the spectral solve both need it: one product with ``V``
        instead of two.
        """
        if self._coordinates is None:
            self._coordinates = self.spectrum()[1].T @ self.rhs
        return self._coordinates

    def residual(self, coef):
        """``||targets - Phi coef||^2``."""
        leftover = self.targets - self.Phi @ coef
        return float(leftover @ leftover)

    def coefficients(self, solution):
        """``coef`` from a solution of the system (``Phi^T x`` in the dual form), checked finite."""
        return check_finite_coefficients(self.Phi.T @ solution if self.dual else solution)


def _tridiagonal_gcv(system, candidates, n_rows):
    """GCV of a dual system from its tridiagonal form; None where it does not apply.

    Needs only the eigenvalues and ``Q^T y`` (see
    :func:`skrnn._ntk_solvers.tridiagonal_gcv_scores`), so the
    eigenvectors, most of the cost of an eigendecomposition, are never
    formed. Not used when a candidate penalty is within a factor 100 of the
    rounding-level eigenvalues (there the eigenbasis, which drops them, is
    the reference). The choice depends on the data only, never on what a
    cache holds, so that a fit gives the same bits every time.
    """
    if not system.dual or system.Phi.shape[0] < 2:
        return None
    gram = system.gram()
    diagonal, off_diagonal, coordinates = tridiagonal_reduction(gram, system.targets)
    eigenvalues = linalg.eigvalsh_tridiagonal(diagonal, off_diagonal)
    first = first_kept(eigenvalues)
    if candidates is None:
        candidates = default_alpha_grid(eigenvalues[first:], n_rows)
    alphas = np.asarray(candidates, dtype=np.float64).reshape(-1)
    dropped = max(spectral_cutoff(eigenvalues), -float(eigenvalues[0]), 0.0)
    if not np.all(alphas > 100.0 * dropped):
        return None
    scores = tridiagonal_gcv_scores(
        diagonal, off_diagonal, eigenvalues[first:], coordinates, n_rows, alphas
    )
    return choose_alpha(alphas, scores)


def gcv_alpha(system, candidates, n_rows):
    """GCV choice of the ridge penalty.

    Dual systems use their tridiagonal form (:func:`_tridiagonal_gcv`);
    otherwise, or when that does not apply, the one eigendecomposition of
    the system. Eigenvalues at rounding level (below ``size * eps *
    lam_max``, the pseudo-inverse cutoff of the solvers) are left out: they
    would add spurious terms to ``trace H`` at small penalties; the
    targets' components along them count as residual.

    Parameters
    ----------
    system : TrainingSystem
        The training system.
    candidates : ndarray of shape (n_alphas,) or None
        Penalties to choose from; None: the default grid of
        :func:`skrnn._alpha_selection.select_alpha`.
    n_rows : float
        The (weighted) number of rows.

    Returns
    -------
    alpha : float
        The chosen penalty.
    alphas, scores : ndarray of shape (n_alphas,)
        The candidates and their GCV scores.
    """
    tridiagonal = _tridiagonal_gcv(system, candidates, n_rows)
    if tridiagonal is not None:
        return tridiagonal
    eigenvalues, eigenvectors = system.spectrum()
    first = first_kept(eigenvalues)  # kept: [first:], views rather than masked copies
    coordinates = system.coordinates()
    lam = eigenvalues[first:]
    if system.dual:
        projections = coordinates[first:]
        outside = float(np.sum(coordinates[:first] ** 2))
    else:
        # K's eigenvectors are Phi v_k / sqrt(lam_k): q_k = v_k^T Phi^T y / sqrt(lam_k)
        projections = coordinates[first:] / np.sqrt(lam)
        # ||y - U q||^2 explicitly: ||y||^2 - ||q||^2 cancels catastrophically
        outside = system.residual(eigenvectors[:, first:] @ (projections / np.sqrt(lam)))
    return select_alpha(lam, projections, outside, n_rows, alphas=candidates)


def fit_ridge(system, alpha, n_rows):
    """Ridge regression on ``system``; returns the fitted attributes as a dict.

    A float ``alpha`` is used as given (Cholesky for ``alpha > 0``, the
    eigendecomposition for ``alpha = 0`` or a numerically singular shifted
    matrix); None or an array of candidates is chosen by :func:`gcv_alpha`
    and then solved by Cholesky (after a tridiagonal selection) or from the
    eigendecomposition the selection computed. The dict holds ``coef_`` and
    ``alpha_`` (and ``alphas_``, ``gcv_scores_`` after a selection).
    """
    fitted, solution = {}, None
    if not isinstance(alpha, float):
        alpha, fitted["alphas_"], fitted["gcv_scores_"] = gcv_alpha(system, alpha, n_rows)
        if alpha > 0 and system._spectrum is None:
            # chosen from the tridiagonal form: no eigenvectors to reuse; a
            # failure falls back on them without a warning
            solution = ridge_cholesky(system.gram(), system.rhs, alpha, warn=False)
    elif alpha > 0:
        solution = ridge_cholesky(system.gram(), system.rhs, alpha)
    if solution is None:  # alpha = 0, a singular shifted matrix, or a selection
        solution = ridge_spectral(
            *system.spectrum(), system.rhs, alpha, coordinates=system.coordinates()
        )
    fitted["alpha_"] = alpha
    fitted["coef_"] = system.coefficients(solution)
    return fitted


def linearized_gd_step(requested, eigenvalues, n_samples, n_timesteps, n_steps):
    """The step of linearized gradient descent, clipped to ``n / lambda_max`` when unstable.

    Parameters
    ----------
    requested : "auto", "theory" or float
        The estimator's ``gd_learning_rate``.
    eigenvalues : ndarray
        Eigenvalues of the training matrix, ascending.
    n_samples : float
        The (weighted) number of sequences ``n``.
    n_timesteps : int
        Sequence length ``T`` (for ``"theory"``).
    n_steps : int
        Number of steps ``s``.

    Returns
    -------
    step : float
        ``"auto"``: the curvature rule at ``lambda_max / n``; otherwise the
        requested step, or half the stable limit ``2 n / lambda_max`` (with a
        ``ConvergenceWarning``) when it is not below that limit.
    """
    if requested == "auto":
        top = float(eigenvalues[-1]) if eigenvalues.size else 0.0
        return curvature_step(top / n_samples)
    if requested == "theory":
        from .theory._projected import theory_step

        requested = theory_step(n_timesteps, n_steps)
    else:
        requested = float(requested)
    limit = stable_step_limit(eigenvalues, n_samples)
    if n_steps == 0 or requested < limit:
        return requested
    clipped = 0.5 * limit
    warnings.warn(
        f"Linearized gradient descent diverges with gd_learning_rate={requested:.4g}: "
        f"the stable limit for this training Gram matrix is 2 n / lambda_max = "
        f"{limit:.4g}. The step is clipped to n / lambda_max = {clipped:.4g} (see "
        "gd_learning_rate_); pass a gd_learning_rate below the limit to keep yours.",
        ConvergenceWarning,
        stacklevel=4,
    )
    return clipped


def fit_linearized_gd(system, n_steps, learning_rate, n_samples):
    """Coefficients after ``n_steps`` of linearized gradient descent from zero.

    ``learning_rate`` should come from :func:`linearized_gd_step`;
    ``n_samples`` is the (weighted) number of sequences.
    """
    eigenvalues, eigenvectors = system.spectrum()
    solution = linearized_gd(
        eigenvalues, eigenvectors, system.rhs, n_steps, learning_rate, n_samples
    )
    return system.coefficients(solution)

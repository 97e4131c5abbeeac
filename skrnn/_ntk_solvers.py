"""Solvers of :class:`skrnn.NTKRNNKernelRegressor`: pure functions on arrays.

With ``Phi`` the ``(N, p)`` matrix of training features (one row per fitted
(sample, step) pair) and ``y`` the ``N`` targets:

* the **dual** form works with the ``N x N`` Gram matrix ``K = Phi Phi^T``
  and right-hand side ``y``; the coefficients are ``Phi^T x``;
* the **primal** form works with the ``p x p`` matrix ``Phi^T Phi`` and
  right-hand side ``Phi^T y``; the coefficients are ``x``.

Both share the nonzero spectrum, so every solver below takes the matrix (or
its eigendecomposition) and the right-hand side of either form:

* :func:`ridge_cholesky`: ``(G + alpha I) x = rhs`` by Cholesky (alpha > 0);
* :func:`ridge_spectral`: the same through the eigendecomposition, the
  minimum-norm least-squares solution for ``alpha = 0``;
* :func:`linearized_gd`: ``s`` steps of linearized gradient descent, a
  spectral filter (see :func:`linearized_gd_filter`).

The memory planning (:func:`choose_solver`, with its advice bisection) lives
here too; the estimator's ``fit`` only chooses among these functions.
"""

import warnings

import numpy as np
from scipy import linalg
from scipy.linalg import lapack

from ._alpha_selection import gcv_score, trace_of_hat
from ._gram import _symmetric_gram
from ._memory import memory_text

__all__ = [
    "EIGH_DRIVER",
    "choose_solver",
    "eigendecomposition",
    "first_kept",
    "tridiagonal_gcv_scores",
    "tridiagonal_reduction",
    "gram_matrix",
    "linearized_gd",
    "linearized_gd_filter",
    "memory_need",
    "ridge_cholesky",
    "ridge_spectral",
    "stable_step_limit",
]


# ----------------------------------------------------------------- matrices


#: LAPACK driver of :func:`eigendecomposition`. On NTK Grams of size 2000
#: and 2560 (2 threads) "evr" and "evd" took the same time, "ev" several
#: times longer; "evr" (SciPy's default) needs no ``2 n^2`` workspace.
EIGH_DRIVER = "evr"


def gram_matrix(Phi, solver):
    """``Phi Phi^T`` (``solver="dual"``) or ``Phi^T Phi`` (``"primal"``), by ``syrk``.

    One triangle is computed and copied onto the other: half the flops of a
    general product, and an exactly symmetric result.

    Parameters
    ----------
    Phi : ndarray of shape (n_rows, p)
        Features, float64. A C- or F-contiguous ``Phi`` is read in place
        (it can be gigabytes); any other layout is copied once.
    solver : {"dual", "primal"}
        Which product.

    Returns
    -------
    gram : ndarray of shape (n_rows, n_rows) or (p, p)
        A new C-contiguous array.
    """
    transpose = solver != "dual"
    if not Phi.flags.c_contiguous and Phi.flags.f_contiguous:
        # Phi^T is the C-contiguous one: Phi Phi^T = (Phi^T)^T (Phi^T)
        Phi, transpose = Phi.T, not transpose
    return _symmetric_gram(Phi, transpose=transpose)


def eigendecomposition(gram):
    """``(eigenvalues, eigenvectors)`` of a symmetric matrix, eigenvalues ascending.

    ``scipy.linalg.eigh`` with the driver :data:`EIGH_DRIVER`; ``gram`` is
    not modified (it may be a read-only cached array). The finiteness
    check stays: a Gram of huge features can overflow.
    """
    return linalg.eigh(gram, driver=EIGH_DRIVER)


def spectral_cutoff(eigenvalues):
    """Eigenvalues at or below ``size * eps * lambda_max`` count as zero."""
    top = eigenvalues[-1] if eigenvalues.size else 0.0
    return max(top, 0.0) * eigenvalues.size * np.finfo(np.float64).eps


def first_kept(eigenvalues):
    """Index of the first eigenvalue above :func:`spectral_cutoff` (ascending input).

    The kept eigenpairs are ``[first_kept:]``: slicing the eigenvectors
    with it gives a view where a boolean mask would copy the matrix.
    """
    return int(np.searchsorted(eigenvalues, spectral_cutoff(eigenvalues), side="right"))


def tridiagonal_reduction(gram, rhs):
    """``gram = Q T Q^T`` by Householder reflections; returns ``T``'s diagonals and ``Q^T rhs``.

    The reduction is the first, cheaper half of an eigendecomposition
    (LAPACK ``dsytrd``, blocked): about a third of the time of
    :func:`eigendecomposition` at n = 2000, which also forms the
    eigenvectors. ``gram`` is not modified.

    Returns
    -------
    diagonal : ndarray of shape (n,)
    off_diagonal : ndarray of shape (n - 1,)
    coordinates : ndarray of the shape of ``rhs``
        ``Q^T rhs``.
    """
    size = gram.shape[0]
    work, info = lapack.dsytrd_lwork(size, lower=1)
    if info != 0:  # pragma: no cover - a workspace query does not fail
        raise np.linalg.LinAlgError(f"dsytrd workspace query failed (info={info})")
    reflectors, diagonal, off_diagonal, tau, info = lapack.dsytrd(
        gram, lower=1, lwork=max(int(work), 1)
    )
    if info != 0:  # pragma: no cover - only for invalid arguments
        raise np.linalg.LinAlgError(f"dsytrd failed (info={info})")
    coordinates = np.array(rhs, dtype=np.float64, copy=True)
    # Q = H_0 H_1 ... H_{n-2}, H_i = I - tau_i v_i v_i^T, v_i = (0.., 1, reflectors[i+2:, i]);
    # non-finite values (huge targets) propagate and are refused by the caller
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(size - 1):
            if tau[i] == 0.0:
                continue
            v = reflectors[i + 1 :, i].copy()
            v[0] = 1.0
            tail = coordinates[i + 1 :]
            tail -= tau[i] * np.multiply.outer(v, v @ tail).reshape(tail.shape)
    return diagonal, off_diagonal, coordinates


def tridiagonal_gcv_scores(diagonal, off_diagonal, kept_eigenvalues, coordinates, n_rows, alphas):
    """GCV scores ``N ||y - H y||^2 / (N - trace H)^2`` from the tridiagonal form.

    In the dual form ``y - H y = alpha (K + alpha I)^{-1} y``, so with
    ``K = Q T Q^T`` the residual is ``alpha ||(T + alpha I)^{-1} Q^T y||``: one
    tridiagonal solve per penalty, no eigenvectors. ``trace H`` sums
    ``lam / (lam + alpha)`` over ``kept_eigenvalues`` (those above the
    rounding cutoff, as in :func:`skrnn._alpha_selection.gcv_scores`);
    the penalties must exceed the size of the dropped ones, which the
    caller checks.
    """
    lam = np.clip(kept_eigenvalues, 0.0, None)
    rhs = coordinates.reshape(coordinates.shape[0], -1)
    scores = np.empty(len(alphas))
    for index, alpha in enumerate(alphas):
        _, _, _, solved, info = lapack.dgtsv(off_diagonal, diagonal + alpha, off_diagonal, rhs)
        if info != 0:  # singular: the caller keeps penalties away from that
            scores[index] = np.inf
            continue
        residual_sq = alpha * alpha * float(np.sum(solved * solved))
        scores[index] = gcv_score(residual_sq, trace_of_hat(lam, alpha), n_rows)
    return scores


def _apply_spectral(eigenvectors, weights, rhs, coordinates=None):
    """``V diag(weights) V^T rhs``; ``coordinates``: ``V^T rhs`` when already computed."""
    if coordinates is None:
        coordinates = eigenvectors.T @ rhs
    return eigenvectors @ (weights * coordinates)


# -------------------------------------------------------------------- ridge


def ridge_cholesky(gram, rhs, alpha, warn=True):
    """Solve ``(gram + alpha I) x = rhs`` by Cholesky; None when it fails.

    Parameters
    ----------
    gram : ndarray of shape (size, size)
        Symmetric positive semi-definite matrix (not modified).
    rhs : ndarray of shape (size,)
        Right-hand side.
    alpha : float
        Positive ridge penalty.
    warn : bool, default=True
        Whether a failure warns (``False`` where the caller falls back on
        its own, silently).

    Returns
    -------
    x : ndarray of shape (size,) or None
        None (with a ``LinAlgWarning`` when ``warn``) when the shifted
        matrix is numerically singular; use :func:`ridge_spectral` then.
    """
    size = gram.shape[0]
    shifted = gram.copy()
    shifted.flat[:: size + 1] += alpha
    try:
        return linalg.solve(shifted, rhs, assume_a="pos", overwrite_a=True, check_finite=False)
    except np.linalg.LinAlgError:
        if not warn:
            return None
        warnings.warn(
            "Singular matrix in the ridge system; using the least-squares "
            "solution instead. Increase alpha.",
            linalg.LinAlgWarning,
            stacklevel=3,
        )
        return None


def ridge_spectral(eigenvalues, eigenvectors, rhs, alpha, coordinates=None):
    """``(G + alpha I)^+ rhs`` from the eigendecomposition ``G = V diag(lam) V^T``.

    Eigenvalues below :func:`spectral_cutoff` are dropped (the pseudo-inverse
    convention), so ``alpha = 0`` gives the minimum-norm least-squares
    solution. ``coordinates``, when given, is ``V^T rhs`` (saves one
    product with ``V``).
    """
    weights = np.zeros_like(eigenvalues)
    kept = eigenvalues > spectral_cutoff(eigenvalues)
    weights[kept] = 1.0 / (eigenvalues[kept] + alpha)
    return _apply_spectral(eigenvectors, weights, rhs, coordinates)


# ---------------------------------------------------- linearized GD


def stable_step_limit(eigenvalues, n_samples):
    """``2 n / lambda_max``: linearized gradient descent on R/2 converges below it.

    Each eigendirection of the Gram matrix is multiplied by
    ``1 - eta lam / n`` per step; all factors lie in (-1, 1) exactly when
    ``eta < 2 n / lambda_max``. ``inf`` for a zero matrix.
    """
    top = float(eigenvalues[-1]) if eigenvalues.size else 0.0
    return 2.0 * n_samples / top if top > 0.0 else np.inf


def linearized_gd_filter(eigenvalues, n_steps, learning_rate, n_samples):
    """Spectral filter of ``n_steps`` of linearized gradient descent.

    ``g(lam) = (1 - (1 - eta lam / n)^s) / lam`` on the eigenvalues above the
    numerical cutoff, 0 on the others (the pseudo-inverse convention).
    """
    weights = np.zeros_like(eigenvalues)
    kept = eigenvalues > spectral_cutoff(eigenvalues)
    lam = eigenvalues[kept]
    step = learning_rate * lam / n_samples
    contracting = step < 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        decay = np.empty_like(lam)
        # 1 - (1 - x)^s computed as -expm1(s log1p(-x)): exact for tiny x
        decay[contracting] = -np.expm1(n_steps * np.log1p(-step[contracting]))
        decay[~contracting] = 1.0 - np.power(1.0 - step[~contracting], n_steps)
    weights[kept] = decay / lam
    return weights


def linearized_gd(eigenvalues, eigenvectors, rhs, n_steps, learning_rate, n_samples):
    """Solution after ``n_steps`` of linearized gradient descent from zero.

    Parameters
    ----------
    eigenvalues, eigenvectors : ndarray
        Eigendecomposition of the dual or primal matrix (ascending).
    rhs : ndarray
        Right-hand side of the same form.
    n_steps : int
        Number of steps ``s``.
    learning_rate : float
        Step size ``eta``; it should be below :func:`stable_step_limit`,
        otherwise the result grows like ``|1 - eta lam / n|^s``.
    n_samples : int
        Number of sequences ``n`` (the risk's normalization).

    Returns
    -------
    x : ndarray
        ``V g(Lambda) V^T rhs`` with ``g`` of :func:`linearized_gd_filter`.
    """
    weights = linearized_gd_filter(eigenvalues, n_steps, learning_rate, n_samples)
    return _apply_spectral(eigenvectors, weights, rhs)


# ------------------------------------------------------------ memory planning


def memory_need(solver, n_rows, n_draws, n_features, *, linearized_gd=False):
    """Bytes to fit: the ``N x p`` features plus the solver's matrix and its copies.

    ``p = n_draws (1 + n_features)``; the matrix is ``N x N`` (dual) or
    ``p x p`` (primal), with one working copy (two for linearized gradient
    descent, which keeps the eigenvectors).
    """
    width = n_draws * (1 + n_features)
    size = n_rows if solver == "dual" else width
    copies = 3 if linearized_gd else 2
    return 8 * (n_rows * width + copies * size * size)


def _largest_affordable_draws(solvers, n_rows, n_draws, n_features, limit, linearized_gd):
    """Largest even number of draws below ``n_draws`` some solver in ``solvers`` fits.

    The need grows with the number of draws, so bisect over ``2 k``; 0 when
    not even 2 draws fit.
    """

    def fits(draws):
        return any(
            memory_need(solver, n_rows, draws, n_features, linearized_gd=linearized_gd) <= limit
            for solver in solvers
        )

    low, high = 0, (n_draws - 2) // 2  # candidates 2 k for k in [1, high]
    while low < high:
        middle = (low + high + 1) // 2
        if fits(2 * middle):
            low = middle
        else:
            high = middle - 1
    return 2 * low


def choose_solver(
    requested,
    n_rows,
    n_draws,
    n_features,
    limit,
    *,
    linearized_gd=False,
    estimator_name="NTKRNNKernelRegressor",
):
    """Pick ``"dual"`` or ``"primal"`` and check its memory need against ``limit``.

    ``"auto"`` prefers the smaller system (dual when ``N <= p``) and takes
    the other one when only that fits. When nothing fits, the ``ValueError``
    advises settings that are accepted as they are: the other solver (when
    one was forced and the other fits) and the largest ``n_mc_samples``
    that fits with the requested solver (either solver under ``"auto"``).
    """

    def need(solver, draws=n_draws):
        return memory_need(solver, n_rows, draws, n_features, linearized_gd=linearized_gd)

    p = n_draws * (1 + n_features)
    if requested == "auto":
        preferred = "dual" if n_rows <= p else "primal"
        other = "primal" if preferred == "dual" else "dual"
        for solver in (preferred, other):
            if need(solver) <= limit:
                return solver
        solver, candidates = preferred, ("dual", "primal")
    else:
        solver, candidates = requested, (requested,)
        if need(solver) <= limit:
            return solver
    advice = []
    other = "primal" if solver == "dual" else "dual"
    if requested != "auto" and need(other) <= limit:
        advice.append(f"solver='{other}' needs {memory_text(need(other))}")
    draws = _largest_affordable_draws(candidates, n_rows, n_draws, n_features, limit, linearized_gd)
    if draws >= 2:
        advice.append(f"n_mc_samples={draws} fits (p = {draws * (1 + n_features)})")
    else:
        advice.append("fit fewer samples or time steps")
    advice.append(f"or raise max_memory_bytes (now {limit})")
    raise ValueError(
        f"{estimator_name}(solver='{solver}') needs about {memory_text(need(solver))} to fit "
        f"{n_rows} (sample, step) pairs with p = {p} features (n_mc_samples={n_draws}), "
        f"more than max_memory_bytes={memory_text(limit)}. Cheaper: " + "; ".join(advice) + "."
    )

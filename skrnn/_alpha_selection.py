"""The ``alpha="auto"`` ridge penalty: generalized cross-validation in closed form.

For ridge regression with a PSD kernel ``K = Q diag(lam) Q^T`` (or features
``Phi`` with ``K = Phi Phi^T``) the fitted values are ``H y`` with the hat
matrix ``H = Q diag(lam / (lam + alpha)) Q^T``. Generalized cross-validation
(Golub, Heath & Wahba, 1979) scores a penalty by::

    GCV(alpha) = N ||y - H y||^2 / (N - trace H)^2

with ``N`` the number of fitted rows. Given the eigendecomposition once, both
terms are sums over the eigenvalues:

* ``||y - H y||^2 = ||y_perp||^2 + sum_k (alpha / (lam_k + alpha))^2 q_k^2``,
  with ``q = Q^T y`` and ``y_perp`` the part of ``y`` outside the span of ``Q``;
* ``trace H = sum_k lam_k / (lam_k + alpha)``.

So a whole grid of penalties costs ``O(r)`` each after the one
decomposition that the fit needs anyway (``r`` eigenpairs), as in
scikit-learn's ``RidgeCV``. GCV is used rather than leave-one-out because,
for sequence-to-sequence targets, the rows of one sequence are not
independent: leaving out a single (sequence, step) row would leak its
neighbours.
"""

import numpy as np

__all__ = ["choose_alpha", "default_alpha_grid", "gcv_score", "gcv_scores", "select_alpha"]

#: default candidates, relative to the mean eigenvalue ``trace K / N``
_RELATIVE_GRID = np.logspace(-7.0, 3.0, 41)


def default_alpha_grid(eigenvalues, n_rows):
    """Candidate penalties: ``(trace K / N) * 10^[-7, 3]`` on 41 log-spaced points.

    Parameters
    ----------
    eigenvalues : ndarray of shape (r,)
        Eigenvalues of the Gram matrix (or of ``Phi^T Phi``; the nonzero ones
        are the same).
    n_rows : int
        Number ``N`` of fitted rows.

    Returns
    -------
    alphas : ndarray of shape (41,)
        Increasing candidates; ``[1.0]`` when the kernel is zero.
    """
    mean_eigenvalue = float(np.sum(np.clip(eigenvalues, 0.0, None))) / max(n_rows, 1)
    if not np.isfinite(mean_eigenvalue) or mean_eigenvalue <= 0.0:
        return np.ones(1)
    return mean_eigenvalue * _RELATIVE_GRID


def gcv_scores(eigenvalues, projections, outside_norm_sq, n_rows, alphas):
    """GCV criterion of each candidate penalty.

    Parameters
    ----------
    eigenvalues : ndarray of shape (r,)
        Eigenvalues ``lam_k >= 0`` (negative rounding noise is clipped).
    projections : ndarray of shape (r,) or (r, n_outputs)
        Coordinates ``q = Q^T y`` of the targets in the orthonormal eigenbasis.
    outside_norm_sq : float
        ``||y||^2 - ||q||^2``: the squared norm of the targets outside the
        span of the eigenvectors (0 for a full dual decomposition).
    n_rows : int
        Number ``N`` of fitted rows.
    alphas : array-like of shape (n_alphas,)
        Positive candidate penalties.

    Returns
    -------
    scores : ndarray of shape (n_alphas,)
        ``N ||y - H y||^2 / (N - trace H)^2``; ``inf`` where the denominator
        vanishes (interpolation).
    """
    lam = np.clip(np.asarray(eigenvalues, dtype=np.float64), 0.0, None)
    q = np.asarray(projections, dtype=np.float64)
    q_sq = (q * q).reshape(lam.shape[0], -1).sum(axis=1)
    outside = max(float(outside_norm_sq), 0.0)
    scores = np.empty(len(alphas))
    for index, alpha in enumerate(np.asarray(alphas, dtype=np.float64)):
        shrink = alpha / (lam + alpha)
        residual_sq = outside + float(np.dot(shrink * shrink, q_sq))
        scores[index] = gcv_score(residual_sq, trace_of_hat(lam, alpha), n_rows)
    return scores


def trace_of_hat(eigenvalues, alpha):
    """``trace H = sum_k lam_k / (lam_k + alpha)`` (eigenvalues already clipped at 0)."""
    return float(np.sum(eigenvalues / (eigenvalues + alpha)))


def gcv_score(residual_sq, trace_hat, n_rows):
    """``N ||y - H y||^2 / (N - trace H)^2``; ``inf`` when ``N - trace H <= 0`` (interpolation)."""
    dof_left = n_rows - trace_hat
    if dof_left <= 0.0:
        return np.inf
    return n_rows * residual_sq / (dof_left * dof_left)


def choose_alpha(alphas, scores):
    """``(alpha, alphas, scores)``: the candidate with the smallest score, the smallest on ties."""
    return float(alphas[int(np.argmin(scores))]), alphas, scores


def select_alpha(eigenvalues, projections, outside_norm_sq, n_rows, alphas=None):
    """The candidate with the smallest GCV score (the smallest one on ties).

    Parameters
    ----------
    eigenvalues, projections, outside_norm_sq, n_rows
        As in :func:`gcv_scores`.
    alphas : array-like of shape (n_alphas,) or None, default=None
        Candidates; ``None`` uses :func:`default_alpha_grid`.

    Returns
    -------
    alpha : float
        The chosen penalty.
    alphas : ndarray of shape (n_alphas,)
        The candidates, in the order given.
    scores : ndarray of shape (n_alphas,)
        Their GCV scores.
    """
    if alphas is None:
        alphas = default_alpha_grid(eigenvalues, n_rows)
    alphas = np.asarray(alphas, dtype=np.float64).reshape(-1)
    return choose_alpha(
        alphas, gcv_scores(eigenvalues, projections, outside_norm_sq, n_rows, alphas)
    )

"""GCV in closed form against a brute-force hat-matrix computation."""

import numpy as np
import pytest

from skrnn._alpha_selection import default_alpha_grid, gcv_scores, select_alpha


def brute_force_gcv(K, y, alpha):
    N = K.shape[0]
    hat = K @ np.linalg.solve(K + alpha * np.eye(N), np.eye(N))
    residual = y - hat @ y
    return N * np.sum(residual**2) / (N - np.trace(hat)) ** 2


@pytest.mark.parametrize("n_rows, n_features", [(30, 8), (12, 40)])
def test_dual_and_primal_forms_equal_brute_force(rng, n_rows, n_features):
    Phi = rng.normal(size=(n_rows, n_features))
    y = Phi[:, 0] - 0.5 * Phi[:, 1] + 0.3 * rng.normal(size=n_rows)
    K = Phi @ Phi.T
    alphas = np.logspace(-3, 2, 7)
    expected = np.array([brute_force_gcv(K, y, alpha) for alpha in alphas])

    lam, Q = np.linalg.eigh(K)  # dual: full basis, nothing outside
    dual = gcv_scores(lam, Q.T @ y, 0.0, n_rows, alphas)
    np.testing.assert_allclose(dual, expected, rtol=1e-9)

    lam_p, V = np.linalg.eigh(Phi.T @ Phi)  # primal: left singular vectors
    kept = lam_p > 1e-10 * lam_p.max()
    U = Phi @ V[:, kept] / np.sqrt(lam_p[kept])
    q = U.T @ y
    primal = gcv_scores(lam_p[kept], q, y @ y - q @ q, n_rows, alphas)
    np.testing.assert_allclose(primal, expected, rtol=1e-6)


def test_selected_alpha_is_the_brute_force_argmin(rng):
    n_rows = 40
    X = rng.uniform(-1, 1, size=(n_rows, 1))
    K = np.exp(-((X - X.T) ** 2) / 0.1)
    y = np.sin(3 * X[:, 0]) + 0.3 * rng.normal(size=n_rows)
    lam, Q = np.linalg.eigh(K)
    alpha, alphas, scores = select_alpha(lam, Q.T @ y, 0.0, n_rows)
    brute = [brute_force_gcv(K, y, a) for a in alphas]
    assert alpha == alphas[int(np.argmin(brute))]
    np.testing.assert_allclose(scores, brute, rtol=1e-7)
    # noisy targets: neither interpolation nor the largest penalty wins
    assert alphas[0] < alpha < alphas[-1]


def test_explicit_candidates_and_degenerate_inputs():
    lam = np.array([0.0, 1.0, 4.0])
    q = np.array([0.0, 1.0, 2.0])
    alpha, alphas, scores = select_alpha(lam, q, 0.0, 3, alphas=[0.5, 2.0])
    assert list(alphas) == [0.5, 2.0] and alpha in (0.5, 2.0)
    # interpolating a full-rank kernel leaves no degrees of freedom
    assert gcv_scores(np.ones(3), np.ones(3), 0.0, 3, [0.0])[0] == np.inf
    assert list(default_alpha_grid(np.zeros(4), 4)) == [1.0]
    grid = default_alpha_grid(np.array([1.0, 3.0]), 2)
    assert grid[0] == pytest.approx(2e-7) and grid[-1] == pytest.approx(2e3)

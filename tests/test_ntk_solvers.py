"""The NTK solvers' building blocks: Gram by syrk, eigendecomposition, GCV on views."""

import tracemalloc

import numpy as np
import pytest

from skrnn._alpha_selection import select_alpha
from skrnn._ntk_fit import TrainingSystem, fit_ridge, gcv_alpha
from skrnn._ntk_solvers import (
    eigendecomposition,
    first_kept,
    gram_matrix,
    ridge_spectral,
    spectral_cutoff,
)


def features(rng, n_rows=60, p=24, rank=None):
    Phi = rng.normal(size=(n_rows, p))
    if rank is not None:  # rank-deficient: rounding-level eigenvalues to cut off
        Phi = Phi[:, :rank] @ rng.normal(size=(rank, p))
    return Phi


@pytest.mark.parametrize("solver", ["dual", "primal"])
@pytest.mark.parametrize("layout", ["C", "F", "strided"])
def test_gram_matrix_equals_the_general_product(rng, solver, layout):
    Phi = features(rng, 50, 30)
    if layout == "F":
        Phi = np.asfortranarray(Phi)
    elif layout == "strided":
        Phi = features(rng, 50, 60)[:, ::2]
    expected = np.dot(Phi, Phi.T.copy()) if solver == "dual" else np.dot(Phi.T, Phi.copy())
    G = gram_matrix(Phi, solver)
    assert G.shape == expected.shape and G.flags.c_contiguous
    np.testing.assert_allclose(G, expected, rtol=1e-13, atol=1e-13 * np.abs(expected).max())
    np.testing.assert_array_equal(G, G.T)  # one triangle mirrored: exactly symmetric


@pytest.mark.parametrize("solver", ["dual", "primal"])
@pytest.mark.parametrize("layout", ["C", "F"])
def test_gram_matrix_reads_contiguous_features_in_place(rng, solver, layout):
    Phi = features(rng, 400, 100)  # 320 kB, 4 to 50 times the Gram
    Phi = np.asfortranarray(Phi) if layout == "F" else Phi
    size = Phi.shape[0] if solver == "dual" else Phi.shape[1]
    gram_matrix(Phi, solver)  # load the kernels outside the trace
    tracemalloc.start()
    try:
        gram_matrix(Phi, solver)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * size * size + Phi.nbytes // 4  # the result, no copy of Phi


def test_eigendecomposition_is_ascending_and_reconstructs(rng):
    Phi = features(rng, 40, 30, rank=10)
    G = gram_matrix(Phi, "dual")
    before = G.copy()
    eigenvalues, eigenvectors = eigendecomposition(G)
    np.testing.assert_array_equal(G, before)  # input untouched
    assert np.all(np.diff(eigenvalues) >= 0)
    scale = eigenvalues[-1]
    np.testing.assert_allclose((eigenvectors * eigenvalues) @ eigenvectors.T, G, atol=1e-12 * scale)
    np.testing.assert_allclose(eigenvectors.T @ eigenvectors, np.eye(40), atol=1e-12)
    np.testing.assert_allclose(eigenvalues, np.linalg.eigvalsh(G), atol=1e-12 * scale)


def test_first_kept_matches_the_cutoff_mask(rng):
    for rank in (5, 20):
        eigenvalues = eigendecomposition(gram_matrix(features(rng, 20, 30, rank), "dual"))[0]
        first = first_kept(eigenvalues)
        mask = eigenvalues > spectral_cutoff(eigenvalues)
        assert not mask[:first].any() and mask[first:].all()
        assert first == 20 - rank
    assert first_kept(np.zeros(3)) == 3
    assert first_kept(np.empty(0)) == 0


def masked_gcv(Phi, y, dual, n_rows):
    """The GCV inputs with boolean masks, written out independently."""
    if dual:
        lam, V = np.linalg.eigh(Phi @ Phi.T)
        kept = lam > spectral_cutoff(lam)
        q = V.T @ y
        return select_alpha(lam[kept], q[kept], float(np.sum(q[~kept] ** 2)), n_rows)
    lam, V = np.linalg.eigh(Phi.T @ Phi)
    kept = lam > spectral_cutoff(lam)
    U = Phi @ V[:, kept] / np.sqrt(lam[kept])
    q = U.T @ y
    outside = y - U @ q
    return select_alpha(lam[kept], q, float(outside @ outside), n_rows)


@pytest.mark.parametrize("solver", ["dual", "primal"])
@pytest.mark.parametrize("rank", [None, 8])
def test_gcv_on_eigenvector_views_equals_the_masked_computation(rng, solver, rank):
    Phi = features(rng, 30, 20, rank)
    y = Phi[:, 0] + 0.3 * rng.normal(size=30)
    system = TrainingSystem(Phi, y, solver)
    alpha, alphas, scores = gcv_alpha(system, None, 30.0)
    expected = masked_gcv(Phi, y, solver == "dual", 30.0)
    np.testing.assert_allclose(alphas, expected[1], rtol=1e-12)
    np.testing.assert_allclose(scores, expected[2], rtol=1e-8)
    assert alpha == alphas[np.argmin(scores)]


@pytest.mark.parametrize("solver", ["dual", "primal"])
def test_fit_ridge_reuses_the_coordinates(rng, solver):
    Phi = features(rng, 30, 20, rank=12)
    y = rng.normal(size=30)
    system = TrainingSystem(Phi, y, solver)
    fitted = fit_ridge(system, None, 30.0)
    eigenvalues, eigenvectors = system.spectrum()
    np.testing.assert_array_equal(system.coordinates(), eigenvectors.T @ system.rhs)
    solution = ridge_spectral(eigenvalues, eigenvectors, system.rhs, fitted["alpha_"])
    np.testing.assert_allclose(
        fitted["coef_"], system.coefficients(solution), rtol=1e-12, atol=1e-14
    )
    # the ridge solution, written out
    alpha = fitted["alpha_"]
    coef = np.linalg.solve(Phi.T @ Phi + alpha * np.eye(20), Phi.T @ y)
    np.testing.assert_allclose(fitted["coef_"], coef, rtol=1e-7, atol=1e-9)


# ------------------------------------------------- GCV from the tridiagonal form


def _brute_force_gcv(K, y, alpha):
    """``N ||y - H y||^2 / (N - tr H)^2`` with ``H = K (K + alpha I)^{-1}``, by dense solves."""
    size = K.shape[0]
    H = np.linalg.solve(K + alpha * np.eye(size), K).T  # K symmetric: H = K (K + aI)^-1
    residual = y - H @ y
    return size * float(residual @ residual) / (size - np.trace(H)) ** 2


@pytest.mark.parametrize("rank", [None, 12])
def test_tridiagonal_reduction_keeps_the_spectrum_and_the_norm(rng, rank):
    from scipy import linalg

    from skrnn._ntk_solvers import tridiagonal_reduction

    Phi = features(rng, 40, 30, rank=rank)
    K = gram_matrix(Phi, "dual")
    y = rng.normal(size=40)
    before = K.copy()
    diagonal, off_diagonal, coordinates = tridiagonal_reduction(K, y)
    np.testing.assert_array_equal(K, before)  # not modified
    T = np.diag(diagonal) + np.diag(off_diagonal, 1) + np.diag(off_diagonal, -1)
    scale = np.abs(K).max()
    np.testing.assert_allclose(
        np.sort(linalg.eigvalsh(T)), np.linalg.eigvalsh(K), atol=1e-12 * scale
    )
    # Q^T is orthogonal, and T solves reproduce the dense solves: Q^T (K + aI)^-1 y
    assert np.linalg.norm(coordinates) == pytest.approx(np.linalg.norm(y), rel=1e-13)
    alpha = 0.3 * scale
    dense = np.linalg.solve(K + alpha * np.eye(40), y)
    reduced = np.linalg.solve(T + alpha * np.eye(40), coordinates)
    assert np.linalg.norm(reduced) == pytest.approx(np.linalg.norm(dense), rel=1e-11)


@pytest.mark.parametrize("rank", [None, 15])
def test_tridiagonal_gcv_equals_brute_force_and_the_eigenbasis(rng, rank):
    from skrnn._ntk_fit import _tridiagonal_gcv

    Phi = features(rng, 50, 40, rank=rank)
    y = Phi @ rng.normal(size=40) + 0.3 * rng.normal(size=50)
    system = TrainingSystem(Phi, y, "dual")
    alphas = np.abs(np.linalg.eigvalsh(Phi @ Phi.T)).max() * np.logspace(-6, 1, 15)
    chosen, candidates, scores = _tridiagonal_gcv(system, alphas, 50)
    assert system._spectrum is None  # no eigenvectors were formed
    K = Phi @ Phi.T
    expected = [_brute_force_gcv(K, y, a) for a in alphas]
    np.testing.assert_allclose(scores, expected, rtol=1e-7)
    # the eigenbasis path (GCV with rounding-level eigenvalues dropped) agrees
    eigen_system = TrainingSystem(Phi, y, "dual")
    eigenvalues, _ = eigen_system.spectrum()
    first = first_kept(eigenvalues)
    coordinates = eigen_system.coordinates()
    eigen_choice, _, eigen_scores = select_alpha(
        eigenvalues[first:],
        coordinates[first:],
        float(np.sum(coordinates[:first] ** 2)),
        50,
        alphas=alphas,
    )
    np.testing.assert_allclose(scores, eigen_scores, rtol=1e-7)
    assert chosen == eigen_choice and np.array_equal(candidates, alphas)


def test_tridiagonal_gcv_declines_penalties_at_rounding_level(rng):
    from skrnn._ntk_fit import _tridiagonal_gcv

    Phi = features(rng, 30, 30, rank=5)
    system = TrainingSystem(Phi, rng.normal(size=30), "dual")
    assert _tridiagonal_gcv(system, np.array([1e-30, 1.0]), 30) is None
    assert _tridiagonal_gcv(TrainingSystem(Phi, Phi[:, 0], "primal"), None, 30) is None


def test_auto_alpha_fit_solves_by_cholesky_and_matches_the_spectral_solution(rng):
    Phi = features(rng, 60, 24)
    y = Phi @ rng.normal(size=24) + 0.1 * rng.normal(size=60)
    fitted = fit_ridge(TrainingSystem(Phi, y, "dual"), None, 60)
    spectral = ridge_spectral(*eigendecomposition(Phi @ Phi.T), y, fitted["alpha_"])
    np.testing.assert_allclose(fitted["coef_"], Phi.T @ spectral, rtol=1e-9, atol=1e-12)
    # the dual ridge solution written out with NumPy
    dense = np.linalg.solve(Phi @ Phi.T + fitted["alpha_"] * np.eye(60), y)
    np.testing.assert_allclose(fitted["coef_"], Phi.T @ dense, rtol=1e-8, atol=1e-10)
    # the same fit again gives the same bits (no state carried between fits)
    again = fit_ridge(TrainingSystem(Phi, y, "dual"), None, 60)
    np.testing.assert_array_equal(again["coef_"], fitted["coef_"])
    np.testing.assert_array_equal(again["gcv_scores_"], fitted["gcv_scores_"])


def test_auto_alpha_ntk_fit_does_not_depend_on_the_feature_cache(rng):
    """A fit after one that cached the eigendecomposition gives the same bits."""
    from skrnn import NTKRNNKernelRegressor
    from skrnn.ntk import clear_feature_cache

    X = rng.uniform(-0.5, 0.5, (40, 6, 2))
    y = np.tanh(X[:, -1, 0])
    clear_feature_cache()
    first = NTKRNNKernelRegressor(n_mc_samples=64, random_state=0).fit(X, y)
    # linearized GD computes and caches the eigendecomposition of the same Gram
    NTKRNNKernelRegressor(n_mc_samples=64, random_state=0, gd_steps=10).fit(X, y)
    second = NTKRNNKernelRegressor(n_mc_samples=64, random_state=0).fit(X, y)
    clear_feature_cache()
    assert first.solver_ == "dual"
    np.testing.assert_array_equal(second.coef_, first.coef_)
    assert second.alpha_ == first.alpha_

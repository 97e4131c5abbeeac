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

"""The ``learning_rate="auto"`` step against the dense empirical NTK."""

import numpy as np
import pytest
from test_recurrence import random_problem, reference_forward_mode

from skrnn._activations import ACTIVATIONS
from skrnn._step_size import curvature_step, top_curvature


def dense_top_eigenvalue(X, n_fitted, w, U, c, activation):
    """``lambda_max`` of the empirical NTK Gram over fitted (sample, step) pairs, over n."""
    _, JW, JU = reference_forward_mode(X, w, U, c, activation)
    n, T = JW.shape[:2]
    rows = np.concatenate(
        [
            JW[:, T - n_fitted :].reshape(n * n_fitted, -1),
            JU[:, T - n_fitted :].reshape(n * n_fitted, -1),
        ],
        axis=1,
    )
    gram = rows @ rows.T
    return np.linalg.eigvalsh(gram)[-1] / n


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("n_fitted", ["last", "all"])
@pytest.mark.parametrize("symmetric", [True, False])
def test_top_curvature_equals_dense_ntk_eigenvalue(rng, activation, n_fitted, symmetric):
    n, T, d, m = 9, 6, 3, 40  # 160 parameters: the Lanczos path
    S = 1 if n_fitted == "last" else T
    X, _, w, U, c_half, c = random_problem(rng, n, T, d, m, S, symmetric=symmetric)
    expected = dense_top_eigenvalue(X, S, w, U, c, activation)
    found = top_curvature(
        X, S, w, np.ascontiguousarray(U.T), c_half, ACTIVATIONS[activation].code, random_state=0
    )
    assert found == pytest.approx(expected, rel=1e-4)


def test_top_curvature_dense_path_for_few_parameters(rng):
    n, T, d, m = 7, 5, 2, 8  # 24 parameters: formed densely
    X, _, w, U, c_half, c = random_problem(rng, n, T, d, m, T, symmetric=True)
    expected = dense_top_eigenvalue(X, T, w, U, c, "tanh")
    found = top_curvature(X, T, w, np.ascontiguousarray(U.T), c_half, 0, random_state=0)
    assert found == pytest.approx(expected, rel=1e-6)


def test_step_is_within_a_factor_two_of_the_stability_limit(rng):
    n, T, d, m = 12, 8, 2, 64
    X, _, w, U, c_half, c = random_problem(rng, n, T, d, m, 1, symmetric=True)
    limit = 2.0 / dense_top_eigenvalue(X, 1, w, U, c, "tanh")  # = 2 n / lambda_max(K)
    step = curvature_step(
        top_curvature(X, 1, w, np.ascontiguousarray(U.T), c_half, 0, random_state=0)
    )
    assert 0.5 * limit <= step < limit


def test_step_is_on_the_grid_and_safe_for_zero_curvature():
    assert curvature_step(0.0) == 1.0
    assert curvature_step(float("nan")) == 1.0
    step = curvature_step(3.7)
    assert np.log2(step) * 8 == pytest.approx(round(np.log2(step) * 8), abs=1e-12)
    # the grid absorbs last-bit noise in the eigenvalue estimate
    assert curvature_step(3.7 * (1 + 1e-12)) == step

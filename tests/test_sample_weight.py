"""sample_weight: integer weights act as repeated sequences, zero weights as removed ones."""

import numpy as np
import pytest

from skrnn import NTKRNNKernelRegressor, ProjectedGDRNNRegressor
from skrnn.preprocessing import SequenceMaxNormScaler, SequenceStandardScaler


def problem(rng, n=30, T=5, d=2):
    X = rng.uniform(-0.5, 0.5, size=(n, T, d))
    y = 2.0 + np.tanh(2 * X[:, -1, 0] - X[:, -2, 1]) + 0.1 * rng.normal(size=n)
    Y = np.cumsum(X[:, :, 0], axis=1)
    return X, y, Y


def weights_and_repeats(rng, n):
    weights = rng.integers(0, 4, size=n)
    weights[:2] = (0, 3)  # at least one removed and one repeated sequence
    return weights.astype(float), np.repeat(np.arange(n), weights)


@pytest.mark.parametrize("sequence", [False, True])
def test_rnn_integer_weights_equal_repeated_sequences(rng, sequence):
    X, y, Y = problem(rng)
    target = Y if sequence else y
    weights, rows = weights_and_repeats(rng, len(X))
    common = dict(width=16, max_iter=40, learning_rate=0.5, random_state=0)
    weighted = ProjectedGDRNNRegressor(**common).fit(X, target, sample_weight=weights)
    repeated = ProjectedGDRNNRegressor(**common).fit(X[rows], target[rows])
    np.testing.assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-10)
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-9, atol=1e-12)


def test_rnn_auto_step_with_weights_matches_repeats(rng):
    X, y, _ = problem(rng)
    weights, rows = weights_and_repeats(rng, len(X))
    weighted = ProjectedGDRNNRegressor(width=16, max_iter=30, random_state=0)
    weighted.fit(X, y, sample_weight=weights)
    repeated = ProjectedGDRNNRegressor(width=16, max_iter=30, random_state=0).fit(X[rows], y[rows])
    assert weighted.learning_rate_ == repeated.learning_rate_
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-8, atol=1e-10)


def test_rnn_unit_weights_are_bitwise_unweighted(rng):
    X, y, _ = problem(rng)
    common = dict(width=16, max_iter=20, learning_rate=0.5, random_state=0)
    plain = ProjectedGDRNNRegressor(**common).fit(X, y)
    ones = ProjectedGDRNNRegressor(**common).fit(X, y, sample_weight=np.ones(len(X)))
    np.testing.assert_array_equal(plain.predict(X), ones.predict(X))


@pytest.mark.parametrize("alpha", ["auto", 1e-2])
@pytest.mark.parametrize("sequence", [False, True])
@pytest.mark.parametrize("solver", ["dual", "primal"])
def test_ntk_integer_weights_equal_repeated_sequences(rng, alpha, sequence, solver):
    X, y, Y = problem(rng)
    target = Y if sequence else y
    weights, rows = weights_and_repeats(rng, len(X))
    common = dict(n_mc_samples=16, alpha=alpha, solver=solver, random_state=0)
    weighted = NTKRNNKernelRegressor(**common).fit(X, target, sample_weight=weights)
    repeated = NTKRNNKernelRegressor(**common).fit(X[rows], target[rows])
    assert weighted.alpha_ == pytest.approx(repeated.alpha_, rel=1e-9)
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-7, atol=1e-9)


def test_ntk_linearized_gd_weights_equal_repeats(rng):
    X, y, _ = problem(rng)
    weights, rows = weights_and_repeats(rng, len(X))
    common = dict(n_mc_samples=16, gd_steps=30, random_state=0)
    weighted = NTKRNNKernelRegressor(**common).fit(X, y, sample_weight=weights)
    repeated = NTKRNNKernelRegressor(**common).fit(X[rows], y[rows])
    assert weighted.gd_learning_rate_ == repeated.gd_learning_rate_
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-8, atol=1e-10)


def test_scalers_weights_equal_repeats(rng):
    X, _, _ = problem(rng)
    X = X * np.array([1.0, 100.0]) + np.array([0.0, 5.0])
    weights, rows = weights_and_repeats(rng, len(X))
    weighted = SequenceStandardScaler().fit(X, sample_weight=weights)
    repeated = SequenceStandardScaler().fit(X[rows])
    np.testing.assert_allclose(weighted.mean_, repeated.mean_, rtol=1e-12)
    np.testing.assert_allclose(weighted.scale_, repeated.scale_, rtol=1e-12)
    Z = repeated.transform(X[rows]).reshape(-1, 2)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(repeated.inverse_transform(repeated.transform(X)), X, rtol=1e-12)
    big = np.zeros(len(X))
    big[0] = 1.0
    max_norm = SequenceMaxNormScaler().fit(X, sample_weight=big)
    assert max_norm.max_step_norm_ == pytest.approx(np.linalg.norm(X[0], axis=1).max())

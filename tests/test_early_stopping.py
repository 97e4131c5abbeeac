"""Early stopping and warm starts of the RNN (issue 9, items 5 and 6)."""

import numpy as np
import pytest

from skrnn import ProjectedGDRNNRegressor
from skrnn._numba.recurrence import forward
from skrnn._targets import validation_split


def noisy_problem(rng, n=60, T=5, d=2, noise=1.0):
    X = rng.uniform(-0.5, 0.5, size=(n, T, d))
    y = np.tanh(2 * X[:, -1, 0]) + noise * rng.normal(size=n)
    return X, y


def r2(y, prediction):
    return 1 - np.sum((y - prediction) ** 2) / np.sum((y - y.mean()) ** 2)


def test_early_stopping_stops_and_keeps_the_best_validation_iterate(rng):
    X, y = noisy_problem(rng)  # mostly noise: the validation score peaks early
    model = ProjectedGDRNNRegressor(
        width=32,
        learning_rate=2.0,
        radius_w=None,
        radius_u=None,
        max_iter=2000,
        early_stopping=True,
        validation_fraction=0.3,
        n_iter_no_change=5,
        random_state=0,
    ).fit(X, y)
    assert model.n_iter_ < 2000  # it stopped
    scores = model.validation_scores_
    assert scores.shape == (model.n_iter_ + 1,) == model.loss_curve_.shape
    best = int(np.argmax(scores))
    # stopped exactly n_iter_no_change iterates after the last improvement by tol
    improved = [0] + [k for k in range(1, len(scores)) if scores[k] > np.max(scores[:k]) + 1e-4]
    assert model.n_iter_ == improved[-1] + 5
    assert model.best_validation_score_ == scores[best]
    # the kept parameters are that iterate: recompute its validation R^2 independently
    _, held_out = validation_split(len(X), 0.3, 0)
    outputs = forward(
        np.ascontiguousarray(X[held_out]),
        model.w_,
        np.ascontiguousarray(model.U_.T),
        np.ascontiguousarray(model.c_[:16]),
        0,
    )[:, -1]
    y_val = (y[held_out] - model.y_mean_) / model.y_scale_
    assert r2(y_val, outputs) == pytest.approx(scores[best], rel=1e-10)
    # and the model predicts with it
    np.testing.assert_allclose(
        model.predict(X[held_out]), outputs * model.y_scale_ + model.y_mean_, rtol=1e-12
    )


def test_early_stopping_needs_enough_sequences(rng):
    X, y = noisy_problem(rng, n=2)
    with pytest.raises(ValueError, match="early_stopping"):
        ProjectedGDRNNRegressor(width=4, early_stopping=True).fit(X, y)


@pytest.mark.parametrize("sequence", [False, True])
def test_two_warm_fits_equal_one_long_fit(rng, sequence):
    X, y = noisy_problem(rng, noise=0.1)
    target = np.repeat(y[:, None], X.shape[1], axis=1) if sequence else y
    common = dict(width=16, learning_rate=0.5, iterate="last", random_state=0)
    long = ProjectedGDRNNRegressor(max_iter=40, **common).fit(X, target)
    warm = ProjectedGDRNNRegressor(max_iter=20, warm_start=True, **common)
    warm.fit(X, target)
    first_curve = warm.loss_curve_.copy()
    warm.fit(X, target)
    np.testing.assert_array_equal(warm.w_, long.w_)
    np.testing.assert_array_equal(warm.U_, long.U_)
    np.testing.assert_array_equal(warm.loss_curve_, long.loss_curve_)
    np.testing.assert_array_equal(warm.loss_curve_[:21], first_curve)
    assert warm.n_iter_ == 40
    np.testing.assert_array_equal(warm.predict(X), long.predict(X))


def test_warm_start_false_restarts(rng):
    X, y = noisy_problem(rng, noise=0.1)
    common = dict(width=16, learning_rate=0.5, iterate="last", max_iter=10, random_state=0)
    model = ProjectedGDRNNRegressor(**common)
    first = model.fit(X, y).w_.copy()
    np.testing.assert_array_equal(model.fit(X, y).w_, first)
    assert model.n_iter_ == 10


def test_warm_start_refuses_another_layout(rng):
    X, y = noisy_problem(rng, noise=0.1)
    model = ProjectedGDRNNRegressor(width=8, max_iter=2, warm_start=True, random_state=0)
    model.fit(X, y)
    with pytest.raises(ValueError, match="warm_start"):
        model.fit(np.concatenate([X, X], axis=2), y)

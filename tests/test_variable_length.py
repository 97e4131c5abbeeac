"""Variable-length sequences: lists of (T_j, d) arrays, bucketed by length (issue 9, item 8).

The references here are written independently of the package: a NumPy
forward pass and risk of the RNN on a list of sequences, a NumPy
forward-mode computation of the NTK features one sequence at a time, and
the exactness of zero padding at the start for tanh (the hidden state and
its derivatives stay 0 through zero steps).
"""

import numpy as np
import pytest
from sklearn.base import clone

from skrnn import ProjectedGDRNNRegressor
from skrnn._gd import BucketedRisk
from skrnn._ragged import RaggedSequences, is_ragged
from skrnn._ragged_fit import fit_ntk_ragged, fit_rnn_ragged
from skrnn.ntk import NTKRNNKernelRegressor
from skrnn.preprocessing import SequenceMaxNormScaler, SequenceStandardScaler

LENGTHS = [3, 6, 6, 2, 8, 3, 5, 6, 2, 4, 7, 5]


def ragged_problem(seed=0, lengths=LENGTHS, d=2):
    rng = np.random.default_rng(seed)
    X = [rng.uniform(-0.5, 0.5, size=(T, d)) for T in lengths]
    y = np.array([np.tanh(x[-1, 0] + 0.5 * x[:, -1].sum()) for x in X])
    Y = [np.tanh(np.cumsum(x[:, 0])) for x in X]
    return X, y, Y


def front_padded(X):
    """Zero steps at the start up to the longest length: exact for tanh."""
    T = max(len(x) for x in X)
    return np.stack([np.concatenate([np.zeros((T - len(x), x.shape[1])), x]) for x in X])


def rnn(**params):
    base = dict(width=16, max_iter=60, random_state=0)
    return ProjectedGDRNNRegressor(**{**base, **params})


def ntk(**params):
    base = dict(n_mc_samples=16, random_state=0)
    return NTKRNNKernelRegressor(**{**base, **params})


# ------------------------------------------------------------- predictions


@pytest.mark.parametrize("make", [rnn, ntk])
@pytest.mark.parametrize("sequence", [False, True])
def test_each_prediction_in_a_ragged_batch_equals_its_prediction_alone(make, sequence):
    X, y, Y = ragged_problem()
    model = make().fit(X, Y if sequence else y)
    batch = model.predict(X)
    if sequence:
        assert isinstance(batch, list)
        assert [p.shape for p in batch] == [(len(x),) for x in X]
    else:
        assert isinstance(batch, np.ndarray) and batch.shape == (len(X),)
    for j, x in enumerate(X):
        alone = model.predict(x[np.newaxis])[0]
        np.testing.assert_allclose(batch[j], alone, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("make", [rnn, ntk])
def test_ragged_seq_to_one_fit_equals_the_fit_on_zero_front_padding(make):
    # tanh(0) = 0: zero steps before a sequence change neither the outputs, nor
    # the gradients, nor the NTK features of its real steps
    X, y, _ = ragged_problem()
    ragged = make().fit(X, y)
    padded = make().fit(front_padded(X), y)
    np.testing.assert_allclose(ragged.predict(X), padded.predict(front_padded(X)), atol=1e-9)
    if make is rnn:
        assert ragged.learning_rate_ == padded.learning_rate_  # the curvature over buckets
        np.testing.assert_allclose(ragged.loss_curve_, padded.loss_curve_, rtol=1e-9)
    else:
        assert ragged.alpha_ == pytest.approx(padded.alpha_, rel=1e-9)
        K = ragged.kernel(X)
        np.testing.assert_allclose(K, padded.kernel(front_padded(X))[-1], atol=1e-12)
        np.testing.assert_allclose(ragged.kernel(X[:4], X), K[:4], atol=1e-14)


# -------------------------------------------------- equal lengths: same path


@pytest.mark.parametrize("sequence", [False, True])
def test_ragged_rnn_fit_with_equal_lengths_is_the_3d_fit_bit_for_bit(sequence):
    X, y, Y = ragged_problem(lengths=[5] * 10)
    target = np.stack(Y) if sequence else y
    weights = np.arange(10) % 3 + 0.5
    for params in (dict(), dict(learning_rate=0.5, normalize_y=False, iterate="last")):
        model = rnn(**params)
        dense = clone(model).fit(np.stack(X), target, sample_weight=weights)
        bucketed = fit_rnn_ragged(clone(model), X, Y if sequence else y, weights)
        np.testing.assert_array_equal(bucketed.w_, dense.w_)
        np.testing.assert_array_equal(bucketed.U_, dense.U_)
        np.testing.assert_array_equal(bucketed.loss_curve_, dense.loss_curve_)
        assert bucketed.learning_rate_ == dense.learning_rate_
        assert bucketed.y_mean_ == dense.y_mean_ and bucketed.y_scale_ == dense.y_scale_
    # the public entry point stacks an equal-length list
    assert not is_ragged(X)


@pytest.mark.parametrize("sequence", [False, True])
def test_ragged_ntk_fit_with_equal_lengths_is_the_3d_fit_bit_for_bit(sequence):
    X, y, Y = ragged_problem(lengths=[5] * 10)
    target = np.stack(Y) if sequence else y
    dense = ntk().fit(np.stack(X), target)
    bucketed = fit_ntk_ragged(ntk(), X, Y if sequence else y)
    np.testing.assert_array_equal(bucketed.coef_, dense.coef_)
    assert bucketed.alpha_ == dense.alpha_


# ------------------------------------------------- risk and gradient (NumPy)


def numpy_ragged_risk(X, targets, weights, w, U, c):
    """``sum_j s_j sum_t (F_t(X_j) - y_{j,t})^2 / sum_j s_j``, tanh, plain loops."""
    m = w.shape[0]
    total = 0.0
    for x, target, s in zip(X, targets, weights, strict=True):
        h = np.zeros(m)
        outputs = []
        for step in x:
            h = np.tanh(w * h + U @ step)
            outputs.append(c @ h / np.sqrt(m))
        fitted = np.array(outputs)[len(x) - len(target) :]
        total += s * np.sum((fitted - target) ** 2)
    return total / np.sum(weights)


@pytest.mark.parametrize("sequence", [False, True])
def test_bucketed_gradient_matches_finite_differences_of_a_numpy_risk(sequence):
    X, y, Y = ragged_problem(d=2)
    targets = Y if sequence else [np.array([value]) for value in y]
    rng = np.random.default_rng(1)
    m = 6
    w = rng.uniform(-0.6, 0.6, m)
    U = rng.normal(size=(m, 2))
    c_half = np.array([1.0, -1.0, 1.0])
    c = np.concatenate([c_half, -c_half])
    weights = rng.uniform(0.2, 2.0, len(X))
    data = RaggedSequences(X)
    rows = [r for r, _ in data.buckets]
    buckets = list(zip([X_b for _, X_b in data.buckets], data.stack_rows(targets), strict=True))
    assert len(buckets) == len(set(LENGTHS))
    evaluator = BucketedRisk(buckets, rows, c_half, 0, weights)
    grad_w, grad_UT = np.empty(m), np.empty((2, m))
    risk = evaluator(w, np.ascontiguousarray(U.T), grad_w, grad_UT)
    assert risk == pytest.approx(numpy_ragged_risk(X, targets, weights, w, U, c), rel=1e-12)

    def half_risk(theta):
        return 0.5 * numpy_ragged_risk(X, targets, weights, theta[:m], theta[m:].reshape(m, 2), c)

    theta = np.concatenate([w, U.reshape(-1)])
    step = 1e-6
    numeric = np.array(
        [
            (half_risk(theta + step * e) - half_risk(theta - step * e)) / (2 * step)
            for e in np.eye(theta.size)
        ]
    )
    analytic = np.concatenate([grad_w, grad_UT.T.reshape(-1)])
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


# ---------------------------------------------------------- NTK dense solve


def numpy_ntk_features(x, w0, U0):
    """Features ``(T, M (1 + d))`` of one sequence: forward-mode derivatives, tanh."""
    M, d = U0.shape
    h = np.zeros(M)
    dh_dw = np.zeros(M)
    dh_du = np.zeros((M, d))
    rows = []
    for step in x:
        z = w0 * h + U0 @ step
        slope = 1.0 - np.tanh(z) ** 2
        dh_dw = slope * (h + w0 * dh_dw)
        dh_du = slope[:, np.newaxis] * (step[np.newaxis, :] + w0[:, np.newaxis] * dh_du)
        h = np.tanh(z)
        rows.append(np.concatenate([dh_dw, dh_du.T.reshape(-1)]) / np.sqrt(M))
    return np.array(rows)


@pytest.mark.parametrize("sequence", [False, True])
def test_ragged_ntk_ridge_equals_a_dense_solve_on_features_of_one_sequence_at_a_time(sequence):
    X, y, Y = ragged_problem()
    model = ntk(alpha=1e-2, normalize_y=False).fit(X, Y if sequence else y)
    features = [numpy_ntk_features(x, model.w0_, model.U0_) for x in X]
    if sequence:
        P, target = np.concatenate(features), np.concatenate(Y)
    else:
        P, target = np.stack([f[-1] for f in features]), y
    beta = np.linalg.solve(P.T @ P + 1e-2 * np.eye(P.shape[1]), P.T @ target)
    np.testing.assert_allclose(model.coef_, beta, rtol=1e-8, atol=1e-10)


# ------------------------------------------------------------ sample weights


def test_integer_weights_on_ragged_input_equal_repeated_sequences():
    X, y, Y = ragged_problem()
    counts = np.array([0, 1, 2, 3, 1, 1, 0, 2, 1, 1, 3, 1])
    repeated = [x for x, k in zip(X, counts, strict=True) for _ in range(k)]
    for target, repeated_target in (
        (y, np.repeat(y, counts)),
        (Y, [t for t, k in zip(Y, counts, strict=True) for _ in range(k)]),
    ):
        weighted = rnn(learning_rate=0.5).fit(X, target, sample_weight=counts)
        copies = rnn(learning_rate=0.5).fit(repeated, repeated_target)
        np.testing.assert_allclose(weighted.w_, copies.w_, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(weighted.loss_curve_, copies.loss_curve_, rtol=1e-9)
        weighted = ntk(alpha=1e-2).fit(X, target, sample_weight=counts)
        copies = ntk(alpha=1e-2).fit(repeated, repeated_target)
        np.testing.assert_allclose(weighted.coef_, copies.coef_, rtol=1e-8, atol=1e-10)


# ------------------------------------------------------- features of the fit


def test_auto_step_early_stopping_and_warm_start_on_ragged_input():
    X, y, Y = ragged_problem(lengths=LENGTHS * 2)
    model = rnn(early_stopping=True, validation_fraction=0.25, n_iter_no_change=3)
    model.fit(X, Y)
    assert model.validation_scores_.shape == (model.n_iter_ + 1,)
    assert model.best_validation_score_ == np.max(model.validation_scores_)
    assert model.score(X, Y) > -1.0
    # warm start: two fits of 30 steps are one of 60
    once = rnn(learning_rate=0.5, iterate="last").fit(X, y)
    twice = rnn(learning_rate=0.5, iterate="last", max_iter=30, warm_start=True)
    twice.fit(X, y).fit(X, y)
    np.testing.assert_array_equal(twice.w_, once.w_)
    np.testing.assert_array_equal(twice.loss_curve_, once.loss_curve_)


def test_y_list_layout_round_trip_and_univariate_items():
    X, y, Y = ragged_problem(d=1)
    univariate = [x[:, 0] for x in X]
    for make in (rnn, ntk):
        model = make().fit(univariate, Y)
        predicted = model.predict(univariate)
        assert [p.shape for p in predicted] == [t.shape for t in Y]
        np.testing.assert_allclose(
            np.concatenate(predicted), np.concatenate(make().fit(X, Y).predict(X)), rtol=1e-12
        )
        assert np.isfinite(model.score(univariate, Y))
        # a 3-D array (or an equal-length list) of any length is accepted after a list fit
        assert model.predict(np.stack(X[1:3])).shape == (2, 6)
        assert model.predict([x[:4] for x in univariate[1:3]]).shape == (2, 4)
        model = make().fit(univariate, y)
        assert model.predict(univariate).shape == (len(X),)
    with pytest.raises(ValueError, match=r"list of \(T_j,\) arrays"):
        rnn().fit(X, [t[:-1] for t in Y])
    with pytest.raises(ValueError, match="different numbers of features"):
        rnn().fit([np.ones((3, 2)), np.ones((4, 3))], [0.0, 1.0])
    fitted_2d = rnn(max_iter=2).fit(np.stack([x[:2, 0] for x in X]), y)
    with pytest.raises(ValueError, match="fitted on a 2-D X"):
        fitted_2d.predict(univariate)


@pytest.mark.parametrize(
    "estimator",
    [rnn(), ntk(), SequenceStandardScaler(), SequenceMaxNormScaler()],
    ids=lambda e: type(e).__name__,
)
@pytest.mark.parametrize("ndim", [2, 3])
def test_nan_padding_is_refused_with_the_list_form(estimator, ndim):
    X = np.ones((3, 4, 2))
    X[0, 2:] = np.nan
    if ndim == 2:
        X = X[:, :, 0]
    with pytest.raises(ValueError, match=r"list of arrays.*X_j of shape \(T_j") as error:
        estimator.fit(X, np.zeros(3))
    assert "np.isnan" in str(error.value)


def test_scalers_on_lists():
    X, _, _ = ragged_problem()
    X = [x * [1.0, 50.0] + [0.0, 3.0] for x in X]
    steps = np.concatenate(X)
    weights = np.arange(len(X)) % 3
    scaler = SequenceStandardScaler().fit(X, sample_weight=weights)
    per_step = np.repeat(weights, [len(x) for x in X])
    np.testing.assert_allclose(scaler.mean_, np.average(steps, axis=0, weights=per_step))
    Z = scaler.transform(X)
    assert isinstance(Z, list) and [z.shape for z in Z] == [x.shape for x in X]
    np.testing.assert_allclose(np.concatenate(Z), (steps - scaler.mean_) / scaler.scale_)
    back = scaler.inverse_transform(Z)
    np.testing.assert_allclose(np.concatenate(back), steps, rtol=1e-12, atol=1e-12)
    maxnorm = SequenceMaxNormScaler().fit(X)
    assert maxnorm.max_step_norm_ == pytest.approx(np.linalg.norm(steps, axis=1).max())
    assert max(np.linalg.norm(z, axis=1).max() for z in maxnorm.transform(X)) <= 1.0
    assert maxnorm.transform(np.stack(X[1:3])).shape == (2, 6, 2)

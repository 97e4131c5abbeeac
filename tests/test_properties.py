"""Property-based tests: shapes, dtypes and values drawn by hypothesis (issue 7).

Sizes stay tiny and example counts small so that the module runs in seconds;
each property is an invariant that must hold for every draw.
"""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from skrnn import NTKRNNKernelRegressor, ProjectedGDRNNRegressor
from skrnn.preprocessing import SequenceMaxNormScaler

SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

finite_values = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False, width=32)


@st.composite
def problems(draw, max_samples=6, max_steps=5, max_features=3):
    """``(X, y)`` of a drawn layout: 3-D or 2-D X, float32 or float64, 1-D or 2-D y."""
    n = draw(st.integers(1, max_samples))
    T = draw(st.integers(1, max_steps))
    d = draw(st.integers(1, max_features))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    univariate = draw(st.booleans())
    shape = (n, T) if univariate else (n, T, d)
    X = draw(arrays(dtype, shape, elements=finite_values))
    sequence = draw(st.booleans())
    y = draw(arrays(np.float64, (n, T) if sequence else (n,), elements=finite_values))
    return X, y


def rnn(**params):
    return ProjectedGDRNNRegressor(width=4, max_iter=3, learning_rate=0.1, **params)


def ntk(**params):
    return NTKRNNKernelRegressor(n_mc_samples=4, alpha=1e-3, **params)


MODELS = [rnn, ntk]


def quiet_fit(model, X, y):
    with warnings.catch_warnings():
        # convergence and "inputs outside the unit ball" warnings are expected here
        warnings.simplefilter("ignore")
        return model.fit(X, y)


@pytest.mark.parametrize("make", MODELS, ids=["rnn", "ntk"])
@SETTINGS
@given(problem=problems())
def test_predictions_are_finite_with_the_target_layout(make, problem):
    X, y = problem
    model = quiet_fit(make(random_state=0), X, y)
    prediction = model.predict(X)
    assert prediction.shape == y.shape
    assert prediction.dtype == np.float64
    assert np.all(np.isfinite(prediction))


@pytest.mark.parametrize("make", MODELS, ids=["rnn", "ntk"])
@SETTINGS
@given(problem=problems(), seed=st.integers(0, 2**31 - 1))
def test_same_random_state_same_bits(make, problem, seed):
    X, y = problem
    first = quiet_fit(make(random_state=seed), X, y).predict(X)
    second = quiet_fit(make(random_state=seed), X, y).predict(X)
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("make", MODELS, ids=["rnn", "ntk"])
@SETTINGS
@given(problem=problems(max_samples=40))
def test_n_jobs_does_not_change_bits(make, problem):
    X, y = problem
    one = quiet_fit(make(random_state=0, n_jobs=1), X, y)
    two = quiet_fit(make(random_state=0, n_jobs=2), X, y)
    np.testing.assert_array_equal(one.predict(X), two.predict(X))
    if hasattr(one, "loss_curve_"):
        np.testing.assert_array_equal(one.loss_curve_, two.loss_curve_)


@pytest.mark.parametrize("make", MODELS, ids=["rnn", "ntk"])
@SETTINGS
@given(problem=problems(max_samples=20), data=st.data())
def test_predicting_a_subset_gives_its_rows(make, problem, data):
    X, y = problem
    model = quiet_fit(make(random_state=0), X, y)
    rows = data.draw(
        st.lists(st.integers(0, X.shape[0] - 1), min_size=1, max_size=X.shape[0], unique=True)
    )
    rows = np.array(rows)
    np.testing.assert_allclose(
        model.predict(X[rows]), model.predict(X)[rows], rtol=1e-12, atol=1e-14
    )


@SETTINGS
@given(
    X=arrays(
        np.float64,
        st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(1, 3)),
        elements=st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    ),
    max_norm=st.floats(0.1, 10.0),
)
def test_scaler_round_trip(X, max_norm):
    scaler = SequenceMaxNormScaler(max_norm=max_norm).fit(X)
    scaled = scaler.transform(X)
    assert np.all(np.linalg.norm(scaled, axis=2) <= max_norm)
    np.testing.assert_allclose(scaler.inverse_transform(scaled), X, rtol=1e-12, atol=1e-300)
    flat = X[:, :, 0]  # the univariate (2-D) layout
    univariate = SequenceMaxNormScaler(max_norm=max_norm).fit(flat)
    np.testing.assert_allclose(
        univariate.inverse_transform(univariate.transform(flat)), flat, rtol=1e-12, atol=1e-300
    )


@SETTINGS
@given(problem=problems(max_samples=8), recurrent_scale=st.floats(0.0, 2.0))
def test_kernel_is_symmetric_positive_semidefinite(problem, recurrent_scale):
    X, y = problem
    model = quiet_fit(ntk(random_state=0, recurrent_scale=recurrent_scale), X, y)
    K = model.kernel(X)
    assert K.shape == (X.shape[1], X.shape[0], X.shape[0])
    for K_t in K:
        np.testing.assert_allclose(K_t, K_t.T, rtol=1e-12, atol=1e-12)
        eigenvalues = np.linalg.eigvalsh((K_t + K_t.T) / 2)
        scale = max(1.0, float(np.abs(eigenvalues).max()))
        assert eigenvalues.min() >= -1e-10 * scale

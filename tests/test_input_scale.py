"""The warning of ProjectedGDRNNRegressor.fit for inputs that saturate the units."""

import warnings

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline

from skrnn import ProjectedGDRNNRegressor
from skrnn.datasets import (
    load_sunspots,
    make_linear_memory,
    make_narma,
    make_rkhs_teacher,
    make_windows,
)
from skrnn.preprocessing import SequenceMaxNormScaler, SequenceStandardScaler
from skrnn.rnn import SATURATION_NORM, InputScaleWarning

FAST = dict(width=8, max_iter=5, random_state=0)


def _uniform(shape, seed=0):
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=shape)


def _fit(X, y, estimator=None):
    """Fit (a small default RNN); return it and the InputScaleWarnings of the fit."""
    if estimator is None:
        estimator = ProjectedGDRNNRegressor(**FAST)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        estimator.fit(X, y)
    return estimator, [w for w in caught if issubclass(w.category, InputScaleWarning)]


def test_threshold_and_class():
    assert SATURATION_NORM == 10.0
    assert issubclass(InputScaleWarning, UserWarning)


@pytest.mark.parametrize(
    "layout",
    ["3-D", "2-D", "ragged list", "list of 1-D", "sequence-to-sequence"],
)
def test_large_inputs_warn_and_still_fit(layout):
    X3 = 50.0 * _uniform((30, 6, 2))
    y = X3[:, -1, 0] - X3[:, -2, 1]
    if layout == "3-D":
        X, fit_y = X3, y
    elif layout == "2-D":
        X, fit_y = X3[:, :, 0], y
    elif layout == "ragged list":
        X, fit_y = [X3[j, : 3 + j % 4] for j in range(len(X3))], y
    elif layout == "list of 1-D":
        X, fit_y = [X3[j, : 3 + j % 4, 0] for j in range(len(X3))], y
    else:
        X, fit_y = X3, X3[:, :, 0]
    model, caught = _fit(X, fit_y)

    assert len(caught) == 1
    message = str(caught[0].message)
    assert "saturate" in message and "underfit" in message
    assert "SequenceStandardScaler" in message and "SequenceMaxNormScaler" in message
    assert "Pipeline" in message
    # the line that called fit, not a line inside skrnn or scikit-learn
    assert caught[0].filename == __file__
    assert model.bound_details_["max_input_norm"] > SATURATION_NORM
    prediction = model.predict(X)
    values = np.concatenate(prediction) if isinstance(prediction, list) else prediction
    assert np.all(np.isfinite(values))


def test_message_names_the_norm_after_a_fixed_start():
    X = np.zeros((20, 5, 1))
    X[3, 2, 0] = -123.4  # the largest step norm
    y = np.arange(20.0)
    _, caught = _fit(X, y)
    assert "max_t ||X_t||_2 = 123 " in str(caught[0].message)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", message="The training inputs have steps of norm above 10")
        ProjectedGDRNNRegressor(**FAST).fit(2.0 * X, y)
    assert not [w for w in caught if issubclass(w.category, InputScaleWarning)]


def test_inputs_within_the_threshold_do_not_warn():
    X = _uniform((30, 6, 2))
    norms = np.linalg.norm(X, axis=2)
    X = X * (SATURATION_NORM / norms.max())  # largest step exactly at the threshold
    y = X[:, -1, 0]
    for data in (X, X[:, :, 0], [X[j, : 2 + j % 5] for j in range(len(X))]):
        model, caught = _fit(data, y)
        assert not caught
        assert model.bound_details_["max_input_norm"] <= SATURATION_NORM


def test_scaled_pipeline_does_not_warn():
    X = 1000.0 + 50.0 * _uniform((30, 6, 2))  # large and off-centre
    y = X[:, -1, 0]
    for scaler in (SequenceStandardScaler(), SequenceMaxNormScaler()):
        pipeline = make_pipeline(scaler, ProjectedGDRNNRegressor(**FAST))
        _, caught = _fit(X, y, pipeline)
        assert not caught


def test_default_datasets_do_not_warn():
    datasets = [
        make_rkhs_teacher(n_samples=20, n_timesteps=5, n_draws=64, random_state=0)[:2],
        make_narma(n_samples=20, n_timesteps=12, random_state=0),
        make_linear_memory(n_samples=20, n_timesteps=8, n_features=3, random_state=0),
    ]
    for X, y in datasets:
        _, caught = _fit(X, y)
        assert not caught


def test_dask_input_warns_with_the_norm_measured_on_the_chunks():
    da = pytest.importorskip("dask.array")
    X = 50.0 * _uniform((24, 5, 2))
    y = X[:, -1, 0]
    model, caught = _fit(da.from_array(X, chunks=10), y)
    assert len(caught) == 1
    assert caught[0].filename == __file__
    assert model.bound_details_["max_input_norm"] == pytest.approx(np.linalg.norm(X, axis=2).max())


def test_scaling_the_sunspot_windows_repairs_the_fit():
    sunspots = load_sunspots()
    X, y = make_windows(sunspots.data, window=20)
    n_train = int(0.75 * len(X))  # chronological split: windows overlap
    params = dict(width=32, max_iter=200, random_state=0)
    raw, caught = _fit(X[:n_train], y[:n_train], ProjectedGDRNNRegressor(**params))
    assert len(caught) == 1
    scaled, caught = _fit(
        X[:n_train],
        y[:n_train],
        make_pipeline(SequenceStandardScaler(), ProjectedGDRNNRegressor(**params)),
    )
    assert not caught
    raw_score, scaled_score = (
        raw.score(X[n_train:], y[n_train:]),
        scaled.score(X[n_train:], y[n_train:]),
    )
    assert raw_score < 0.2 < 0.6 < scaled_score  # measured: -0.28 and 0.75

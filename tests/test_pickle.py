"""Pickles record the skrnn version and check the fitted state on load (issue 7, item 8)."""

import pickle
import warnings

import numpy as np
import pytest

import skrnn
from skrnn import InconsistentVersionWarning, NTKRNNKernelRegressor, ProjectedGDRNNRegressor
from skrnn.preprocessing import SequenceMaxNormScaler


def fitted_models():
    rng = np.random.default_rng(0)
    X = rng.uniform(-0.5, 0.5, size=(12, 5, 2))
    y = X[:, -1, 0]
    return X, [
        ProjectedGDRNNRegressor(width=8, max_iter=3, random_state=0).fit(X, y),
        NTKRNNKernelRegressor(n_mc_samples=8, random_state=0).fit(X, y),
        SequenceMaxNormScaler().fit(X),
    ]


def output(model, X):
    return model.transform(X) if hasattr(model, "transform") else model.predict(X)


def test_pickle_records_version_and_loads_silently_under_the_same():
    X, models = fitted_models()
    for model in models:
        data = pickle.dumps(model)
        assert model.__getstate__()["_skrnn_version"] == skrnn.__version__
        assert "_skrnn_version" not in model.__dict__  # the live object is untouched
        with warnings.catch_warnings():
            warnings.simplefilter("error", InconsistentVersionWarning)
            restored = pickle.loads(data)
        assert "_skrnn_version" not in restored.__dict__
        np.testing.assert_array_equal(output(restored, X), output(model, X))


def test_loading_under_another_version_warns(monkeypatch):
    X, models = fitted_models()
    monkeypatch.setattr(skrnn, "__version__", "0.0.1")
    pickles = [pickle.dumps(model) for model in models]
    monkeypatch.undo()
    for model, data in zip(models, pickles, strict=True):
        with pytest.warns(InconsistentVersionWarning, match="saved by skrnn 0.0.1") as record:
            restored = pickle.loads(data)
        warning = record[0].message
        assert warning.original_skrnn_version == "0.0.1"
        assert warning.current_skrnn_version == skrnn.__version__
        assert warning.estimator_name == type(model).__name__
        np.testing.assert_array_equal(output(restored, X), output(model, X))


def test_pickle_without_version_warns():
    _, models = fitted_models()
    state = models[0].__getstate__()
    del state["_skrnn_version"]
    empty = ProjectedGDRNNRegressor.__new__(ProjectedGDRNNRegressor)
    with pytest.warns(InconsistentVersionWarning, match="unknown skrnn version"):
        empty.__setstate__(state)


@pytest.mark.parametrize(
    "index, attribute", [(0, "w_"), (0, "_sequence_output"), (1, "coef_"), (2, "scale_")]
)
def test_pickle_missing_a_fitted_attribute_fails_clearly(index, attribute):
    _, models = fitted_models()
    model = models[index]
    state = model.__getstate__()
    del state[attribute]

    class Truncated:  # pickles like the model, with one attribute fewer
        def __reduce__(self):
            return (type(model).__new__, (type(model),), state)

    with pytest.raises(ValueError, match=f"lacks the fitted attribute.*{attribute}.*refit"):
        pickle.loads(pickle.dumps(Truncated()))


def test_unfitted_estimators_pickle():
    for model in (ProjectedGDRNNRegressor(), NTKRNNKernelRegressor(), SequenceMaxNormScaler()):
        restored = pickle.loads(pickle.dumps(model))
        assert restored.get_params() == model.get_params()

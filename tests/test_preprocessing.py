import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline

from skrnn._validation import max_step_norm
from skrnn.preprocessing import SequenceMaxNormScaler


def step_norms(X):
    return np.linalg.norm(X, axis=2)


def test_fit_transform_3d(rng):
    X = rng.normal(size=(20, 7, 3)) * 4.0
    scaler = SequenceMaxNormScaler().fit(X)
    largest = step_norms(X).max()
    assert scaler.max_step_norm_ == pytest.approx(largest, rel=1e-14)
    assert scaler.scale_ == pytest.approx(largest, rel=1e-14)
    assert scaler.n_features_in_ == 3
    Xt = scaler.transform(X)
    assert Xt.shape == X.shape and Xt.dtype == np.float64
    assert step_norms(Xt).max() == pytest.approx(1.0, rel=1e-14)
    np.testing.assert_allclose(Xt, X / largest, rtol=1e-15)
    np.testing.assert_allclose(scaler.inverse_transform(Xt), X, rtol=1e-14)


def test_max_norm(rng):
    X = rng.normal(size=(10, 5, 2))
    Xt = SequenceMaxNormScaler(max_norm=0.25).fit_transform(X)
    assert step_norms(Xt).max() == pytest.approx(0.25, rel=1e-14)


def test_other_lengths_accepted_for_3d(rng):
    scaler = SequenceMaxNormScaler().fit(rng.normal(size=(10, 5, 2)))
    X_long = rng.normal(size=(4, 50, 2))
    assert scaler.transform(X_long).shape == (4, 50, 2)
    with pytest.raises(ValueError, match="2 features"):
        scaler.transform(rng.normal(size=(4, 5, 3)))
    with pytest.raises(ValueError, match="3-D"):
        scaler.transform(rng.normal(size=(4, 5)))


def test_2d_is_univariate(rng):
    X = rng.normal(size=(8, 6))
    scaler = SequenceMaxNormScaler().fit(X)
    assert scaler.n_features_in_ == 6
    assert scaler.scale_ == pytest.approx(np.abs(X).max())
    Xt = scaler.transform(X)
    assert Xt.shape == (8, 6)
    np.testing.assert_allclose(Xt, X / np.abs(X).max())
    np.testing.assert_allclose(scaler.inverse_transform(Xt), X)
    # same result as the 3-D form with one feature
    Xt3 = SequenceMaxNormScaler().fit_transform(X[:, :, np.newaxis])
    np.testing.assert_allclose(Xt3[:, :, 0], Xt)
    with pytest.raises(ValueError, match="2-D"):
        scaler.transform(X[:, :, np.newaxis])
    with pytest.raises(ValueError, match="6 features"):
        scaler.transform(X[:, :4])


def test_all_zero_input():
    scaler = SequenceMaxNormScaler().fit(np.zeros((3, 4, 2)))
    assert scaler.max_step_norm_ == 0.0 and scaler.scale_ == 1.0
    X = np.ones((1, 2, 2))
    np.testing.assert_array_equal(scaler.transform(X), X)


def test_test_data_may_exceed_max_norm_unless_clipped():
    X_train = np.array([[[1.0, 0.0], [0.0, 2.0]]])
    X_test = np.array([[[3.0, 4.0], [0.0, 1.0], [0.0, 0.0]]])
    plain = SequenceMaxNormScaler().fit(X_train)
    np.testing.assert_allclose(step_norms(plain.transform(X_test)), [[2.5, 0.5, 0.0]])
    clipped = SequenceMaxNormScaler(clip=True).fit(X_train)
    Xt = clipped.transform(X_test)
    norms = step_norms(Xt)
    assert norms.max() <= 1.0
    np.testing.assert_allclose(norms, [[1.0, 0.5, 0.0]])
    # the direction of a clipped step is kept
    np.testing.assert_allclose(Xt[0, 0], [0.6, 0.8])
    # clipping with another radius
    Xt = SequenceMaxNormScaler(max_norm=0.3, clip=True).fit(X_train).transform(X_test)
    assert step_norms(Xt).max() <= 0.3


def test_clip_guarantees_unit_ball_on_random_data(rng):
    for d in [1, 3, 40]:
        scaler = SequenceMaxNormScaler(clip=True).fit(rng.normal(size=(5, 5, d)))
        X = rng.normal(size=(200, 30, d)) * 10
        Xt = scaler.transform(X)
        assert max_step_norm(Xt) <= 1.0
        plain = scaler.set_params(clip=False).transform(X)
        outside = step_norms(plain) > 1.0
        assert outside.sum() > 100
        np.testing.assert_allclose(step_norms(Xt)[outside], 1.0, rtol=1e-14)
        np.testing.assert_array_equal(Xt[~outside], plain[~outside])


@pytest.mark.parametrize("max_norm", [1.0, 0.3, 7.0])
def test_training_data_inside_ball_exactly(rng, max_norm):
    # the theory's check is strict: no training step may round above max_norm
    for seed in range(30):
        X = np.random.default_rng(seed).normal(size=(30, 10, 5)) * 3.7
        scaler = SequenceMaxNormScaler(max_norm=max_norm).fit(X)
        assert max_step_norm(scaler.transform(X)) <= max_norm


def test_lists_and_pickle(rng):
    X = rng.normal(size=(3, 4, 2))
    scaler = SequenceMaxNormScaler().fit(X.tolist())
    np.testing.assert_allclose(scaler.transform(X.tolist()), scaler.transform(X))
    restored = pickle.loads(pickle.dumps(scaler))
    np.testing.assert_array_equal(restored.transform(X), scaler.transform(X))


def test_feature_names_out_3d(rng):
    scaler = SequenceMaxNormScaler().fit(rng.normal(size=(3, 4, 2)))
    assert list(scaler.get_feature_names_out()) == ["x0", "x1"]


@pytest.mark.parametrize(
    "params, error, match",
    [
        (dict(max_norm=0.0), ValueError, "max_norm"),
        (dict(max_norm=-1.0), ValueError, "max_norm"),
        (dict(max_norm=np.inf), ValueError, "max_norm"),
        (dict(max_norm="1"), TypeError, "max_norm"),
        (dict(clip="no"), TypeError, "clip"),
    ],
)
def test_bad_parameters(params, error, match, rng):
    with pytest.raises(error, match=match):
        SequenceMaxNormScaler(**params).fit(rng.normal(size=(3, 4, 2)))


def test_bad_input(rng):
    with pytest.raises(ValueError, match="4-D"):
        SequenceMaxNormScaler().fit(rng.normal(size=(2, 3, 4, 5)))
    X = rng.normal(size=(3, 4, 2))
    X[1, 2, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        SequenceMaxNormScaler().fit(X)
    with pytest.raises(ValueError, match="no time steps"):
        SequenceMaxNormScaler().fit(np.zeros((3, 0, 2)))


class _FlattenRidge(Ridge):
    """Ridge on the flattened sequences, a stand-in for a sequence model."""

    def fit(self, X, y):
        self.seen_max_norm_ = step_norms(np.asarray(X)).max()
        return super().fit(np.asarray(X).reshape(len(X), -1), y)

    def predict(self, X):
        return super().predict(np.asarray(X).reshape(len(X), -1))


def test_pipeline_with_3d_data(rng):
    X = rng.normal(size=(40, 6, 3)) * 7.0
    y = X[:, :, 0].sum(axis=1)
    pipe = make_pipeline(SequenceMaxNormScaler(), _FlattenRidge(alpha=1e-8))
    pipe.fit(X, y)
    assert pipe[-1].seen_max_norm_ == pytest.approx(1.0)
    assert pipe.score(X, y) > 0.999
    np.testing.assert_allclose(pipe.predict(X), y, atol=1e-4)
    # clone keeps the parameters and drops the fit
    pipe2 = clone(pipe).set_params(sequencemaxnormscaler__max_norm=0.5)
    pipe2.fit(X, y)
    assert pipe2[-1].seen_max_norm_ == pytest.approx(0.5)
    # transform through the pipeline's scaler keeps the 3-D layout
    assert pipe[0].transform(X).shape == X.shape


@pytest.mark.parametrize("size", [1e200, 1e-170])
def test_extreme_but_finite_inputs_are_scaled_not_wiped_out(size):
    X = np.array([[[3.0, 4.0], [1.0, 0.0]]]) * size
    scaler = SequenceMaxNormScaler().fit(X)
    np.testing.assert_allclose(scaler.max_step_norm_, 5.0 * size, rtol=1e-15)
    np.testing.assert_allclose(scaler.transform(X), [[[0.6, 0.8], [0.2, 0.0]]], rtol=1e-15)


@pytest.mark.parametrize("how", ["set_output", "set_config"])
def test_pandas_output_keeps_3d_arrays(rng, how):
    """set_output("pandas") used to break the scaler on 3-D input (issue 7, item 8)."""
    import sklearn

    X = rng.normal(size=(5, 4, 2))
    expected = SequenceMaxNormScaler().fit_transform(X)
    scaler = SequenceMaxNormScaler()
    with sklearn.config_context(transform_output="pandas" if how == "set_config" else "default"):
        if how == "set_output":
            scaler.set_output(transform="pandas")
        for result in (scaler.fit_transform(X), scaler.fit(X).transform(X)):
            assert isinstance(result, np.ndarray)
            np.testing.assert_array_equal(result, expected)


def test_pandas_output_for_2d_input(rng):
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(rng.normal(size=(5, 4)), columns=["a", "b", "c", "d"])
    scaler = SequenceMaxNormScaler().set_output(transform="pandas")
    result = scaler.fit_transform(X)
    assert isinstance(result, pd.DataFrame) and list(result.columns) == ["a", "b", "c", "d"]
    np.testing.assert_allclose(result.to_numpy(), X.to_numpy() / np.abs(X.to_numpy()).max())

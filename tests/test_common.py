"""scikit-learn's estimator checks, over every estimator of the package."""

import warnings

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skrnn import NTKRNNKernelRegressor, ProjectedGDRNNRegressor
from skrnn.preprocessing import SequenceMaxNormScaler

RNN_EXPECTED_FAILED_CHECKS = {
    "check_regressors_train": (
        "the check reads a tabular data set (standardized, entries ~N(0, 1)) as "
        "univariate sequences of 10 steps whose only informative column is step 5; "
        "a diagonal RNN has to carry it through five saturating steps of unit-size "
        "noise and reaches training R^2 ~ 0.1-0.2 < 0.5 for every activation, "
        "recurrent_scale (0.5-4) and step size tried"
    )
}

NTK_SHORT_MEMORY_EXPECTED_FAILED_CHECKS = {
    "check_regressors_train": (
        "the check's target depends on one column (time step 5 of 10) and the "
        "check sets alpha=0.01: the last-step NTK with fading memory "
        "(recurrent_scale * sigma1 < 1) weights that step by about 0.5**5, "
        "so the training R^2 stays near 0.2 < 0.5"
    )
}

ESTIMATORS = [
    ProjectedGDRNNRegressor(width=8, max_iter=30, learning_rate=0.5, random_state=0),
    # long memory: the estimator passes every check
    NTKRNNKernelRegressor(n_mc_samples=128, recurrent_scale=2.0),
    # the default short-memory regime, with one documented expected failure
    NTKRNNKernelRegressor(n_mc_samples=16),
    SequenceMaxNormScaler(),
    SequenceMaxNormScaler(max_norm=0.5, clip=True),
]


def expected_failed_checks(estimator):
    if isinstance(estimator, ProjectedGDRNNRegressor):
        return RNN_EXPECTED_FAILED_CHECKS
    if isinstance(estimator, NTKRNNKernelRegressor) and estimator.recurrent_scale < 1:
        return NTK_SHORT_MEMORY_EXPECTED_FAILED_CHECKS
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        if isinstance(estimator, NTKRNNKernelRegressor):
            # standardized check data break ||X_t|| <= 1: the bound is NaN with a warning
            warnings.simplefilter("ignore", UserWarning)
        check(estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_three_d_input_tag(estimator):
    from sklearn.utils import get_tags

    assert get_tags(estimator).input_tags.three_d_array

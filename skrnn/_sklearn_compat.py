"""The one place that imports private scikit-learn APIs.

skrnn relies on a few scikit-learn helpers that are not public: the parameter
validation machinery (``Interval``, ``StrOptions``, ``validate_params``) and
``_fit_context``. Importing them here, and only here, keeps every other module
on public names and gives one place to adapt when scikit-learn moves them
(the approach of the ``sklearn-compat`` shim used by imbalanced-learn and
skrub).

Supported: scikit-learn 1.6 (the first release with ``__sklearn_tags__`` and
the public ``validate_data``) up to, and excluding, 1.10 (see
``pyproject.toml``). Older releases get fallbacks where that is cheap.
"""

import functools
import numbers

import numpy as np
import sklearn

__all__ = [
    "SKLEARN_VERSION",
    "check_sample_weight",
    "Integers",
    "Interval",
    "StrOptions",
    "fit_context",
    "validate_data",
    "validate_params",
    "wrap_data_with_container",
]

SKLEARN_VERSION = tuple(int(part) for part in sklearn.__version__.split(".")[:2] if part.isdigit())

# parameter validation: private since 1.2, no public replacement announced
from sklearn.utils._param_validation import (  # noqa: E402
    Interval,
    StrOptions,
    validate_params,
)


class Integers(Interval):
    """``Interval(numbers.Integral, ...)`` that refuses bools.

    ``True`` is an ``numbers.Integral``, so scikit-learn's interval accepts
    ``max_iter=True``; an iteration count or a width given as a bool is a
    mistake, refused here with the usual parameter-validation message.

    Parameters
    ----------
    left, right : int or None
        Bounds of the interval (None: unbounded).
    closed : {"left", "right", "both", "neither"}
        Which bounds belong to the interval.
    """

    def __init__(self, left, right, *, closed):
        super().__init__(numbers.Integral, left, right, closed=closed)

    def is_satisfied_by(self, val):
        if isinstance(val, (bool, np.bool_)):
            return False
        return super().is_satisfied_by(val)


try:  # scikit-learn >= 1.3
    from sklearn.base import _fit_context as _sklearn_fit_context
except ImportError:  # pragma: no cover - older scikit-learn

    def _sklearn_fit_context(*, prefer_skip_nested_validation):
        def decorator(fit_method):
            @functools.wraps(fit_method)
            def wrapper(estimator, *args, **kwargs):
                estimator._validate_params()
                return fit_method(estimator, *args, **kwargs)

            return wrapper

        return decorator


def fit_context(*, prefer_skip_nested_validation=True):
    """Decorator for ``fit``: validate the parameters against ``_parameter_constraints``.

    Parameters
    ----------
    prefer_skip_nested_validation : bool, default=True
        Skip the validation of nested estimators' parameters (skrnn's
        estimators have none).

    Returns
    -------
    decorator : callable
        scikit-learn's ``_fit_context`` decorator.
    """
    return _sklearn_fit_context(prefer_skip_nested_validation=prefer_skip_nested_validation)


try:  # public since scikit-learn 1.6
    from sklearn.utils.validation import validate_data
except ImportError:  # pragma: no cover - older scikit-learn

    def validate_data(estimator, X="no_validation", y="no_validation", **kwargs):
        """Fallback: the estimator method that 1.6 turned into a function."""
        return estimator._validate_data(X, y, **kwargs)


# set_output: how scikit-learn turns a 2-D transform output into a DataFrame
from sklearn.utils._set_output import (  # noqa: E402
    _wrap_data_with_container as wrap_data_with_container,
)

# sample weights: validated as every scikit-learn estimator does
from sklearn.utils.validation import _check_sample_weight as check_sample_weight  # noqa: E402

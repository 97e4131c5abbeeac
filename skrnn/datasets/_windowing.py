"""Cut a time series into (past window, future values) pairs for forecasting."""

import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.utils.validation import check_array

from .._validation import check_int

__all__ = ["make_windows"]


def _check_bool(name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {value!r}.")
    return bool(value)


def _check_series(series):
    ndim = np.ndim(series) if not hasattr(series, "ndim") else series.ndim
    if ndim not in (1, 2):
        raise ValueError(
            f"series must be 1-D (n_steps,) or 2-D (n_steps, n_features), got a "
            f"{ndim}-D array. make_windows cuts one series; to window several series, "
            "call it on each and concatenate the results."
        )
    series = check_array(
        series, dtype=np.float64, ensure_2d=False, ensure_all_finite=True, input_name="series"
    )
    return series[:, np.newaxis] if series.ndim == 1 else series


def _check_target(target, n_features):
    if target is None:
        if n_features != 1:
            raise ValueError(
                f"series has {n_features} features; pass target=<column index> to say "
                "which one to forecast."
            )
        return 0
    if isinstance(target, (bool, np.bool_)) or not isinstance(target, numbers.Integral):
        raise TypeError(f"target must be None or an int column index, got {target!r}.")
    if not -n_features <= target < n_features:
        raise ValueError(
            f"target={target} is not a column of a series with {n_features} feature(s)."
        )
    return int(target) % n_features


def make_windows(
    series,
    window,
    *,
    horizon=1,
    difference=False,
    target=None,
    stride=1,
    return_last_level=False,
):
    """Turn a time series into windows of past values and the values that follow.

    Window ``i`` holds the ``window`` consecutive steps starting at step
    ``i * stride``; its target is the value of the ``target`` column at the
    next ``horizon`` steps. This is the usual way to fit a sequence model
    (or any regressor, on ``X.reshape(len(X), -1)``) for one-step-ahead or
    multi-step forecasting. Split the windows chronologically (for example
    with :class:`~sklearn.model_selection.TimeSeriesSplit`, or the first
    windows for training and the last for testing), not at random: windows
    next to each other overlap.

    Parameters
    ----------
    series : array-like of shape (n_steps,) or (n_steps, n_features)
        The series, in chronological order, finite.
    window : int
        Number of past steps in each window (>= 1).
    horizon : int, default=1
        Number of future steps to predict (>= 1): ``y[i, k]`` is the value
        ``k + 1`` steps after the window's last step.
    difference : bool, default=False
        If True, window the first differences ``series[s + 1] - series[s]``
        instead of the levels: both ``X`` and ``y`` then hold differences.
        Models with a saturating activation cannot extrapolate a trend or a
        level outside the training range, but can forecast the changes. To
        map a forecast of differences back to levels, add its cumulative sum
        to the last observed level (``return_last_level=True``)::

            levels = last_level[:, np.newaxis] + np.cumsum(y_pred_2d, axis=1)

        With ``difference=True`` a window spans ``window + 1`` levels.
    target : int or None, default=None
        Column of ``series`` to forecast. None is allowed for a univariate
        series only.
    stride : int, default=1
        Steps between the starts of consecutive windows (>= 1).
    return_last_level : bool, default=False
        If True, also return the level of the ``target`` column at the last
        step each window observes (with ``difference=False``, that is
        ``X[:, -1, target]``).

    Returns
    -------
    X : ndarray of shape (n_windows, window, n_features)
        The windows, in chronological order, as C-contiguous float64: the
        3-D layout the skrnn estimators read.
    y : ndarray of shape (n_windows,) or (n_windows, horizon)
        The values that follow each window: 1-D when ``horizon == 1``.
    last_level : ndarray of shape (n_windows,)
        Only when ``return_last_level`` is True.

    Raises
    ------
    ValueError
        If the series is not 1-D or 2-D, holds NaN or infinity, or is too
        short for a single window: it needs ``window + horizon`` steps, one
        more with ``difference=True``.

    Notes
    -----
    ``n_windows = (n_levels - window - horizon) // stride + 1``, where
    ``n_levels`` is ``n_steps``, or ``n_steps - 1`` with ``difference=True``.

    For multi-step forecasting, note that the skrnn estimators read a 2-D
    ``y`` as one target per *input* step (sequence-to-sequence), not as
    several horizons. Fit one model per horizon instead, for example with
    :class:`~sklearn.multioutput.MultiOutputRegressor`.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.datasets import make_windows
    >>> X, y = make_windows(np.arange(6.0), window=3)
    >>> X[:, :, 0]
    array([[0., 1., 2.],
           [1., 2., 3.],
           [2., 3., 4.]])
    >>> y
    array([3., 4., 5.])
    >>> X, y, last = make_windows(np.array([1.0, 2.0, 4.0, 7.0]), window=2,
    ...                           difference=True, return_last_level=True)
    >>> X[:, :, 0], y, last
    (array([[1., 2.]]), array([3.]), array([4.]))
    """
    series = _check_series(series)
    window = check_int("window", window, 1)
    horizon = check_int("horizon", horizon, 1)
    stride = check_int("stride", stride, 1)
    difference = _check_bool("difference", difference)
    return_last_level = _check_bool("return_last_level", return_last_level)
    n_steps, n_features = series.shape
    target = _check_target(target, n_features)

    values = np.diff(series, axis=0) if difference else series
    needed = window + horizon
    if values.shape[0] < needed:
        extra = ", plus one for difference=True" if difference else ""
        raise ValueError(
            f"series of {n_steps} steps is too short for window={window} and "
            f"horizon={horizon}: one window needs {needed + difference} steps "
            f"(window + horizon{extra})."
        )
    n_windows = (values.shape[0] - needed) // stride + 1
    starts = np.arange(n_windows) * stride

    # (n_levels - window + 1, n_features, window) views; keep every stride-th
    X = sliding_window_view(values, window, axis=0)[starts].transpose(0, 2, 1)
    X = np.ascontiguousarray(X)
    future = sliding_window_view(values[window:, target], horizon)[starts]
    y = np.ascontiguousarray(future[:, 0] if horizon == 1 else future)
    if not return_last_level:
        return X, y
    # the last level a window sees: series[start + window - 1], or one step
    # later with differences (window differences span window + 1 levels)
    last_index = starts + window - 1 + difference
    return X, y, np.ascontiguousarray(series[last_index, target])

"""The shipped real series (load_sunspots) and the windowing helper (make_windows)."""

import csv
from importlib import resources

import numpy as np
import pytest

from skrnn.datasets import load_sunspots, make_windows

# ---------------------------------------------------------------------------
# load_sunspots
# ---------------------------------------------------------------------------


def read_csv_plainly():
    """The packaged file read with the csv module, independently of the loader."""
    text = resources.files("skrnn.datasets").joinpath("data", "sunspots.csv").read_text()
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    rows = list(csv.reader(lines))
    return rows[0], [(int(year), float(value)) for year, value in rows[1:]], text


def test_sunspots_bunch():
    bunch = load_sunspots()
    assert set(bunch) >= {"data", "years", "feature_names", "DESCR"}
    assert bunch.data.shape == (309,) and bunch.data.dtype == np.float64
    assert bunch.data.flags.c_contiguous and np.all(np.isfinite(bunch.data))
    assert bunch.years.shape == (309,) and np.issubdtype(bunch.years.dtype, np.integer)
    np.testing.assert_array_equal(bunch.years, np.arange(1700, 2009))
    assert bunch.feature_names == ["sunspot_number"]


def test_sunspots_known_values():
    # values of the NGDC yearly series (statsmodels' sunspots.csv)
    bunch = load_sunspots()
    by_year = dict(zip(bunch.years.tolist(), bunch.data.tolist(), strict=True))
    assert [by_year[year] for year in (1700, 1701, 1702)] == [5.0, 11.0, 16.0]
    assert [by_year[year] for year in (2006, 2007, 2008)] == [15.2, 7.5, 2.9]
    assert by_year[1711] == 0.0 and by_year[1712] == 0.0  # Maunder minimum
    assert bunch.data.min() == 0.0
    assert bunch.data.max() == 190.2 and by_year[1957] == 190.2  # largest yearly mean
    assert 49.0 < bunch.data.mean() < 50.5


def test_sunspots_match_the_file():
    header, rows, _ = read_csv_plainly()
    bunch = load_sunspots()
    assert header == ["year", "sunspot_number"]
    np.testing.assert_array_equal(bunch.years, [year for year, _ in rows])
    np.testing.assert_array_equal(bunch.data, [value for _, value in rows])


def test_sunspots_source_and_licence_are_stated():
    descr = load_sunspots().DESCR
    assert "public domain" in descr.lower()
    assert "NOAA" in descr and "National Geophysical Data Center" in descr
    assert "1700" in descr and "2008" in descr
    *_, text = read_csv_plainly()
    comments = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    assert "public domain" in comments.lower() and "NOAA" in comments


def test_sunspots_return_series():
    series = load_sunspots(return_series=True)
    np.testing.assert_array_equal(series, load_sunspots().data)
    assert isinstance(series, np.ndarray) and series.shape == (309,)
    with pytest.raises(TypeError, match="return_series"):
        load_sunspots(return_series=1)


def test_sunspots_each_call_returns_a_fresh_array():
    first = load_sunspots().data
    first[:] = -1.0
    assert load_sunspots().data[0] == 5.0


# ---------------------------------------------------------------------------
# make_windows
# ---------------------------------------------------------------------------


def windows_reference(series, window, horizon, stride, difference, target):
    """The windows cut by a plain loop over Python lists."""
    levels = np.asarray(series, dtype=float)
    levels = levels.reshape(len(levels), -1).tolist()
    n_features = len(levels[0])
    if difference:
        values = [
            [levels[s + 1][f] - levels[s][f] for f in range(n_features)]
            for s in range(len(levels) - 1)
        ]
    else:
        values = levels
    X, y, last = [], [], []
    start = 0
    while start + window + horizon <= len(values):
        X.append(values[start : start + window])
        y.append([values[start + window + k][target] for k in range(horizon)])
        last.append(levels[start + window - 1 + (1 if difference else 0)][target])
        start += stride
    return np.array(X), np.array(y), np.array(last)


@pytest.mark.parametrize("n_features", [0, 1, 3])  # 0: a 1-D series
@pytest.mark.parametrize("window, horizon, stride", [(1, 1, 1), (4, 1, 1), (5, 3, 2), (7, 2, 4)])
@pytest.mark.parametrize("difference", [False, True])
def test_windows_match_a_plain_loop(n_features, window, horizon, stride, difference):
    rng = np.random.default_rng(window * 100 + horizon * 10 + stride)
    n_steps = 23
    series = rng.normal(size=(n_steps,) if n_features == 0 else (n_steps, n_features))
    target = None if n_features <= 1 else 2
    X, y, last = make_windows(
        series,
        window,
        horizon=horizon,
        stride=stride,
        difference=difference,
        target=target,
        return_last_level=True,
    )
    X_ref, y_ref, last_ref = windows_reference(
        series, window, horizon, stride, difference, target or 0
    )
    n_levels = n_steps - difference
    n_windows = (n_levels - window - horizon) // stride + 1
    assert X.shape == (n_windows, window, max(n_features, 1))
    assert y.shape == ((n_windows,) if horizon == 1 else (n_windows, horizon))
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref[:, 0] if horizon == 1 else y_ref)
    np.testing.assert_array_equal(last, last_ref)
    for array in (X, y, last):
        assert array.dtype == np.float64 and array.flags.c_contiguous and array.flags.writeable


def test_windows_by_hand():
    X, y = make_windows([0, 1, 2, 3, 4, 5], 3)
    np.testing.assert_array_equal(X[:, :, 0], [[0, 1, 2], [1, 2, 3], [2, 3, 4]])
    np.testing.assert_array_equal(y, [3, 4, 5])
    X, y = make_windows([0, 1, 2, 3, 4, 5], 2, horizon=2, stride=2)
    np.testing.assert_array_equal(X[:, :, 0], [[0, 1], [2, 3]])
    np.testing.assert_array_equal(y, [[2, 3], [4, 5]])
    series = np.array([[1.0, 10.0], [2.0, 20.0], [4.0, 40.0], [7.0, 70.0]])
    X, y, last = make_windows(series, 2, difference=True, target=1, return_last_level=True)
    np.testing.assert_array_equal(X, [[[1.0, 10.0], [2.0, 20.0]]])
    np.testing.assert_array_equal(y, [30.0])
    np.testing.assert_array_equal(last, [40.0])


def test_differences_integrate_back_to_levels():
    # the recipe of the docstring: last level + cumulative sum of the
    # differences gives the future levels (here those of the level windows)
    series = load_sunspots().data
    _, dy, last = make_windows(series, 10, horizon=4, difference=True, return_last_level=True)
    _, levels = make_windows(series, 11, horizon=4)
    np.testing.assert_allclose(last[:, np.newaxis] + np.cumsum(dy, axis=1), levels, atol=1e-12)


def test_last_level_without_differences_is_the_last_input():
    series = np.random.default_rng(0).normal(size=(30, 2))
    X, _, last = make_windows(series, 5, target=-1, return_last_level=True)
    np.testing.assert_array_equal(last, X[:, -1, 1])


def test_windows_do_not_alias_the_series():
    series = np.arange(10.0)
    X, y = make_windows(series, 3)
    X[:] = -1.0
    y[:] = -1.0
    np.testing.assert_array_equal(series, np.arange(10.0))


def test_windows_of_the_sunspots():
    sunspots = load_sunspots()
    X, y = make_windows(sunspots.data, window=20)
    assert X.shape == (289, 20, 1) and y.shape == (289,)
    np.testing.assert_array_equal(X[-1, :, 0], sunspots.data[-21:-1])
    assert y[-1] == sunspots.data[-1]


def test_shortest_series_gives_one_window():
    X, y = make_windows(np.arange(5.0), 3, horizon=2)
    assert X.shape == (1, 3, 1) and y.shape == (1, 2)
    X, y = make_windows(np.arange(6.0), 3, horizon=2, difference=True)
    assert X.shape == (1, 3, 1) and y.shape == (1, 2)


@pytest.mark.parametrize(
    "series, kwargs, error, match",
    [
        (np.zeros((4, 3, 2)), {}, ValueError, "1-D .* or 2-D"),
        (np.zeros(()), {}, ValueError, "1-D .* or 2-D"),
        ([1.0, np.nan, 2.0, 3.0, 4.0], {}, ValueError, "NaN"),
        ([1.0, np.inf, 2.0, 3.0, 4.0], {}, ValueError, "infinity"),
        (np.zeros(0), {}, ValueError, "0 sample"),
        (np.arange(3.0), {}, ValueError, "3 steps is too short.*needs 4 steps"),
        (np.arange(4.0), {"difference": True}, ValueError, "too short.*needs 5 steps"),
        (np.arange(10.0), {"window": 0}, ValueError, "window"),
        (np.arange(10.0), {"window": 2.0}, TypeError, "window"),
        (np.arange(10.0), {"horizon": 0}, ValueError, "horizon"),
        (np.arange(10.0), {"stride": 0}, ValueError, "stride"),
        (np.arange(10.0), {"difference": "yes"}, TypeError, "difference"),
        (np.arange(10.0), {"return_last_level": 1}, TypeError, "return_last_level"),
        (np.zeros((10, 2)), {}, ValueError, "target=<column index>"),
        (np.zeros((10, 2)), {"target": 2}, ValueError, "target=2"),
        (np.zeros((10, 2)), {"target": -3}, ValueError, "target=-3"),
        (np.zeros((10, 2)), {"target": 1.0}, TypeError, "target"),
        (np.zeros((10, 2)), {"target": True}, TypeError, "target"),
        (["a", "b", "c", "d", "e"], {}, ValueError, "convert|float"),
    ],
)
def test_windows_bad_input(series, kwargs, error, match):
    with pytest.raises(error, match=match):
        make_windows(series, **{"window": 3, **kwargs})

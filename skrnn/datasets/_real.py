"""A small real series shipped with the package: yearly sunspot numbers."""

from importlib import resources

import numpy as np
from sklearn.utils import Bunch

__all__ = ["load_sunspots"]

_SUNSPOTS_FILE = "sunspots.csv"

_SUNSPOTS_DESCR = """\
.. _sunspots_dataset:

Yearly sunspot numbers, 1700-2008
---------------------------------

**Data Set Characteristics:**

:Number of observations: 309 (one per year, 1700 to 2008, no gaps)
:Number of variables: 1 (``sunspot_number``)
:Range: 0 to 190.2, mean about 49.8
:Missing values: none

The yearly mean of the international (Wolf) sunspot number, a classic
nonlinear time series with a quasi-periodic cycle of about 11 years whose
amplitude varies from cycle to cycle. Years without any observed spot have
the value 0 (for example 1711-1712, during the Maunder minimum). It is a
standard benchmark for one-step-ahead forecasting from a window of past
values; see :func:`skrnn.datasets.make_windows`.

This is the original ("version 1") series. The sunspot number was
recalibrated in 2015 ("version 2", with different values); this file is not
that series.

**Source:** NOAA National Geophysical Data Center (NGDC), Solar Data
Services, http://www.ngdc.noaa.gov/stp/solar/solarda3.html, as redistributed
by statsmodels (``statsmodels/datasets/sunspots/sunspots.csv``).

**Licence:** public domain. The statsmodels documentation of this data set
states "This data is public domain."; it was published by NOAA, an agency of
the United States government.
"""


def _read_series(name):
    """``(years, values)`` from a packaged CSV: '#' comments, a header, two columns."""
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="ascii")
    rows = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    header, rows = rows[0], rows[1:]
    table = np.array([row.split(",") for row in rows], dtype=np.float64)
    names = header.split(",")
    return table[:, 0].astype(np.int64), np.ascontiguousarray(table[:, 1]), names[1]


def load_sunspots(*, return_series=False):
    """Load the yearly sunspot numbers 1700-2008 (a public-domain real series).

    ====================  ==============
    Observations (years)  309
    Features              1
    Values                real, 0-190.2
    ====================  ==============

    Read more in the data set's ``DESCR`` (source: NOAA's National
    Geophysical Data Center; public domain).

    Parameters
    ----------
    return_series : bool, default=False
        If True, return only ``data``, the series as a 1-D array, instead of
        a :class:`~sklearn.utils.Bunch` (as ``return_X_y`` does for the
        scikit-learn loaders, for a data set that has no ``X``/``y`` split).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        data : ndarray of shape (309,)
            The yearly mean sunspot number, float64, in chronological order.
        years : ndarray of shape (309,)
            The year of each value (int64), 1700 to 2008.
        feature_names : list of str
            ``["sunspot_number"]``.
        DESCR : str
            Description of the series: source, licence and characteristics.

    series : ndarray of shape (309,)
        Only when ``return_series`` is True: ``data`` alone.

    Examples
    --------
    >>> from skrnn.datasets import load_sunspots, make_windows
    >>> sunspots = load_sunspots()
    >>> sunspots.data.shape, int(sunspots.years[0]), int(sunspots.years[-1])
    ((309,), 1700, 2008)
    >>> X, y = make_windows(sunspots.data, window=20)
    >>> X.shape, y.shape
    ((289, 20, 1), (289,))
    """
    if not isinstance(return_series, (bool, np.bool_)):
        raise TypeError(f"return_series must be a bool, got {return_series!r}.")
    years, values, name = _read_series(_SUNSPOTS_FILE)
    if return_series:
        return values
    return Bunch(data=values, years=years, feature_names=[name], DESCR=_SUNSPOTS_DESCR)

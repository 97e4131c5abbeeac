"""The n_jobs -> Numba threads context manager."""

import joblib
import numba
import pytest

from skrnn._numba import numba_threads


@pytest.mark.parametrize("n_jobs", [1, -1, 10_000])
def test_numba_threads_sets_and_restores(n_jobs):
    pool = numba.config.NUMBA_NUM_THREADS
    cores = joblib.effective_n_jobs(-1)
    expected = {1: 1, -1: min(cores, pool), 10_000: pool}[n_jobs]
    before = numba.get_num_threads()
    with numba_threads(n_jobs):
        inside = numba.get_num_threads()
    assert inside == expected
    assert numba.get_num_threads() == before


def test_none_keeps_the_current_setting():
    before = numba.get_num_threads()
    with numba_threads(None):
        assert numba.get_num_threads() == before

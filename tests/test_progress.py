"""The rate-limited progress table and the ``skrnn`` logger (skrnn/_progress.py)."""

import io
import logging

import pytest

from skrnn._progress import ProgressTable, emit, logger


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def quiet_logger():
    """The skrnn logger set so that it emits nothing (lines must then be printed)."""
    old = (logger.level, logger.propagate, list(logger.handlers))
    logger.setLevel(logging.WARNING)
    yield logger
    logger.setLevel(old[0])
    logger.propagate = old[1]
    logger.handlers[:] = old[2]


@pytest.fixture
def capturing_logger():
    """The skrnn logger with its own INFO handler writing into a buffer."""
    old = (logger.level, logger.propagate, list(logger.handlers))
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(name)s|%(levelname)s|%(message)s"))
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield buffer
    logger.setLevel(old[0])
    logger.propagate = old[1]
    logger.handlers[:] = old[2]


def _rows(text):
    return [line for line in text.splitlines() if line.split() and line.split()[0].isdigit()]


def test_ten_thousand_steps_print_about_twenty_rows(quiet_logger):
    out = io.StringIO()
    table = ProgressTable(total=10_000, stream=out, clock=FakeClock())
    for iteration in range(10_001):
        table.update(iteration, 1.0 / (1 + iteration))
    table.finish(10_000, 1.0 / 10_001)
    rows = _rows(out.getvalue())
    assert 18 <= len(rows) <= 22
    iterations = [int(row.split()[0]) for row in rows]
    assert iterations[0] == 0 and iterations[-1] == 10_000
    assert iterations == sorted(set(iterations))  # the last row is not repeated by finish


def test_columns_best_risk_validation_and_elapsed(quiet_logger):
    out, clock = io.StringIO(), FakeClock()
    table = ProgressTable(
        total=4, title="RNN, width 8", validation=True, verbose=2, stream=out, clock=clock
    )
    for iteration, (risk, score) in enumerate([(3.0, 0.1), (1.0, 0.5), (2.0, 0.4)]):
        clock.now += 1.5
        table.update(iteration, risk, score)
    lines = out.getvalue().splitlines()
    assert lines[0] == "RNN, width 8"
    assert lines[1].split() == ["iter", "risk", "best", "risk", "val.", "score", "elapsed"]
    last = lines[-1].split()
    assert int(last[0]) == 2
    assert float(last[1]) == 2.0  # this iteration's risk
    assert float(last[2]) == 1.0  # the best so far, not the current one
    assert float(last[3]) == 0.4
    assert last[4:] == ["4.5", "s"]
    assert table.best_risk == 1.0 and table.n_lines == 3


def test_divergence_is_shown_and_does_not_become_the_best(quiet_logger):
    out = io.StringIO()
    table = ProgressTable(total=2, verbose=2, stream=out, clock=FakeClock())
    table.update(0, 0.5)
    table.update(1, float("inf"))
    table.update(2, float("nan"))
    rows = _rows(out.getvalue())
    assert rows[1].split()[1] == "inf" and rows[2].split()[1] == "nan"
    assert all(float(row.split()[2]) == 0.5 for row in rows)


def test_unknown_total_uses_a_one_two_five_grid(quiet_logger):
    out = io.StringIO()
    table = ProgressTable(stream=out, clock=FakeClock())
    for iteration in range(1001):
        table.update(iteration, 1.0)
    assert [int(r.split()[0]) for r in _rows(out.getvalue())] == [
        0,
        1,
        2,
        5,
        10,
        20,
        50,
        100,
        200,
        500,
        1000,
    ]


def test_finish_writes_the_stopping_iteration_and_message(quiet_logger):
    out = io.StringIO()
    table = ProgressTable(total=1000, stream=out, clock=FakeClock())
    for iteration in range(38):
        table.update(iteration, 1.0)
    table.finish(37, 0.9, message="stopped early")
    lines = out.getvalue().splitlines()
    assert lines[-2].split()[0] == "37" and lines[-1] == "stopped early"


def test_lines_go_to_the_logger_when_it_emits_them_and_are_not_printed(capturing_logger):
    out = io.StringIO()
    table = ProgressTable(total=10, title="NTK", stream=out, clock=FakeClock())
    table.update(0, 2.0)
    assert out.getvalue() == ""
    logged = capturing_logger.getvalue().splitlines()
    assert logged[0] == "skrnn|INFO|NTK"
    assert logged[-1].startswith("skrnn|INFO|") and logged[-1].split("|")[2].split()[0] == "0"


def test_emit_prints_when_the_logger_would_drop_the_line(quiet_logger):
    out = io.StringIO()
    assert emit("hello", stream=out) is False
    assert out.getvalue() == "hello\n"


@pytest.mark.parametrize("kwargs", [{"total": -1}, {"max_lines": 0}])
def test_invalid_arguments(kwargs):
    with pytest.raises(ValueError):
        ProgressTable(**kwargs)

"""Progress reporting for long fits: a rate-limited table and the ``skrnn`` logger.

The estimators create a :class:`ProgressTable` when ``verbose > 0`` and call
:meth:`ProgressTable.update` once per iteration; the table decides which
iterations are worth a line, so a 10,000-step fit prints about 20 of them.

Where the lines go: to the ``skrnn`` logger (:data:`logger`) at INFO level
when that logger would actually emit them (it is enabled for INFO and has a
handler, its own or an ancestor's), otherwise to ``stream`` (standard output
by default, as scikit-learn's ``verbose`` output). Each line goes to exactly
one of the two, so an application that configures logging gets the table
through its handlers, once::

    import logging
    logging.basicConfig(level=logging.INFO)      # now the table is logged
    logging.getLogger("skrnn").setLevel(logging.WARNING)   # ... or silenced
"""

import logging
import math
import sys
import time

__all__ = ["logger", "ProgressTable", "emit"]

logger = logging.getLogger("skrnn")


def emit(message, *, stream=None, level=logging.INFO):
    """Send one line to the ``skrnn`` logger, or print it when logging would drop it.

    Parameters
    ----------
    message : str
        The line, without a trailing newline.
    stream : file-like or None, default=None
        Where to print when the logger would not emit the line; None means
        ``sys.stdout`` at the time of the call.
    level : int, default=logging.INFO
        Logging level of the record.

    Returns
    -------
    routed_to_logging : bool
        True if the line went to the logger, False if it was printed.
    """
    if logger.isEnabledFor(level) and logger.hasHandlers():
        logger.log(level, message)
        return True
    print(message, file=sys.stdout if stream is None else stream, flush=True)
    return False


def _format_number(value, width):
    if value is None:
        return f"{'-':>{width}}"
    return f"{value:>{width}.4e}"


def _on_125_grid(iteration):
    """True for 0, 1, 2, 5, 10, 20, 50, ... (used when the total is unknown)."""
    if iteration <= 2:
        return True
    exponent = 10 ** int(math.floor(math.log10(iteration)))
    return iteration in (exponent, 2 * exponent, 5 * exponent)


class ProgressTable:
    """A compact, rate-limited table of an iterative fit's progress.

    Columns: iteration, risk, best risk so far, validation score (only when
    ``validation=True``) and elapsed seconds since the table was created.

    Parameters
    ----------
    total : int or None, default=None
        The number of iterations planned (e.g. ``max_iter``). With a total,
        a line is printed every ``ceil(total / max_lines)`` iterations, plus
        the first and the last; without one, at iterations 0, 1, 2, 5, 10,
        20, 50, ...
    title : str, default=""
        A line printed above the header, e.g. the estimator and its width.
    validation : bool, default=False
        Whether to show a validation-score column.
    verbose : int, default=1
        1: the rate-limited table; 2 or more: a line at every iteration.
    max_lines : int, default=20
        About how many rows to print for a fit of ``total`` iterations.
    stream : file-like or None, default=None
        Where lines are printed when the ``skrnn`` logger would not emit
        them; None means ``sys.stdout``.
    clock : callable, default=time.perf_counter
        Returns seconds; replaceable in tests.

    Attributes
    ----------
    best_risk : float
        The smallest finite risk passed to :meth:`update` (inf before any).
    n_lines : int
        The number of table rows written so far (header and title excluded).
    """

    def __init__(
        self,
        total=None,
        *,
        title="",
        validation=False,
        verbose=1,
        max_lines=20,
        stream=None,
        clock=time.perf_counter,
    ):
        if total is not None and total < 0:
            raise ValueError(f"total must be non-negative or None, got {total!r}")
        if max_lines < 1:
            raise ValueError(f"max_lines must be at least 1, got {max_lines!r}")
        self.total = total
        self.title = title
        self.validation = validation
        self.verbose = verbose
        self.stream = stream
        self._clock = clock
        self._start = clock()
        self._every = 1 if total is None else max(1, math.ceil(total / max_lines))
        self._last_written = None
        self._header_written = False
        self.best_risk = math.inf
        self.n_lines = 0

    def _due(self, iteration):
        if self.verbose >= 2:
            return True
        if self.total is None:
            return _on_125_grid(iteration)
        return iteration % self._every == 0 or iteration >= self.total

    def _write(self, text):
        emit(text, stream=self.stream)

    def _header(self):
        if self.title:
            self._write(self.title)
        columns = f"{'iter':>8} {'risk':>11} {'best risk':>11}"
        if self.validation:
            columns += f" {'val. score':>11}"
        self._write(columns + f" {'elapsed':>9}")
        self._header_written = True

    def _row(self, iteration, risk, validation_score):
        if not self._header_written:
            self._header()
        best = self.best_risk if math.isfinite(self.best_risk) else None
        row = f"{iteration:>8d} {_format_number(risk, 11)} {_format_number(best, 11)}"
        if self.validation:
            row += f" {_format_number(validation_score, 11)}"
        row += f" {self._clock() - self._start:>7.1f} s"
        self._write(row)
        self._last_written = iteration
        self.n_lines += 1

    def update(self, iteration, risk, validation_score=None):
        """Record one iteration; write a row if it is due.

        Parameters
        ----------
        iteration : int
            The iteration number (0 for the initialization).
        risk : float
            The training risk at this iteration (may be inf or NaN after a
            divergence; it is shown as such).
        validation_score : float or None, default=None
            The validation score, when the fit holds out a validation set.

        Returns
        -------
        written : bool
            True if a row was written.
        """
        risk = float(risk)
        if math.isfinite(risk) and risk < self.best_risk:
            self.best_risk = risk
        if not self._due(iteration):
            return False
        self._row(iteration, risk, validation_score)
        return True

    def finish(self, iteration, risk, validation_score=None, message=""):
        """Write the last row (unless it was just written) and an optional closing line.

        Parameters
        ----------
        iteration : int
            The last iteration run.
        risk : float
            Its training risk.
        validation_score : float or None, default=None
            Its validation score, if any.
        message : str, default=""
            A closing line, e.g. why the fit stopped.
        """
        risk = float(risk)
        if math.isfinite(risk) and risk < self.best_risk:
            self.best_risk = risk
        if self._last_written != iteration:
            self._row(iteration, risk, validation_score)
        if message:
            self._write(message)

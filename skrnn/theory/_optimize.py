"""Bounded numerical searches used to invert the bounds.

Every search here has a fixed worst-case number of evaluations (a few
hundred at most), whatever its inputs: integer counts are found by an
exponential bracket followed by geometric, then arithmetic, bisection, and
real thresholds by bisection in log scale. The functions take the quantity
to search as an argument (a callable), so the theorems stay in their own
modules.
"""

import math

__all__ = [
    "first_feasible",
    "largest_admissible",
    "smallest_integer",
]

#: relative resolution at which an integer search stops; below ``2**53`` the
#: search is exact, above it counts are floats for the formulas anyway
_INTEGER_RESOLUTION = 2.0**-60

#: integers up to here are exact floats
_EXACT_INTEGERS = 2**53

#: golden-section ratio, for locating narrow admissible intervals
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0

#: golden-section rounds per search, and searches per walk
_GOLDEN_ROUNDS = 80
_GOLDEN_SEARCHES = 8

#: bisection rounds when pushing a feasible point down to the boundary
_BISECTION_ROUNDS = 200


def smallest_integer(predicate, lowest, guess, highest):
    """Smallest integer ``k`` in ``[lowest, highest]`` with ``predicate(k)`` true.

    ``predicate`` must be monotone: false below some threshold, true from it
    on. ``guess`` (an estimate of the threshold, any number or ``inf``)
    only decides where the search starts. The bracket around the threshold
    grows by squaring its step (at most about 11 rounds up to ``2**1024``),
    then shrinks geometrically while its ends are more than a factor 4 apart
    and arithmetically after that, until its ends are adjacent or within a
    relative ``2**-60`` of each other. The result is therefore exact below
    ``2**53``; above, the formulas only see ``float(k)``, and the result is
    the integer value of the float they accept, within that relative
    resolution of the smallest. ``predicate`` must depend on ``float(k)``
    only.

    Returns
    -------
    int or float
        The smallest such ``k``, or ``math.inf`` when ``predicate(highest)``
        is false.
    """
    if not guess > lowest:  # also a NaN guess
        start = lowest
    elif guess >= highest:
        start = highest
    else:
        start = max(lowest, min(int(math.ceil(guess)), highest))
    step = 1
    if predicate(start):
        hi = start
        while True:  # walk down until a failing point is found
            if hi == lowest:
                return hi
            lo = max(lowest, hi - step)
            if not predicate(lo):
                break
            hi = lo
            step = max(2 * step, step * step)
    else:
        lo = start
        while True:  # walk up until a passing point is found
            if lo == highest:
                return math.inf
            hi = min(highest, lo + step)
            if predicate(hi):
                break
            lo = hi
            step = max(2 * step, step * step)
    # predicate(lo) is false, predicate(hi) is true
    while hi - lo > 1 and hi - lo > hi * _INTEGER_RESOLUTION:
        mid = math.isqrt(lo * hi) if lo > 0 and hi > 4 * lo else (lo + hi) // 2
        if predicate(mid):
            hi = mid
        else:
            lo = mid
    if hi > _EXACT_INTEGERS:
        # the formulas see float(hi); return that float's integer, so that
        # comparing the count with a float threshold agrees with predicate
        hi = int(float(hi))
    return hi


def largest_admissible(limit, denominator):
    """Largest float ``x`` with ``x * denominator <= limit`` and ``x <= limit / denominator``.

    Both forms of the condition hold (in floating point they can differ by
    an ulp). ``limit / denominator`` rounded to a float can break the
    product form by an ulp; it is stepped down (a few ulps at most in practice; a bounded
    number of halvings backs this up for subnormal denominators).

    Returns
    -------
    float
        ``inf`` when ``denominator`` is 0, 0.0 when it is ``inf``.
    """
    if denominator == 0:
        return math.inf
    if math.isinf(denominator):
        return 0.0
    x = quotient = limit / denominator
    for _ in range(64):
        if x * denominator <= limit:
            return x
        x = math.nextafter(x, 0.0)
    while x * denominator > limit:  # at most about 1100 halvings reach 0
        x *= 0.5
    return min(x, quotient)


def _log_bisect(evaluate, lo, hi, state):
    """Bisect in log scale keeping ``lo`` infeasible and ``hi`` feasible."""
    for _ in range(_BISECTION_ROUNDS):
        if hi <= lo * (1.0 + 1e-13):
            break
        mid = math.sqrt(lo) * math.sqrt(hi)
        if not lo < mid < hi:
            break
        ok, _, mid_state = evaluate(mid)
        if ok:
            hi, state = mid, mid_state
        else:
            lo = mid
    return hi, lo, state


def _golden_section(evaluate, lo, hi):
    """Maximize the margin over ``[lo, hi]`` in log scale; a feasible ``(x, state)`` or None."""
    a, b = math.log(lo), math.log(hi)
    x1 = b - _GOLDEN * (b - a)
    x2 = a + _GOLDEN * (b - a)
    ok1, f1, s1 = evaluate(math.exp(x1))
    if ok1:
        return math.exp(x1), s1
    ok2, f2, s2 = evaluate(math.exp(x2))
    if ok2:
        return math.exp(x2), s2
    for _ in range(_GOLDEN_ROUNDS):
        if f1 >= f2:
            b, x2, f2 = x2, x1, f1
            x1 = b - _GOLDEN * (b - a)
            ok1, f1, s1 = evaluate(math.exp(x1))
            if ok1:
                return math.exp(x1), s1
        else:
            a, x1, f1 = x1, x2, f2
            x2 = a + _GOLDEN * (b - a)
            ok2, f2, s2 = evaluate(math.exp(x2))
            if ok2:
                return math.exp(x2), s2
    return None


def first_feasible(evaluate, grid):
    """Smallest feasible point of an increasing ``grid``, refined to its boundary.

    ``evaluate(x)`` returns ``(ok, margin, state)``: whether ``x`` is
    feasible, a number that is ``>= 0`` exactly when it is (the smallest log
    margin of the conditions; ``-inf`` when unknown) and whatever the caller
    wants back for the point found.

    The grid is walked upwards. Feasibility need not be monotone, and the
    feasible set can be an interval narrower than the grid spacing, so at
    each grid-local maximum of the margin the margin is maximized by
    golden-section search (at most 8 such searches per walk). The first
    feasible point found is pushed down by bisection against the
    infeasible point to its left, to a relative ``1e-13``.

    Returns
    -------
    x_star : float
        The feasible point found, ``inf`` when there is none.
    x_below : float or None
        An infeasible point just below ``x_star``; None when ``x_star`` is
        the first grid point (or ``inf``).
    state : object or None
        ``evaluate``'s state at ``x_star``; None when there is none.
    """
    results = [None] * len(grid)
    searches = 0
    for k in range(len(grid)):
        ok, margin, state = _grid_point(evaluate, grid, results, k)
        if ok:
            if k == 0:
                return grid[0], None, state
            return _log_bisect(evaluate, grid[k - 1], grid[k], state)
        if searches < _GOLDEN_SEARCHES and 0 < k < len(grid) - 1 and margin > -math.inf:
            left = _grid_point(evaluate, grid, results, k - 1)[1]
            right = _grid_point(evaluate, grid, results, k + 1)[1]
            if margin >= left and margin >= right:
                searches += 1
                found = _golden_section(evaluate, grid[k - 1], grid[k + 1])
                if found is not None:
                    return _log_bisect(evaluate, grid[k - 1], found[0], found[1])
    return math.inf, None, None


def _grid_point(evaluate, grid, results, k):
    """``evaluate(grid[k])``, memoized in ``results``, with a NaN margin read as ``-inf``."""
    if results[k] is None:
        ok, margin, state = evaluate(grid[k])
        results[k] = (ok, -math.inf if math.isnan(margin) else margin, state)
    return results[k]

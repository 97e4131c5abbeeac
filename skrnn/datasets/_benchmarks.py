"""Memory benchmarks: the NARMA system and a linear filter with fading memory."""

import numpy as np
from sklearn.utils import check_random_state

from .._validation import check_int, check_real
from ._common import add_noise, sample_unit_ball_steps

__all__ = ["make_linear_memory", "make_narma"]

#: a NARMA trajectory leaving [-_NARMA_LIMIT, _NARMA_LIMIT] has diverged
_NARMA_LIMIT = 100.0

#: how many times diverged NARMA sequences are redrawn before giving up
_NARMA_MAX_REDRAWS = 10


def _narma_response(u, order):
    """NARMA outputs (n, T) for inputs ``u`` (n, T); zero initial history."""
    n_samples, n_timesteps = u.shape
    y = np.zeros((n_samples, n_timesteps))
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(n_timesteps):
            if t > 0:
                previous = y[:, t - 1]
                window = y[:, max(0, t - order) : t].sum(axis=1)
                y[:, t] = 0.3 * previous + 0.05 * previous * window
            y[:, t] += 0.1
            if t - order + 1 >= 0:
                y[:, t] += 1.5 * u[:, t - order + 1] * u[:, t]
    return y


def _diverged(y):
    with np.errstate(invalid="ignore"):
        return ~np.all(np.abs(y) <= _NARMA_LIMIT, axis=1)


def make_narma(
    n_samples=200,
    n_timesteps=100,
    *,
    order=10,
    input_range=(0.0, 0.5),
    washout=100,
    noise=0.0,
    random_state=None,
):
    """Input/output sequences of the NARMA system of a given order.

    The nonlinear autoregressive moving-average system reads i.i.d. uniform
    inputs ``u_t`` and produces

        y_{t+1} = 0.3 y_t + 0.05 y_t sum_{i=0}^{order-1} y_{t-i}
                  + 1.5 u_{t-order+1} u_t + 0.1,

    with zero history before the first step (``y_s = 0`` for ``s <= 0`` and
    ``u_s = 0`` for ``s < 0``). Its output depends on inputs ``order`` steps
    back, a standard test of memory for recurrent models.

    The recurrence first runs ``washout`` steps from that zero history; they
    are discarded, and the returned sequences start after them, so that no
    returned step is a start-up transient shared by every sequence.

    Parameters
    ----------
    n_samples : int, default=200
        Number of sequences.
    n_timesteps : int, default=100
        Sequence length T.
    order : int, default=10
        Memory of the system (>= 1).
    input_range : tuple of two floats, default=(0.0, 0.5)
        Inputs are uniform on ``[low, high)``.
    washout : int, default=100
        Number of extra steps (>= 0) the recurrence runs from its zero
        initial history before the first returned step; their inputs and
        outputs are discarded. With ``washout=0`` the first ``order - 1``
        outputs are the same for every sequence (no input has entered
        yet: ``y_1 = 0.1`` exactly), so a per-step R^2, as
        :meth:`sklearn.base.RegressorMixin.score` averages it, divides by a
        zero or rounding-level variance there. The default leaves about ten
        times the memory of NARMA-10 for the start-up to fade.
    noise : float, default=0.0
        Standard deviation of Gaussian noise added to ``y``.
    random_state : int, RandomState instance or None, default=None
        Seed of the inputs and the noise.

    Returns
    -------
    X : ndarray of shape (n_samples, n_timesteps, 1)
        Inputs; ``X[j, t, 0]`` is ``u_{washout + t}`` of sequence j.
    y : ndarray of shape (n_samples, n_timesteps)
        Outputs; ``y[j, t]`` is ``y_{washout + t + 1}``, computed from
        ``u_0 .. u_{washout + t}``. With ``washout > 0`` the first steps also
        depend on discarded inputs: through the moving-average term for the
        first ``order - 1`` steps, and through the fading autoregressive
        state for all of them.

    Raises
    ------
    ValueError
        If, after redrawing, some sequences still diverge (see Notes).

    Notes
    -----
    The recurrence is not stable for every input: with the default inputs,
    order 10 diverges on roughly one sequence in a hundred over 2000 steps
    (washout included),
    and orders of 15 and more diverge almost surely (the usual NARMA-20
    variant wraps the update in a ``tanh``; it is not implemented here). A
    sequence whose output leaves ``[-100, 100]`` or becomes non-finite is
    treated as diverged, and its inputs are redrawn, up to 10 times. The
    returned sequences are thus drawn conditionally on not diverging. If
    sequences still diverge after that, a ValueError asks for a smaller
    order, input range or length.

    The inputs are not inside the unit ball in the sense of the theory only
    when ``input_range`` leaves ``[-1, 1]``; with the defaults
    ``max_t |X_t| < 0.5``.

    Examples
    --------
    >>> from skrnn.datasets import make_narma
    >>> X, y = make_narma(n_samples=3, n_timesteps=50, random_state=0)
    >>> X.shape, y.shape
    ((3, 50, 1), (3, 50))
    """
    n_samples = check_int("n_samples", n_samples, 1)
    n_timesteps = check_int("n_timesteps", n_timesteps, 1)
    order = check_int("order", order, 1)
    washout = check_int("washout", washout, 0)
    try:
        low, high = input_range
    except (TypeError, ValueError):
        raise ValueError(f"input_range must be a pair (low, high), got {input_range!r}.") from None
    low = check_real("input_range[0]", low)
    high = check_real("input_range[1]", high)
    if not low < high:
        raise ValueError(f"input_range must satisfy low < high, got {input_range!r}.")
    noise = check_real("noise", noise, low=0.0)
    rng = check_random_state(random_state)

    n_steps = washout + n_timesteps
    u = rng.uniform(low, high, size=(n_samples, n_steps))
    y = _narma_response(u, order)
    bad = np.flatnonzero(_diverged(y))
    for _ in range(_NARMA_MAX_REDRAWS):
        if bad.size == 0:
            break
        u[bad] = rng.uniform(low, high, size=(bad.size, n_steps))
        y[bad] = _narma_response(u[bad], order)
        bad = bad[_diverged(y[bad])]
    if bad.size:
        raise ValueError(
            f"The NARMA-{order} recurrence diverged on {bad.size} of {n_samples} "
            f"sequences even after redrawing their inputs {_NARMA_MAX_REDRAWS} times. "
            "Use a smaller order (10 is the usual choice), a narrower input_range "
            "(the usual one is (0.0, 0.5)) or shorter sequences."
        )
    y = add_noise(np.ascontiguousarray(y[:, washout:]), noise, rng)
    return np.ascontiguousarray(u[:, washout:, np.newaxis]), y


# ---------------------------------------------------------------------------
# linear fading memory
# ---------------------------------------------------------------------------


def _linear_memory_response(X, coef, decay):
    """Exponential moving average of ``X @ coef`` (n, T)."""
    drive = (1.0 - decay) * (X @ coef)
    y = np.empty_like(drive)
    state = np.zeros(X.shape[0])
    for t in range(X.shape[1]):
        state = decay * state + drive[:, t]
        y[:, t] = state
    return y


def make_linear_memory(
    n_samples=200,
    n_timesteps=50,
    n_features=1,
    *,
    decay=0.5,
    noise=0.0,
    return_coef=False,
    random_state=None,
):
    """Generate sequences labelled by a linear filter with a fading memory.

    The target is the exponential moving average of a fixed projection of
    the inputs,

        y_t = decay * y_{t-1} + (1 - decay) * a . X_t,    y_{-1} = 0,

    i.e. ``y_t = (1 - decay) * sum_{k=0}^{t} decay^k a . X_{t-k}``, with ``a``
    a random unit vector. The memory lasts about ``1 / (1 - decay)`` steps:
    a simple, noise-free system on which the short- and long-memory regimes
    can be compared.

    Parameters
    ----------
    n_samples : int, default=200
        Number of sequences.
    n_timesteps : int, default=50
        Sequence length T.
    n_features : int, default=1
        Features per step d.
    decay : float, default=0.5
        Forgetting factor in [0, 1).
    noise : float, default=0.0
        Standard deviation of Gaussian noise added to ``y``.
    return_coef : bool, default=False
        If True, also return the projection ``a``.
    random_state : int, RandomState instance or None, default=None
        Seed of ``a``, the inputs and the noise.

    Returns
    -------
    X : ndarray of shape (n_samples, n_timesteps, n_features)
        Inputs, drawn as in :func:`make_rkhs_teacher` (``||X_t||_2 <= 1``).
    y : ndarray of shape (n_samples, n_timesteps)
        Targets; ``|y| <= 1`` before noise.
    coef : ndarray of shape (n_features,)
        The unit vector ``a``; only if ``return_coef`` is True.

    Examples
    --------
    >>> from skrnn.datasets import make_linear_memory
    >>> X, y = make_linear_memory(n_samples=4, n_timesteps=10, decay=0.9,
    ...                           random_state=0)
    >>> X.shape, y.shape
    ((4, 10, 1), (4, 10))
    """
    n_samples = check_int("n_samples", n_samples, 1)
    n_timesteps = check_int("n_timesteps", n_timesteps, 1)
    n_features = check_int("n_features", n_features, 1)
    decay = check_real("decay", decay, low=0.0, high=1.0, high_open=True)
    noise = check_real("noise", noise, low=0.0)
    if not isinstance(return_coef, (bool, np.bool_)):
        raise TypeError(f"return_coef must be a bool, got {return_coef!r}.")
    rng = check_random_state(random_state)

    coef = rng.standard_normal(n_features)
    coef /= np.linalg.norm(coef)
    X = sample_unit_ball_steps(rng, n_samples, n_timesteps, n_features)
    y = add_noise(_linear_memory_response(X, coef, decay), noise, rng)
    if return_coef:
        return X, y, coef
    return X, y

"""Neural tangent kernel of the diagonal Elman RNN (Cayci & Eryilmaz, Section 3.1).

The NTK of Proposition 2 is an expectation over one random neuron
``(w0, u0)`` with ``w0 ~ Rad_alpha`` (uniform on ``{-alpha, +alpha}``) and
``u0 ~ N(0, I_d)``. Every function here takes explicit draws ``w0``
(shape ``(M,)``) and ``U0`` (shape ``(M, d)``) and computes the Monte Carlo
estimate with them::

    K_t(X, X') = (1/M) sum_{i < M} <phi_t(X; w0[i], U0[i]), phi_t(X'; w0[i], U0[i])>

where ``phi_t = [dh_t/dw0, dh_t/du0]`` (dimension ``1 + d``) are the
forward-mode derivatives of the scalar recursion
``h_t = sigma(w0 h_{t-1} + u0 . X_{t-1})``. For a symmetric initialization of
width ``m = 2M`` (Definition 1) whose first half are these draws, this is
exactly the empirical NTK ``sum_i <dF_t(X)/dTheta_i, dF_t(X')/dTheta_i>`` of
the finite network.

Use :func:`ntk_draws` to draw ``(w0, U0)``: it stratifies ``w0`` (half of the
draws at ``+alpha``, half at ``-alpha``, so the expectation over ``w0`` is
exact) and can place ``u0`` on a scrambled Sobol' sequence.

Sequences follow the package convention: ``X`` of shape
``(n_samples, n_timesteps, n_features)``; a 2-D ``X`` holds univariate
sequences ``(n_samples, n_timesteps)``.
"""

import numbers

import numpy as np
from scipy.special import ndtri
from scipy.stats import qmc
from sklearn.utils import check_random_state

from ._gram import (  # noqa: F401  (FEATURE_BLOCK_BYTES and the helpers: for skrnn.ntk)
    FEATURE_BLOCK_BYTES,
    _features,
    _pair_gram,
    _row_blocks,
    _same_step_gram,
)
from ._numba.activations import ACTIVATION_CODES
from ._validation import check_int, check_real, check_sequences

__all__ = [
    "ntk_draws",
    "rnn_ntk",
    "rnn_ntk_cross_time",
    "rnn_ntk_features",
]

# --------------------------------------------------------------------------
# draws
# --------------------------------------------------------------------------


def _sobol_normal(n_points, n_features, rng):
    """``n_points`` scrambled Sobol' points in R^d mapped to N(0, I_d)."""
    seed = int(rng.randint(np.iinfo(np.int32).max))
    generator = np.random.default_rng(seed)
    try:
        sampler = qmc.Sobol(n_features, scramble=True, rng=generator)
    except TypeError:  # SciPy < 1.15 names the argument ``seed``
        sampler = qmc.Sobol(n_features, scramble=True, seed=generator)
    # Draw a power of two (Sobol' balance) and keep a prefix of it.
    exponent = max(0, int(np.ceil(np.log2(n_points))))
    points = sampler.random_base2(exponent)[:n_points]
    tiny = np.finfo(np.float64).eps
    return ndtri(np.clip(points, tiny, 1.0 - tiny))


def ntk_draws(n_draws, n_features, *, recurrent_scale=0.5, sampling="qmc", random_state=None):
    """Draw the random neurons ``(w0, U0)`` over which the NTK is averaged.

    The recurrent weights are stratified: the first ``n_draws // 2`` draws
    get ``w0 = +recurrent_scale`` and the others ``-recurrent_scale``, so
    the average over ``w0 ~ Rad_alpha`` is taken exactly. The input weights
    ``u0 ~ N(0, I_d)`` are drawn independently for the two halves.

    Parameters
    ----------
    n_draws : int
        Number of draws ``M``; must be even and at least 2.
    n_features : int
        Dimension ``d`` of ``u0`` (features per time step), at least 1.
    recurrent_scale : float, default=0.5
        The paper's ``alpha``, a finite number >= 0.
    sampling : {"qmc", "mc"}, default="qmc"
        ``"qmc"``: each half of ``U0`` is a scrambled Sobol' point set pushed
        through the normal inverse CDF (randomized quasi-Monte Carlo; the
        estimate stays unbiased). ``"mc"``: independent standard normal rows.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.

    Returns
    -------
    w0 : ndarray of shape (n_draws,)
        Recurrent weights of the draws, ``+recurrent_scale`` for the first
        half and ``-recurrent_scale`` for the second.
    U0 : ndarray of shape (n_draws, n_features)
        Input weights of the draws, standard normal (quasi-random for ``"qmc"``).

    Examples
    --------
    >>> from skrnn.kernels import ntk_draws
    >>> w0, U0 = ntk_draws(8, 2, recurrent_scale=0.5, random_state=0)
    >>> w0
    array([ 0.5,  0.5,  0.5,  0.5, -0.5, -0.5, -0.5, -0.5])
    >>> U0.shape
    (8, 2)
    """
    if (
        not isinstance(n_draws, numbers.Integral)
        or isinstance(n_draws, bool)
        or n_draws < 2
        or n_draws % 2
    ):
        raise ValueError(
            "n_draws must be an even integer >= 2 (half of the draws take w0 = +alpha, "
            f"half w0 = -alpha), got {n_draws!r}."
        )
    d = check_int("n_features", n_features, 1)
    recurrent_scale = check_real("recurrent_scale", recurrent_scale, low=0.0)
    if sampling not in ("qmc", "mc"):
        raise ValueError(f"sampling must be 'qmc' or 'mc', got {sampling!r}.")
    rng = check_random_state(random_state)
    half = int(n_draws) // 2
    w0 = recurrent_scale * np.concatenate([np.ones(half), -np.ones(half)])
    if sampling == "mc":
        U0 = rng.standard_normal(size=(2 * half, d))
    else:
        U0 = np.concatenate([_sobol_normal(half, d, rng), _sobol_normal(half, d, rng)])
    return w0, np.ascontiguousarray(U0)


# --------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------


def _real_array(name, value):
    """``value`` as a float64 array; TypeError for booleans, complex numbers and non-numbers."""
    array = np.asarray(value)
    if array.dtype == np.bool_ or array.dtype.kind not in "iuf":
        raise TypeError(
            f"{name} must be an array of real numbers, got {type(value).__name__} "
            f"with dtype {array.dtype}."
        )
    return array.astype(np.float64, copy=False)


def _check_draws(w0, U0, n_features):
    w0 = _real_array("w0", w0)
    U0 = _real_array("U0", U0)
    if w0.ndim != 1 or w0.shape[0] < 1:
        raise ValueError(f"w0 must be a non-empty 1-D array of shape (M,), got shape {w0.shape}.")
    if U0.ndim == 1 and n_features == 1:
        U0 = U0[:, np.newaxis]
    if U0.ndim != 2:
        raise ValueError(f"U0 must be a 2-D array of shape (M, n_features), got shape {U0.shape}.")
    if U0.shape[0] != w0.shape[0]:
        raise ValueError(
            f"w0 and U0 hold different numbers of draws: {w0.shape[0]} and {U0.shape[0]}."
        )
    if U0.shape[1] != n_features:
        raise ValueError(
            f"U0 has {U0.shape[1]} columns but the sequences have {n_features} features "
            "per time step; U0 must be of shape (M, n_features)."
        )
    if not (np.isfinite(w0).all() and np.isfinite(U0).all()):
        raise ValueError("w0 and U0 must be finite.")
    return np.ascontiguousarray(w0), np.ascontiguousarray(U0.T)


def _activation_code(activation):
    try:
        return ACTIVATION_CODES[activation]
    except (KeyError, TypeError):
        raise ValueError(
            f"activation must be one of {sorted(ACTIVATION_CODES)}, got {activation!r}."
        ) from None


def _validate(X, Y, w0, U0, activation):
    X = check_sequences(X, "X")
    if Y is not None:
        Y = check_sequences(Y, "Y")
        if Y.shape[2] != X.shape[2]:
            raise ValueError(
                f"X and Y have different numbers of features per step: "
                f"{X.shape[2]} and {Y.shape[2]}."
            )
    w0, UT0 = _check_draws(w0, U0, X.shape[2])
    return X, Y, w0, UT0, _activation_code(activation)


# --------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------


def rnn_ntk_features(X, *, w0, U0, activation="tanh", n_last_steps=None):
    """Explicit Monte Carlo NTK feature map of every sequence at every step.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_timesteps, n_features) or (n_samples, n_timesteps)
        Input sequences (2-D: univariate).
    w0 : array-like of shape (M,)
        Recurrent weights of the draws.
    U0 : array-like of shape (M, n_features)
        Input weights of the draws.
    activation : {"tanh", "logistic", "gaussian"}, default="tanh"
        Activation ``sigma``.
    n_last_steps : int or None, default=None
        Keep only the features of the last ``n_last_steps`` steps (the
        recursion still reads the whole sequence). ``None`` keeps all steps.

    Returns
    -------
    features : ndarray of shape (n_samples, S, M * (1 + n_features))
        ``features[j, s]`` is the feature of step ``T - S + s + 1``:
        the block ``[:M]`` holds ``dh/dw0`` of every draw and the block
        ``[(k+1)M:(k+2)M]`` holds ``dh/du0[k]``, all divided by ``sqrt(M)``,
        so that ``features[j, s] @ features[l, s]`` is the kernel value.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.kernels import ntk_draws, rnn_ntk_features
    >>> X = np.linspace(-1, 1, 12).reshape(3, 4)
    >>> w0, U0 = ntk_draws(16, 1, random_state=0)
    >>> rnn_ntk_features(X, w0=w0, U0=U0).shape
    (3, 4, 32)
    """
    X, _, w0, UT0, code = _validate(X, None, w0, U0, activation)
    T = X.shape[1]
    n_last_steps = T if n_last_steps is None else check_int("n_last_steps", n_last_steps, 1)
    if n_last_steps > T:
        raise ValueError(
            f"n_last_steps must be an integer in [1, n_timesteps={T}], got {n_last_steps!r}."
        )
    return _features(X, w0, UT0, code, n_last_steps)


def rnn_ntk(X, Y=None, *, w0, U0, activation="tanh"):
    """Monte Carlo estimate of the RNN's neural tangent kernel at every step.

    ``K[t-1, j, l] = (1/M) sum_i <phi_t(X_j; w0[i], U0[i]), phi_t(Y_l; w0[i], U0[i])>``,
    the kernel ``kappa_t`` of Proposition 2 (Cayci & Eryilmaz) between the
    prefixes of length ``t`` of ``X_j`` and ``Y_l``. The features of each
    step are computed for all samples at once (the forward-mode recursion
    carries its state from step to step) and each ``K[t-1]`` is one BLAS
    product; for ``Y=None`` only one triangle is computed (``syrk``) and
    copied onto the other, so ``K[t-1]`` is exactly symmetric. Besides the
    output, at most 64 MiB of features and recursion state are held: larger
    problems are cut into groups of steps and, if needed, blocks of samples.

    Parameters
    ----------
    X : array-like of shape (n_X, n_timesteps, n_features) or (n_X, n_timesteps)
        Input sequences (2-D: univariate).
    Y : array-like of shape (n_Y, n_timesteps, n_features) or (n_Y, n_timesteps), default=None
        Second set of sequences, of the same length and feature count as
        ``X``. ``None`` uses ``X`` (and exploits symmetry).
    w0 : array-like of shape (M,)
        Recurrent weights of the draws (see :func:`ntk_draws`).
    U0 : array-like of shape (M, n_features)
        Input weights of the draws.
    activation : {"tanh", "logistic", "gaussian"}, default="tanh"
        Activation ``sigma``.

    Returns
    -------
    K : ndarray of shape (n_timesteps, n_X, n_Y)
        Same-step kernel matrices, ``K[t - 1]`` for step ``t``.

    See Also
    --------
    rnn_ntk_cross_time : kernel between different steps.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.kernels import ntk_draws, rnn_ntk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(5, 4, 2))
    >>> w0, U0 = ntk_draws(256, 2, recurrent_scale=0.5, random_state=0)
    >>> K = rnn_ntk(X, w0=w0, U0=U0)
    >>> K.shape
    (4, 5, 5)
    >>> bool(np.allclose(K, K.transpose(0, 2, 1)))
    True
    """
    X, Y, w0, UT0, code = _validate(X, Y, w0, U0, activation)
    if Y is not None and Y.shape[1] != X.shape[1]:
        raise ValueError(
            f"X and Y must have the same number of time steps for the same-step "
            f"kernel, got {X.shape[1]} and {Y.shape[1]}; use rnn_ntk_cross_time for "
            "sequences of different lengths."
        )
    return _same_step_gram(X, Y, w0, UT0, code)


def rnn_ntk_cross_time(X, Y=None, *, w0, U0, activation="tanh"):
    """Monte Carlo NTK between every step of ``X`` and every step of ``Y``.

    ``K[j, t-1, l, s-1] = (1/M) sum_i <phi_t(X_j), phi_s(Y_l)>``, the kernel
    ``kappa_{t,s}`` of the linearized RNN, whose parameter vector is shared
    by all steps (Section 3 of Cayci & Eryilmaz). Its diagonal in time,
    ``K[:, t, :, t]``, is :func:`rnn_ntk`. Reshaped to
    ``(n_X * T_X, n_Y * T_Y)`` it is the Gram matrix over (sample, step)
    pairs used for sequence-to-sequence kernel regression. All features of
    ``X`` and ``Y`` are held at once (``(n_X T_X + n_Y T_Y) * M (1 + d)``
    numbers), unlike :func:`rnn_ntk`, which works in blocks; for ``Y=None``
    one triangle of the Gram matrix is computed (``syrk``) and copied onto
    the other.

    Parameters
    ----------
    X : array-like of shape (n_X, T_X, n_features) or (n_X, T_X)
        Input sequences.
    Y : array-like of shape (n_Y, T_Y, n_features) or (n_Y, T_Y), default=None
        Second set of sequences (any length); ``None`` uses ``X``.
    w0 : array-like of shape (M,)
        Recurrent weights of the draws.
    U0 : array-like of shape (M, n_features)
        Input weights of the draws.
    activation : {"tanh", "logistic", "gaussian"}, default="tanh"
        Activation ``sigma``.

    Returns
    -------
    K : ndarray of shape (n_X, T_X, n_Y, T_Y)
        ``K[i, s, j, t]`` is the kernel between step ``s + 1`` of sequence
        ``i`` of ``X`` and step ``t + 1`` of sequence ``j`` of ``Y``.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.kernels import ntk_draws, rnn_ntk, rnn_ntk_cross_time
    >>> X = np.linspace(-1, 1, 12).reshape(3, 4)
    >>> w0, U0 = ntk_draws(64, 1, random_state=0)
    >>> C = rnn_ntk_cross_time(X, w0=w0, U0=U0)
    >>> C.shape
    (3, 4, 3, 4)
    >>> bool(np.allclose(np.einsum("itjt->tij", C), rnn_ntk(X, w0=w0, U0=U0)))
    True
    """
    X, Y, w0, UT0, code = _validate(X, Y, w0, U0, activation)
    PX = _features(X, w0, UT0, code, X.shape[1])
    if Y is None:
        gram = _pair_gram(PX)
        return gram.reshape(X.shape[0], X.shape[1], X.shape[0], X.shape[1])
    PY = _features(Y, w0, UT0, code, Y.shape[1])
    gram = _pair_gram(PX, PY)
    return gram.reshape(X.shape[0], X.shape[1], Y.shape[0], Y.shape[1])

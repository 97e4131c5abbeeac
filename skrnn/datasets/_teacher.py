"""A teacher of known complexity: a random member of the class ``F_{nu_w, nu_u}``.

:func:`make_rkhs_teacher` draws a dynamical system of the class of eq. 9 of
Cayci & Eryilmaz, the systems the convergence theorems are stated for, and
labels random inputs in the unit ball with it. :class:`RKHSTeacher` is the
system itself, callable on new inputs.
"""

import numpy as np
from sklearn.utils import Bunch, check_random_state

from .._activations import get_activation
from .._validation import check_int, check_real
from ..theory import mu0
from ._common import add_noise, sample_unit_ball_steps

__all__ = ["RKHSTeacher", "make_rkhs_teacher"]

#: samples x draws per block of the forward-mode recursion (memory bound)
_BLOCK_ELEMENTS = 1 << 18


def _check_activation(activation):
    """The validated activation name (the error lists the choices)."""
    return get_activation(activation).name


class RKHSTeacher:
    """A dynamical system of the class ``F_{nu_w, nu_u}``, evaluated by Monte Carlo.

    Instances are built by :func:`make_rkhs_teacher`; they are returned in its
    ``info`` so that more data (for example a test set) can be labelled by the
    same system, and so that the network of Remark 4 can be rebuilt.

    The system is eq. 8 of Cayci & Eryilmaz. For one random neuron
    ``Theta(0) = (w0, u0)`` let ``h_t = sigma(w0 * h_{t-1} + u0 . X_{t-1})``,
    ``h_0 = 0``. Given transport maps ``v_w`` and ``v_u`` of the initial
    neuron, the output at step t is

        F_t(X) = E[ v_w(w0, u0) * dh_t/dw0 + v_u(u0) . dh_t/du0 ],

    which, unrolled with the forward-mode derivatives of Proposition 1, is
    eq. 8. The expectation is replaced by the average over the
    ``n_draws`` stored draws ``(w0_[i], U0_[i])``. The combined directional
    derivative ``s_t = v_w * dh_t/dw0 + v_u . dh_t/du0`` obeys one scalar
    recursion per draw,

        s_t = sigma'(z_t) * (v_w * h_{t-1} + v_u . X_{t-1} + w0 * s_{t-1}),
        s_0 = 0,

    so the cost is that of running ``n_draws`` scalar neurons.

    Transport maps (both randomized at construction, both functions of the
    initial neuron as in the paper):

    * ``v_w(w0, u0) = nu_w * tanh(a_w . u0 + b_w[w0 >= 0])`` with ``a_w``
      having i.i.d. ``N(0, 1/d)`` entries and two offsets ``b_w`` i.i.d.
      ``N(0, 1)``, one per sign of ``w0``: a map with ``|v_w| < nu_w`` whose
      supremum over ``R x R^d`` is ``nu_w``. It depends on ``u0``, so the
      ``v_w`` term of eq. 8 contributes for every activation: a map of
      ``w0`` alone would be lost for an odd activation (``tanh``), whose
      ``dh_t/dw0`` is odd in ``u0`` while ``u0`` is symmetric;
    * ``v_u(u0) = nu_u * tanh(A u0 + b) / sqrt(d)`` with ``A`` having
      i.i.d. ``N(0, 1/d)`` entries and ``b`` i.i.d. ``N(0, 1)`` entries, a
      smooth map with ``||v_u(u0)||_2 < nu_u`` whose supremum over ``R^d`` is
      ``nu_u``.

    Parameters
    ----------
    w0 : ndarray of shape (n_draws,)
        Recurrent weights of the draws, each ``+recurrent_scale`` or
        ``-recurrent_scale``.
    U0 : ndarray of shape (n_draws, n_features)
        Input weights of the draws.
    readout_signs : ndarray of shape (n_draws,)
        Readout signs ``c`` of the first half of the Remark 4 network; they
        do not change the teacher's output.
    transport_w_direction : ndarray of shape (n_features,)
        ``a_w`` in ``v_w``.
    transport_w_offsets : ndarray of shape (2,)
        ``b_w`` in ``v_w``: ``b_w[0]`` is used for ``w0 < 0``, ``b_w[1]``
        otherwise.
    transport_matrix : ndarray of shape (n_features, n_features)
        ``A`` in ``v_u``.
    transport_offset : ndarray of shape (n_features,)
        ``b`` in ``v_u``.
    nu_w, nu_u : float
        Bounds of the transport maps, the complexity of the class.
    activation : {"tanh", "logistic", "gaussian"}
        The activation ``sigma``.
    recurrent_scale : float
        The paper's ``alpha``.

    Attributes
    ----------
    n_draws : int
        Number of Monte Carlo draws.
    n_features : int
        Features per step of the inputs the teacher reads.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.datasets import make_rkhs_teacher
    >>> X, y, info = make_rkhs_teacher(n_samples=4, n_timesteps=5, n_draws=64,
    ...                                random_state=0)
    >>> teacher = info.teacher
    >>> teacher.n_draws, teacher.n_features
    (64, 3)
    >>> bool(np.array_equal(teacher(X), y))  # label new data with the same system
    True
    """

    def __init__(
        self,
        w0,
        U0,
        readout_signs,
        transport_w_direction,
        transport_w_offsets,
        transport_matrix,
        transport_offset,
        *,
        nu_w,
        nu_u,
        activation,
        recurrent_scale,
    ):
        self.w0 = np.ascontiguousarray(w0, dtype=np.float64)
        self.U0 = np.ascontiguousarray(U0, dtype=np.float64)
        self.readout_signs = np.ascontiguousarray(readout_signs, dtype=np.float64)
        self.transport_w_direction = np.asarray(transport_w_direction, dtype=np.float64)
        self.transport_w_offsets = np.asarray(transport_w_offsets, dtype=np.float64)
        self.transport_matrix = np.asarray(transport_matrix, dtype=np.float64)
        self.transport_offset = np.asarray(transport_offset, dtype=np.float64)
        self.nu_w = float(nu_w)
        self.nu_u = float(nu_u)
        self.activation = _check_activation(activation)
        self.recurrent_scale = float(recurrent_scale)
        self.n_draws, self.n_features = self.U0.shape

    def __repr__(self):
        return (
            f"RKHSTeacher(n_draws={self.n_draws}, n_features={self.n_features}, "
            f"nu_w={self.nu_w}, nu_u={self.nu_u}, activation={self.activation!r}, "
            f"recurrent_scale={self.recurrent_scale})"
        )

    def transport_w(self, w0, U0):
        """Evaluate the recurrent-weight transport map ``v_w`` neuron by neuron.

        Parameters
        ----------
        w0 : array-like of shape (k,)
            Recurrent weights, one per neuron.
        U0 : array-like of shape (k, n_features)
            Input weights, one row per neuron.

        Returns
        -------
        ndarray of shape (k,)
            ``v_w(w0[i], U0[i]) = nu_w * tanh(a_w . U0[i] + b_w[w0[i] >= 0])``;
            every absolute value is below ``nu_w``.
        """
        w0 = np.atleast_1d(np.asarray(w0, dtype=np.float64))
        U0 = self._check_input_weights(U0)
        if w0.ndim != 1 or w0.shape[0] != U0.shape[0]:
            raise ValueError(f"w0 must have shape ({U0.shape[0]},) to match U0, got {w0.shape}.")
        offsets = np.where(w0 >= 0.0, self.transport_w_offsets[1], self.transport_w_offsets[0])
        return self.nu_w * np.tanh(U0 @ self.transport_w_direction + offsets)

    def _check_input_weights(self, U0):
        U0 = np.atleast_2d(np.asarray(U0, dtype=np.float64))
        if U0.ndim != 2 or U0.shape[1] != self.n_features:
            raise ValueError(
                f"U0 has {U0.shape[-1]} columns, the teacher reads {self.n_features} features."
            )
        return U0

    def transport_u(self, U0):
        """Evaluate the input-weight transport map ``v_u`` row by row.

        Parameters
        ----------
        U0 : array-like of shape (k, n_features)
            Input weights, one row per neuron.

        Returns
        -------
        ndarray of shape (k, n_features)
            ``v_u(U0[i])`` in row i; every row has norm below ``nu_u``.
        """
        U0 = self._check_input_weights(U0)
        pre = U0 @ self.transport_matrix.T + self.transport_offset
        return self.nu_u * np.tanh(pre) / np.sqrt(self.n_features)

    def output_bound_for(self, n_timesteps):
        """Proposition 6's bound ``ymax`` on ``|F_t|`` for inputs in the unit ball.

        Parameters
        ----------
        n_timesteps : int
            Sequence length T.

        Returns
        -------
        float
            ``sigma1 * mu0_T(alpha * sigma1) * (nu_u + sigma0 * nu_w)`` with
            ``mu0_T(z) = sum_{k<T} z^k``.
        """
        n_timesteps = check_int("n_timesteps", n_timesteps, 1)
        sigma0, sigma1, _ = get_activation(self.activation).constants
        memory = mu0(n_timesteps, self.recurrent_scale * sigma1)
        return sigma1 * memory * (self.nu_u + sigma0 * self.nu_w)

    def __call__(self, X):
        """Evaluate the teacher on every step of every sequence.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features)
            Input sequences. The membership in ``F_{nu_w, nu_u}`` and the
            output bound assume ``max_t ||X_t||_2 <= 1``; other inputs are
            evaluated all the same.

        Returns
        -------
        ndarray of shape (n_samples, n_timesteps)
            ``out[:, t]`` is ``F_{t+1}``, a function of ``X[:, :t + 1]``.
        """
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 3 or X.shape[2] != self.n_features:
            raise ValueError(
                f"X must have shape (n_samples, n_timesteps, {self.n_features}), got {X.shape}."
            )
        if not np.all(np.isfinite(X)):
            raise ValueError("X contains NaN or infinity.")
        n_samples, n_timesteps, _ = X.shape
        function = get_activation(self.activation).numpy
        v_w = self.transport_w(self.w0, self.U0)
        # One product gives both the pre-activation input term u0 . X and the
        # transport term v_u(u0) . X.
        weights = np.concatenate([self.U0, self.transport_u(self.U0)], axis=0).T
        n_draws = self.n_draws
        out = np.empty((n_samples, n_timesteps))
        block = max(1, _BLOCK_ELEMENTS // n_draws)
        for start in range(0, n_samples, block):
            stop = min(n_samples, start + block)
            hidden = np.zeros((stop - start, n_draws))
            tangent = np.zeros_like(hidden)
            for t in range(n_timesteps):
                projections = X[start:stop, t] @ weights
                z = self.w0 * hidden + projections[:, :n_draws]
                value, derivative = function(z)
                tangent = derivative * (v_w * hidden + projections[:, n_draws:] + self.w0 * tangent)
                hidden = value
                out[start:stop, t] = tangent.mean(axis=1)
        return out

    def transported_network(self):
        """Return the parameters of the finite-width network of Remark 4.

        The symmetric initialization of width ``m = 2 * n_draws`` uses the
        draws for the first half and copies them, with negated readout signs,
        for the second half (Definition 1). Each neuron is then moved by
        ``c_i * v(Theta_i(0)) / sqrt(m)``. The linearization of the network
        around its initialization, evaluated at the moved parameters, is the
        teacher exactly; the network itself differs from it by ``O(1/m)``
        (the second-order terms of the two halves cancel).

        Returns
        -------
        Bunch
            ``w_init`` (m,), ``U_init`` (m, d), ``c`` (m,): the
            initialization; ``w`` (m,), ``U`` (m, d): the moved parameters,
            which lie in the max-norm balls of radii ``nu_w`` and ``nu_u``
            of the projected gradient descent (``|w_i - w_i(0)| <=
            nu_w / sqrt(m)``, ``||U_i - U_i(0)|| <= nu_u / sqrt(m)``).
        """
        width = 2 * self.n_draws
        w_init = np.concatenate([self.w0, self.w0])
        U_init = np.concatenate([self.U0, self.U0], axis=0)
        c = np.concatenate([self.readout_signs, -self.readout_signs])
        scale = 1.0 / np.sqrt(width)
        w = w_init + c * self.transport_w(w_init, U_init) * scale
        U = U_init + c[:, np.newaxis] * self.transport_u(U_init) * scale
        return Bunch(w_init=w_init, U_init=U_init, c=c, w=w, U=U)


def make_rkhs_teacher(
    n_samples=200,
    n_timesteps=20,
    n_features=3,
    *,
    nu_w=1.0,
    nu_u=1.0,
    activation="tanh",
    recurrent_scale=0.5,
    n_draws=4096,
    sequence_output=True,
    noise=0.0,
    random_state=None,
):
    """Generate sequences labelled by a random system of the class ``F_{nu_w, nu_u}``.

    The targets come from a dynamical system that the paper's convergence
    theorems cover, with a known complexity ``(nu_w, nu_u)``: by Remark 4 a
    network trained by projected gradient descent with radii
    ``rho_w >= nu_w`` and ``rho_u >= nu_u`` can reach it. The system is eq. 8
    of Cayci & Eryilmaz with randomized bounded transport maps, evaluated by
    Monte Carlo; see :class:`RKHSTeacher` for the formulas.

    Parameters
    ----------
    n_samples : int, default=200
        Number of sequences.
    n_timesteps : int, default=20
        Sequence length T.
    n_features : int, default=3
        Features per step d.
    nu_w : float, default=1.0
        Bound on ``|v_w|``, the recurrent-weight transport map (>= 0). It
        scales the ``v_w`` term of eq. 8, which contributes for every
        activation.
    nu_u : float, default=1.0
        Bound on ``||v_u||_2``, the input-weight transport map (>= 0).
    activation : {"tanh", "logistic", "gaussian"}, default="tanh"
        Activation of the random neurons.
    recurrent_scale : float, default=0.5
        The paper's ``alpha``: recurrent weights of the draws are
        ``+alpha`` or ``-alpha``. ``alpha * sigma1 < 1`` is the short-memory
        regime (Remark 5).
    n_draws : int, default=4096
        Monte Carlo draws of ``(w0, u0)``, an even number; the teacher is the
        linearization of a symmetric network of width ``2 * n_draws``.
    sequence_output : bool, default=True
        If True, ``y`` has one target per step; otherwise only the last
        step's output is returned.
    noise : float, default=0.0
        Standard deviation of Gaussian noise added to ``y``.
    random_state : int, RandomState instance or None, default=None
        Seed of the transport maps, the draws, the inputs and the noise, in
        that order: the teacher does not depend on ``n_samples`` or
        ``n_timesteps``, so two calls with the same seed and ``n_features``
        label their data with the same system.

    Returns
    -------
    X : ndarray of shape (n_samples, n_timesteps, n_features)
        Inputs. Each step has a uniformly random direction and a norm drawn
        uniformly from [0, 1), so ``max_t ||X_t||_2 <= 1``.
    y : ndarray of shape (n_samples, n_timesteps) or (n_samples,)
        Targets; ``y[:, t]`` is the output after reading ``X[:, :t + 1]``.
    info : Bunch
        ``teacher`` (the :class:`RKHSTeacher`, callable on new inputs),
        ``nu_w``, ``nu_u``, ``transport_w`` and ``transport_u`` (the maps,
        as callables ``transport_w(w0, U0)`` and ``transport_u(U0)``),
        ``activation``, ``recurrent_scale``, ``n_draws``,
        ``output_bound`` (Proposition 6's ``ymax`` for this T; noise-free
        targets never exceed it), ``max_transport_w`` and
        ``max_transport_u`` (the largest ``|v_w|`` and ``||v_u||`` over the
        draws), ``rkhs_norm_bound`` (``sqrt(nu_w**2 + nu_u**2)``, a bound on
        the RKHS norm of every ``F_t``) and ``noise``.

    Notes
    -----
    The draws are stratified to reduce Monte Carlo noise: input weights come
    in antithetic pairs ``u0, -u0`` sharing one recurrent weight, and the
    recurrent weights alternate between ``+alpha`` and ``-alpha``, starting
    from a random sign (exactly balanced when ``n_draws`` is a multiple of
    4). Each draw ``(w0, u0)`` is still distributed as in Definition 1
    (``w0 = +-alpha`` with probability 1/2 each, independent of
    ``u0 ~ N(0, I_d)``), and the integrand of eq. 8 is a function of that
    draw alone, so the average is an unbiased estimate of eq. 8 whatever the
    transport maps; the dependence between draws changes only its variance.

    The transport maps are functions of the whole initial neuron
    ``(w0, u0)``, as in the paper, so both terms of eq. 8 contribute: the
    targets scale linearly with ``nu_w`` when ``nu_u = 0``, and with
    ``nu_u`` when ``nu_w = 0``, for every activation.

    The Monte Carlo error of the targets shrinks like ``1 / sqrt(n_draws)``
    (at the default 4096 draws and ``nu_w = nu_u``, about 1-4% of the
    target's standard deviation for ``tanh`` and ``logistic`` and 3-8% for
    ``gaussian``; the ``v_w`` term alone is the noisier one, up to about
    9%). Whatever
    ``n_draws``, the targets are exactly the output of the linearized
    network of width ``2 * n_draws`` at the parameters of Remark 4 (see
    :meth:`RKHSTeacher.transported_network`), and they obey Proposition 6's
    bound ``info.output_bound``.

    Examples
    --------
    >>> from skrnn.datasets import make_rkhs_teacher
    >>> X, y, info = make_rkhs_teacher(n_samples=5, n_timesteps=4, n_draws=64,
    ...                                random_state=0)
    >>> X.shape, y.shape, info.nu_u
    ((5, 4, 3), (5, 4), 1.0)
    """
    n_samples = check_int("n_samples", n_samples, 1)
    n_timesteps = check_int("n_timesteps", n_timesteps, 1)
    n_features = check_int("n_features", n_features, 1)
    nu_w = check_real("nu_w", nu_w, low=0.0)
    nu_u = check_real("nu_u", nu_u, low=0.0)
    activation = _check_activation(activation)
    recurrent_scale = check_real("recurrent_scale", recurrent_scale, low=0.0)
    n_draws = check_int("n_draws", n_draws, 2)
    if n_draws % 2:
        raise ValueError(
            f"n_draws must be even (the draws come in antithetic pairs), got {n_draws}."
        )
    if not isinstance(sequence_output, (bool, np.bool_)):
        raise TypeError(f"sequence_output must be a bool, got {sequence_output!r}.")
    noise = check_real("noise", noise, low=0.0)
    rng = check_random_state(random_state)

    # 1. transport maps
    transport_w_direction = rng.standard_normal(n_features) / np.sqrt(n_features)
    transport_w_offsets = rng.standard_normal(2)
    transport_matrix = rng.standard_normal((n_features, n_features)) / np.sqrt(n_features)
    transport_offset = rng.standard_normal(n_features)
    # 2. draws: antithetic input weights, alternating recurrent signs from a
    # random start, so that every w0 is +-alpha with probability 1/2 (when
    # half is odd, a fixed start would favour one sign and bias the average)
    half = n_draws // 2
    base = rng.standard_normal((half, n_features))
    U0 = np.concatenate([base, -base], axis=0)
    first_sign = rng.choice([-1.0, 1.0])
    alternating = first_sign * np.where(np.arange(half) % 2 == 0, 1.0, -1.0)
    w0 = recurrent_scale * np.concatenate([alternating, alternating])
    readout_signs = rng.choice([-1.0, 1.0], size=n_draws)
    teacher = RKHSTeacher(
        w0,
        U0,
        readout_signs,
        transport_w_direction,
        transport_w_offsets,
        transport_matrix,
        transport_offset,
        nu_w=nu_w,
        nu_u=nu_u,
        activation=activation,
        recurrent_scale=recurrent_scale,
    )
    # 3. inputs and targets
    X = sample_unit_ball_steps(rng, n_samples, n_timesteps, n_features)
    y = teacher(X)
    if not sequence_output:
        y = np.ascontiguousarray(y[:, -1])
    # 4. noise
    y = add_noise(y, noise, rng)

    info = Bunch(
        teacher=teacher,
        nu_w=nu_w,
        nu_u=nu_u,
        transport_w=teacher.transport_w,
        transport_u=teacher.transport_u,
        activation=activation,
        recurrent_scale=recurrent_scale,
        n_draws=n_draws,
        output_bound=teacher.output_bound_for(n_timesteps),
        max_transport_w=float(np.max(np.abs(teacher.transport_w(w0, U0)))),
        max_transport_u=float(np.max(np.linalg.norm(teacher.transport_u(U0), axis=1))),
        rkhs_norm_bound=float(np.hypot(nu_w, nu_u)),
        noise=noise,
    )
    return X, y, info

"""Shared parameter descriptions for the theory's docstrings.

A docstring line that holds only ``%(name)s`` is replaced by the numpydoc
entry ``name`` below, indented like the placeholder, so every function lists
each parameter with its type while the wording lives in one place. A group
name stands for its entries in order.
"""

import re

__all__ = ["fill_doc"]

_ENTRIES = {
    "activation": """\
activation : {"tanh", "logistic", "gaussian"}
    Activation function. It fixes ``sigma0, sigma1, sigma2``, the suprema of
    ``|sigma|``, ``|sigma'|`` and ``|sigma''|`` (eq. 4).""",
    "recurrent_scale": """\
recurrent_scale : float
    The paper's ``alpha >= 0``: every initial recurrent weight is ``+alpha``
    or ``-alpha``.""",
    "width": """\
width : int
    Width ``m >= 1`` of the network.""",
    "radius_w": """\
radius_w : float
    Projection radius ``rho_w >= 0`` of the recurrent weights: the iterates
    keep ``|w_i - w_i(0)| <= rho_w / sqrt(m)``.""",
    "radius_u": """\
radius_u : float
    Projection radius ``rho_u >= 0`` of the input weights: the iterates keep
    ``||U_i - U_i(0)||_2 <= rho_u / sqrt(m)``.""",
    "nu_w": """\
nu_w : float, default=None
    Complexity ``nu_w >= 0`` of the target class ``F_{nu_w, nu_u}`` (eq. 9),
    recurrent part. None means ``radius_w``, the largest value the theorem
    allows.""",
    "nu_u": """\
nu_u : float, default=None
    Complexity ``nu_u >= 0`` of the target class, input part. None means
    ``radius_u``.""",
    "nu_w_plain": """\
nu_w : float, default=None
    Complexity ``nu_w >= 0`` of the target class ``F_{nu_w, nu_u}`` (eq. 9),
    recurrent part. None means 1.0 (there is no radius to default to).""",
    "nu_u_plain": """\
nu_u : float, default=None
    Complexity ``nu_u >= 0`` of the target class, input part. None means
    1.0.""",
    "nu_w_or_none": """\
nu_w : float or None
    Complexity ``nu_w >= 0`` of the target class ``F_{nu_w, nu_u}`` (eq. 9),
    recurrent part; None means 1.0.""",
    "nu_u_or_none": """\
nu_u : float or None
    Complexity ``nu_u >= 0`` of the target class, input part; None means
    1.0.""",
    "n_timesteps": """\
n_timesteps : int
    Horizon ``T >= 1`` (the length of the training sequences).""",
    "n_samples": """\
n_samples : int
    Number ``n >= 1`` of training sequences.""",
    "n_features": """\
n_features : int
    Input dimension ``d >= 1``.""",
    "delta": """\
delta : float
    Failure probability, in ``(0, 1)``: the bound holds with probability
    ``1 - delta`` over the random initialization.""",
    "n_iter": """\
n_iter : int
    Number ``tau >= 1`` of gradient steps; the bound is about the iterates
    ``Theta(0), ..., Theta(tau - 1)``.""",
    "learning_rate": """\
learning_rate : "theory", float or None, default=None
    Step size ``eta``. ``"theory"`` (or None) is Theorem 1's own step
    ``1 / (T sqrt(tau))``; a float ``> 0`` gives the step-size-generic form
    of the proof.""",
    "T": """\
T : int
    Number of terms (the horizon), ``T >= 0``.""",
    "z": """\
z : float
    Ratio, ``z >= 0`` (in the bounds ``z = alpha_m * sigma1``).""",
    "max_input_norm": """\
max_input_norm : float or None
    ``max_{j,t} ||X_t^j||_2`` over the training sequences. The theory needs
    it to be at most 1 (a slack of ``1e-12`` absorbs the rounding of a
    rescaled input); above that the bound is NaN with a ``UserWarning``.
    None skips the check (the caller vouches for the inputs).""",
}

#: placeholders that stand for several entries, in order
_GROUPS = {
    "data": ("n_timesteps", "n_samples", "n_features", "delta"),
    "radii": ("radius_w", "radius_u", "nu_w", "nu_u"),
    "projected_setting": ("activation", "recurrent_scale", "width", "radii", "data"),
}

_PLACEHOLDER = re.compile(r"^(?P<indent>[ ]*)%\((?P<name>\w+)\)s[ ]*$", re.MULTILINE)


def _entry_lines(name):
    if name in _GROUPS:
        return [line for member in _GROUPS[name] for line in _entry_lines(member)]
    return _ENTRIES[name].splitlines()


def _expand(match):
    indent = match["indent"]
    return "\n".join(indent + line if line else line for line in _entry_lines(match["name"]))


def fill_doc(function):
    """Replace the ``%(name)s`` lines of ``function.__doc__`` by the shared entries.

    Parameters
    ----------
    function : callable
        Function whose docstring holds placeholders.

    Returns
    -------
    callable
        The same function, its docstring filled in.
    """
    function.__doc__ = _PLACEHOLDER.sub(_expand, function.__doc__)
    return function

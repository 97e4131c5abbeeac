"""Proposition 3: the random-feature approximation of the kernel class."""

import math

from ._constants import memory_sums, product, upper
from ._docstrings import fill_doc
from ._settings import TheorySettings

__all__ = ["prop3_bound", "prop3_value"]


def prop3_value(settings):
    """Prop. 3 with Prop. 5's union bound for validated settings (``width`` = ``2M``)."""
    sigma0, sigma1, _ = settings.sigmas
    m0 = memory_sums(settings.n_timesteps, settings.recurrent_scale * sigma1)[0]
    root = math.sqrt(2.0 * settings.log_term / settings.width)
    return upper(product(2.0, m0, sigma1, settings.nu_u + sigma0 * settings.nu_w, root))


@fill_doc
def prop3_bound(*, activation, recurrent_scale, width, nu_w, nu_u, n_timesteps, n_samples, delta):
    """Proposition 3 (with the union bound of Prop. 5): random-feature error.

    For the linearized model of width ``m = 2M`` (``M`` random features of a
    symmetric initialization), with probability ``1 - delta`` every target
    of ``F_{nu_w, nu_u}`` is matched on all ``n`` training sequences and all
    ``T`` steps within

    ``2 mu0_T(alpha sigma1) sigma1 (nu_u + sigma0 nu_w) sqrt(2 log(2 n T / delta) / m)``.

    No projection radius enters, so ``mu0`` is at ``alpha``, not ``alpha_m``.

    Parameters
    ----------
    %(activation)s
    %(recurrent_scale)s
    width : int
        Width ``m = 2M >= 1`` of the linearized model.
    %(nu_w_or_none)s
    %(nu_u_or_none)s
    %(n_timesteps)s
    %(n_samples)s
    %(delta)s

    Returns
    -------
    float
        The bound; ``inf`` on overflow.
    """
    settings = TheorySettings.from_arguments(locals(), "width", "n_timesteps", "n_samples", "delta")
    return prop3_value(settings)

"""Small pieces shared by the generators: unit-ball inputs and target noise."""

import numpy as np

from .._validation import step_norms


def add_noise(y, noise, rng):
    """``y`` plus i.i.d. Gaussian noise of standard deviation ``noise`` (none if 0)."""
    if noise > 0.0:
        y = y + rng.normal(scale=noise, size=y.shape)
    return y


def sample_unit_ball_steps(rng, n_samples, n_timesteps, n_features):
    """Steps with a uniformly random direction and a norm uniform in [0, 1)."""
    steps = rng.standard_normal((n_samples, n_timesteps, n_features))
    norms = np.linalg.norm(steps, axis=2, keepdims=True)
    np.maximum(norms, np.finfo(np.float64).tiny, out=norms)
    radii = rng.uniform(0.0, 1.0, size=(n_samples, n_timesteps, 1))
    steps *= radii / norms
    # Guard against rounding putting a step a hair outside the unit ball, with
    # the norm the estimators check the theory's condition with.
    steps /= np.maximum(step_norms(steps), 1.0)[:, :, np.newaxis]
    return steps

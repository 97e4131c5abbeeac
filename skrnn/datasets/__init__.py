"""Sequence data: a teacher of known complexity, memory benchmarks, a real series.

Every generator returns inputs ``X`` of shape (n_samples, n_timesteps,
n_features) and targets ``y`` with ``y[:, t]`` the target of the output
produced after reading ``X[:, :t + 1]``, so every target is a causal function
of the inputs.

* :func:`make_rkhs_teacher` draws a member of the class
  ``F_{nu_w, nu_u}`` of Cayci & Eryilmaz (eq. 9), the dynamical systems the
  convergence theorems are stated for, with a known complexity
  ``(nu_w, nu_u)``. Its inputs satisfy ``max_t ||X_t||_2 <= 1``, as the
  theory assumes.
* :func:`make_narma` is the classic NARMA benchmark (order 10 by default), a
  nonlinear system with a long memory.
* :func:`make_linear_memory` is a linear filter with an exponentially fading
  memory whose length is set by one parameter.
"""

from ._benchmarks import make_linear_memory, make_narma
from ._teacher import RKHSTeacher, make_rkhs_teacher

__all__ = [
    "RKHSTeacher",
    "make_linear_memory",
    "make_narma",
    "make_rkhs_teacher",
]

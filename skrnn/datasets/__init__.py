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

For forecasting real data:

* :func:`load_sunspots` loads the yearly sunspot numbers 1700-2008, a small
  public-domain series shipped with the package;
* :func:`make_windows` cuts a series into windows of past values and the
  values that follow them, for one-step or multi-step forecasting, on levels
  or on differences.
"""

from ._benchmarks import make_linear_memory, make_narma
from ._real import load_sunspots
from ._teacher import RKHSTeacher, make_rkhs_teacher
from ._windowing import make_windows

__all__ = [
    "RKHSTeacher",
    "load_sunspots",
    "make_linear_memory",
    "make_narma",
    "make_rkhs_teacher",
    "make_windows",
]

"""Constants and convergence bounds of Cayci & Eryilmaz, Section 4.

This package turns the nonasymptotic results of "Convergence of Gradient
Descent for Recurrent Neural Networks: A Nonasymptotic Analysis" (Cayci &
Eryilmaz) into numbers:

* the activation constants of eq. (4) and the memory sums ``mu0_t``,
  ``mu1_t``;
* the local Lipschitz/smoothness constants of Lemmas 1-2 and eq. (31), the
  norm bounds of Proposition 6 and the error term of eq. (19);
* Theorem 1 (best iterate of max-norm projected gradient descent),
  Corollary 1 (average iterate), both also for an arbitrary step size;
* Theorem 2 (gradient descent without projection), evaluated backwards: the
  smallest risk level it certifies for a finished run;
* Proposition 3 (random-feature approximation of the kernel class,
  union bound of Proposition 5);
* the width and iteration counts Theorems 1 and 2 ask for a target risk;
* the memory regime of Remark 5.

Where the paper's statements and proofs disagree, the proofs are followed
(the Lipschitz modulus of Lemma 1 is the square root of the stated value,
``alpha_m`` inside ``beta_t``, and Theorem 2's ``lambda`` carries the
``sqrt(T)`` of its proof).

Everything is plain Python floating point, and every function returns in
milliseconds whatever its (valid) inputs: the inverse problems are solved by
bounded searches, never by counting. In the long-memory regime the
constants grow like ``(alpha_m * sigma1) ** T`` and overflow quickly; such
values come back as ``inf``: no function here raises ``OverflowError``,
returns NaN for an overflow or emits a ``RuntimeWarning``. A NaN is only
returned, with a ``UserWarning`` that says why, when a theorem does not
apply to the inputs (inputs with norm above 1, target complexity above the
projection radius).

The two entry points used by the estimators are :func:`gd_rnn_bound` and
:func:`ntk_bound`.
"""

from ._constants import (
    ACTIVATIONS,
    activation_constants,
    memory_regime,
    mu0,
    mu1,
    theory_constants,
)
from ._kernel import prop3_bound
from ._plain import theorem2_certified_risk, theorem2_requirements
from ._projected import corollary1_bound, theorem1_bound, theorem1_requirements
from ._report import gd_rnn_bound, ntk_bound

__all__ = [
    "ACTIVATIONS",
    "activation_constants",
    "mu0",
    "mu1",
    "memory_regime",
    "theory_constants",
    "theorem1_bound",
    "corollary1_bound",
    "theorem1_requirements",
    "theorem2_certified_risk",
    "theorem2_requirements",
    "prop3_bound",
    "gd_rnn_bound",
    "ntk_bound",
]

# the public functions are documented (and shown in tracebacks' reprs) as
# members of this package, where users import them from
for _name in __all__:
    _object = globals()[_name]
    if callable(_object):
        _object.__module__ = __name__
del _name, _object

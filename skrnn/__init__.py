"""skrnn: recurrent networks in the kernel regime, the scikit-learn way.

Estimators and tools built on Cayci & Eryilmaz, "Convergence of Gradient
Descent for Recurrent Neural Networks: A Nonasymptotic Analysis".

* :class:`ProjectedGDRNNRegressor`: the finite-width RNN, trained by
  (projected) full-batch gradient descent.
* :class:`NTKRNNKernelRegressor`: its infinite-width limit, kernel regression
  with the neural tangent kernel of Proposition 2.
* :mod:`skrnn.kernels` (``rnn_ntk``), :mod:`skrnn.theory` (the bounds),
  :mod:`skrnn.datasets`, :mod:`skrnn.preprocessing`.
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _distribution_version

try:
    __version__ = _distribution_version("skrnn")
except PackageNotFoundError:  # a source tree that is not installed
    __version__ = "0.0.0+unknown"

from . import datasets, kernels, preprocessing, theory  # noqa: E402
from ._base import InconsistentVersionWarning  # noqa: E402
from .ntk import NTKRNNKernelRegressor  # noqa: E402
from .rnn import ProjectedGDRNNRegressor  # noqa: E402

__all__ = [
    "InconsistentVersionWarning",
    "NTKRNNKernelRegressor",
    "ProjectedGDRNNRegressor",
    "datasets",
    "kernels",
    "preprocessing",
    "theory",
    "__version__",
]

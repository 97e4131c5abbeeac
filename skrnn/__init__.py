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

from . import datasets, kernels, preprocessing, theory
from .ntk import NTKRNNKernelRegressor
from .rnn import ProjectedGDRNNRegressor

__version__ = "0.1.0"

__all__ = [
    "NTKRNNKernelRegressor",
    "ProjectedGDRNNRegressor",
    "datasets",
    "kernels",
    "preprocessing",
    "theory",
    "__version__",
]

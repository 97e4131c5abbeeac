"""skrnn: recurrent networks in the kernel regime, the scikit-learn way.

Estimators and tools built on Cayci & Eryilmaz, "Convergence of Gradient
Descent for Recurrent Neural Networks: A Nonasymptotic Analysis".
"""

from .rnn import ProjectedGDRNNRegressor

__version__ = "0.1.0"

__all__ = ["ProjectedGDRNNRegressor", "__version__"]

"""skrnn: recurrent networks in the kernel regime, the scikit-learn way.

Estimators and tools built on Cayci & Eryilmaz, "Convergence of Gradient
Descent for Recurrent Neural Networks: A Nonasymptotic Analysis".

* :class:`ProjectedGDRNNRegressor`: the finite-width RNN, trained by
  (projected) full-batch gradient descent.
* :class:`NTKRNNKernelRegressor`: its infinite-width limit, kernel regression
  with the neural tangent kernel of Proposition 2.
* :mod:`skrnn.kernels` (``rnn_ntk``), :mod:`skrnn.theory` (the bounds),
  :mod:`skrnn.datasets`, :mod:`skrnn.preprocessing`.

The names are imported on first use (``import skrnn`` alone does not load
scikit-learn, SciPy or Numba); ``from skrnn import ProjectedGDRNNRegressor``
and ``skrnn.theory`` work as usual.
"""

import importlib

__all__ = [
    "InconsistentVersionWarning",
    "InputScaleWarning",
    "NTKRNNKernelRegressor",
    "ProjectedGDRNNRegressor",
    "datasets",
    "kernels",
    "preprocessing",
    "theory",
    "__version__",
]

_SUBMODULES = frozenset({"datasets", "kernels", "preprocessing", "theory"})
# public name -> the module that defines it
_DEFINED_IN = {
    "InconsistentVersionWarning": "._base",
    "InputScaleWarning": ".rnn",
    "NTKRNNKernelRegressor": ".ntk",
    "ProjectedGDRNNRegressor": ".rnn",
}


def _installed_version():
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("skrnn")
    except PackageNotFoundError:  # a source tree that is not installed
        return "0.0.0+unknown"


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _DEFINED_IN:
        value = getattr(importlib.import_module(_DEFINED_IN[name], __name__), name)
    elif name == "__version__":
        value = _installed_version()
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))

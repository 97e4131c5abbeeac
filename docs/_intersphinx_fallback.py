"""Offline fallback inventories for intersphinx.

The docs link to scikit-learn, NumPy, SciPy and Python through intersphinx.
Online, Sphinx downloads each project's ``objects.inv``. Without network
access that download fails, Sphinx warns, and a ``-W`` build stops; the one
``:ref:`` label we inherit from scikit-learn (``r2_score``, in
``RegressorMixin.score``) is then undefined as well.

So every mapping lists two locations, tried in order: the project's own
inventory, then a small inventory written here from the table below. A
fallback that is used is only reported at "info" level. The table holds
exactly the targets that skrnn's pages and docstrings refer to, with the
addresses these projects have used for years; when online, the real
inventories take precedence and any entry that no longer exists there shows
up as a broken reference in a ``-W`` build.

Add a row when the docs start linking a new external name.
"""

import zlib
from pathlib import Path

# project -> (base URL, project name, [(name, domain:role, uri, display name)])
# In ``uri`` a trailing ``$`` stands for the name, as in Sphinx inventories.
FALLBACK = {
    "sklearn": (
        "https://scikit-learn.org/stable/",
        "scikit-learn",
        [
            (
                "r2_score",
                "std:label",
                "modules/model_evaluation.html#r2-score",
                "R² score, the coefficient of determination",
            ),
            (
                "sklearn.metrics.r2_score",
                "py:function",
                "modules/generated/sklearn.metrics.r2_score.html#$",
                "-",
            ),
            (
                "sklearn.pipeline.Pipeline",
                "py:class",
                "modules/generated/sklearn.pipeline.Pipeline.html#$",
                "-",
            ),
            (
                "sklearn.pipeline.make_pipeline",
                "py:function",
                "modules/generated/sklearn.pipeline.make_pipeline.html#$",
                "-",
            ),
            (
                "sklearn.model_selection.GridSearchCV",
                "py:class",
                "modules/generated/sklearn.model_selection.GridSearchCV.html#$",
                "-",
            ),
            (
                "sklearn.model_selection.TimeSeriesSplit",
                "py:class",
                "modules/generated/sklearn.model_selection.TimeSeriesSplit.html#$",
                "-",
            ),
            (
                "sklearn.preprocessing.StandardScaler",
                "py:class",
                "modules/generated/sklearn.preprocessing.StandardScaler.html#$",
                "-",
            ),
            (
                "sklearn.compose.TransformedTargetRegressor",
                "py:class",
                "modules/generated/sklearn.compose.TransformedTargetRegressor.html#$",
                "-",
            ),
            (
                "sklearn.kernel_ridge.KernelRidge",
                "py:class",
                "modules/generated/sklearn.kernel_ridge.KernelRidge.html#$",
                "-",
            ),
            (
                "sklearn.neural_network.MLPRegressor",
                "py:class",
                "modules/generated/sklearn.neural_network.MLPRegressor.html#$",
                "-",
            ),
            (
                "sklearn.linear_model.Ridge",
                "py:class",
                "modules/generated/sklearn.linear_model.Ridge.html#$",
                "-",
            ),
            (
                "sklearn.exceptions.ConvergenceWarning",
                "py:class",
                "modules/generated/sklearn.exceptions.ConvergenceWarning.html#$",
                "-",
            ),
        ],
    ),
    "numpy": (
        "https://numpy.org/doc/stable/",
        "NumPy",
        [
            ("numpy.ndarray", "py:class", "reference/generated/numpy.ndarray.html#$", "-"),
            ("numpy.random.RandomState", "py:class", "reference/random/legacy.html#$", "-"),
            ("numpy.random.Generator", "py:class", "reference/random/generator.html#$", "-"),
            ("numpy.transpose", "py:function", "reference/generated/numpy.transpose.html#$", "-"),
        ],
    ),
    "scipy": (
        "https://docs.scipy.org/doc/scipy/",
        "SciPy",
        [
            (
                "scipy.linalg.eigh",
                "py:function",
                "reference/generated/scipy.linalg.eigh.html#$",
                "-",
            ),
            (
                "scipy.stats.qmc.Sobol",
                "py:class",
                "reference/generated/scipy.stats.qmc.Sobol.html#$",
                "-",
            ),
        ],
    ),
    "python": (
        "https://docs.python.org/3/",
        "Python",
        [
            ("logging.getLogger", "py:function", "library/logging.html#$", "-"),
            ("logging.Logger", "py:class", "library/logging.html#$", "-"),
            ("logging.StreamHandler", "py:class", "library/logging.handlers.html#$", "-"),
        ],
    ),
}


def write_inventories(folder):
    """Write ``<project>.inv`` for each project of :data:`FALLBACK` into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for key, (_, project, entries) in FALLBACK.items():
        body = "".join(f"{name} {role} 1 {uri} {display}\n" for name, role, uri, display in entries)
        header = (
            "# Sphinx inventory version 2\n"
            f"# Project: {project}\n"
            "# Version: \n"
            "# The remainder of this file is compressed using zlib.\n"
        )
        path = folder / f"{key}.inv"
        data = header.encode() + zlib.compress(body.encode())
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        paths[key] = path
    return paths


def intersphinx_mapping(folder, offline):
    """The ``intersphinx_mapping``: remote inventory first, local fallback second.

    With ``offline`` true the remote inventories are not tried at all.
    """
    paths = write_inventories(folder)
    mapping = {}
    for key, (url, _, _) in FALLBACK.items():
        local = str(paths[key])
        mapping[key] = (url, (local,) if offline else (None, local))
    return mapping

"""Sphinx configuration for the skrnn documentation.

Build (from the repository root, with ``pip install ".[docs]"``)::

    python -m sphinx -W -b html docs docs/_build/html

Environment variables:

``SKRNN_EXAMPLES_QUICK=1``
    The gallery examples run at a small size (used in CI; the figures are
    then less smooth but every code path runs).
``SKRNN_DOCS_OFFLINE=1``
    Do not try to download the intersphinx inventories of scikit-learn,
    NumPy, SciPy and Python; use the small fallback inventories of
    ``docs/_intersphinx_fallback.py`` instead. Without it, the download is
    tried first and the fallback is used only when it fails, so the build
    passes with ``-W`` both on- and offline.

Add ``-D plot_gallery=0`` to skip running the examples altogether.
"""

import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _intersphinx_fallback  # noqa: E402

import skrnn  # noqa: E402

project = "skrnn"
author = "the skrnn developers"
copyright = "the skrnn developers"
release = skrnn.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb"]
html_theme = "alabaster"
html_static_path = ["_static"]

# --- API pages --------------------------------------------------------------
# One page per public name, generated from each module's ``__all__``, so the
# API reference cannot fall behind the code.
autosummary_generate = True
autosummary_ignore_module_all = False
autodoc_default_options = {"member-order": "bysource"}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# The class pages show the estimator methods users call (fit, predict, score,
# transform, get_params, set_params); scikit-learn's metadata-routing
# requesters and set_output are inherited unchanged and left to its own docs
# (see docs/_templates/autosummary/class.rst).

# --- intersphinx ------------------------------------------------------------
OFFLINE = os.environ.get("SKRNN_DOCS_OFFLINE", "") not in ("", "0")
intersphinx_mapping = _intersphinx_fallback.intersphinx_mapping(
    HERE / "_build" / "intersphinx_fallback", offline=OFFLINE
)
intersphinx_timeout = 10

# --- gallery ----------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "remove_config_comments": True,
    "matplotlib_animations": False,
}

# --- docstring touch-up -----------------------------------------------------
# numpydoc puts a parameter's type line into reST as it is. A shape such as
# ``ndarray of shape (n_iter_ + 1,)`` then reads ``n_iter_`` as a link to a
# target named "n_iter". Escape the trailing underscore of names inside
# "of shape (...)" so they print as written (scikit-learn writes them in
# backquotes instead; those are left alone).
_SHAPE = re.compile(r"of shape \(([^)]*)\)")
_TRAILING_UNDERSCORE = re.compile(r"(?<![`\w\\])([A-Za-z]\w*?)_(?=[\s,)+\-*/]|$)")


def _escape_shape(match):
    inner = _TRAILING_UNDERSCORE.sub(r"\1\\_", match.group(1))
    return f"of shape ({inner})"


def escape_fitted_names_in_shapes(app, what, name, obj, options, lines):
    lines[:] = [_SHAPE.sub(_escape_shape, line) for line in lines]


def setup(app):
    # numpydoc parses docstrings at priority 500; run before it.
    app.connect("autodoc-process-docstring", escape_fitted_names_in_shapes, priority=400)

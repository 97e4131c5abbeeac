"""Sphinx configuration. Build with ``pip install .[docs]`` then ``sphinx-build docs docs/_build``."""

project = "skrnn"
author = "the skrnn developers"
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
numpydoc_show_class_members = False
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
}
html_theme = "alabaster"
exclude_patterns = ["_build", "auto_examples/*.ipynb"]

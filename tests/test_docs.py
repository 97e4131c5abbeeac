"""The documentation builds with warnings as errors, and lists every public name."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_MODULES = ["skrnn.kernels", "skrnn.theory", "skrnn.datasets", "skrnn.preprocessing"]


@pytest.fixture(scope="module")
def built_docs(tmp_path_factory):
    pytest.importorskip("sphinx")
    pytest.importorskip("numpydoc")
    pytest.importorskip("sphinx_gallery")
    out = tmp_path_factory.mktemp("html")
    doctrees = tmp_path_factory.mktemp("doctrees")
    env = dict(os.environ, SKRNN_DOCS_OFFLINE="1", SKRNN_EXAMPLES_QUICK="1", MPLBACKEND="Agg")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-E",
            "-q",
            "-b",
            "html",
            "-d",
            str(doctrees),
            "-D",
            "plot_gallery=0",
            str(ROOT / "docs"),
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    return out


def test_docs_build_with_warnings_as_errors(built_docs):
    assert (built_docs / "index.html").is_file()


def _public_names():
    import skrnn

    names = [f"skrnn.{name}" for name in ("ProjectedGDRNNRegressor", "NTKRNNKernelRegressor")]
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        names += [f"{module_name}.{name}" for name in module.__all__]
    assert set(skrnn.__all__) >= {"ProjectedGDRNNRegressor", "NTKRNNKernelRegressor"}
    return names


def test_api_reference_has_a_page_for_every_public_name(built_docs):
    missing = [
        name
        for name in _public_names()
        if not (built_docs / "generated" / f"{name}.html").is_file()
    ]
    assert not missing


def test_fallback_inventory_names_exist():
    """Every Python object of the offline inventories is a real, importable name."""
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        from _intersphinx_fallback import FALLBACK
    finally:
        sys.path.pop(0)
    for _, _, entries in FALLBACK.values():
        for name, role, _, _ in entries:
            if not role.startswith("py:"):
                continue
            module_name, _, attribute = name.rpartition(".")
            module = importlib.import_module(module_name)
            assert hasattr(module, attribute), name

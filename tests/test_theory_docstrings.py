"""numpydoc validation of every public object of skrnn.theory."""

import pytest

from skrnn import theory

numpydoc_validate = pytest.importorskip("numpydoc.validate")

#: checks that a short function may skip: extended summary, See Also, Examples
IGNORED = {"ES01", "SA01", "EX01"}

PUBLIC_FUNCTIONS = [name for name in theory.__all__ if callable(getattr(theory, name))]


@pytest.mark.parametrize("name", PUBLIC_FUNCTIONS)
def test_public_theory_docstrings_are_valid_numpydoc(name):
    result = numpydoc_validate.validate(f"skrnn.theory.{name}")
    errors = [f"{code}: {message}" for code, message in result["errors"] if code not in IGNORED]
    assert not errors, errors


@pytest.mark.parametrize("name", PUBLIC_FUNCTIONS)
def test_docstrings_name_every_parameter_with_a_type_and_cite_no_design_notes(name):
    function = getattr(theory, name)
    doc = function.__doc__
    assert "DESIGN" not in doc and "%(" not in doc
    assert "as in :func:" not in doc  # no "see another function" parameter entries
    for parameter in function.__code__.co_varnames[
        : function.__code__.co_argcount + function.__code__.co_kwonlyargcount
    ]:
        assert f"\n    {parameter} : " in doc, parameter


def test_package_docstrings_cite_no_design_notes():
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(theory.__path__):
        source = importlib.import_module(f"skrnn.theory.{module.name}")
        assert "DESIGN" not in (source.__doc__ or ""), module.name
    assert "DESIGN" not in theory.__doc__

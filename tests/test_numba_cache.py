"""Where the kernels are cached: beside the sources, else per user, else in memory."""

import os
import shutil
import subprocess
import sys

import pytest

import skrnn

_PACKAGE = os.path.dirname(os.path.abspath(skrnn.__file__))

# a tiny fit, then the number of cache hits of the gradient kernel
_FIT_AND_REPORT = (
    "import numpy as np, warnings; warnings.simplefilter('ignore');"
    "import skrnn, skrnn._numba as nb;"
    "from skrnn._numba.recurrence import risk_and_gradient as kernel;"
    "from skrnn import ProjectedGDRNNRegressor;"
    "X = np.random.default_rng(0).uniform(-.5, .5, (6, 3, 1));"
    "m = ProjectedGDRNNRegressor(width=4, max_iter=2).fit(X, X[:, :, 0]);"
    "assert np.isfinite(m.predict(X)).all();"
    "print(skrnn.__file__, nb.CACHE, sum(kernel.stats.cache_hits.values()),"
    " sum(kernel.stats.cache_misses.values()))"
)


def _run(code, env, cwd=None):
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.split()


def _blocked(tmp_path, name):
    """A path that cannot be created, even by root: it lies below a regular file."""
    blocker = tmp_path / f"{name}_is_a_file"
    blocker.write_text("not a folder")
    return blocker / "cache"


def _read_only_copy(tmp_path):
    """The package copied elsewhere, with no writable ``__pycache__`` beside the kernels."""
    root = tmp_path / "site"
    shutil.copytree(_PACKAGE, root / "skrnn", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    # a regular file where Numba would create the folder: unwritable for root too
    (root / "skrnn" / "_numba" / "__pycache__").write_text("read-only install")
    if os.geteuid() != 0:
        for folder, _, _ in os.walk(root):
            os.chmod(folder, 0o555)
    return root


def _clean_env(**extra):
    env = {key: value for key, value in os.environ.items() if not key.startswith("NUMBA_")}
    env.pop("SKRNN_NUMBA_CACHE", None)
    env.update(extra)
    return env


def test_cache_can_be_turned_off():
    env = dict(os.environ, SKRNN_NUMBA_CACHE="0")
    code = "import skrnn._numba as nb; assert nb.CACHE is False"
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=300)


@pytest.mark.slow
def test_read_only_install_caches_per_user(tmp_path):
    """A second process loads the kernels from the per-user folder instead of recompiling."""
    root = _read_only_copy(tmp_path)
    user_cache = tmp_path / "user_cache"
    env = _clean_env(PYTHONPATH=str(root), XDG_CACHE_HOME=str(user_cache))
    try:
        first = _run(_FIT_AND_REPORT, env, cwd=tmp_path)
        second = _run(_FIT_AND_REPORT, env, cwd=tmp_path)
    finally:
        for folder, _, _ in os.walk(root):
            os.chmod(folder, 0o755)
    assert first[0].startswith(str(root)), first  # the copy was imported
    assert first[1] == "True" and second[1] == "True"
    assert int(first[2]) == 0 and int(first[3]) >= 1  # compiled ...
    assert int(second[2]) >= 1 and int(second[3]) == 0  # ... then loaded
    assert any((user_cache / "numba").rglob("*.nbi"))


def test_import_and_fit_when_no_folder_is_writable(tmp_path):
    """Nothing writable: import still works and the kernels compile in memory."""
    root = _read_only_copy(tmp_path)
    env = _clean_env(
        PYTHONPATH=str(root),
        NUMBA_CACHE_DIR=str(_blocked(tmp_path, "numba_cache_dir")),
        XDG_CACHE_HOME=str(_blocked(tmp_path, "xdg")),
        HOME=str(_blocked(tmp_path, "home")),
    )
    try:
        report = _run(_FIT_AND_REPORT, env, cwd=tmp_path)
    finally:
        for folder, _, _ in os.walk(root):
            os.chmod(folder, 0o755)
    assert report[0].startswith(str(root)), report
    assert report[1] == "False"
    assert int(report[2]) == 0


def test_unwritable_cache_dir_falls_back_like_numba(tmp_path):
    """An unusable ``NUMBA_CACHE_DIR`` is skipped (as Numba does), caching goes on."""
    env = _clean_env(
        NUMBA_CACHE_DIR=str(_blocked(tmp_path, "numba_cache_dir")),
        XDG_CACHE_HOME=str(tmp_path / "xdg"),
    )
    code = "import skrnn._numba as nb; print(nb.CACHE)"
    assert _run(code, env) == ["True"]

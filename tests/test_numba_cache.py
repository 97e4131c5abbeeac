"""Import and run the kernels when no cache folder can be written."""

import os
import subprocess
import sys




def test_cache_can_be_turned_off():
    env = dict(os.environ, SKRNN_NUMBA_CACHE="0")
    code = "import skrnn._numba as nb; assert nb.CACHE is False"
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=300)


def test_import_and_fit_without_a_writable_cache(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    # a path below a regular file cannot be created, even by root
    env = dict(os.environ, NUMBA_CACHE_DIR=str(blocker / "cache"))
    code = (
        "import numpy as np, warnings; warnings.simplefilter('ignore');"
        "import skrnn._numba as nb; assert nb.CACHE is False, nb.CACHE;"
        "from skrnn import ProjectedGDRNNRegressor;"
        "X = np.random.default_rng(0).uniform(-.5, .5, (6, 3, 1));"
        "m = ProjectedGDRNNRegressor(width=4, max_iter=2).fit(X, X[:, :, 0]);"
        "assert np.isfinite(m.predict(X)).all()"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=300)

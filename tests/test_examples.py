"""Every gallery example runs at small size and draws its figure."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("plot_*.py"))

# Run the example with pyplot.show replaced by saving every open figure.
RUNNER = """
import runpy, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
out = sys.argv[2]
def show(*args, **kwargs):
    for number in plt.get_fignums():
        plt.figure(number).savefig(f"{out}-{number}.png", dpi=40)
plt.show = show
runpy.run_path(sys.argv[1], run_name="__main__")
"""


def test_examples_are_found():
    assert len(EXAMPLES) >= 7


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs_quickly_and_draws(path, tmp_path):
    env = dict(os.environ, SKRNN_EXAMPLES_QUICK="1", MPLBACKEND="Agg")
    prefix = tmp_path / path.stem
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, str(path), str(prefix)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = sorted(tmp_path.glob(f"{path.stem}-*.png"))
    assert figures, "the example drew no figure"
    assert all(figure.read_bytes()[:4] == b"\x89PNG" for figure in figures)

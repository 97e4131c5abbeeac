"""The command-line tool ``python -m skrnn``."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from skrnn.__main__ import main

TINY = [
    "--n-train",
    "12",
    "--n-test",
    "6",
    "--timesteps",
    "4",
    "--widths",
    "4",
    "16",
    "--steps",
    "20",
    "--mc-samples",
    "32",
    "--quiet",
]


def _run(*args):
    return subprocess.run(
        [sys.executable, "-m", "skrnn", *args], capture_output=True, text=True, timeout=300
    )


def test_help_lists_the_options():
    result = _run("--help")
    assert result.returncode == 0
    for option in (
        "--plot",
        "--json",
        "--activation",
        "--radius-w",
        "--radius-u",
        "--dataset",
        "--max-memory",
    ):
        assert option in result.stdout


BAD_OPTIONS = [
    (["--learning-rate", "-1"], "--learning-rate"),
    (["--learning-rate", "inf"], "--learning-rate"),
    (["--mc-samples", "0"], "--mc-samples"),
    (["--mc-samples", "2.5"], "--mc-samples"),
    (["--noise", "nan"], "--noise"),
    (["--noise", "-0.1"], "--noise"),
    (["--seed", "-1"], "--seed"),
    (["--seed", "x"], "--seed"),
    (["--widths", "3"], "--widths"),
    (["--activation", "relu"], "--activation"),
    (["--radius-w", "1"], "--radius-u"),
    (["--no-such-option"], "--no-such-option"),
    (["--n-train", "100000000"], "--max-memory"),
]


@pytest.mark.parametrize("args, fragment", BAD_OPTIONS)
def test_a_bad_option_exits_non_zero_with_one_line(args, fragment, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("python -m skrnn: error:") and fragment in lines[0]
    assert captured.out == ""


def test_a_bad_option_in_a_real_process_has_no_traceback():
    result = _run("--learning-rate", "-1")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "python -m skrnn: error: argument --learning-rate: expected a positive finite "
        "number, got '-1' (see --help)"
    ]
    assert result.stdout == ""


def test_json_is_machine_readable(capsys):
    assert main([*TINY, "--json"]) == 0
    out = capsys.readouterr().out
    payload = json.loads(out)  # the whole of stdout is one JSON document
    rows = payload["results"]
    assert [row["width"] for row in rows if row["model"] == "rnn"] == [4, 16]
    assert {row["model"] for row in rows} == {"rnn", "kernel_gd", "kernel_ridge"}
    kernel = next(row for row in rows if row["model"] == "kernel_gd")
    assert kernel["distance_to_kernel"] == 0.0
    for row in rows:
        assert row["train_risk"] >= 0 and math.isfinite(row["train_risk"])
        assert row["test_r2"] <= 1.0
        assert row["status"] in ("ok", "warning", "diverged")
        assert row["theoretical_bound"] is None or isinstance(row["theoretical_bound"], float | str)
    assert payload["config"]["widths"] == [4, 16]


def test_divergence_is_reported_not_hidden(capsys):
    assert main([*TINY, "--widths", "8", "--learning-rate", "1e6", "--json"]) == 0
    captured = capsys.readouterr()
    row = json.loads(captured.out)["results"][0]
    # a step of 1e6 saturates tanh: the risk stays finite but does not decrease
    assert row["status"] in ("warning", "diverged") and row["warnings"]
    assert f"warning (RNN, width 8): {row['warnings'][0]}" in captured.err


def test_plot_writes_a_png(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = tmp_path / "convergence.png"
    assert main([*TINY, "--plot", str(path)]) == 0
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    table = capsys.readouterr().out
    assert "RNN, width 16" in table and "kernel limit, same GD" in table


def test_sunspots_is_split_in_time_and_scaled_on_training_data(capsys):
    from skrnn.datasets import load_sunspots

    assert (
        main(
            [
                "--dataset",
                "sunspots",
                "--timesteps",
                "10",
                "--widths",
                "4",
                "--steps",
                "5",
                "--mc-samples",
                "8",
                "--quiet",
                "--json",
            ]
        )
        == 0
    )
    config = json.loads(capsys.readouterr().out)["config"]
    n_windows = len(load_sunspots(return_series=True)) - 10
    assert config["n_train"] + config["n_test"] == n_windows
    assert config["n_train"] == int(0.7 * n_windows)


def test_plot_without_matplotlib_is_one_clear_line(tmp_path):
    code = (
        "import sys; sys.modules['matplotlib'] = None; from skrnn.__main__ import main; "
        f"sys.exit(main(['--plot', {str(tmp_path / 'x.png')!r}]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "python -m skrnn: error: --plot needs matplotlib (pip install matplotlib) (see --help)"
    ]


def test_progress_goes_to_stderr(capsys):
    args = [a for a in TINY if a != "--quiet"]
    assert main([*args, "--json"]) == 0
    captured = capsys.readouterr()
    json.loads(captured.out)
    assert "RNN, width 16: fitting" in captured.err and "s] " in captured.err
    assert np.all(
        [
            line.startswith("[") or line.startswith("warning")
            for line in captured.err.strip().splitlines()
        ]
    )

"""Run every benchmark of issue 10, print a table of medians and ratios, write JSON.

Run: ``python benchmarks/run_all.py [--quick] [--json out.json]
[--baseline-python PATH] [--no-baselines] [--only ntk,gradient,system]``
(``--only`` also takes parts of ``system``: ``scaling``, ``grid_search``,
``busy_machine``, ``parallel_threshold``, ``latency``).

The PyTorch and JAX baselines run in their own processes with the
interpreter given by ``--baseline-python`` (or ``SKRNN_BENCH_PYTHON``;
default: this one), e.g. a virtual environment with ``pip install
-e .[bench]``. A framework that is not installed there is skipped.
All times are wall-clock medians; the machine's load inflates them (the
load average is recorded), so compare ratios taken in the same run.
``--quick`` uses smaller problems (not the issue's sizes) and fewer repeats.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_gradient  # noqa: E402
import bench_ntk  # noqa: E402
import bench_system  # noqa: E402
from _common import environment  # noqa: E402


def _row(rows, label, measured, goal, met):
    rows.append((label, measured, goal, "met" if met else "NOT met"))


def _baseline_row(rows, result, framework, goal_factor):
    report = result.get(framework)
    if report is None:
        return
    label = f"  {framework} vs skrnn"
    goal = f">= {goal_factor:g}x"
    if not report.get("available"):
        rows.append((label, "skipped: " + report.get("reason", "")[:70], goal, "-"))
        return
    speedup = report["speedup_of_skrnn"]
    measured = (
        f"{report['median']:.3f} s = {speedup:.1f}x skrnn's time (max rel. diff "
        f"{report['max_relative_difference']:.1e}; {framework} {report['version']})"
    )
    _row(rows, label, measured, goal, speedup >= goal_factor)


def _ntk_rows(rows, ntk):
    g = ntk["ntk_grams"]
    measured = (
        f"{g['skrnn_s']:.3f} s = {g['ratio_to_bound']:.2f}x bound "
        f"({g['bound_s']:.3f} s, P = {g['gemm_gflops']:.0f} GF/s)"
    )
    _row(rows, f"NTK Grams {tuple(g['config'])}", measured, "<= 1.6x", g["ratio_to_bound"] <= 1.6)
    _baseline_row(rows, g, "jax", 1.7)
    _baseline_row(rows, g, "torch", 4)
    fit = ntk["ntk_fit"]
    for name in ("seq2one", "seq2seq"):
        f = fit[name]
        measured = (
            f"{f['fit_s']:.2f} s (alpha='auto'); features {f['features_s']:.2f} + Gram "
            f"{f['gram_s']:.2f} + eigh {f['eigh_s']:.2f} (GCV) + solve {f['solve_s']:.2f}: "
            f"fit / (features + solve) = {f['ratio_to_features_plus_solve']:.2f}, "
            f"/ (features + Gram + eigh) = {f['ratio_to_features_gram_eigh']:.2f}; "
            f"given alpha: {f['fit_fixed_alpha_s']:.2f} s = "
            f"{f['fixed_alpha_ratio_to_features_gram_solve']:.2f}x (features + Gram + solve)"
        )
        label = f"NTK fit {name} {tuple(fit['config'])} ({f['solver']})"
        _row(rows, label, measured, "<= 1.5x", f["ratio_to_features_plus_solve"] <= 1.5)


def _gradient_rows(rows, gradient):
    for name, g in gradient.items():
        measured = (
            f"{g['skrnn_s'] * 1e3:.1f} ms = {g['ratio_to_bound']:.2f}x bound "
            f"({g['bound_s'] * 1e3:.1f} ms, P = {g['gemm_gflops']:.0f} GF/s)"
        )
        label = f"gradient {name} {tuple(g['config'])}"
        _row(rows, label, measured, "<= 2.5x", g["ratio_to_bound"] <= 2.5)
        _baseline_row(rows, g, "torch", 20)
        _baseline_row(rows, g, "jax", 30)


def _scaling_rows(rows, s):
    exponents = [s[f"exponent_{k}"] for k in ("n", "T", "m")]
    _row(
        rows,
        f"scaling exponents n, T, m (base {tuple(s['base'])})",
        ", ".join(f"{e:.2f}" for e in exponents),
        "0.9-1.15",
        all(0.9 <= e <= 1.15 for e in exponents),
    )
    speedup = s["speedup_1_to_2_threads"]
    _row(rows, "gradient, 1 -> 2 Numba threads", f"{speedup:.2f}x", ">= 1.7x", speedup >= 1.7)


def _grid_rows(rows, gs):
    measured = (
        f"{gs['parallel_s']:.2f} s vs {gs['serial_s']:.2f} s = {gs['speedup']:.2f}x; "
        f"scores identical: {gs['scores_identical']}"
    )
    met = gs["speedup"] >= 1.7 and gs["scores_identical"]
    _row(rows, "GridSearchCV n_jobs=2 vs n_jobs=1", measured, ">= 1.7x", met)


def _busy_rows(rows, bm):
    busy = bm["busy"]["default_over_n_jobs_1"]
    as_is = bm["as_is"]["default_over_n_jobs_1"]
    measured = (
        f"{busy:.2f} with a busy process per core ({bm['busy']['default_s']:.2f} s vs "
        f"{bm['busy']['n_jobs_1_s']:.2f} s), {as_is:.2f} as the machine was "
        f"({bm['as_is']['default_s']:.2f} s vs {bm['as_is']['n_jobs_1_s']:.2f} s)"
    )
    met = busy <= 1.2 and as_is < 1
    _row(rows, "small fit: default / n_jobs=1 time", measured, "<= 1.2 busy, < 1 idle", met)


def _threshold_rows(rows, pt):
    for case in ("as_is", "busy"):
        ratios = ", ".join(
            f"{int(work) // 1000}k: {row['ratio']:.2f}" for work, row in pt[case].items()
        )
        rows.append(
            (
                f"2 threads / serial by n*T*m ({case.replace('_', ' ')})",
                ratios,
                f"serial below {pt['min_parallel_work'] // 1000}k",
                "-",
            )
        )


def _latency_rows(rows, lat):
    _row(rows, "import skrnn", f"{lat['import_s']:.3f} s", "< 1 s", lat["import_s"] < 1)
    if "import_estimator_s" in lat:
        measured = (
            f"{lat['import_estimator_s']:.2f} s (import sklearn.base alone: "
            f"{lat['import_sklearn_base_s']:.2f} s)"
        )
        rows.append(("  from skrnn import ProjectedGDRNNRegressor", measured, "-", "-"))
    warm = lat["warm_first_fit_s"]
    measured = f"{warm:.2f} s (the same fit again: {lat['second_fit_s']:.2f} s)"
    _row(rows, "first fit at A, warm cache", measured, "< 2 s", warm < 2)
    cold = lat["cold_first_fit_s"]
    _row(rows, "first fit at A, empty cache", f"{cold:.2f} s", "< 15 s", cold < 15)


def table(results):
    """The results as a text table: target, measured, goal, met or not."""
    rows = []
    sections = [
        ("NTK", results.get("ntk"), _ntk_rows),
        ("gradient", results.get("gradient"), _gradient_rows),
    ]
    system = results.get("system") or {}
    sections += [
        ("scaling", system.get("scaling"), _scaling_rows),
        ("cross-validation", system.get("grid_search"), _grid_rows),
        ("busy machine", system.get("busy_machine"), _busy_rows),
        ("parallel threshold", system.get("parallel_threshold"), _threshold_rows),
        ("latency", system.get("latency"), _latency_rows),
    ]
    for label, result, add in sections:
        if result is None:
            continue
        if "error" in result:
            rows.append((label, "failed: " + result["error"][:90], "-", "-"))
            continue
        try:
            add(rows, result)
        except (KeyError, TypeError) as error:
            rows.append((label, f"incomplete result ({error!r})", "-", "-"))
    header = ("target", "measured (median)", "goal", "")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(4)]
    return "\n".join(
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *rows]
    )


def _guarded(function, *args):
    try:
        return function(*args)
    except Exception as error:  # noqa: BLE001 - reported in the table and the JSON
        return {"error": f"{type(error).__name__}: {error}"[:300]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small problems, few repeats")
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--baseline-python", help="interpreter with torch and/or jax")
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument(
        "--only",
        default="ntk,gradient,system",
        help="comma-separated: ntk, gradient, system, or parts of system: "
        + ", ".join(bench_system.SECTIONS),
    )
    args = parser.parse_args()
    if args.baseline_python:
        os.environ["SKRNN_BENCH_PYTHON"] = args.baseline_python
    parts = set(args.only.split(","))
    results = {"environment": environment(), "quick": args.quick}
    start = time.perf_counter()
    baselines = not args.no_baselines
    if "ntk" in parts:
        results["ntk"] = _guarded(bench_ntk.run, args.quick, baselines)
    if "gradient" in parts:
        results["gradient"] = _guarded(bench_gradient.run, args.quick, baselines)
    system_parts = [name for name in bench_system.SECTIONS if name in parts]
    if "system" in parts or system_parts:
        results["system"] = bench_system.run(args.quick, system_parts or None)
    results["wall_s"] = time.perf_counter() - start
    results["load_average_end"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(table(results))
    env = results["environment"]
    print(
        f"\n{env.get('cpu_count')} CPUs, load average {env.get('load_average', 0):.1f} at the "
        f"start and {results['load_average_end'] or 0:.1f} at the end; "
        f"{results['wall_s']:.0f} s in all."
    )
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2)
        print(f"results written to {args.json}")


if __name__ == "__main__":
    main()

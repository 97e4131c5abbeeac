"""NTK benchmarks: the same-step Gram matrices against the GEMM bound, PyTorch
and JAX, and the end-to-end fit of ``NTKRNNKernelRegressor`` with its breakdown.

Gram matrices: all T same-step Grams ``rnn_ntk(X, w0=, U0=)`` with ``M = m/2``
draws (tanh, float64), against the bound ``T n^2 M (1 + d) / P`` (one
triangle per Gram at NumPy's GEMM rate P, measured in the same run), and
against PyTorch and JAX computing the same Grams (``baselines.py``, each in
its own process, checked equal to skrnn's before timing).

Fit: ``NTKRNNKernelRegressor(n_mc_samples=512).fit`` on n sequences of T
steps and d features, sequence-to-one and sequence-to-sequence, next to
its parts timed alone: the features (``skrnn._gram._features``), the Gram
of the chosen solver (``gram_matrix``, one-triangle ``syrk``), its
eigendecomposition (``eigendecomposition``, which the default
``alpha="auto"`` needs for GCV) and one Cholesky solve of that size. Every
timed fit starts from an empty feature cache (``clear_feature_cache``, not
timed): a repeated fit on the same data would otherwise reuse the cached
features, Gram and eigendecomposition.

Run: ``python benchmarks/bench_ntk.py [--quick] [--no-baselines]``.
"""

import argparse
import json
import statistics
import time

import numpy as np
from _common import gemm_rate, median_time, ratio, run_baseline, unit_sequences
from scipy import linalg

from skrnn import NTKRNNKernelRegressor
from skrnn._gram import _features
from skrnn._ntk_solvers import eigendecomposition, gram_matrix
from skrnn.kernels import ntk_draws, rnn_ntk
from skrnn.ntk import clear_feature_cache


def ntk_grams(n, T, d, m, repeats, baselines=True):
    """Time ``rnn_ntk`` at (n, T, d, m); returns a dict of results."""
    M = m // 2
    rng = np.random.default_rng(0)
    X = unit_sequences(rng, n, T, d)
    w0, U0 = ntk_draws(M, d, recurrent_scale=0.5, random_state=0)
    rnn_ntk(X[:4], w0=w0, U0=U0)  # compile or load the cache
    rate = gemm_rate()
    seconds, fastest, slowest = median_time(lambda: rnn_ntk(X, w0=w0, U0=U0), repeats, warmup=False)
    rate = 0.5 * (rate + gemm_rate())  # P before and after, as the load may change
    bound = T * n * n * M * (1 + d) / rate
    result = {
        "config": [n, T, d, m],
        "gemm_gflops": rate / 1e9,
        "bound_s": bound,
        "skrnn_s": seconds,
        "skrnn_min_max_s": [fastest, slowest],
        "ratio_to_bound": seconds / bound,
    }
    if baselines:
        steps = np.array(sorted({0, T // 2, T - 1}))
        K = rnn_ntk(X, w0=w0, U0=U0)
        arrays = {"X": X, "w0": w0, "U0": U0, "steps": steps, "reference": K[steps]}
        del K
        for framework in ("jax", "torch"):
            report = run_baseline(framework, "ntk", arrays, max(1, repeats))
            report["speedup_of_skrnn"] = ratio(report.get("median"), seconds)
            result[framework] = report
    return result


def cold_fit_time(model, X, y, repeats):
    """Median wall time of ``model.fit(X, y)``, each fit from an empty feature cache."""
    times = []
    for _ in range(repeats):
        clear_feature_cache()  # not timed
        start = time.perf_counter()
        model.fit(X, y)
        times.append(time.perf_counter() - start)
    clear_feature_cache()
    return statistics.median(times)


def ntk_fit(n, T, d, n_mc_samples, repeats):
    """Fit time of NTKRNNKernelRegressor and its parts, seq-to-one and seq-to-seq."""
    rng = np.random.default_rng(1)
    X = unit_sequences(rng, n, T, d)
    targets = {"seq2one": np.tanh(X[:, -1, 0]), "seq2seq": np.tanh(X[:, :, 0])}
    results = {}
    for name, y in targets.items():
        model = NTKRNNKernelRegressor(n_mc_samples=n_mc_samples, random_state=0)
        model.fit(X[:8], y[:8])  # compile or load the Numba cache
        fit = cold_fit_time(model, X, y, repeats)
        # the same fit with the chosen penalty given: one Cholesky, no eigh
        fixed = NTKRNNKernelRegressor(
            n_mc_samples=n_mc_samples, random_state=0, alpha=float(model.alpha_)
        )
        fixed_fit = cold_fit_time(fixed, X, y, repeats)
        w0, UT0 = model.w0_, np.ascontiguousarray(model.U0_.T)
        n_steps = 1 if y.ndim == 1 else T
        features, _, _ = median_time(
            lambda w0=w0, UT0=UT0, n_steps=n_steps: _features(X, w0, UT0, 0, n_steps), repeats
        )
        Phi = _features(X, w0, UT0, 0, n_steps).reshape(n * n_steps, -1)
        solver = model.solver_
        gram_time, _, _ = median_time(
            lambda Phi=Phi, solver=solver: gram_matrix(Phi, solver), repeats
        )
        G = gram_matrix(Phi, solver)
        del Phi
        eigh_time, _, _ = median_time(lambda G=G: eigendecomposition(G), repeats)
        G[np.diag_indices_from(G)] += 1.0
        rhs = np.ones(G.shape[0])
        solve, _, _ = median_time(
            lambda G=G, rhs=rhs: linalg.cho_solve(linalg.cho_factor(G), rhs), repeats
        )
        del G
        parts = features + gram_time + solve
        results[name] = {
            "solver": solver,
            "alpha": model.alpha_,
            "fit_s": fit,
            "fit_fixed_alpha_s": fixed_fit,
            "features_s": features,
            "gram_s": gram_time,
            "eigh_s": eigh_time,
            "solve_s": solve,
            "ratio_to_features_plus_solve": fit / (features + solve),
            "ratio_to_features_gram_solve": fit / parts,
            "ratio_to_features_gram_eigh": fit / (features + gram_time + eigh_time),
            "fixed_alpha_ratio_to_features_gram_solve": fixed_fit / parts,
        }
    return {"config": [n, T, d, n_mc_samples], **results}


def run(quick=False, baselines=True):
    repeats = 2 if quick else 5
    gram_config = (256, 32, 4, 256) if quick else (1024, 64, 8, 512)
    fit_config = (400, 20, 4, 128) if quick else (2000, 50, 4, 512)
    return {
        "ntk_grams": ntk_grams(*gram_config, repeats=repeats, baselines=baselines),
        "ntk_fit": ntk_fit(*fit_config, repeats=1 if quick else 3),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--fit-only", action="store_true", help="only the fit benchmark")
    args = parser.parse_args()
    if args.fit_only:
        config = (400, 20, 4, 128) if args.quick else (2000, 50, 4, 512)
        result = {"ntk_fit": ntk_fit(*config, repeats=1 if args.quick else 3)}
    else:
        result = run(args.quick, not args.no_baselines)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

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
of the chosen solver (``syrk``) and one Cholesky solve of that size.

Run: ``python benchmarks/bench_ntk.py [--quick] [--no-baselines]``.
"""

import argparse
import json

import numpy as np
from _common import gemm_rate, median_time, ratio, run_baseline, unit_sequences
from scipy import linalg

from skrnn import NTKRNNKernelRegressor
from skrnn._gram import _features, _symmetric_gram
from skrnn.kernels import ntk_draws, rnn_ntk


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


def ntk_fit(n, T, d, n_mc_samples, repeats):
    """Fit time of NTKRNNKernelRegressor and its parts, seq-to-one and seq-to-seq."""
    rng = np.random.default_rng(1)
    X = unit_sequences(rng, n, T, d)
    targets = {"seq2one": np.tanh(X[:, -1, 0]), "seq2seq": np.tanh(X[:, :, 0])}
    results = {}
    for name, y in targets.items():
        model = NTKRNNKernelRegressor(n_mc_samples=n_mc_samples, random_state=0)
        model.fit(X[:8], y[:8])  # compile or load the cache
        fit, _, _ = median_time(lambda model=model, y=y: model.fit(X, y), repeats, warmup=False)
        w0, UT0 = model.w0_, np.ascontiguousarray(model.U0_.T)
        n_steps = 1 if y.ndim == 1 else T
        features, _, _ = median_time(
            lambda w0=w0, UT0=UT0, n_steps=n_steps: _features(X, w0, UT0, 0, n_steps), repeats
        )
        Phi = _features(X, w0, UT0, 0, n_steps).reshape(n * n_steps, -1)
        dual = model.solver_ == "dual"
        gram_time, _, _ = median_time(
            lambda Phi=Phi, dual=dual: _symmetric_gram(Phi, transpose=not dual), repeats
        )
        G = _symmetric_gram(Phi, transpose=not dual)
        G[np.diag_indices_from(G)] += 1.0
        rhs = np.ones(G.shape[0])
        solve, _, _ = median_time(
            lambda G=G, rhs=rhs: linalg.cho_solve(linalg.cho_factor(G), rhs), repeats
        )
        del Phi, G
        parts = features + gram_time + solve
        results[name] = {
            "solver": model.solver_,
            "fit_s": fit,
            "features_s": features,
            "gram_s": gram_time,
            "solve_s": solve,
            "ratio_to_features_plus_solve": fit / (features + solve),
            "ratio_to_features_gram_solve": fit / parts,
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
    args = parser.parse_args()
    print(json.dumps(run(args.quick, not args.no_baselines), indent=2))


if __name__ == "__main__":
    main()

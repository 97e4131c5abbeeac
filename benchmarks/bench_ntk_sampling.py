"""Monte Carlo error of the RNN NTK under different ways of drawing the neurons.

Compares, at several numbers of draws M, the relative Frobenius error
``||K_M - K_ref|| / ||K_ref||`` of :func:`skrnn.kernels.rnn_ntk` (all steps
stacked) against a high-sample reference, for

* ``mc``: plain Monte Carlo, ``w0 ~ Rad_alpha`` and ``u0 ~ N(0, I)`` i.i.d.;
* ``strat``: ``w0`` stratified (half ``+alpha``, half ``-alpha``), ``u0`` i.i.d.
  normal (``NTKRNNKernelRegressor(sampling="mc")``);
* ``strat+qmc``: ``w0`` stratified, each half of ``u0`` a scrambled Sobol' set
  through the normal inverse CDF (``sampling="qmc"``);
* ``strat+qmc-paired``: as above but both halves share the same Sobol' points
  (reported for comparison only).

The reference averages several independent ``strat+qmc`` kernels of
``--reference-draws`` draws each. Prints the median error over ``--repeats``
seeds, its ratio to plain Monte Carlo, and the fitted log-log slope.

Run: ``python benchmarks/bench_ntk_sampling.py [--n-features 1 3 8]``.
"""

import argparse
import time

import numpy as np

from skrnn.kernels import _sobol_normal, ntk_draws, rnn_ntk

METHODS = ("mc", "strat", "strat+qmc", "strat+qmc-paired")


def draws(method, M, d, alpha, seed):
    rng = np.random.RandomState(seed)
    if method == "mc":
        return alpha * rng.choice([-1.0, 1.0], size=M), rng.standard_normal((M, d))
    if method == "strat":
        return ntk_draws(M, d, recurrent_scale=alpha, sampling="mc", random_state=rng)
    if method == "strat+qmc":
        return ntk_draws(M, d, recurrent_scale=alpha, sampling="qmc", random_state=rng)
    half = _sobol_normal(M // 2, d, rng)
    w0 = alpha * np.concatenate([np.ones(M // 2), -np.ones(M // 2)])
    return w0, np.concatenate([half, half])


def make_data(n, T, d, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, T, d))
    # unit-norm bound of the theory: ||X_t|| <= 1
    X /= np.maximum(1.0, np.linalg.norm(X, axis=2, keepdims=True))
    return X * rng.uniform(0.3, 1.0, size=(n, T, 1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-features", type=int, nargs="+", default=[1, 3, 8])
    parser.add_argument("--draws", type=int, nargs="+", default=[64, 256, 1024, 4096])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--n-samples", type=int, default=16)
    parser.add_argument("--n-timesteps", type=int, default=10)
    parser.add_argument("--recurrent-scale", type=float, default=0.5)
    parser.add_argument("--activation", default="tanh")
    parser.add_argument("--reference-draws", type=int, default=2**16)
    parser.add_argument("--reference-repeats", type=int, default=8)
    args = parser.parse_args()

    alpha, act = args.recurrent_scale, args.activation
    for d in args.n_features:
        X = make_data(args.n_samples, args.n_timesteps, d, seed=d)
        start = time.perf_counter()
        K_ref = np.mean(
            [
                rnn_ntk(X, w0=w0, U0=U0, activation=act)
                for w0, U0 in (
                    draws("strat+qmc", args.reference_draws, d, alpha, 10_000 + r)
                    for r in range(args.reference_repeats)
                )
            ],
            axis=0,
        )
        norm = np.linalg.norm(K_ref)
        print(
            f"\n== d={d}, n={args.n_samples}, T={args.n_timesteps}, alpha={alpha}, {act}; "
            f"reference {args.reference_repeats} x {args.reference_draws} draws "
            f"({time.perf_counter() - start:.1f} s)"
        )
        print(f"{'M':>6} " + " ".join(f"{m:>18}" for m in METHODS) + "   ratios to mc")
        medians = {m: [] for m in METHODS}
        for M in args.draws:
            row = []
            for method in METHODS:
                errors = [
                    np.linalg.norm(rnn_ntk(X, w0=w0, U0=U0, activation=act) - K_ref) / norm
                    for w0, U0 in (
                        draws(method, M, d, alpha, 1000 * M + r) for r in range(args.repeats)
                    )
                ]
                medians[method].append(np.median(errors))
                row.append(medians[method][-1])
            ratios = " ".join(f"{row[0] / e:6.1f}x" for e in row[1:])
            print(f"{M:>6} " + " ".join(f"{e:>18.3e}" for e in row) + "   " + ratios)
        logM = np.log(args.draws)
        slopes = [np.polyfit(logM, np.log(medians[m]), 1)[0] for m in METHODS]
        print(f"{'slope':>6} " + " ".join(f"{s:>18.2f}" for s in slopes))


if __name__ == "__main__":
    main()

"""Gradient descent of the RNN on a Dask cluster, on data no single worker can hold.

Starts a local cluster of 2 worker processes (1 thread, ``memory_limit=1GiB``
each), generates about 1.5 GiB of sequences chunk by chunk on the workers
(``dask.array.random``; nothing is built in the driver) and fits
:class:`skrnn.ProjectedGDRNNRegressor` on the Dask arrays for a few
iterations, through the estimator's ``fit`` (which validates and persists
the data once, the workers spilling to disk what exceeds their memory, and
runs full-batch projected gradient descent with
:class:`skrnn._dask.DistributedRisk`). Reported:

* the driver's peak memory: the process's peak resident set (``ru_maxrss``,
  which includes the scheduler, running in the driver process) and the peak
  of Python allocations during the fit (``tracemalloc``);
* the time per iteration (``fit_time_`` over the ``max_iter + 1`` risk
  evaluations), and the same per sequence against an in-memory fit (all
  Numba threads of the driver) of a sample that fits;
* the scheduler's overhead per iteration: the time per iteration of a fit
  on a dataset with the same number of chunks but one sequence per chunk
  (so the kernels take no time), and the split of a real iteration into
  time inside the chunk tasks and the rest (from the task stream).

Run: ``python benchmarks/bench_dask.py [--quick]`` (``--quick``: about
150 MiB, fitting in the workers' memory).
"""

import argparse
import os
import resource
import sys
import time
import tracemalloc

import numpy as np

try:
    import skrnn  # noqa: F401
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

import dask.array as da
import distributed

from skrnn import ProjectedGDRNNRegressor

N_TIMESTEPS, N_FEATURES, WIDTH = 20, 10, 16
BYTES_PER_SEQUENCE = 8 * N_TIMESTEPS * N_FEATURES
CHUNK_BYTES = 48 * 2**20
TANH = 0


def _peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _mib(n_bytes):
    return f"{n_bytes / 2**20:8.1f} MiB"


def _targets(X):
    """A smooth function of the last steps, computed next to each chunk."""
    return np.tanh(X[:, -3:, :].sum(axis=(1, 2)))


def generate(n_samples, chunk_size, seed=0):
    """Sequences and targets, as lazy Dask arrays built chunk by chunk on the workers."""
    X = da.random.RandomState(seed).uniform(
        -0.3, 0.3, size=(n_samples, N_TIMESTEPS, N_FEATURES), chunks=(chunk_size, -1, -1)
    )
    y = X.map_blocks(_targets, drop_axis=[1, 2], dtype=np.float64)
    return X, y


def _model(max_iter):
    """The estimator timed everywhere: a fixed step, so every run takes the same steps."""
    return ProjectedGDRNNRegressor(
        width=WIDTH,
        learning_rate=0.5,
        radius_w=5.0,
        radius_u=5.0,
        max_iter=max_iter,
        iterate="last",
        random_state=0,
    )


def _per_iteration(model):
    """Seconds per risk evaluation (``max_iter + 1`` of them) of a fitted model."""
    return model.fit_time_ / (model.n_iter_ + 1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about 150 MiB instead of 1.5 GiB")
    parser.add_argument("--iterations", type=int, default=3, help="gradient steps (default 3)")
    args = parser.parse_args(argv)

    data_bytes = (150 if args.quick else 1536) * 2**20
    n_samples = data_bytes // BYTES_PER_SEQUENCE
    chunk_size = CHUNK_BYTES // BYTES_PER_SEQUENCE
    print(
        f"data: {n_samples} sequences of ({N_TIMESTEPS}, {N_FEATURES}) float64 = "
        f"{_mib(n_samples * BYTES_PER_SEQUENCE).strip()} in chunks of "
        f"{_mib(chunk_size * BYTES_PER_SEQUENCE).strip()}; width {WIDTH}; "
        f"{args.iterations} gradient steps"
    )
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        memory_limit="1GiB",
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=50,
    )
    with cluster, distributed.Client(cluster) as client:
        rss_before = _peak_rss_bytes()
        X, y = generate(n_samples, chunk_size)
        _model(0).fit(X[:chunk_size], y[:chunk_size])  # warm-up: workers' Numba cache
        tracemalloc.start()
        start = time.perf_counter()
        with distributed.get_task_stream(client) as stream:
            model = _model(args.iterations).fit(X, y)
        fit_seconds = time.perf_counter() - start
        traced_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rss_peak = _peak_rss_bytes()
        print(
            f"fit (generate, persist, validate, normalize y, {args.iterations} steps) in "
            f"{fit_seconds:.1f} s, of which gradient descent {model.fit_time_:.1f} s"
        )
        kernel_seconds = sum(
            part["stop"] - part["start"]
            for task in stream.data
            if "chunk_risk" in str(task["key"])
            for part in task["startstops"]
            if part["action"] == "compute"
        )
        spilled = sum(
            info.get("metrics", {}).get("spilled_bytes", {}).get("disk", 0)
            for info in client.scheduler_info()["workers"].values()
        )

        # overhead: same chunk count, one sequence per chunk
        n_chunks = X.numblocks[0]
        X_tiny, y_tiny = generate(n_chunks, 1, seed=1)
        tiny = _model(max(args.iterations, 10)).fit(X_tiny, y_tiny)

        # in memory: a sample that fits, all of the driver's Numba threads
        n_sample = min(n_samples, 64 * 2**20 // BYTES_PER_SEQUENCE)
        X_sample, y_sample = (
            np.asarray(part) for part in client.compute([X[:n_sample], y[:n_sample]], sync=True)
        )
    _model(0).fit(X_sample, y_sample)  # warm-up (Numba cache)
    local = _model(args.iterations).fit(X_sample, y_sample)

    result_curve = model.loss_curve_
    per_iteration = _per_iteration(model)
    per_local = _per_iteration(local)
    n_evaluations = model.n_iter_ + 1
    print(f"loss curve: {np.array2string(result_curve, precision=5)}")
    print(
        f"driver peak RSS (process, incl. scheduler): {_mib(rss_peak)} "
        f"(before the data: {_mib(rss_before).strip()}); "
        f"peak Python allocations during the fit: {_mib(traced_peak)}"
    )
    print(
        f"data on the workers: {_mib(n_samples * BYTES_PER_SEQUENCE)}; spilled to disk now: "
        f"{_mib(spilled)}"
    )
    print(
        f"time per iteration, distributed ({n_chunks} chunks, 2 workers x 1 thread): "
        f"{per_iteration:.3f} s = {1e6 * per_iteration / n_samples:.3f} us per sequence"
    )
    print(
        f"time per iteration, in memory ({n_sample} sequences, {os.cpu_count()} cores): "
        f"{per_local:.3f} s = {1e6 * per_local / n_sample:.3f} us per sequence"
    )
    print(
        f"inside chunk tasks: {kernel_seconds / n_evaluations:.3f} s per iteration (summed over "
        f"workers); outside: {per_iteration - kernel_seconds / n_evaluations / 2:.3f} s of wall "
        "time per iteration if the two workers were evenly busy"
    )
    print(
        f"scheduler overhead per iteration ({n_chunks} chunks of 1 sequence): "
        f"{1e3 * _per_iteration(tiny):.1f} ms"
    )


if __name__ == "__main__":
    main()

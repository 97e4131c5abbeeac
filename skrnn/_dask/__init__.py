"""Fitting and predicting on Dask arrays: per-chunk kernels and tree reductions.

Both estimators minimize sums over sequences, so their training work is a
map-reduce over chunks of samples:

* the RNN's full-batch risk and gradient (eq. 1): every gradient-descent
  iteration sends the parameters ``(w, U)`` to the workers, each chunk runs
  the Numba kernel on its sequences, and the per-chunk sums are added by a
  tree reduction (:class:`DistributedRisk`, a drop-in replacement of
  :class:`skrnn._gd.InMemoryRisk`; the fit is :func:`fit_rnn_on_dask`);
* the NTK model's primal system ``Phi^T Phi``, ``Phi^T y``: each chunk
  builds its Monte Carlo features and its ``p x p`` share of the system
  (:func:`distributed_normal_equations`; the fit is :func:`fit_ntk_on_dask`);
* ``predict`` maps the in-memory prediction over the chunks and returns a
  Dask array (:func:`distributed_predict`).

The sequences stay on the workers: they are persisted once and only
parameters (down) and per-chunk sums (up) travel. This package is the only
part of skrnn that imports ``dask`` or ``distributed``, and it does so
lazily, so skrnn works without them (``pip install "skrnn[dask]"`` adds
them).

Threads: inside a task, the Numba kernels run on as many threads as the
Dask worker has (``nthreads``), and one kernel at a time per process, so the
worker's other task threads wait instead of oversubscribing the cores.
Results do not depend on the thread count, and the tree reduction adds the
chunks in a fixed order, so a fit is reproducible for a given chunking.

Modules: ``_common`` (detection, threads), ``_data`` (validation, moments,
samples), ``_rnn``, ``_ntk``, ``_predict``.
"""

from ._common import SPLIT_EVERY, is_dask_collection, worker_thread_count
from ._common import kernel_threads as _kernel_threads
from ._data import (
    curvature_sample,
    distributed_max_step_norm,
    distributed_target_moments,
    validate_dask_training_data,
)
from ._ntk import (
    distributed_normal_equations,
    distributed_residual,
    fit_ntk_on_dask,
    primal_solver_for_dask,
)
from ._predict import distributed_predict
from ._rnn import DistributedRisk, fit_rnn_on_dask

__all__ = [
    "SPLIT_EVERY",
    "DistributedRisk",
    "curvature_sample",
    "distributed_max_step_norm",
    "distributed_normal_equations",
    "distributed_predict",
    "distributed_residual",
    "distributed_target_moments",
    "fit_ntk_on_dask",
    "fit_rnn_on_dask",
    "is_dask_collection",
    "primal_solver_for_dask",
    "validate_dask_training_data",
    "worker_thread_count",
    "_kernel_threads",
]

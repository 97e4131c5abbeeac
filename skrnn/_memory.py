"""Memory estimates: refuse a fit that cannot fit in memory before it starts.

An allocation that fails inside a parallel Numba kernel surfaces as a
``SystemError`` from deep inside the kernel; the estimators call these
helpers first and raise a ``MemoryError`` that says what to change.
"""

import os

import numba

__all__ = ["check_rnn_memory", "memory_text", "physical_memory_bytes", "rnn_fit_bytes"]

#: memory assumed when the machine's physical memory cannot be read
FALLBACK_MEMORY_BYTES = 4 * 2**30


def physical_memory_bytes():
    """Physical memory of the machine in bytes (``FALLBACK_MEMORY_BYTES`` if unknown)."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return FALLBACK_MEMORY_BYTES
    return physical if physical > 0 else FALLBACK_MEMORY_BYTES


def memory_text(nbytes):
    """``nbytes`` in the largest binary unit that keeps it >= 1 (e.g. ``"1.5 GiB"``)."""
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if nbytes >= size:
            return f"{nbytes / size:.3g} {unit}"
    return f"{int(nbytes)} bytes"


# the recurrence kernels work on chunks of this many samples (see skrnn._numba.recurrence)
_CHUNK_SIZE = 16


def rnn_fit_bytes(n_samples, n_timesteps, n_features, width, *, training=True):
    """Bytes the RNN kernels allocate beyond the validated input.

    Per thread: hidden states and slopes of one sequence, ``(2T + 1) m``
    floats. For training, per chunk of samples: partial gradients
    ``m (1 + d)``; plus about ten parameter-sized buffers (iterates, best,
    sum, gradient, blocked weights). Outputs ``n T``.
    """
    m, T, d = width, n_timesteps, n_features
    threads = numba.config.NUMBA_NUM_THREADS
    floats = threads * ((2 * T + 1) * m + m + 2 * T) + n_samples * T
    if training:
        n_chunks = -(-n_samples // _CHUNK_SIZE)
        floats += n_chunks * (m * (1 + d) + 1) + 10 * m * (1 + d) + n_samples * T
    return 8 * floats


def check_rnn_memory(
    estimator_name, n_samples, n_timesteps, n_features, width, *, training=True, limit=None
):
    """Raise ``MemoryError`` when the RNN kernels would need more than ``limit``.

    Parameters
    ----------
    estimator_name : str
        Used in the message.
    n_samples, n_timesteps, n_features, width : int
        Problem size.
    training : bool, default=True
        Gradient descent (True) or a forward pass (False).
    limit : int or None, default=None
        Bytes available; None: the machine's physical memory.
    """
    need = rnn_fit_bytes(n_samples, n_timesteps, n_features, width, training=training)
    limit = physical_memory_bytes() if limit is None else limit
    if need > limit:
        what = "fit" if training else "predict"
        raise MemoryError(
            f"{estimator_name} would need about {memory_text(need)} to {what} "
            f"{n_samples} sequences of {n_timesteps} steps with width={width}, more than "
            f"the {memory_text(limit)} of memory of this machine. Use a smaller width or "
            "fewer time steps, or process the sequences in batches."
        )
    return need

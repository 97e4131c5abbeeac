"""PyTorch and JAX baselines, each run in its own process by the benchmarks.

Usage: ``python baselines.py {torch,jax} {ntk,gradient} INPUT.npz REPEATS``.
Prints one JSON object: ``{"available": false, "reason": ...}`` when the
framework cannot be imported, otherwise the framework's version, the
largest relative difference from skrnn's result (checked before any
timing) and the wall times of ``REPEATS`` runs after a warm-up run.

Both frameworks compute the same thing as skrnn, in float64, written the
way their documentation recommends:

* ``ntk``: all T same-step NTK Gram matrices. The feature of a draw is the
  forward-mode Jacobian of one neuron's hidden state with respect to its
  weights ``(w0, u0)``, ``jacfwd`` of a scan over time, vectorized over
  draws and samples with ``vmap``; each step's Gram is one batched matrix
  product of the stacked features.
* ``gradient``: risk ``(1/n) sum_j sum_t (F_t - Y_t)^2`` of the width-m
  diagonal RNN and the gradient of half of it by reverse mode (autograd /
  ``jax.grad`` of a ``lax.scan``).

Only NumPy and the framework are imported here (not skrnn).
"""

import json
import math
import sys
import time

import numpy as np


def _timed(function, repeats):
    function()  # warm-up (compilation, allocations)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def _relative_difference(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


# ------------------------------------------------------------------ PyTorch


def torch_ntk(data, repeats):
    import torch
    from torch.func import jacfwd, vmap

    X = torch.from_numpy(data["X"])
    w0 = torch.from_numpy(data["w0"])
    U0 = torch.from_numpy(data["U0"])
    n, T, d = X.shape
    M = w0.shape[0]

    def hidden(w, u, x):  # one draw, one sequence: (T,) hidden states
        h = torch.zeros((), dtype=x.dtype)
        states = []
        for t in range(T):
            h = torch.tanh(w * h + torch.dot(u, x[t]))
            states.append(h)
        return torch.stack(states)

    per_draw = vmap(jacfwd(hidden, argnums=(0, 1)), in_dims=(0, 0, None))
    jacobian = vmap(per_draw, in_dims=(None, None, 0))

    def grams():
        with torch.no_grad():
            dw, du = jacobian(w0, U0, X)  # (n, M, T), (n, M, T, d)
            features = torch.cat(
                [dw.permute(2, 0, 1), du.permute(2, 0, 3, 1).reshape(T, n, d * M)], dim=2
            ) / math.sqrt(M)
            return torch.bmm(features, features.transpose(1, 2))

    K = grams().numpy()
    check = _relative_difference(K[data["steps"]], data["reference"])
    return torch.__version__, check, _timed(grams, repeats)


def torch_gradient(data, repeats):
    import torch

    X = torch.from_numpy(data["X"])
    Y = torch.from_numpy(data["Y"])
    c_half = torch.from_numpy(data["c_half"])
    c = torch.cat([c_half, -c_half])
    n, T, _ = X.shape
    m = c.shape[0]
    w = torch.from_numpy(data["w"]).clone().requires_grad_(True)
    U = torch.from_numpy(data["UT"].T.copy()).requires_grad_(True)

    def risk_and_gradient():
        w.grad = None
        U.grad = None
        h = torch.zeros((n, m), dtype=X.dtype)
        outputs = []
        for t in range(T):
            h = torch.tanh(w * h + X[:, t] @ U.T)
            outputs.append(h @ c)
        F = torch.stack(outputs, dim=1) / math.sqrt(m)
        risk = ((F - Y) ** 2).sum() / n
        (0.5 * risk).backward()
        return risk.item(), w.grad, U.grad

    risk, grad_w, grad_U = risk_and_gradient()
    check = max(
        _relative_difference(grad_w.numpy(), data["grad_w"]),
        _relative_difference(grad_U.numpy().T, data["grad_UT"]),
        _relative_difference(risk, data["risk"]),
    )
    return torch.__version__, check, _timed(risk_and_gradient, repeats)


# ---------------------------------------------------------------------- JAX


def _jax():
    import jax

    jax.config.update("jax_enable_x64", True)
    return jax


def jax_ntk(data, repeats):
    jax = _jax()
    import jax.numpy as jnp
    from jax import lax

    X = jnp.asarray(data["X"])
    w0 = jnp.asarray(data["w0"])
    U0 = jnp.asarray(data["U0"])
    n, T, d = X.shape
    M = w0.shape[0]

    def hidden(w, u, x):
        def step(h, xt):
            h = jnp.tanh(w * h + jnp.dot(u, xt))
            return h, h

        return lax.scan(step, jnp.zeros((), x.dtype), x)[1]

    jacobian = jax.vmap(
        jax.vmap(jax.jacfwd(hidden, argnums=(0, 1)), in_axes=(0, 0, None)), in_axes=(None, None, 0)
    )

    @jax.jit
    def grams(w0, U0, X):
        dw, du = jacobian(w0, U0, X)  # (n, M, T), (n, M, T, d)
        features = jnp.concatenate(
            [dw.transpose(2, 0, 1), du.transpose(2, 0, 3, 1).reshape(T, n, d * M)], axis=2
        ) / jnp.sqrt(M)
        return features @ features.transpose(0, 2, 1)

    def run():
        return grams(w0, U0, X).block_until_ready()

    K = np.asarray(run())
    check = _relative_difference(K[data["steps"]], data["reference"])
    return jax.__version__, check, _timed(run, repeats)


def jax_gradient(data, repeats):
    jax = _jax()
    import jax.numpy as jnp
    from jax import lax

    X = jnp.asarray(data["X"])
    Y = jnp.asarray(data["Y"])
    c_half = jnp.asarray(data["c_half"])
    c = jnp.concatenate([c_half, -c_half])
    n = X.shape[0]
    m = c.shape[0]
    w = jnp.asarray(data["w"])
    U = jnp.asarray(data["UT"].T)

    def risk(params):
        w, U = params

        def step(h, xt):
            h = jnp.tanh(w * h + xt @ U.T)
            return h, h @ c

        _, F = lax.scan(step, jnp.zeros((n, m), X.dtype), X.transpose(1, 0, 2))
        return jnp.sum((F.T / jnp.sqrt(m) - Y) ** 2) / n

    value_and_grad = jax.jit(jax.value_and_grad(lambda params: 0.5 * risk(params)))

    def run():
        half_risk, (grad_w, grad_U) = value_and_grad((w, U))
        grad_U.block_until_ready()
        return 2.0 * float(half_risk), grad_w, grad_U

    risk_value, grad_w, grad_U = run()
    check = max(
        _relative_difference(np.asarray(grad_w), data["grad_w"]),
        _relative_difference(np.asarray(grad_U).T, data["grad_UT"]),
        _relative_difference(risk_value, data["risk"]),
    )
    return jax.__version__, check, _timed(run, repeats)


TASKS = {
    ("torch", "ntk"): torch_ntk,
    ("torch", "gradient"): torch_gradient,
    ("jax", "ntk"): jax_ntk,
    ("jax", "gradient"): jax_gradient,
}


def main():
    framework, task, path, repeats = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    try:
        __import__(framework)
    except ImportError as error:
        print(json.dumps({"available": False, "reason": f"{framework} not installed ({error})"}))
        return
    with np.load(path) as archive:
        data = {key: archive[key] for key in archive.files}
    version, check, times = TASKS[framework, task](data, repeats)
    report = {"available": True, "version": version, "max_relative_difference": check}
    print(json.dumps({**report, "times": times}))


if __name__ == "__main__":
    main()

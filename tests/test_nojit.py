"""Every kernel runs, as plain Python, under ``NUMBA_DISABLE_JIT=1``.

Debuggers and coverage tools need that mode. A subprocess runs a tiny RNN
fit, a tiny NTK fit and the activations without the JIT; the results must
be finite and agree with the compiled kernels of this process to 1e-12
(the compiled kernels may use fast-math, so not bit for bit, except for the
activations, which are strict IEEE in both modes).
"""

import os
import subprocess
import sys

import numpy as np
import pytest

_SCRIPT = r"""
import sys, warnings
import numpy as np
warnings.simplefilter("ignore")
import numba
from skrnn import NTKRNNKernelRegressor, ProjectedGDRNNRegressor
from skrnn._numba.activations import activate_row
from skrnn.kernels import ntk_draws, rnn_ntk

rng = np.random.default_rng(0)
X = rng.uniform(-0.5, 0.5, (6, 4, 2))
Y = np.sin(X.sum(-1))
z = np.concatenate([np.linspace(-40.0, 40.0, 41), [0.0, -0.0, 1e-300, 745.0, -745.0]])
out = {"jit_disabled": np.array(numba.config.DISABLE_JIT)}
for code in (0, 1, 2):
    value, derivative = np.empty_like(z), np.empty_like(z)
    activate_row(code, z, value, derivative)
    out[f"activation_{code}"] = np.concatenate([value, derivative])
rnn = ProjectedGDRNNRegressor(width=8, max_iter=3, random_state=0).fit(X, Y)
out["rnn"] = rnn.predict(X)
# a well-conditioned solve (alpha = 1): the solve amplifies last-bit
# differences of the features by the condition number of the Gram
ntk = NTKRNNKernelRegressor(n_mc_samples=8, alpha=1.0, random_state=0).fit(X, Y)
out["ntk"] = ntk.predict(X)
w0, U0 = ntk_draws(8, 2, random_state=0)
out["rnn_ntk"] = rnn_ntk(X, w0=w0, U0=U0)
np.savez(sys.argv[1], **out)
"""


def _run(tmp_path, disable_jit):
    env = dict(os.environ)
    env.pop("NUMBA_DISABLE_JIT", None)
    if disable_jit:
        env["NUMBA_DISABLE_JIT"] = "1"
    path = tmp_path / f"results_{int(disable_jit)}.npz"
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with np.load(path) as data:
        return {key: data[key] for key in data.files}


@pytest.mark.nojit
def test_kernels_run_without_the_jit(tmp_path):
    interpreted = _run(tmp_path, disable_jit=True)
    compiled = _run(tmp_path, disable_jit=False)
    assert bool(interpreted.pop("jit_disabled")) and not bool(compiled.pop("jit_disabled"))
    for key, values in interpreted.items():
        assert np.isfinite(values).all(), key
        if key.startswith("activation"):
            np.testing.assert_array_equal(values, compiled[key], err_msg=key)
        else:
            assert np.ptp(values) > 0, key
            # an element near zero may carry the rounding of its larger
            # neighbours (the NTK solve mixes all samples): 1e-12 of the scale
            scale = np.abs(compiled[key]).max()
            np.testing.assert_allclose(
                values, compiled[key], rtol=1e-12, atol=1e-12 * scale, err_msg=key
            )


def test_python_fma_is_single_rounding():
    """The no-JIT ``fma`` rounds once: it keeps what ``a * b + c`` loses."""
    from skrnn._numba.activations import _python_fma

    a = 1.0 + 2.0**-30
    # a * a = 1 + 2^-29 + 2^-60 exactly; the product alone rounds the 2^-60 away
    assert a * a - (1.0 + 2.0**-29) == 0.0
    assert _python_fma(a, a, -(1.0 + 2.0**-29)) == 2.0**-60
    assert _python_fma(2.0, 3.0, 1.0) == 7.0
    assert _python_fma(1e308, 10.0, -1e308) == np.inf  # 9e308 overflows
    assert np.isinf(_python_fma(1e308, 1e308, 0.0))
    assert np.isnan(_python_fma(np.inf, 0.0, 1.0))
    assert np.signbit(_python_fma(-0.0, 1.0, -0.0))
    assert _python_fma(2.0**-1074, 0.5, 0.0) == 0.0  # ties to even, to zero
    assert _python_fma(3 * 2.0**-1074, 0.5, 0.0) == 2 * 2.0**-1074  # 1.5 ulp -> 2

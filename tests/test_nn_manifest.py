"""Torch7's saved models (sequential.t7, convnet.t7) reproduce Torch7's recorded outputs,
gradInputs and parameter gradients, in Double (1e-6) and Float (1e-4)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "torch7"
PARAMETER_OWNERS = {"sequential": (1, 3), "convnet": (1, 5)}


def values(entry: dict) -> np.ndarray:
    return np.array(entry["data"], dtype=np.float64).reshape(entry["size"])


@pytest.mark.parametrize("name", ["sequential", "convnet"])
@pytest.mark.parametrize("tensor_type,dtype,rtol,atol", [
    ("torch.DoubleTensor", np.float64, 1e-6, 1e-12),
    ("torch.FloatTensor", np.float32, 1e-4, 1e-6),
])
def test_saved_model_matches_torch7(lua, manifest, name, tensor_type, dtype, rtol, atol):
    ref = manifest[name]
    net = lua.load_t7(FIXTURES / ref["file"])
    net.type(tensor_type)
    if name == "sequential":
        single = net.forward(values(ref["single_input"]).astype(dtype)).numpy()
        np.testing.assert_allclose(single, values(ref["single_output"]), rtol=rtol, atol=atol)
    else:
        batch = net.forward(values(ref["batch_input"]).astype(dtype)).numpy()
        np.testing.assert_allclose(batch, values(ref["batch_output"]), rtol=rtol, atol=atol)
    x = values(ref["input"]).astype(dtype)
    out = net.forward(x).numpy()
    assert out.dtype == dtype
    np.testing.assert_allclose(out, values(ref["output"]), rtol=rtol, atol=atol)
    for i, expected in enumerate(ref["module_outputs"], start=1):
        got = net.get(i).output.numpy()
        np.testing.assert_allclose(got, values(expected), rtol=rtol, atol=atol, err_msg=f"module {i}")
    net.zeroGradParameters()
    grad_in = net.backward(x, values(ref["gradOutput"]).astype(dtype)).numpy()
    np.testing.assert_allclose(grad_in, values(ref["gradInput"]), rtol=rtol, atol=atol)
    first, second = PARAMETER_OWNERS[name]
    grads = [net.get(first).gradWeight, net.get(first).gradBias,
             net.get(second).gradWeight, net.get(second).gradBias]
    for got, expected in zip(grads, ref["gradParameters"], strict=True):
        np.testing.assert_allclose(got.numpy(), values(expected), rtol=rtol, atol=atol)


def test_getparameters_from_python_gives_flat_views(lua, nn):
    net = nn.Sequential()
    net.add(nn.Linear(3, 4))
    net.add(nn.Linear(4, 2))
    params, grads = net.getParameters()
    assert params.size(1) == 3 * 4 + 4 + 4 * 2 + 2 == grads.size(1)
    params.fill(0.5)
    assert np.all(net.get(2).weight.numpy() == 0.5)  # the modules' parameters are views

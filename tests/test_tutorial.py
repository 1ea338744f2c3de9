"""The classic XOR tutorial, driven from Python, against real Torch7's recorded trace."""

from __future__ import annotations

import numpy as np
import pytest

X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
Y = np.array([[0], [1], [1], [0]])


def tensor_of(entry: dict) -> np.ndarray:
    return np.array(entry["data"], dtype=np.float64).reshape(entry["size"])


@pytest.mark.parametrize("kind,dtype", [("float", np.float32), ("double", np.float64)])
def test_xor_trace_matches_torch7(lua, nn, manifest, kind, dtype):
    ref = manifest[f"xor_training_{kind}"]
    net = nn.Sequential()
    net.add(nn.Linear(3, 4))
    net.add(nn.Sigmoid())
    net.add(nn.Linear(4, 1))
    net.add(nn.Sigmoid())
    net.type(ref["tensor_type"])
    # load Torch7's initial parameters from Python: weight1, bias1, weight2, bias2
    params = [net.get(1).weight, net.get(1).bias, net.get(3).weight, net.get(3).bias]
    for p, entry in zip(params, ref["initial_parameters"], strict=True):
        p.copy(tensor_of(entry).astype(dtype))
    crit = nn.MSECriterion()
    x, y = X.astype(dtype), Y.astype(dtype)
    recorded = {e["iteration"]: e["loss"] for e in ref["losses"]}
    seen = {}
    for i in range(1, 2401):
        net.zeroGradParameters()
        out = net.forward(x)
        loss = crit.forward(out, y)
        net.backward(x, crit.backward(out, y))
        net.updateParameters(1)
        if i == 1:
            assert loss == pytest.approx(ref["loss_iter1"], rel=1e-5)
        if i in recorded:
            seen[i] = loss
    assert sorted(seen) == sorted(recorded)
    for i, loss in seen.items():
        assert loss == pytest.approx(recorded[i], rel=1e-5), f"loss at iteration {i}"
    final = net.forward(x).numpy()  # Torch7's final output is taken after the last update
    assert final.dtype == dtype
    np.testing.assert_allclose(final, tensor_of(ref["final_output"]), rtol=1e-5)
    for p, entry in zip(params, ref["final_parameters"], strict=True):
        np.testing.assert_allclose(p.numpy(), tensor_of(entry), rtol=1e-4, atol=1e-6)


def test_default_seed_draws_torch7_initial_parameters(lua, nn, manifest):
    """manualSeed(1) then Linear's reset reproduces Torch7's parameters bit for bit."""
    lua.require("torch").manualSeed(1)
    l1, l2 = nn.Linear(3, 4), nn.Linear(4, 1)
    ref = manifest["xor_training_double"]["initial_parameters"]
    got = [l1.weight.numpy(), l1.bias.numpy(), l2.weight.numpy(), l2.bias.numpy()]
    for g, entry in zip(got, ref, strict=True):
        assert np.array_equal(g, tensor_of(entry))


def test_tutorial_api_shapes_and_types(lua, nn):
    net = nn.Sequential()
    net.add(nn.Linear(3, 4))
    net.float()
    out = net.forward(X.astype(np.float32))
    assert out.type() == "torch.FloatTensor"
    assert out.size(1) == 4 and out.size(2) == 4
    assert np.asarray(out).shape == (4, 4)
    assert out.numpy().dtype == np.float32
    assert lua.eval("1 + 1") == 2
    lua.execute("x_from_test = torch.ones(3)")
    assert lua.eval("x_from_test:sum()") == 3


def test_the_pipelined_tutorial_prints_torch7s_trace(manifest):
    """examples/tutorial.py (`make demo`, its loop in lua.pipeline()): Torch7's losses."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}  # this checkout's client, not an installed one
    out = subprocess.run([sys.executable, str(root / "examples/tutorial.py")], capture_output=True,
                         text=True, timeout=120, check=True, env=env).stdout
    printed = [float(line[len("Error:"):]) for line in out.splitlines() if line.startswith("Error:")]
    recorded = [e["loss"] for e in manifest["xor_training_float"]["losses"]]
    assert printed == pytest.approx(recorded, rel=1e-5)
    assert "Final output:" in out

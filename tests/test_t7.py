"""Real Torch7 .t7 files load through the client and the models among them run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "torch7"


def values(entry: dict) -> np.ndarray:
    return np.array(entry["data"]).reshape(entry["size"])


@pytest.mark.parametrize("name", ["float_2x3.t7", "float_2x3_ascii.t7", "double_3x2.t7",
                                  "byte_2x3.t7", "long_6.t7", "transpose_3x2.t7"])
def test_tensor_fixtures_load_from_python_bytes(lua, manifest, name):
    ref = manifest["tensors"][name]
    fmt = "ascii" if "ascii" in name else "binary"
    t = lua.load_t7(FIXTURES / name, format=fmt)
    assert t.type() == ref["type"]
    assert np.array_equal(t.numpy(), values(ref))
    assert lua.request("method", target=t, name="storageOffset", args=[]) == ref["storageOffset"]
    assert [t.stride(d + 1) for d in range(len(ref["size"]))] == ref["stride"]


def test_server_side_torch_load_gives_a_model_proxy(lua, manifest):
    torch = lua.require("torch")
    lua.require("nn")
    net = torch.load(str(FIXTURES / "xor_trained_double.t7"))
    assert net._typename == "nn.Sequential"
    x = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.float64)
    out = net.forward(x).numpy()
    np.testing.assert_allclose(out, values(manifest["xor_training_double"]["final_output"]), rtol=1e-6)


def test_float_model_from_local_bytes_runs(lua, manifest):
    lua.require("nn")
    net = lua.load_t7((FIXTURES / "xor_trained_float.t7").read_bytes())
    x = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.float32)
    out = net.forward(x).numpy()
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, values(manifest["xor_training_float"]["final_output"]), rtol=1e-5)


def test_save_t7_round_trips_bytes(lua, tmp_path):
    t = lua.load_t7(FIXTURES / "float_2x3.t7")
    out = tmp_path / "again.t7"
    lua.save_t7(t, out)
    assert out.read_bytes() == (FIXTURES / "float_2x3.t7").read_bytes()


def test_corrupt_file_error_names_offset(lua):
    import client

    data = (FIXTURES / "float_2x3.t7").read_bytes()[:30]
    with pytest.raises(client.RemoteError) as info:
        lua.load_t7(data)
    assert "byte offset" in info.value.evalue

"""The lean request path (issue 10): one request per call, headers packed in one pass to the
protocol's bytes, tensors received without copies."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bridge import codec

VECTORS = Path(__file__).resolve().parent.parent / "bridge" / "vectors"


def requests_for(lua, fn):
    before = lua.requests_sent
    result = fn()
    return lua.requests_sent - before, result


def test_a_module_function_call_is_one_request(lua):
    torch = lua.require("torch")
    a, b = torch.Tensor(3).fill(1.5), torch.Tensor(3).fill(2)
    torch.add(a, b)  # the first call also looks torch.add up
    n, c = requests_for(lua, lambda: torch.add(a, b))
    assert n == 1
    np.testing.assert_array_equal(c.numpy(), [3.5, 3.5, 3.5])


def test_eval_is_one_request(lua):
    n, value = requests_for(lua, lambda: lua.eval("return 1"))
    assert (n, value) == (1, 1)


def test_a_module_function_replaced_from_python_is_seen(lua):
    torch = lua.require("torch")
    torch.reqpath_f = lua.eval("function() return 1 end")
    assert torch.reqpath_f() == 1
    torch.reqpath_f = lua.eval("function() return 2 end")
    assert torch.reqpath_f() == 2
    torch["reqpath_f"] = lua.eval("function() return 3 end")
    assert torch.reqpath_f() == 3


def test_a_module_function_replaced_by_execute_is_seen(lua):
    torch = lua.require("torch")
    lua.execute("torch.reqpath_g = function() return 'a' end")
    assert torch.reqpath_g() == "a"
    lua.execute("torch.reqpath_g = function() return 'b' end")
    assert torch.reqpath_g() == "b"


def test_a_field_that_stops_being_a_function_is_not_cached(lua):
    torch = lua.require("torch")
    lua.execute("torch.reqpath_h = 5")
    assert torch.reqpath_h == 5
    n, _ = requests_for(lua, lambda: torch.reqpath_h)
    assert n == 1


@pytest.mark.parametrize("name", ["ping_request", "call_release", "epoch_request"])
def test_fast_encoding_gives_the_golden_bytes(name):
    lines = (VECTORS / f"{name}.hex").read_text().splitlines()
    frames = [bytes.fromhex(x) for x in lines if x.strip() and not x.startswith("#")]
    header = codec.decode_message(frames)
    assert [bytes(f) for f in codec.encode_request(header)] == frames


def test_fast_encoding_errors_are_the_codecs():
    with pytest.raises(codec.CodecError, match="outside msgpack's range"):
        codec.encode_request({"a": 2**64})
    with pytest.raises(TypeError, match="cannot encode object of type object"):
        codec.encode_request({"a": [object()]})
    head, frame = codec.encode_request({"t": np.arange(1000, dtype=np.float64), "n": np.int32(3)})
    assert codec.decode_message([head, frame])["n"] == 3


def test_received_tensors_are_writable_views_of_their_frames(lua):
    data = np.arange(100_000, dtype=np.float32)
    identity = lua.eval("function(...) return ... end")
    t = identity(data)
    first, again = lua.fetch(lua.eval("function(t) return {t, t} end")(t))
    assert first.flags.writeable and first.flags.aligned
    assert not first.base.flags.owndata  # a view of the received frame, not a copy
    np.testing.assert_array_equal(first, data)
    first[0] = -1  # the two tensors of one reply do not share memory
    assert again[0] == 0
    np.testing.assert_array_equal(t.numpy(), data)

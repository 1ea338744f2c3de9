"""Tensors moved without copies (issue 10, bulk): numpy -> server -> numpy through a real
server, with frames lent and received as tensor storage on the server and as views here."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import marshal_stats as stats

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.int64, np.float32, np.float64, np.float16]
# 0 elements, inline, a copied frame, and frames big enough for the zero-copy paths
SHAPES = [(0,), (2, 0, 3), (), (5,), (300,), (40, 50), (300, 400)]


@pytest.fixture(scope="module")
def lua(identity_lua):
    return identity_lua


def sample(shape, dtype) -> np.ndarray:
    n = int(np.prod(shape))
    return ((np.arange(n) * 7919) % 251 - 100).astype(dtype).reshape(shape) if n else np.zeros(shape, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_dtype_and_shape_round_trips(lua, dtype):
    identity = lua.globals.identity
    for shape in SHAPES:
        a = sample(shape, dtype)
        back = lua.fetch(identity(a))
        expected_shape = (1,) if shape == () else shape  # Torch7 has no 0-dim tensors
        assert back.dtype == a.dtype and back.shape == expected_shape, (dtype, shape)
        np.testing.assert_array_equal(back.reshape(a.shape), a)


def test_big_tensors_travel_without_copies(lua):
    before = stats(lua)
    a = np.random.default_rng(1).random(1 << 20)  # 8 MiB
    back = lua.fetch(lua.globals.identity(a))
    after = stats(lua)
    np.testing.assert_array_equal(back, a)
    assert after["received_zero_copy"] - before["received_zero_copy"] == a.nbytes
    assert after["sent_lent"] - before["sent_lent"] == a.nbytes
    assert after["received_copied"] == before["received_copied"]
    assert after["sent_copied"] == before["sent_copied"]
    # what the client hands out is a writable view of the received frame, not a copy
    assert not back.flags.owndata and back.flags.writeable and back.flags.aligned
    # a non-contiguous tensor is made contiguous first: counted as a copy
    transposed = lua.fetch(lua.eval("torch.range(1, 120000):view(400, 300):t()"))
    np.testing.assert_array_equal(transposed, np.arange(1.0, 120001).reshape(400, 300).T)
    assert stats(lua)["sent_copied"] - after["sent_copied"] == 120000 * 8


def test_non_contiguous_and_unaligned_inputs(lua):
    identity = lua.globals.identity
    a = np.arange(200 * 300, dtype=np.float64).reshape(200, 300)
    np.testing.assert_array_equal(lua.fetch(identity(a.T)), a.T)
    np.testing.assert_array_equal(lua.fetch(identity(a[::2, 1::3])), a[::2, 1::3])
    raw = np.zeros(8 * 40000 + 1, dtype=np.uint8)
    unaligned = raw[1:].view(np.float64)
    assert not unaligned.flags.aligned
    unaligned[:] = np.arange(40000)
    np.testing.assert_array_equal(lua.fetch(identity(unaligned)), np.arange(40000))
    big_endian = np.arange(50000, dtype=">i4")
    np.testing.assert_array_equal(lua.fetch(identity(big_endian)), np.arange(50000))


def test_a_received_tensor_is_resizable_and_writable(lua):
    a = np.arange(100000, dtype=np.float32)
    lua.globals.received = a
    assert lua.eval("received:resize(300000); received:narrow(1, 100001, 200000):fill(7); "
                    "return received:size(1)") == 300000
    back = lua.fetch(lua.globals.received)
    np.testing.assert_array_equal(back[:100000], a)
    assert (back[100000:] == 7).all()
    lua.execute("received:resize(10); received:add(1)")
    np.testing.assert_array_equal(lua.fetch(lua.globals.received), a[:10] + 1)


def test_a_returned_tensor_keeps_the_values_of_reply_time(lua):
    lua.execute("kept = torch.range(1, 2^21)")  # 16 MiB of doubles
    expected = np.arange(1, 2**21 + 1, dtype=np.float64)
    first = lua.fetch(lua.globals.kept)
    lua.execute("kept:fill(-1)")
    np.testing.assert_array_equal(first, expected)
    # sent back to back without reading replies: the server writes to the tensor while
    # its earlier replies' bytes may still be queued in ZeroMQ
    kept = lua.globals.kept
    results = []
    for i in range(3):
        results.append(lua.submit("value", target=kept))
        lua.submit("execute", code=f"kept:fill({i})")
    for i, r in enumerate(results):
        assert (r.wait() == i - 1).all(), i
    assert (lua.fetch(kept) == 2).all()


def test_the_client_may_reuse_its_array_once_a_call_returns(lua):
    a = np.full(1 << 20, 3.0)
    store = lua.eval("function(t) stored = t end")
    with lua.pipeline():
        store(a)
        a[:] = 5  # ZeroMQ was done with the bytes when the call returned
    assert (lua.fetch(lua.globals.stored) == 3).all()
    b = np.full(1 << 20, 4.0)
    store(b)
    del b  # the server's tensor does not depend on the client's array
    assert (lua.fetch(lua.globals.stored) == 4).all()


def test_one_array_passed_twice_gives_two_tensors(lua):
    a = np.arange(100000, dtype=np.float64)
    first, second = lua.eval("function(x, y) x:fill(0); return x, y end")(a, a)
    assert (lua.fetch(first) == 0).all()
    np.testing.assert_array_equal(lua.fetch(second), a)

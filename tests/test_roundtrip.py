"""numpy -> server -> numpy is bit-exact for every dtype and layout."""

from __future__ import annotations

import numpy as np
import pytest

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.int64, np.float32, np.float64, np.float16]
TYPENAMES = {
    np.uint8: "torch.ByteTensor", np.int8: "torch.CharTensor", np.int16: "torch.ShortTensor",
    np.int32: "torch.IntTensor", np.int64: "torch.LongTensor", np.float32: "torch.FloatTensor",
    np.float64: "torch.DoubleTensor", np.float16: "torch.HalfTensor",
}


def random_bits(shape, dtype, seed=0):
    """Arrays of arbitrary bit patterns (NaN payloads, infinities, extremes included)."""
    dtype = np.dtype(dtype)
    raw = np.random.default_rng(seed).integers(0, 256, size=int(np.prod(shape)) * dtype.itemsize,
                                               dtype=np.uint8)
    return raw.view(dtype).reshape(shape)


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


@pytest.fixture(scope="module")
def identity(lua):
    return lua.eval("function(t) return t end")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(7,), (3, 5), (2, 3, 4), (1,), (300, 9)])
def test_dtype_roundtrip_is_bit_exact(identity, dtype, shape):
    a = random_bits(shape, dtype)
    t = identity(a)
    assert t.type() == TYPENAMES[dtype]
    assert same_bits(t.numpy(), a)


@pytest.mark.parametrize("dtype", DTYPES)
def test_non_contiguous_arrays(identity, dtype):
    base = random_bits((6, 8), dtype, seed=1)
    for view in (base.T, base[::2, 1::3], base[:, ::-1], np.asfortranarray(base)):
        assert same_bits(identity(view).numpy(), np.ascontiguousarray(view))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 3, 1)])
def test_zero_element_arrays(identity, dtype, shape):
    a = np.zeros(shape, dtype=dtype)
    back = identity(a).numpy()
    assert back.shape == shape and back.dtype == np.dtype(dtype)


def test_big_endian_input_arrives_as_values(identity):
    a = np.arange(6, dtype=">f8").reshape(2, 3)
    back = identity(a).numpy()
    assert back.dtype == np.float64 and np.array_equal(back, a)


def test_large_tensor_goes_through_frames(lua, identity):
    a = random_bits((512, 1024), np.float32, seed=3)  # 2 MiB: well above the inline limit
    t = identity(a)
    assert lua.request("call", target=lua.eval("function(t) return t:nElement() end"), args=[t]) == a.size
    assert same_bits(t.numpy(), a)


def test_server_side_values_reach_numpy(lua):
    t = lua.eval("torch.LongTensor{{1, -2}, {2^40, 3}}")
    assert t.numpy().tolist() == [[1, -2], [2**40, 3]]
    n = lua.eval("torch.range(1, 12):view(3, 4):t()")  # a non-contiguous view on the server
    assert n.numpy().tolist() == np.arange(1, 13).reshape(3, 4).T.tolist()

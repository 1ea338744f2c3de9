"""The Python codec against bridge/PROTOCOL.md: golden vectors, limits and malformed input."""

from __future__ import annotations

import math
import struct
from pathlib import Path

import msgpack
import numpy as np
import pytest
import zmq

from bridge import codec
from bridge.codec import (
    CodecError,
    Promise,
    RemoteRef,
    decode_batch_replies,
    decode_message,
    encode_batch,
    encode_message,
)

VECTORS = Path(__file__).resolve().parent.parent / "bridge" / "vectors"


def load_vector(name: str) -> list[bytes]:
    lines = (VECTORS / f"{name}.hex").read_text().splitlines()
    return [bytes.fromhex(x) for x in lines if x.strip() and not x.startswith("#")]


def frame_f64() -> np.ndarray:
    return np.arange(150, dtype=np.float64).reshape(3, 50) * 0.25 - 10


# What each golden vector decodes to, written out independently of the files.
EXPECTED: dict[str, dict] = {
    "ping_request": {"v": 1, "id": 1, "op": "ping"},
    "interrupt": {"v": 1, "op": "interrupt", "request": 12},
    "session_lost": {"v": 1, "op": "session_lost",
                     "reason": "the session's worker (pid 123) killed by signal 11 (SIGSEGV)"},
    "epoch_request": {"v": 1, "id": 11, "op": "eval", "code": "x", "epoch": "0123456789abcdef"},
    "server_restarted": {"v": 1, "id": 11, "status": "error", "ename": "ServerRestarted",
                         "evalue": "this request was made for server run 0123456789abcdef, but the "
                                   "server here is run fedcba9876543210: the objects it refers to "
                                   "are gone; connect again", "traceback": ""},
    "ping_reply": {"v": 1, "id": 1, "status": "ok",
                   "values": [{"protocol": 1, "server": "luatorch", "torch": "7.0"}]},
    "reply_scalars": {"v": 1, "id": 2, "status": "ok", "values": [
        None, True, False, 0, 127, 128, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**53, 2**63,
        2**64 - 2048, -1, -32, -33, -128, -129, -32768, -32769, -(2**31), -(2**31) - 1, -(2**63),
        1.5, 0.1, -0.0, 1e300, math.inf, -math.inf, math.nan,
        "", "h\u00e9llo", "x" * 40, b"\x00\xff\x80"]},
    "map_key_order": {"v": 1, "id": 3, "status": "ok", "values": [{
        "b": 1, 10: "ten", "aa": 2, -5: "neg", "B": 3, 1: "one", "\u00e9": 4, 2: "two",
        1.5: "float", "a": 5, 300: "big", "z": 6, 2**40: "huge"}]},
    "nested": {"v": 1, "id": 4, "op": "construct", "class": "nn.Sequential", "args": [{
        "sizes": [[1, 2], [3, [4, [5]]]],
        "opts": {"bias": True, "name": "x", "weights": [0.5, -2.25]},
        "empty": [], "none": {}}]},
    "remote_ref": {"v": 1, "id": 5, "status": "ok", "values": [
        RemoteRef(7, "nn.Linear"), RemoteRef(2**40 + 5, "function"),
        RemoteRef(0, "torch.FloatTensor")]},
    "tensor_inline": {"v": 1, "id": 6, "status": "ok", "values": [
        np.array([[0.5, 1, 1.5], [2, 2.5, 3]], dtype=np.float32),
        np.array([-1, 0, 2**40], dtype=np.int64)]},
    "tensor_empty": {"v": 1, "id": 7, "status": "ok", "values": [
        np.zeros((2, 0), dtype=np.int32), np.array(2.5, dtype=np.float64)]},
    "tensor_frame": {"v": 1, "id": 8, "op": "call", "target": RemoteRef(3, "function"),
                     "args": [frame_f64(), "mean"]},
    "error_reply": {"v": 1, "id": 9, "status": "error", "ename": "LuaError",
                    "evalue": "[string \"return f(1)\"]:1: attempt to call global 'f' "
                              "(a nil value)",
                    "traceback": "stack traceback:\n\t[string \"return f(1)\"]:1: in main chunk\n"
                                 "\t[C]: in function 'xpcall'"},
    "call_release": {"v": 1, "id": 10, "op": "call", "target": RemoteRef(12, "function"),
                     "args": [RemoteRef(13, "torch.FloatTensor"), 2, None, "x"],
                     "release": [[3, 1], [4, 2]]},
    "protocol_error": {"v": 1, "status": "error", "ename": "ProtocolError",
                       "evalue": "header is not a map", "traceback": ""},
}
EXPECTED["stream"] = {"v": 1, "op": "stream", "request": 11, "name": "stdout",  # issue 11
                      "text": "epoch 1: loss 0.25\n"}
# issue 10: a tensor in shared memory (ext 5): dtype, flags 2, ndim, sizes, pid, fd, inode, offset
EXPECTED["shared_tensor"] = {"v": 1, "id": 13, "op": "call", "target": RemoteRef(3, "function"),
                             "args": [msgpack.ExtType(codec.EXT_SHARED, struct.pack(
                                 ">BBB2QIIQQ", 6, 2, 2, 3, 4, 4242, 7, 123456, 4096)), "sum"]}


def raw_shared(payload: bytes) -> msgpack.ExtType:
    """The shared-memory hook for vectors: the ext 5 value itself (no memory to map)."""
    return msgpack.ExtType(codec.EXT_SHARED, payload)
# issue 10: promises (ext 4) and batches (PROTOCOL.md 2.7); the batch entries are the exact
# bytes of encoded headers, each checked below to decode to what it says
EXPECTED["promise_call"] = {"v": 1, "id": 21, "op": "method", "target": Promise(20), "name": "fill",
                            "args": [Promise(19, 2), 2], "done": [17, 18]}
BATCHED = {
    "call 30": bytes.fromhex(
        "85a4617267739101a269641ea26f70a463616c6ca6746172676574d801000000000000000466756e6374696f"
        "6ea17601"
    ),
    "method on 30": bytes.fromhex(
        "86a46172677390a269641fa46e616d65a473697a65a26f70a66d6574686f64a6746172676574d70400000000"
        "0000001ea17601"
    ),
    "ok 30": bytes.fromhex(
        "84a269641ea6737461747573a26f6ba17601a676616c75657391c71a010000000000000009746f7263682e44"
        "6f75626c6554656e736f72"
    ),
    "broken 31": bytes.fromhex(
        "86a5656e616d65ad50726f6d69736542726f6b656ea66576616c7565d93f726571756573742033302c207768"
        "6f736520726573756c7420746869732063616c6c20757365732c206661696c65643a204c75614572726f723a"
        "20626f6f6da269641fa6737461747573a56572726f72a974726163656261636ba0a17601"
    ),
}
EXPECTED["batch_request"] = {"v": 1, "op": "batch",
                             "requests": [BATCHED["call 30"], BATCHED["method on 30"]]}
EXPECTED["batch_reply"] = {"v": 1, "op": "batch", "replies": [BATCHED["ok 30"], BATCHED["broken 31"]]}


def test_batched_headers_decode_to_their_requests_and_replies():
    assert_same(decode_message([BATCHED["call 30"]]),
                {"v": 1, "id": 30, "op": "call", "target": RemoteRef(4, "function"), "args": [1]})
    assert_same(decode_message([BATCHED["method on 30"]]),
                {"v": 1, "id": 31, "op": "method", "target": Promise(30), "name": "size", "args": []})
    assert_same(decode_message([BATCHED["ok 30"]]),
                {"v": 1, "id": 30, "status": "ok", "values": [RemoteRef(9, "torch.DoubleTensor")]})
    assert_same(decode_message([BATCHED["broken 31"]]), {
        "v": 1, "id": 31, "status": "error", "ename": "PromiseBroken", "traceback": "",
        "evalue": "request 30, whose result this call uses, failed: LuaError: boom"})
    assert encode_batch([BATCHED["call 30"], BATCHED["method on 30"]]) == load_vector("batch_request")
    replies = decode_batch_replies(decode_message(load_vector("batch_reply")))
    assert replies == [decode_message([BATCHED["ok 30"]]), decode_message([BATCHED["broken 31"]])]
    bad = decode_batch_replies({"replies": [b"\xc1", b"\x91\x01", BATCHED["ok 30"]]})
    assert [type(r) for r in bad] == [CodecError, CodecError, dict]  # one bad entry: its own loss
    with pytest.raises(CodecError, match="array of encoded reply headers"):
        decode_batch_replies({"replies": ["not bytes"]})


def test_promise_payloads_are_checked():
    with pytest.raises(CodecError, match="8 or 12 bytes"):
        decode_message([b"\xd5\x04\x00\x01"])  # fixext 2
    with pytest.raises(CodecError, match="starts at 1"):
        decode_message([b"\xc7\x0c\x04" + bytes(12)])


def assert_same(actual, expected, path="header"):
    """Equality that also demands equal types (1, 1.0 and True differ), -0.0 and NaN."""
    assert type(actual) is type(expected), f"{path}: {type(actual)} is not {type(expected)}"
    if isinstance(expected, np.ndarray):
        assert (actual.dtype, actual.shape) == (expected.dtype, expected.shape), path
        assert actual.flags.writeable and actual.flags.aligned, path
        np.testing.assert_array_equal(actual, expected)
    elif isinstance(expected, dict):
        assert {(type(k), k) for k in actual} == {(type(k), k) for k in expected}, path
        for k in expected:
            assert_same(actual[k], expected[k], f"{path}[{k!r}]")
    elif isinstance(expected, list):
        assert len(actual) == len(expected), path
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_same(a, e, f"{path}[{i}]")
    elif isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(actual), path
    else:
        assert actual == expected, path
        if isinstance(expected, float):
            assert math.copysign(1, actual) == math.copysign(1, expected), path


def test_every_vector_has_an_expectation():
    assert sorted(p.stem for p in VECTORS.glob("*.hex")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_vector_decodes_to_expected_values(name):
    assert_same(decode_message(load_vector(name), shared_hook=raw_shared), EXPECTED[name])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_vector_reencodes_identically(name):
    frames = load_vector(name)
    assert [bytes(f) for f in encode_message(decode_message(frames, shared_hook=raw_shared))] == frames


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_expected_values_encode_to_vector(name):
    assert [bytes(f) for f in encode_message(EXPECTED[name])] == load_vector(name)


def test_ext5_needs_the_shared_memory_capability():
    with pytest.raises(CodecError, match="unknown ext type 5"):
        decode_message(load_vector("shared_tensor"))


def test_vector_details():
    assert load_vector("ping_request") == [bytes.fromhex("83a2696401a26f70a470696e67a17601")]
    keys = list(decode_message(load_vector("map_key_order"))["values"][0])
    assert keys == [-5, 1, 2, 10, 300, 2**40, 1.5, "B", "a", "aa", "b", "z", "\u00e9"]
    frames = load_vector("tensor_frame")
    assert len(frames) == 2 and len(frames[1]) == 1200
    assert frames[1] == frame_f64().astype("<f8").tobytes()


def test_frames_as_unaligned_memoryview_and_zmq_frame():
    head, data = load_vector("tensor_frame")
    unaligned = memoryview(bytearray(b"\x00" + data))[1:]
    for second in (unaligned, zmq.Frame(data)):
        out = decode_message([zmq.Frame(head), second])
        assert_same(out["args"][0], frame_f64())


def test_ref_hook_replaces_references():
    out = decode_message(load_vector("call_release"), ref_hook=lambda r: ("proxy", r.id))
    assert out["target"] == ("proxy", 12) and out["args"][0] == ("proxy", 13)


def test_int_float_distinction():
    def first_value_bytes(x):
        return encode_message({"a": x})[0][3:]

    assert first_value_bytes(3) == b"\x03"
    assert first_value_bytes(3.0) == bytes.fromhex("cb4008000000000000")
    assert first_value_bytes(3.5) == bytes.fromhex("cb400c000000000000")
    assert first_value_bytes(-0.0) == bytes.fromhex("cb8000000000000000")
    assert first_value_bytes(2**63) == bytes.fromhex("cf8000000000000000")
    negative_nan = struct.unpack(">d", bytes.fromhex("fff8000000000001"))[0]
    assert first_value_bytes(negative_nan) == bytes.fromhex("cb7ff8000000000000")
    assert first_value_bytes(True) == b"\xc3"
    assert first_value_bytes(np.int16(-2)) == b"\xfe"
    assert first_value_bytes(np.float32(0.5)) == bytes.fromhex("cb3fe0000000000000")
    with pytest.raises(CodecError, match="outside msgpack's range"):
        encode_message({"a": 2**64})


def test_map_keys_sorted_with_bools_last():
    head = encode_message({True: 1, "s": 2, b"\x01": 3, -1: 4})[0]
    assert head == bytes.fromhex("84ff04c40101" "03a17302c301")
    with pytest.raises(TypeError, match="map key of type tuple"):
        encode_message({(1, 2): 3})


def test_tensor_conversions():
    fortran = np.asfortranarray(np.arange(6, dtype=np.int32).reshape(2, 3))
    strided = np.arange(12, dtype=np.float64)[::2]
    big = np.arange(4, dtype=">i2")
    half = np.array([1.5, -2], dtype=np.float16)
    byte = np.array([0, 255], dtype=np.uint8)
    header = {"x": [fortran, strided, big, half, byte]}
    frames = encode_message(header)
    assert len(frames) == 1
    out = decode_message(frames)["x"]
    for got, want in zip(out, header["x"], strict=True):
        assert got.dtype == want.dtype.newbyteorder("=")
        np.testing.assert_array_equal(got, want)
    ext = msgpack.unpackb(frames[0])["x"][2]
    assert ext.data.endswith(bytes.fromhex("0000010002000300"))  # little-endian on the wire


def test_tensor_over_inline_max_goes_in_a_frame():
    small = np.zeros(codec.INLINE_MAX, dtype=np.uint8)
    assert len(encode_message({"t": small})) == 1
    frames = encode_message({"a": small, "t": np.zeros(codec.INLINE_MAX + 1, dtype=np.uint8)})
    assert len(frames) == 2 and len(frames[1]) == codec.INLINE_MAX + 1


def test_unsupported_arrays_and_objects():
    with pytest.raises(TypeError, match="astype\\(np.uint8\\)"):
        encode_message({"t": np.array([True])})
    with pytest.raises(TypeError, match="unsupported tensor dtype uint16"):
        encode_message({"t": np.zeros(2, dtype=np.uint16)})
    with pytest.raises(TypeError, match="complex128"):
        encode_message({"t": np.zeros(2, dtype=complex)})
    with pytest.raises(TypeError, match="object of type object"):
        encode_message({"o": object()})
    with pytest.raises(TypeError, match="must be a dict"):
        encode_message([1])  # type: ignore[arg-type]


def test_default_hook_is_used_once():
    class Proxy:
        ref = RemoteRef(5, "nn.Linear")

    frames = encode_message({"args": [Proxy()]}, default=lambda o: o.ref)
    assert decode_message(frames)["args"] == [RemoteRef(5, "nn.Linear")]
    with pytest.raises(TypeError, match="object of type object"):
        encode_message({"a": 1.0j}, default=lambda o: object())


def nest(depth: int):
    value: list = []
    for _ in range(depth - 2):  # the header map is level 1, "a"'s array is level 2
        value = [value]
    return {"a": value}


def test_depth_limit_and_cycles():
    frames = encode_message(nest(64))
    assert decode_message(frames)["a"] is not None
    with pytest.raises(CodecError, match="deeper than 64"):
        encode_message(nest(65))
    too_deep = b"\x81\xa1a" + b"\x91" * 63 + b"\x90"  # 65 levels, written by hand
    with pytest.raises(CodecError, match="deeper than 64"):
        decode_message([too_deep])
    cycle: list = []
    cycle.append(cycle)
    with pytest.raises(CodecError, match="a cycle"):
        encode_message({"c": cycle})


@pytest.mark.parametrize("frames, message", [
    ([], "no header frame"),
    ([b"\x83\xa2id\x01"], "malformed header"),  # truncated
    ([b"\xc1"], "malformed header"),
    ([b"\xdb\xff\xff\xff\xffabc"], "malformed header"),  # str32 claiming 4 GiB
    ([b"\xdd\xff\xff\xff\xff\x01"], "malformed header"),  # array32 claiming 4G elements
    ([b"\x81\x01\x02\x03"], "malformed header"),  # trailing bytes
    ([b"\x92\x01\x02"], "not a map"),
    ([b"\x81\x91\x01\x02"], "malformed header"),  # array as a map key
    ([b"\x81\xa1a\xd4\x07\x00"], "unknown ext type 7"),
    ([b"\x81\xa1a\xd6\x01\x00\x00\x00\x00"], "at least 8 bytes"),
    ([b"\x81\xa1a\xc7\x03\x02\x09\x00\x00"], "unknown tensor dtype code 9"),
    ([b"\x81\xa1a\xc7\x03\x02\x01\x02\x00"], "unknown tensor flags 2"),
    ([b"\x81\xa1a\xc7\x03\x02\x01\x00\x41"], "65 dimensions"),
    ([b"\x81\xa1a\xc7\x05\x02\x01\x00\x00\x07\x08"], "inline tensor data is 2 bytes, expected 1"),
    ([b"\x81\xa1a\xc7\x07\x02\x01\x01\x00" + b"\x00\x00\x00\x02", b"x"], "refers to frame 2"),
    ([b"\x81\xa1a\xc7\x07\x02\x01\x01\x00" + b"\x00\x00\x00\x00"], "refers to frame 0"),
    ([b"\x81\xa1a\xc7\x07\x02\x06\x01\x00" + b"\x00\x00\x00\x01", b"abc"],
     "holds 3 bytes, the tensor needs 4"),
    ([b"\x81\xa1a\x01", b"stray"], "frame 1 is not referred to"),
])
def test_malformed_input_is_a_clean_codec_error(frames, message):
    with pytest.raises(CodecError, match=message):
        decode_message(frames)


def test_header_size_limit(monkeypatch):
    monkeypatch.setattr(codec, "MAX_HEADER", 16)
    with pytest.raises(CodecError, match="exceeds the 16-byte limit"):
        encode_message({"s": "x" * 20})
    with pytest.raises(CodecError, match="exceeds the 16-byte limit"):
        decode_message([b"\x81\xa1s\xb4" + b"x" * 20])


def test_ext_payload_helpers():
    assert codec.pack_ref(RemoteRef(1, "nn.Tanh")) == b"\x00" * 7 + b"\x01nn.Tanh"
    assert codec.unpack_ref(b"\x00" * 7 + b"\x02function") == RemoteRef(2, "function")
    frames: list = []
    payload = codec.pack_tensor(np.arange(300, dtype=np.float32), frames)
    assert payload == bytes.fromhex("060101" "000000000000012c" "00000001")
    array, index = codec.unpack_tensor(payload, [b"", frames[0]])
    assert index == 1 and array[-1] == 299

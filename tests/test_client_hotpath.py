"""The client's per-call path (issue 10): a connection's reused encoder and decoder give the
codec's bytes and values, headers come out in protocol order, and proxies' registry entries
and releases follow the proxies' lives."""

from __future__ import annotations

import gc
import struct

import msgpack
import numpy as np
import pytest
from test_codec import BATCHED, EXPECTED, assert_same, load_vector, raw_shared
from test_codec import test_malformed_input_is_a_clean_codec_error as malformed_case

import client
from bridge import codec
from client.headers import HeaderTemplates, call_header, request_header
from client.proxy import LuaObject


def remote(ref: codec.RemoteRef) -> tuple:
    return ("ref", ref.id, ref.typename)


def remote_from_wire(ref_id: int, payload: bytes) -> tuple:
    return ("ref", ref_id, codec.unpack_ref(payload).typename)


def decoder() -> codec.MessageDecoder:
    return codec.MessageDecoder(remote_from_wire, shared_hook=raw_shared)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_decoder_reads_every_vector_as_decode_message(name):
    frames = load_vector(name)
    expected = codec.decode_message(frames, ref_hook=remote, shared_hook=raw_shared)
    assert_same(decoder().decode(frames), expected)
    # zmq gives the header as bytes; any other buffer takes decode_message's own path
    assert_same(decoder().decode([memoryview(frames[0]), *frames[1:]]), expected)


def test_the_decoder_reads_batch_replies_as_decode_batch_replies():
    message = codec.decode_message(load_vector("batch_reply"))
    assert decoder().decode_batch(message) == codec.decode_batch_replies(message, ref_hook=remote)
    assert decoder().decode_batch(message)[0]["values"] == [("ref", 9, "torch.DoubleTensor")]
    bad = decoder().decode_batch({"replies": [b"\xc1", b"\x91\x01", BATCHED["ok 30"]]})
    assert [type(r) for r in bad] == [codec.CodecError, codec.CodecError, dict]


@pytest.mark.parametrize("frames, message", malformed_case.pytestmark[0].args[1])
def test_the_decoder_refuses_what_decode_message_refuses(frames, message):
    with pytest.raises(codec.CodecError, match=message):
        decoder().decode(frames)


def test_the_decoder_checks_reference_type_names_through_its_hook():
    bad_name = msgpack.packb({"a": msgpack.ExtType(1, b"\0" * 7 + b"\x05\xff")})
    with pytest.raises(codec.CodecError, match="not UTF-8"):
        decoder().decode([bad_name])


@pytest.mark.parametrize("name", ["ping_request", "call_release", "epoch_request", "nested",
                                  "tensor_inline", "tensor_frame", "promise_call"])
def test_a_reused_encoder_gives_the_golden_bytes(name):
    frames = load_vector(name)
    header = codec.decode_message(frames)
    encoder = codec.RequestEncoder()
    for _ in range(2):  # the second time through the same Packer
        assert [bytes(f) for f in encoder.encode(header)] == frames


def test_a_reused_encoder_recovers_from_errors_and_reentry():
    encoder = codec.RequestEncoder()
    with pytest.raises(codec.CodecError, match="outside msgpack's range"):
        encoder.encode({"a": [1, 2**64]})
    with pytest.raises(TypeError, match="cannot encode object of type object"):
        encoder.encode({"a": [object()]})
    assert encoder.encode({"b": 1}) == [b"\x81\xa1b\x01"]  # nothing left over in the Packer

    class Inner:  # a hook that encodes another request while this one is encoded
        pass

    def default(obj):
        inner.append(encoder.encode({"n": np.arange(200.0)}))
        return codec.RemoteRef(7, "x")

    inner: list = []
    encoder = codec.RequestEncoder(default)
    outer = encoder.encode({"a": [Inner(), np.arange(300.0)]})
    assert [bytes(f) for f in outer] == [bytes(f) for f in codec.encode_message(
        {"a": [codec.RemoteRef(7, "x"), np.arange(300.0)]})]
    assert [bytes(f) for f in inner[0]] == [bytes(f) for f in codec.encode_message(
        {"n": np.arange(200.0)})]


@pytest.mark.parametrize("dtype", ["u1", "i1", "<i2", "<i4", "<i8", "<f4", "<f8", "<f2",
                                   ">f8", ">i4", "=f4"])
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 3), (1, 1, 1, 2), (128,)])
def test_small_tensors_pack_as_the_protocol_says(dtype, shape):
    array = (np.arange(int(np.prod(shape))) % 100).astype(dtype).reshape(shape)
    code = {"u": 1, "i": {1: 2, 2: 3, 4: 4, 8: 5}}.get(array.dtype.kind)
    code = code.get(array.dtype.itemsize) if isinstance(code, dict) else code
    code = code or {2: 8, 4: 6, 8: 7}[array.dtype.itemsize]
    data = array.astype(array.dtype.newbyteorder("<")).tobytes()
    expected = struct.pack(f">BBB{len(shape)}Q", code, 0, len(shape), *shape) + data
    assert codec.pack_tensor(array, []) == expected
    if array.ndim == 2:  # a transposed view: not contiguous, packed in C order of its own
        t = array.T
        assert codec.pack_tensor(t, []) == struct.pack(">BBB2Q", code, 0, 2, *t.shape) + \
            np.ascontiguousarray(t).astype(t.dtype.newbyteorder("<")).tobytes()


def sorted_header(op, request_id, fields, epoch, releases, done) -> dict:
    """The header as the protocol defines it: every field, sorted, None left out."""
    full = dict(fields, v=1, id=request_id, op=op, epoch=epoch, release=releases, done=done)
    return {k: full[k] for k in sorted(full) if full[k] is not None}


@pytest.mark.parametrize("fields", [
    {}, {"code": "return 1"}, {"code": "x", "as_ref": True}, {"target": 1, "key": "size"},
    {"target": 1, "key": 0}, {"target": 1, "key": False}, {"target": 1, "args": []},
    {"target": 1, "name": "forward", "args": [1, 2]}, {"name": "nn"}, {"target": None, "args": [1]},
    {"target": 1, "key": "x", "value": None}, {"target": 1, "key": "x", "value": 3},
    {"session": "s1"}, {"class": "nn.Linear", "args": [3, 2]},
])
@pytest.mark.parametrize("extra", [(None, None, None), ("0123", [[5, 1], [6, 2]], [9, 10])])
def test_headers_are_built_in_protocol_order(fields, extra):
    epoch, releases, done = extra
    built = request_header("call", 42, dict(fields), epoch, releases, done)
    expected = sorted_header("call", 42, fields, epoch, releases, done)
    assert list(built.items()) == list(expected.items())
    assert msgpack.packb(built) == msgpack.packb(expected)


@pytest.mark.parametrize("name", [None, "forward"])
@pytest.mark.parametrize("args", [(), (1, "x"), [np.ones(2)]])
@pytest.mark.parametrize("extra", [(None, None, None), ("0123", [[5, 1], [6, 2]], [9, 10])])
def test_call_headers_are_request_headers_of_their_fields(name, args, extra):
    epoch, releases, done = extra
    op = "call" if name is None else "method"
    built = call_header(op, 42, msgpack.ExtType(1, b"\0" * 8 + b"function"), name, args, epoch,
                        releases, done)
    fields = {"target": msgpack.ExtType(1, b"\0" * 8 + b"function"), "name": name, "args": args}
    expected = sorted_header(op, 42, fields, epoch, releases, done)
    assert list(built) == list(expected) and built == expected


@pytest.mark.parametrize("op, name", [("call", None), ("method", "forward")])
@pytest.mark.parametrize("args", [(), [], (1, "x", None, 2.5), (np.ones(3),),
                                  (np.arange(500.0), [1, {"a": 2}])])
@pytest.mark.parametrize("epoch", [None, "0123"])
@pytest.mark.parametrize("request_id", [1, 127, 128, 255, 256, 70000, 2**32 + 5])
def test_templated_call_headers_are_the_packed_call_header(op, name, args, epoch, request_id):
    target = codec.ext_value(codec.EXT_REF, struct.pack(">Q", 7) + b"nn.Linear")
    headers, encoder = HeaderTemplates(), codec.RequestEncoder()
    for _ in range(2):  # made, then from the kept template
        got = headers.encode_call(encoder, op, request_id, target, name, args, epoch)
        expected = encoder.encode(call_header(op, request_id, target, name, args, epoch, None, None))
        assert [bytes(f) for f in got] == [bytes(f) for f in expected]


def test_templated_call_headers_stay_right_for_many_targets_and_past_the_limit():
    headers, encoder = HeaderTemplates(), codec.RequestEncoder()
    headers.MAX_KEPT = 8
    for i in range(30):  # fresh targets sharing a name, op and epoch, and kept ones again
        target = codec.ext_value(codec.EXT_REF, struct.pack(">Q", i % 12) + b"torch.DoubleTensor")
        got = headers.encode_call(encoder, "method", 1000 + i, target, "fill", (i,), "e1")
        assert got == encoder.encode(call_header("method", 1000 + i, target, "fill", (i,), "e1",
                                                 None, None))
    assert len(headers._templates) <= 8


@pytest.mark.parametrize("code", ["return 1", "", "x = 'é'", "a" * 40, "b" * 300])
@pytest.mark.parametrize("epoch", [None, "0123"])
@pytest.mark.parametrize("request_id", [1, 200, 2**33])
def test_templated_eval_headers_are_the_packed_request_header(code, epoch, request_id):
    headers = HeaderTemplates()
    for _ in range(2):  # made, then from the kept pieces
        expected = msgpack.packb(request_header("eval", request_id, {"code": code}, epoch, None, None))
        assert headers.encode_eval(request_id, code, epoch) == expected


def test_an_eval_carries_the_releases_and_acknowledgements_waiting(lua, torch):
    t = torch.Tensor(2)
    ref_id = t._id
    del t  # its release waits for the next request
    assert lua._releases[-1] == (ref_id, 1)
    assert lua.eval("return 5") == 5
    assert (ref_id, 1) not in lua._releases
    gone = LuaObject(lua, ref_id, "torch.DoubleTensor")  # (as tests and tools make them)
    with pytest.raises(client.RemoteError, match="unknown or was released"):
        lua.request("method", target=gone, name="size", args=[])
    object.__setattr__(gone, "_conn", None)  # not received: nothing to release


def test_call_arguments_msgpack_cannot_pack_take_the_general_path():
    headers, encoder = HeaderTemplates(), codec.RequestEncoder()
    target = codec.ext_value(codec.EXT_PROMISE, struct.pack(">Q", 3))
    assert headers.encode_call(encoder, "call", 1, target, None, (2**64,), None) is None
    assert headers.encode_call(encoder, "call", 1, target, None, (object(),), None) is None
    with pytest.raises(codec.CodecError, match="outside msgpack's range"):
        encoder.encode(call_header("call", 1, target, None, (2**64,), None, None, None))
    assert headers.encode_call(encoder, "call", 2, target, None, (1,), None) == \
        encoder.encode(call_header("call", 2, target, None, (1,), None, None, None))


def test_a_proxy_leaves_the_registry_when_it_dies(lua, torch):
    t = torch.Tensor(3)
    ref_id = t._id
    assert lua._proxies[ref_id]() is t
    assert t.size(1) == 3 and lua._proxies[ref_id]() is t  # used: still the one proxy
    del t
    assert ref_id not in lua._proxies
    assert lua._releases[-1] == (ref_id, 1)


def test_a_proxy_in_a_collected_cycle_is_released_and_forgotten(lua, torch):
    gc.collect()
    lua.flush_releases()
    before = lua.ping()["refs"]
    holder: list = [torch.Tensor(2)]
    holder.append(holder)  # a cycle: only the garbage collector frees it
    ref_id = holder[0]._id
    del holder
    gc.collect()
    assert ref_id not in lua._proxies
    lua.flush_releases()
    assert lua.ping()["refs"] == before


def test_a_reference_received_again_is_the_same_proxy_with_one_more_receipt(lua, nn):
    lin = nn.Linear(2, 2)
    out1 = lin.forward(np.ones(2))
    out2 = lin.forward(np.ones(2))  # nn.Linear returns its output tensor again
    assert out1 is out2 and out1._receipts == 2
    assert out1._wire == codec.ext_value(codec.EXT_REF, struct.pack(">Q", out1._id) + b"torch.DoubleTensor")


def test_a_proxy_made_in_python_sends_its_reference(lua, torch):
    t = torch.Tensor(4)
    made = type(t)(lua, t._id, t._typename)  # (as tests and tools make them)
    assert made._wire is None
    assert lua.eval("function(x) return x:size(1) end")(made) == 4
    assert made._wire == t._wire
    object.__setattr__(made, "_conn", None)  # not received: nothing to release


def test_a_pending_argument_travels_as_codecs_promise(lua):
    fn = lua.eval("function(x) return x end")
    with lua.pipeline() as pipeline:
        first = fn(1)
        wire = pipeline.promise_of(first)
        assert fn(first).value == 1
    assert wire == msgpack.ExtType(codec.EXT_PROMISE, codec.pack_promise(codec.Promise(first.request_id)))


def test_a_remote_ref_decoded_alone_gets_the_connections_proxy(lua, torch):
    t = torch.Tensor(2)
    again = codec.decode_message(codec.encode_message({"x": codec.RemoteRef(t._id, t._typename)}),
                                 ref_hook=lua._proxy_for)["x"]
    assert again is t and t._receipts == 2
    object.__setattr__(t, "_receipts", 1)  # (the server handed it out once)


def test_a_reply_with_data_frames_after_references_counts_each_reference_once(lua):
    # the client reads a reply's header alone and receives its data frames only when the
    # header names one: the references decoded before that was seen must count once
    gc.collect()
    lua.flush_releases()
    before = lua.ping()["refs"]
    fn = lua.eval("function() end")
    table = lua.ref("{a = _G.print, b = torch.range(1, 1000)}")
    value = lua.fetch(table)
    assert value["a"]._receipts == 1
    assert np.array_equal(value["b"], np.arange(1, 1001))
    again = lua.fetch(table)
    assert again["a"] is value["a"] and value["a"]._receipts == 2
    del value, again, fn, table
    gc.collect()
    lua.flush_releases()
    assert lua.ping()["refs"] == before

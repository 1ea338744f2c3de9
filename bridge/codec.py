"""Messages to and from ZeroMQ frames, as ``bridge/PROTOCOL.md`` (version 1) defines them.

A message is a list of frames: frame 0 is the header, one msgpack map; frames 1..k hold
tensor data that tensor ext values in the header refer to by index. The encoding is
deterministic (smallest int forms, sorted map keys) so golden vectors re-encode exactly.
"""

from __future__ import annotations

import math
import struct
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import msgpack
import numpy as np

PROTOCOL_VERSION = 1
EXT_REF = 1
EXT_TENSOR = 2
EXT_PROMISE = 4  # a pipelined call's result, before its reply (§2.7)
EXT_SHARED = 5  # a tensor in shared memory (§5.4), only after the shm_attach handshake
INLINE_MAX = 1024
MAX_HEADER = 64 * 1024 * 1024
MAX_DEPTH = 64
MAX_NDIM = 64
MAX_FRAMES = 2**32 - 1

#: dtype code -> little-endian numpy dtype; Torch7 calls them Byte, Char, Short, Int, Long,
#: Float, Double and Half tensors
CODE_DTYPES: dict[int, np.dtype] = {
    code: np.dtype(name).newbyteorder("<")
    for code, name in enumerate(
        ["uint8", "int8", "int16", "int32", "int64", "float32", "float64", "float16"], start=1
    )
}
_DTYPE_CODES = {(dt.kind, dt.itemsize): code for code, dt in CODE_DTYPES.items()}
# dtype -> code for the arrays pack_tensor takes without conversion (little-endian or
# single-byte ones on a little-endian machine): one dict lookup instead of three checks
_PLAIN_CODES = {dt: code for code, dt in CODE_DTYPES.items()} if sys.byteorder == "little" else {}
_TENSOR_HEADS: dict[int, struct.Struct] = {}  # ndim -> Struct of the ext 2 prefix and sizes
_new_tuple = tuple.__new__


def ext_value(code: int, data: bytes) -> msgpack.ExtType:
    """``msgpack.ExtType(code, data)`` without its argument checks (a third of a
    microsecond instead of half a microsecond more), for codes and bytes known to be valid."""
    return _new_tuple(msgpack.ExtType, (code, data))


class CodecError(ValueError):
    """Bytes that do not follow the protocol, or a value the protocol cannot carry."""


class FramesFollow(CodecError):
    """:meth:`MessageDecoder.decode_head` met a tensor whose data is in a data frame: the
    message has more frames than the header it was given. ``refs``: what the reference hook
    gave for the ext 1 values decoded before (decoding the whole message gives them again)."""

    def __init__(self, refs: list) -> None:
        super().__init__("the header names a data frame")
        self.refs = refs


@dataclass(frozen=True)
class RemoteRef:
    """A Lua object that stays on the server, named by its reference id (ext 1)."""

    id: int
    typename: str


@dataclass(frozen=True)
class Promise:
    """A result of an earlier request of a batch, named before its reply arrived (ext 4):
    ``index`` (1-based) picks one result; None stands for the call's value as the client sees
    it (nil, the one result, or an array of them)."""

    request_id: int
    index: int | None = None


# ----------------------------------------------------------------------------- ext payloads


def pack_promise(promise: Promise) -> bytes:
    """Return the ext 4 payload: 8-byte big-endian request id, then an optional 4-byte index."""
    if not 0 <= promise.request_id < 2**64:
        raise CodecError(f"request id {promise.request_id} does not fit in 64 unsigned bits")
    if promise.index is None:
        return struct.pack(">Q", promise.request_id)
    if not 1 <= promise.index < 2**32:
        raise CodecError(f"promise index {promise.index} is not in [1, 2^32)")
    return struct.pack(">QI", promise.request_id, promise.index)


def unpack_promise(payload: bytes) -> Promise:
    """Parse an ext 4 payload (8 or 12 bytes)."""
    if len(payload) == 8:
        return Promise(struct.unpack(">Q", payload)[0])
    if len(payload) == 12:
        request_id, index = struct.unpack(">QI", payload)
        if index < 1:
            raise CodecError("a promise's result index starts at 1, got 0")
        return Promise(request_id, index)
    raise CodecError(f"promise payload must be 8 or 12 bytes, got {len(payload)}")


def pack_ref(ref: RemoteRef) -> bytes:
    """Return the ext 1 payload: 8-byte big-endian id, then the UTF-8 type name."""
    if not 0 <= ref.id < 2**64:
        raise CodecError(f"reference id {ref.id} does not fit in 64 unsigned bits")
    return struct.pack(">Q", ref.id) + ref.typename.encode()


def unpack_ref(payload: bytes) -> RemoteRef:
    """Parse an ext 1 payload.

    Raises
    ------
    CodecError
        If the payload is shorter than 8 bytes or the type name is not UTF-8.
    """
    if len(payload) < 8:
        raise CodecError(f"reference payload must be at least 8 bytes, got {len(payload)}")
    try:
        typename = bytes(payload[8:]).decode()
    except UnicodeDecodeError as e:
        raise CodecError(f"reference type name is not UTF-8: {e}") from e
    return RemoteRef(struct.unpack_from(">Q", payload)[0], typename)


def pack_tensor(array: np.ndarray, frames: list[bytes | memoryview]) -> bytes:
    """Return the ext 2 payload for ``array``.

    Data of more than ``INLINE_MAX`` bytes is appended to ``frames`` (the frames after the
    header, so its index is ``len(frames)`` afterwards) as a zero-copy view; less is inline.

    Raises
    ------
    TypeError
        For bool arrays and dtypes with no Torch7 tensor type.
    """
    dt = array.dtype
    code = _PLAIN_CODES.get(dt)
    ndim = array.ndim
    if code is not None and array.flags.c_contiguous and array.nbytes <= INLINE_MAX \
            and ndim <= MAX_NDIM:
        head = _TENSOR_HEADS.get(ndim)
        if head is None:
            head = _TENSOR_HEADS[ndim] = struct.Struct(f">BBB{ndim}Q")
        return head.pack(code, 0, ndim, *array.shape) + array.tobytes()
    if dt.kind == "b":
        raise TypeError("bool arrays have no Torch7 tensor type; send array.astype(np.uint8)")
    code = _DTYPE_CODES.get((dt.kind, dt.itemsize))
    if code is None:
        raise TypeError(f"unsupported tensor dtype {dt}: use uint8, int8/16/32/64 or float16/32/64")
    if array.ndim > MAX_NDIM:
        raise CodecError(f"array has {array.ndim} dimensions, more than {MAX_NDIM}")
    if dt.byteorder == ">" or (dt.byteorder == "=" and sys.byteorder == "big"):
        array = array.astype(dt.newbyteorder("<"))
    if not array.flags.c_contiguous:
        array = array.copy(order="C")
    inline = array.nbytes <= INLINE_MAX
    head = struct.pack(f">BBB{array.ndim}Q", code, 0 if inline else 1, array.ndim, *array.shape)
    if inline:
        return head + array.tobytes()
    if len(frames) >= MAX_FRAMES:
        raise CodecError(f"a message holds at most {MAX_FRAMES} data frames")
    frames.append(memoryview(array.reshape(-1).view(np.uint8)))
    return head + struct.pack(">I", len(frames))


def _parse_tensor(payload: bytes) -> tuple[np.dtype, tuple[int, ...], int, bytes | int]:
    """Split an ext 2 payload into dtype, shape, byte count and inline data or frame index."""
    if len(payload) < 3:
        raise CodecError(f"tensor payload is {len(payload)} bytes, shorter than its 3-byte prefix")
    code, flags, ndim = payload[0], payload[1], payload[2]
    if code not in CODE_DTYPES:
        raise CodecError(f"unknown tensor dtype code {code}")
    if flags > 1:
        raise CodecError(f"unknown tensor flags {flags} (0 = inline, 1 = frame)")
    if ndim > MAX_NDIM:
        raise CodecError(f"tensor has {ndim} dimensions, more than {MAX_NDIM}")
    start = 3 + 8 * ndim
    if len(payload) < start:
        raise CodecError(f"tensor payload is {len(payload)} bytes, too short for {ndim} sizes")
    dtype = CODE_DTYPES[code]
    shape = struct.unpack_from(f">{ndim}Q", payload, 3)
    nbytes = math.prod(shape) * dtype.itemsize
    rest = payload[start:]
    if flags == 0:
        if len(rest) != nbytes:
            raise CodecError(f"inline tensor data is {len(rest)} bytes, expected {nbytes}")
        return dtype, shape, nbytes, rest
    if len(rest) != 4:
        raise CodecError(f"tensor frame index must be 4 bytes, got {len(rest)}")
    return dtype, shape, nbytes, struct.unpack(">I", rest)[0]


def unpack_tensor(payload: bytes, frames: Sequence[memoryview]) -> tuple[np.ndarray, int | None]:
    """Build a writable, native-order array from an ext 2 payload.

    ``frames`` is the whole message (frame 0 is the header). Returns the array and the
    index of the frame it was read from, or None when the data was inline.

    Raises
    ------
    CodecError
        If the payload is malformed, the frame index is out of range, or lengths disagree.
    """
    dtype, shape, nbytes, data = _parse_tensor(payload)
    index = None
    if isinstance(data, int):
        index = data
        if not 1 <= index < len(frames):
            raise CodecError(
                f"tensor refers to frame {index}, but the data frames are 1..{len(frames) - 1}"
            )
        data = frames[index]
        if len(data) != nbytes:
            raise CodecError(f"frame {index} holds {len(data)} bytes, the tensor needs {nbytes}")
    flat = np.frombuffer(data, dtype=dtype, count=nbytes // dtype.itemsize)
    if index is not None and _viewable(flat, data):
        return flat.reshape(shape), index  # the array keeps the received frame alive
    # frombuffer tolerates unaligned memory; astype copies into a fresh aligned, writable array
    return flat.astype(dtype.newbyteorder("="), copy=True).reshape(shape), index


def _viewable(flat: np.ndarray, frame: Any) -> bool:
    """Whether an array over a received frame can be handed out as it is: writable memory
    (a ZeroMQ frame, not ``bytes``), aligned for its dtype, in native byte order."""
    return (not getattr(frame, "readonly", True) and flat.flags.aligned and flat.flags.writeable
            and flat.dtype.isnative)


# ----------------------------------------------------------------------------- messages


def _key_order(key: Any) -> tuple[int, Any]:
    """Map key order: ints, floats, strings (str and bytes, bytewise), then booleans."""
    if isinstance(key, bool):
        return (3, key)
    if isinstance(key, int):
        return (0, key)
    if isinstance(key, float):
        return (1, key)
    if isinstance(key, str):
        return (2, key.encode())
    if isinstance(key, bytes):
        return (2, key)
    raise TypeError(f"cannot encode a map key of type {type(key).__name__}")


def _prepare(obj: Any, frames: list, default: Callable[[Any], Any] | None, depth: int) -> Any:
    """Turn obj into what msgpack packs as the protocol wants (``depth`` counts containers)."""
    if obj is None or isinstance(obj, (bool, str, bytes, msgpack.ExtType)):
        return obj
    if isinstance(obj, int):
        if not -(2**63) <= obj < 2**64:
            raise CodecError(f"integer {obj} is outside msgpack's range [-2^63, 2^64)")
        return obj
    if isinstance(obj, float):
        return math.nan if math.isnan(obj) else obj  # one NaN bit pattern, as Lua sends
    if isinstance(obj, (dict, list, tuple)):
        if depth > MAX_DEPTH:
            raise CodecError(f"containers nested deeper than {MAX_DEPTH} levels (a cycle?)")
        if isinstance(obj, dict):
            keys = sorted(obj, key=_key_order)
            return {k: _prepare(obj[k], frames, default, depth + 1) for k in keys}
        return [_prepare(x, frames, default, depth + 1) for x in obj]
    if isinstance(obj, RemoteRef):
        return msgpack.ExtType(EXT_REF, pack_ref(obj))
    if isinstance(obj, Promise):
        return msgpack.ExtType(EXT_PROMISE, pack_promise(obj))
    if isinstance(obj, np.ndarray):
        return msgpack.ExtType(EXT_TENSOR, pack_tensor(obj, frames))
    if isinstance(obj, np.generic):
        return _prepare(obj.item(), frames, None, depth)
    if isinstance(obj, (bytearray, memoryview)):
        return bytes(obj)
    if default is not None:
        return _prepare(default(obj), frames, None, depth)
    raise TypeError(f"cannot encode object of type {type(obj).__name__}")


def encode_message(
    header: dict, default: Callable[[Any], Any] | None = None
) -> list[bytes | memoryview]:
    """Encode a header map into frames.

    Parameters
    ----------
    header : dict
        The header. numpy arrays anywhere inside become tensor ext values, RemoteRef
        becomes ext 1, tuples become arrays, numpy scalars become plain numbers.
    default : callable, optional
        Called with any other object; must return an encodable value (e.g. a RemoteRef).

    Returns
    -------
    list of bytes or memoryview
        ``[header, *data_frames]``; data frames are zero-copy views of the arrays, so the
        arrays must not change until the message is sent.

    Raises
    ------
    TypeError
        For an object that cannot be encoded, a bool array or an unsupported dtype.
    CodecError
        For integers out of range, nesting deeper than 64 or a header over 64 MiB.
    """
    if not isinstance(header, dict):
        raise TypeError(f"a message header must be a dict, not {type(header).__name__}")
    frames: list[bytes | memoryview] = []
    head = msgpack.packb(_prepare(header, frames, default, 1), use_bin_type=True)
    if len(head) > MAX_HEADER:
        raise CodecError(f"header of {len(head)} bytes exceeds the {MAX_HEADER}-byte limit")
    return [head, *frames]


def encode_request(
    header: dict, default: Callable[[Any], Any] | None = None,
    shared: Callable[[np.ndarray], bytes | None] | None = None,
) -> list[bytes | memoryview]:
    """:func:`encode_message`'s fast path for the client's requests.

    msgpack packs the header in one pass (no walk sorting map keys first): the bytes equal
    encode_message's when every map's keys are already in protocol order, as the client
    builds its headers; maps inside arguments keep the caller's order, which no decoder
    depends on. Anything unusual (an integer out of range, an object ``default`` cannot
    turn into a value) goes through :func:`encode_message`, so errors are the same.
    ``shared`` (optional) gives the ext 5 payload of an array in shared memory (§5.4),
    or None for an array that goes by value. (:class:`RequestEncoder` does the same with
    its state kept between requests.)
    """
    return RequestEncoder(default).encode(header, shared)


class RequestEncoder:
    """:func:`encode_request` for a connection: one msgpack Packer and one bound hook, made
    once, instead of a Packer and a closure per request (about 1 us a request).

    ``default`` turns other objects into encodable values (proxies into ext 1 values). A
    hook that makes a request itself while this one is being encoded (a Python callback
    run while a Pending argument is waited for) gets a fresh encoder.
    """

    def __init__(self, default: Callable[[Any], Any] | None = None) -> None:
        self.default = default
        self._packer = msgpack.Packer(use_bin_type=True, default=self._ext)
        self._frames: list | None = None
        self._shared: Callable[[np.ndarray], bytes | None] | None = None

    def encode(self, header: dict,
               shared: Callable[[np.ndarray], bytes | None] | None = None) -> list[bytes | memoryview]:
        if self._frames is not None:  # re-entered from a hook
            return RequestEncoder(self.default).encode(header, shared)
        frames: list = []
        self._frames, self._shared = frames, shared
        try:
            head = self._packer.pack(header)
        except (TypeError, ValueError, OverflowError, CodecError):
            head = None
        finally:
            self._frames = self._shared = None
        if head is None:
            return encode_message(header, self.default)
        if len(head) > MAX_HEADER:
            raise CodecError(f"header of {len(head)} bytes exceeds the {MAX_HEADER}-byte limit")
        return [head, *frames] if frames else [head]

    def encode_part(self, obj: Any, shared: Callable[[np.ndarray], bytes | None] | None = None
                    ) -> tuple[bytes, list] | None:
        """The packed bytes of a part of a request header (a call's arguments) and the data
        frames its arrays go in, or None when msgpack cannot pack it as it is (or this
        encoder is busy): then the caller encodes the whole header with :meth:`encode`,
        which gives the codec's own errors. ``shared`` as :meth:`encode`'s."""
        if self._frames is not None:
            return None
        frames: list = []
        self._frames, self._shared = frames, shared
        try:
            packed = self._packer.pack(obj)
        except (TypeError, ValueError, OverflowError, CodecError):
            return None
        finally:
            self._frames = self._shared = None
        if len(packed) > MAX_HEADER:
            return None
        return packed, frames

    def _ext(self, obj: Any) -> Any:
        """The Packer's hook: what msgpack cannot pack by itself."""
        if isinstance(obj, np.ndarray):
            shared = self._shared
            payload = shared(obj) if shared is not None else None
            if payload is not None:
                return ext_value(EXT_SHARED, payload)
            return ext_value(EXT_TENSOR, pack_tensor(obj, self._frames))
        if isinstance(obj, np.generic):
            return obj.item()
        if not isinstance(obj, (RemoteRef, Promise)) and self.default is not None:
            obj = self.default(obj)
        if isinstance(obj, RemoteRef):
            return ext_value(EXT_REF, pack_ref(obj))
        if isinstance(obj, Promise):
            return ext_value(EXT_PROMISE, pack_promise(obj))
        return obj  # an ExtType, or a value for msgpack (which raises if it cannot pack it)


def _as_bytes_view(frame: Any) -> memoryview:
    view = memoryview(getattr(frame, "buffer", frame))
    return view if view.format == "B" and view.ndim == 1 else view.cast("B")


def _check_depth(obj: Any, depth: int) -> None:
    if isinstance(obj, (list, dict)):
        if depth > MAX_DEPTH:
            raise CodecError(f"arrays and maps nested deeper than {MAX_DEPTH} levels")
        for item in obj.values() if isinstance(obj, dict) else obj:
            if isinstance(item, (list, dict)):  # (no call per scalar: a batch reply holds
                _check_depth(item, depth + 1)   # 64 encoded replies)


def decode_message(
    frames: Sequence[Any], ref_hook: Callable[[RemoteRef], Any] | None = None,
    shared_hook: Callable[[bytes], np.ndarray] | None = None,
) -> dict:
    """Decode a message from its frames.

    Parameters
    ----------
    frames : sequence of bytes, memoryview or zmq.Frame-like (with ``.buffer``)
        The header frame, then the data frames.
    ref_hook : callable, optional
        Called with each RemoteRef; its result replaces the reference (e.g. a proxy).
    shared_hook : callable, optional
        Makes the array of an ext 5 payload (shared memory, §5.4); without it ext 5 is
        refused.

    Returns
    -------
    dict
        The header. Tensors are writable, aligned, native-order numpy arrays: views of
        their data frames when the frames allow it (writable ZeroMQ frames, aligned, native
        order; the array keeps its frame alive), else copies; bin is ``bytes``, str is ``str``.

    Raises
    ------
    CodecError
        For malformed msgpack, a header that is not a map, bad ext payloads, frame indices
        out of range, frames no tensor refers to, or limits exceeded.
    """
    if not frames:
        raise CodecError("empty message: no header frame")
    views = [_as_bytes_view(f) for f in frames]
    if len(views[0]) > MAX_HEADER:
        raise CodecError(f"header of {len(views[0])} bytes exceeds the {MAX_HEADER}-byte limit")
    used: set[int] = set()

    def ext_hook(code: int, payload: bytes) -> Any:
        if code == EXT_REF:
            ref = unpack_ref(payload)
            return ref_hook(ref) if ref_hook is not None else ref
        if code == EXT_TENSOR:
            array, index = unpack_tensor(payload, views)
            if index is not None:
                if index in used:
                    array = array.copy()  # a second tensor of the same frame: its own data
                used.add(index)
            return array
        if code == EXT_SHARED and shared_hook is not None:
            try:
                return shared_hook(payload)
            except (OSError, ValueError) as e:
                raise CodecError(f"shared-memory tensor: {e}") from e
        if code == EXT_PROMISE:
            return unpack_promise(payload)
        raise CodecError(f"unknown ext type {code}")

    try:
        header = msgpack.unpackb(views[0], raw=False, strict_map_key=False, ext_hook=ext_hook)
    except CodecError:
        raise
    except (ValueError, TypeError) as e:  # msgpack's errors are ValueErrors; bad keys TypeErrors
        raise CodecError(f"malformed header: {e}") from e
    if not isinstance(header, dict):
        raise CodecError(f"header is a {type(header).__name__}, not a map")
    if len(views[0]) > MAX_DEPTH:  # each level of nesting takes at least one byte
        _check_depth(header, 1)
    if len(views) > 1:
        unused = sorted(set(range(1, len(views))) - used)
        if unused:
            raise CodecError(f"frame {unused[0]} is not referred to by any tensor in the header")
    return header


class MessageDecoder:
    """:func:`decode_message` and :func:`decode_batch_replies` for a connection, with the
    hooks bound once. ``ref_hook`` gets an ext 1 value as its id and payload (``payload``
    checked to be at least 8 bytes; :func:`unpack_ref` parses the type name), so that a
    reference to a known object costs a dict lookup, no RemoteRef. A header alone (the
    usual reply: small values, references, inline tensors) is decoded without the
    frame bookkeeping; messages with data frames go through :func:`decode_message`.
    """

    def __init__(self, ref_hook: Callable[[int, bytes], Any],
                 shared_hook: Callable[[bytes], np.ndarray] | None = None) -> None:
        self.ref_hook = ref_hook
        self.shared_hook = shared_hook
        self._ref_of_remote = lambda ref: ref_hook(ref.id, pack_ref(ref))
        self._refs_made: list | None = None  # decode_head's references so far

    def decode(self, frames: Sequence[Any]) -> dict:
        if len(frames) != 1 or type(frames[0]) is not bytes:
            return decode_message(frames, ref_hook=self._ref_of_remote, shared_hook=self.shared_hook)
        return self._decode_header(frames[0], self._ext)

    def decode_head(self, head: bytes) -> dict:
        """:meth:`decode` of a message received as its header frame alone, without asking
        ZeroMQ whether frames follow (pyzmq's ZMQ_RCVMORE costs a microsecond or two):
        raises :class:`FramesFollow` when the header names a data frame, so that the caller
        receives the rest and decodes the whole message with :meth:`decode`."""
        self._refs_made = []
        try:
            return self._decode_header(head, self._ext_head)
        finally:
            self._refs_made = None  # (the references must not stay alive here)

    def _ext_head(self, code: int, payload: bytes) -> Any:
        if code == EXT_REF:
            value = self._ext(code, payload)
            self._refs_made.append(value)
            return value
        if code == EXT_TENSOR and len(payload) > 1 and payload[1] == 1:
            raise FramesFollow(self._refs_made)
        return self._ext(code, payload)

    def _decode_header(self, head: bytes, ext_hook: Callable[[int, bytes], Any]) -> dict:
        if len(head) > MAX_HEADER:
            raise CodecError(f"header of {len(head)} bytes exceeds the {MAX_HEADER}-byte limit")
        try:
            header = msgpack.unpackb(head, raw=False, strict_map_key=False, ext_hook=ext_hook)
        except CodecError:
            raise
        except (ValueError, TypeError) as e:  # msgpack's errors are ValueErrors; bad keys TypeErrors
            raise CodecError(f"malformed header: {e}") from e
        if type(header) is not dict:
            raise CodecError(f"header is a {type(header).__name__}, not a map")
        if len(head) > MAX_DEPTH:  # each level of nesting takes at least one byte
            _check_depth(header, 1)
        return header

    def _ext(self, code: int, payload: bytes) -> Any:
        """ext_hook for a header without data frames (as decode_message's)."""
        if code == EXT_REF:
            if len(payload) < 8:
                unpack_ref(payload)  # raises its CodecError
            return self.ref_hook(_ID.unpack_from(payload)[0], payload)
        if code == EXT_TENSOR:
            return unpack_tensor(payload, _NO_FRAMES)[0]
        if code == EXT_SHARED and self.shared_hook is not None:
            try:
                return self.shared_hook(payload)
            except (OSError, ValueError) as e:
                raise CodecError(f"shared-memory tensor: {e}") from e
        if code == EXT_PROMISE:
            return unpack_promise(payload)
        raise CodecError(f"unknown ext type {code}")

    def decode_batch(self, message: dict) -> list[dict | CodecError]:
        """:func:`decode_batch_replies` with this decoder's reference hook."""
        return _decode_replies(message, self._batch_ext)

    def _batch_ext(self, code: int, payload: bytes) -> Any:
        if code == EXT_REF:
            if len(payload) < 8:
                unpack_ref(payload)
            return self.ref_hook(_ID.unpack_from(payload)[0], payload)
        if code == EXT_TENSOR:
            return unpack_tensor(payload, ())[0]
        raise CodecError(f"unknown ext type {code}")


_ID = struct.Struct(">Q")
_NO_FRAMES = (b"",)  # the header's place: any frame index a tensor names is out of range


# ----------------------------------------------------------------------------- batches


def encode_batch(requests: Sequence[bytes], frames: Sequence[Any] = ()) -> list[Any]:
    """A batch message (PROTOCOL.md §2.7): encoded request headers in one message; the data
    frames, if any, belong to the last request."""
    if not requests and frames:
        raise CodecError("an empty batch cannot carry data frames")
    head = msgpack.packb({"op": "batch", "requests": list(requests), "v": PROTOCOL_VERSION},
                         use_bin_type=True)
    if len(head) > MAX_HEADER:
        raise CodecError(f"header of {len(head)} bytes exceeds the {MAX_HEADER}-byte limit")
    return [head, *frames]


_BYTES_ONLY = {bytes}


def batch_replies(message: dict) -> list[bytes]:
    """The encoded reply headers of a batch reply, checked to be a list of bytes."""
    replies = message.get("replies")
    # (the entries' types as a set: a per-entry isinstance costs a tenth of a reply's decoding)
    if not isinstance(replies, list) or (replies and set(map(type, replies)) != _BYTES_ONLY):
        raise CodecError("a batch reply needs `replies`, an array of encoded reply headers")
    return replies


def decode_batch_replies(
    message: dict, ref_hook: Callable[[RemoteRef], Any] | None = None
) -> list[dict | CodecError]:
    """The replies of a batch reply, decoded as :func:`decode_message` decodes one header
    (a batch reply has no data frames, so tensors are inline). An entry that does not decode
    is its CodecError, so that one bad entry costs only its own reply."""

    def ext_hook(code: int, payload: bytes) -> Any:
        if code == EXT_REF:
            ref = unpack_ref(payload)
            return ref_hook(ref) if ref_hook is not None else ref
        if code == EXT_TENSOR:
            return unpack_tensor(payload, ())[0]
        raise CodecError(f"unknown ext type {code}")

    return _decode_replies(message, ext_hook)


def _decode_replies(message: dict, ext_hook: Callable[[int, bytes], Any]) -> list[dict | CodecError]:
    out: list[dict | CodecError] = []
    for raw in batch_replies(message):
        try:
            if len(raw) > MAX_HEADER:
                raise CodecError(f"header of {len(raw)} bytes exceeds the {MAX_HEADER}-byte limit")
            try:
                header = msgpack.unpackb(raw, raw=False, strict_map_key=False, ext_hook=ext_hook)
            except (ValueError, TypeError) as e:
                if isinstance(e, CodecError):
                    raise
                raise CodecError(f"malformed header: {e}") from e
            if not isinstance(header, dict):
                raise CodecError(f"header is a {type(header).__name__}, not a map")
            if len(raw) > MAX_DEPTH:
                _check_depth(header, 1)
            out.append(header)
        except CodecError as e:
            out.append(e)
    return out

"""Request headers built with their keys in protocol order (``bridge/PROTOCOL.md`` §4.1:
map keys sorted bytewise), so that msgpack packs them in one pass to the bytes
``codec.encode_message`` gives, without sorting anything per request.

The requests Python makes most (calls, method calls, field reads, ``eval``) name only a few
of the fields below; their headers are built key by key in the fixed order. Any other
request (``set`` with a value, ``ping`` with a session ...) has its keys sorted.
"""

from __future__ import annotations

from typing import Any

import msgpack

PROTOCOL_VERSION = 1  # (bridge/codec.py's; the client speaks version 1)

#: the fields request_header places without sorting
_ORDERED_FIELDS = frozenset({"args", "as_ref", "code", "key", "name", "target"})


def request_header(op: str, request_id: int, fields: dict, epoch: str | None,
                   releases: list | None, done: list | None) -> dict[str, Any]:
    """The header of request ``request_id``: ``fields`` (values that are None left out, as
    absent fields), plus the protocol's own keys. ``fields`` is not changed."""
    get = fields.get
    if fields.keys() <= _ORDERED_FIELDS:
        header = {}
        # the keys' bytewise order: args as_ref code done epoch id key name op release target v
        value = get("args")
        if value is not None:
            header["args"] = value
        value = get("as_ref")
        if value is not None:
            header["as_ref"] = value
        value = get("code")
        if value is not None:
            header["code"] = value
        if done:
            header["done"] = done
        if epoch is not None:
            header["epoch"] = epoch
        header["id"] = request_id
        value = get("key")
        if value is not None:
            header["key"] = value
        value = get("name")
        if value is not None:
            header["name"] = value
        header["op"] = op
        if releases:
            header["release"] = releases
        value = get("target")
        if value is not None:
            header["target"] = value
        header["v"] = PROTOCOL_VERSION
        return header
    full: dict[str, Any] = dict(fields, v=PROTOCOL_VERSION, id=request_id, op=op, epoch=epoch,
                release=releases or None, done=done or None)
    return {k: full[k] for k in sorted(full) if full[k] is not None}


def call_header(op: str, request_id: int, target: Any, name: str | None, args: Any,
                epoch: str | None, releases: list | None, done: list | None) -> dict[str, Any]:
    """The header of a call (``name`` None) or method call: :func:`request_header`'s dict for
    those fields, built without a fields dict (the path every Python call of a Lua function
    takes). ``args`` is a list or tuple (msgpack packs both as an array)."""
    # the keys' bytewise order: args done epoch id name op release target v
    header = {"args": args}
    if done:
        header["done"] = done
    if epoch is not None:
        header["epoch"] = epoch
    header["id"] = request_id
    if name is not None:
        header["name"] = name
    header["op"] = op
    if releases:
        header["release"] = releases
    header["target"] = target
    header["v"] = PROTOCOL_VERSION
    return header


class HeaderTemplates:
    """Encoded headers of the requests Python repeats most, packed around kept pieces, the
    same bytes as the packed dict (:func:`call_header`, :func:`request_header`).

    A call whose target is an ext value (a proxy's reference, a promise) and that carries no
    releases or acknowledgements (the usual call, pipelined or not) packs only its
    arguments and id; the rest (map size, keys, epoch, name, op, target, version) is kept
    per target, method name, op and epoch, made from pieces kept per name, op and epoch.
    An ``eval`` of short code packs only its id.
    """

    MAX_KEPT = 4096  # templates kept at most, of each kind (names, targets and code come
    #                  from user code)
    EVAL_CODE_MAX = 1024  # longer code is encoded the general way (not kept)

    def __init__(self) -> None:
        self._templates: dict[tuple, tuple[bytes, bytes, bytes]] = {}  # by target too
        self._named: dict[tuple, tuple[bytes, bytes, bytes]] = {}  # by name, op and epoch
        self._evals: dict[tuple, tuple[bytes, bytes]] = {}  # eval's, by code and epoch
        self._pack = msgpack.Packer(use_bin_type=True).pack

    def encode_call(self, encoder: Any, op: str, request_id: int, target: Any,
                    name: str | None, args: Any, epoch: str | None,
                    shared: Any = None) -> list | None:
        """``[header, *data frames]``, or None when the arguments need the general path
        (``encoder.encode`` of the whole header, which also gives the codec's errors).
        ``encoder``: a codec.RequestEncoder; ``shared`` as its encode's."""
        if args:
            packed = encoder.encode_part(args, shared)
            if packed is None:
                return None
        else:
            packed = _NO_ARGS
        key = (target, name, op, epoch)
        template = self._templates.get(key)
        if template is None:
            template = self._template(key)
        head = b"".join((template[0], packed[0], template[1], self._pack(request_id), template[2]))
        return [head, *packed[1]] if packed[1] else [head]

    def _template(self, key: tuple) -> tuple[bytes, bytes, bytes]:
        """The pieces for a target not seen yet: those of its name, op and epoch (made once;
        calls on fresh objects, each called once, cost a lookup and a concatenation more)."""
        target, name, op, epoch = key
        pieces = self._named.get((name, op, epoch))
        if pieces is None:
            pack = self._pack
            size = 5 + (epoch is not None) + (name is not None)
            before_args = bytes([0x80 | size]) + pack("args")
            before_id = (pack("epoch") + pack(epoch) if epoch is not None else b"") + pack("id")
            before_target = ((pack("name") + pack(name) if name is not None else b"")
                             + pack("op") + pack(op) + pack("target"))
            if len(self._named) >= self.MAX_KEPT:
                self._named.clear()
            pieces = self._named[(name, op, epoch)] = (before_args, before_id, before_target)
        if len(self._templates) >= self.MAX_KEPT:
            self._templates.clear()
        template = self._templates[key] = (
            pieces[0], pieces[1], pieces[2] + self._pack(target) + _VERSION_ENTRY)
        return template


    def encode_eval(self, request_id: int, code: str, epoch: str | None) -> bytes:
        """The header of ``eval`` of ``code`` (no ``as_ref``, nothing acknowledged or
        released), from pieces kept per code string and epoch: a loop evaluating the same
        expression packs only the id."""
        key = (code, epoch)
        pieces = self._evals.get(key)
        if pieces is None:
            pack = self._pack
            before_id = (bytes([0x80 | (4 + (epoch is not None))]) + pack("code") + pack(code)
                         + (pack("epoch") + pack(epoch) if epoch is not None else b"") + pack("id"))
            if len(self._evals) >= self.MAX_KEPT:
                self._evals.clear()
            pieces = self._evals[key] = (before_id, pack("op") + pack("eval") + _VERSION_ENTRY)
        return pieces[0] + self._pack(request_id) + pieces[1]


_VERSION_ENTRY = b"\xa1v" + bytes([PROTOCOL_VERSION])  # "v": 1, the map's last entry
_NO_ARGS = (b"\x90", ())  # an empty array, no data frames

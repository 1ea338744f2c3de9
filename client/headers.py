"""Request headers built with their keys in protocol order (``bridge/PROTOCOL.md`` §4.1:
map keys sorted bytewise), so that msgpack packs them in one pass to the bytes
``codec.encode_message`` gives, without sorting anything per request.

The requests Python makes most (calls, method calls, field reads, ``eval``) name only a few
of the fields below; their headers are built key by key in the fixed order. Any other
request (``set`` with a value, ``ping`` with a session ...) has its keys sorted.
"""

from __future__ import annotations

from typing import Any

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

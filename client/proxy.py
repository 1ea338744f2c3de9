"""Proxies for Lua objects that stay on the server.

Remote calls are visible and cheap to reason about: attribute access on a proxy reads the
Lua field (``lin.weight``), or, for a method, returns a bound method whose call is the Lua
colon call (``net.forward(x)`` is ``net:forward(x)``). Which names are methods is learnt
once per class and cached. ``repr`` never touches the network; a proxy's finalizer only
queues a release that travels with the next request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .connection import Connection

_OWN = ("_conn", "_id", "_typename", "_receipts", "__weakref__")


class LuaObject:
    """A Lua object on the server (a table with a metatable, a function, a tensor ...)."""

    __slots__ = _OWN

    def __init__(self, conn: Connection, ref_id: int, typename: str) -> None:
        object.__setattr__(self, "_conn", conn)
        object.__setattr__(self, "_id", ref_id)
        object.__setattr__(self, "_typename", typename)
        object.__setattr__(self, "_receipts", 1)

    # -- remote access -------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        conn = self._conn
        known = conn.is_method(self._typename, name)
        if known:
            return BoundMethod(self, name)
        value = conn.request("get", target=self, key=name)
        if self._typename in ("table", "function"):
            return value  # a namespace (torch, nn): its functions are plain functions
        is_method = isinstance(value, LuaObject) and value._typename == "function"
        if known is None:
            conn.learn_method(self._typename, name, is_method)
        return BoundMethod(self, name) if is_method else value

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _OWN:
            object.__setattr__(self, name, value)
        else:
            self._conn.request("set", target=self, key=name, value=value)

    def __getitem__(self, key: Any) -> Any:
        return self._conn.request("get", target=self, key=key)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._conn.request("set", target=self, key=key, value=value)

    def __call__(self, *args: Any) -> Any:
        return self._conn.request("call", target=self, args=list(args))

    def call_method(self, name: str, *args: Any) -> Any:
        """``obj:name(args...)`` explicitly (for names that clash with Python's)."""
        return self._conn.request("method", target=self, name=name, args=list(args))

    # -- local behaviour -----------------------------------------------------------

    def __repr__(self) -> str:
        return f"<lua {self._typename} #{self._id}>"

    def __str__(self) -> str:
        # str() and print() clearly ask for the text: Lua's tostring, one round trip
        return self._conn.tostring(self)

    def __del__(self) -> None:
        try:
            self._conn._release(self._id, self._receipts)
        except Exception:  # noqa: BLE001 - finalizers must not raise (interpreter exit)
            pass


class BoundMethod:
    """``obj.name`` for a Lua method: calling it is ``obj:name(...)`` on the server."""

    __slots__ = ("obj", "name")

    def __init__(self, obj: LuaObject, name: str) -> None:
        self.obj = obj
        self.name = name

    def __call__(self, *args: Any) -> Any:
        return self.obj._conn.request("method", target=self.obj, name=self.name, args=list(args))

    def submit(self, *args: Any) -> Any:
        """Send the call without waiting; returns an AsyncResult."""
        return self.obj._conn.submit("method", target=self.obj, name=self.name, args=list(args))

    def __repr__(self) -> str:
        return f"<lua method {self.obj._typename}:{self.name}>"


class _Data(LuaObject):
    """A proxy whose data can be fetched: ``numpy()``, ``np.asarray``, ``tolist()``."""

    __slots__ = ()

    def numpy(self) -> np.ndarray:
        """A copy of the data, with the matching numpy dtype and shape."""
        return self._conn.request("value", target=self)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        data = self.numpy()
        return data if dtype is None else data.astype(dtype, copy=False)

    def tolist(self) -> list:
        return self.numpy().tolist()


def _operator(symbol: str, swap: bool = False):
    """A Python operator evaluated by Lua's, with Torch7's meaning (``*`` of two matrices is
    a matrix product, ``+`` does not broadcast); numpy operands travel as tensors."""
    code = f"function(a, b) return {'b' if swap else 'a'} {symbol} {'a' if swap else 'b'} end"

    def apply(self: LuaObject, other: Any) -> Any:
        return self._conn.lua_function(code)(self, other)

    return apply


class Tensor(_Data):
    """A Torch7 tensor on the server. Arithmetic operators run on the server."""

    __slots__ = ()

    __add__ = _operator("+")
    __radd__ = _operator("+", swap=True)
    __sub__ = _operator("-")
    __rsub__ = _operator("-", swap=True)
    __mul__ = _operator("*")
    __rmul__ = _operator("*", swap=True)
    __truediv__ = _operator("/")
    __mod__ = _operator("%")

    def __neg__(self) -> Any:
        return self._conn.lua_function("function(a) return -a end")(self)

    @property
    def shape(self) -> tuple[int, ...]:
        """The tensor's sizes, as Torch7 reports them (two round trips)."""
        sizes = self.call_method("size")
        return tuple(int(v) for v in sizes.numpy())


class Storage(_Data):
    """A Torch7 storage on the server."""

    __slots__ = ()


class Globals:
    """``lua.globals``: attribute access reads and writes Lua global variables."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        object.__setattr__(self, "_conn", conn)

    def __getattr__(self, name: str) -> Any:
        return self._conn.request("global", name=name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._conn.request("set", target=self._conn.ref("_G"), key=name, value=value)

    __getitem__ = __getattr__
    __setitem__ = __setattr__


def make_proxy(conn: Connection, ref_id: int, typename: str) -> LuaObject:
    if typename.startswith("torch.") and typename.endswith("Tensor"):
        return Tensor(conn, ref_id, typename)
    if typename.startswith("torch.") and typename.endswith("Storage"):
        return Storage(conn, ref_id, typename)
    return LuaObject(conn, ref_id, typename)

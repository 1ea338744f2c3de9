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

from . import discovery, display, operators
from .errors import LuaTorchError, RemoteError

if TYPE_CHECKING:
    from .connection import Connection

# _wire: the proxy's ext 1 value as sent (made once; the id and type name never change)
_OWN = ("_conn", "_id", "_typename", "_receipts", "_wire", "__weakref__")


class _LuaDoc:
    """``__doc__`` of a proxy: the class's docstring on the class, the Lua description
    (class, parents, methods) on an object, so ``help(obj)`` and ``obj?`` describe Lua."""

    def __init__(self, doc: str | None, describe: Any) -> None:
        self.doc, self.describe = doc, describe

    def __get__(self, obj: Any, cls: type) -> str | None:
        if obj is None:
            return self.doc
        try:
            return self.describe(obj)
        except Exception:  # noqa: BLE001 - help() on a dead connection still shows the class
            return self.doc


def _request(conn: Connection, op: str, **fields: Any) -> Any:
    """conn.request, with a RemoteError's Python traceback starting at the user's call."""
    __tracebackhide__ = True
    try:
        return conn.request(op, **fields)
    except RemoteError as e:
        raise e.with_traceback(None)  # noqa: B904 - the same error, without client frames


class LuaObject:
    """A Lua object on the server (a table with a metatable, a function, a tensor ...)."""

    __slots__ = _OWN

    def __init__(self, conn: Connection, ref_id: int, typename: str) -> None:
        object.__setattr__(self, "_conn", conn)
        object.__setattr__(self, "_id", ref_id)
        object.__setattr__(self, "_typename", typename)
        object.__setattr__(self, "_receipts", 1)
        object.__setattr__(self, "_wire", None)

    def _wire_value(self) -> Any:
        """The ext 1 value this proxy travels as."""
        wire = self._wire
        if wire is None:
            wire = self._conn._ref_wire(self._id, self._typename)
            object.__setattr__(self, "_wire", wire)
        return wire

    # -- remote access -------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        __tracebackhide__ = True
        conn = self._conn
        known = conn._method_cache.get((self._typename, name))  # (conn.is_method, inlined)
        if known:  # a learnt method (never a probe's name: those are not learnt)
            return BoundMethod(self, name)
        if display.is_probe(name):
            raise AttributeError(name)  # Python tools' probes never reach the server
        if self._typename == "table":
            cached = conn.module_function(self._id, name)
            if cached is not None:
                return cached
        value = _request(conn, "get", target=self, key=name)
        if value is None:
            raise discovery.missing(self, name)
        if self._typename in ("table", "function"):
            if self._typename == "table":
                conn.learn_module_field(self._id, name, value)
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
            self._conn.learn_module_field(self._id, name, None)

    def __getitem__(self, key: Any) -> Any:
        __tracebackhide__ = True
        return _request(self._conn, "get", target=self, key=key)

    def __setitem__(self, key: Any, value: Any) -> None:
        __tracebackhide__ = True
        _request(self._conn, "set", target=self, key=key, value=value)
        self._conn.learn_module_field(self._id, key, None)

    def __call__(self, *args: Any) -> Any:
        __tracebackhide__ = True
        try:
            return self._conn._call("call", self, None, args)
        except RemoteError as e:
            raise e.with_traceback(None)  # noqa: B904 - the same error, without client frames

    def call_method(self, name: str, *args: Any) -> Any:
        """``obj:name(args...)`` explicitly (for names that clash with Python's)."""
        __tracebackhide__ = True
        try:
            return self._conn._call("method", self, name, args)
        except RemoteError as e:
            raise e.with_traceback(None)  # noqa: B904 - the same error, without client frames

    # -- discovery: dir(), completion, help() -------------------------------------

    def __dir__(self) -> list[str]:
        try:
            lua_names = discovery.lua_names(self)
        except LuaTorchError:  # a closed connection: completion still offers Python's names
            lua_names = []
        return sorted(set(object.__dir__(self)) | set(lua_names))

    __doc__ = _LuaDoc(__doc__, discovery.help_text)

    # -- display: one request for Torch7's text ------------------------------------

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return display.mimebundle(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self) if cycle else display.text(self))

    # -- Lua's truthiness; no Python iteration over Lua tables ----------------------

    def __bool__(self) -> bool:
        return True  # every Lua object is true, as in `if obj then`

    def __iter__(self) -> Any:
        raise TypeError(f"a Lua {self._typename} is not iterable from Python; "
                        "lua.fetch(obj) gives a plain table as a list or dict")

    def __contains__(self, item: Any) -> bool:
        raise TypeError(f"'in' is not defined for a Lua {self._typename}")

    # -- local behaviour -----------------------------------------------------------

    def __repr__(self) -> str:
        return f"<lua {self._typename} #{self._id}>"

    def __str__(self) -> str:
        # str() and print() clearly ask for the text: Lua's tostring, one round trip
        return self._conn.tostring(self)

    def __del__(self) -> None:
        try:
            conn = self._conn
            conn._forget_proxy(self)
            conn._release(self._id, self._receipts)
        except Exception:  # noqa: BLE001 - finalizers must not raise (interpreter exit)
            pass


class BoundMethod:
    """``obj.name`` for a Lua method: calling it is ``obj:name(...)`` on the server."""

    __slots__ = ("obj", "name")

    def __init__(self, obj: LuaObject, name: str) -> None:
        self.obj = obj
        self.name = name

    def __call__(self, *args: Any) -> Any:
        __tracebackhide__ = True
        obj = self.obj
        try:
            return obj._conn._call("method", obj, self.name, args)
        except RemoteError as e:
            raise e.with_traceback(None)  # noqa: B904 - the same error, without client frames

    __doc__ = _LuaDoc(__doc__, lambda m: discovery.method_help(m.obj, m.name))

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


class Tensor(_Data):
    """A Torch7 tensor on the server. Python operators run on the server with Lua Torch's
    meaning (see client/operators.py and the README)."""

    __slots__ = ()

    # numpy defers to these operators, so `ndarray * t` is `t.__rmul__(ndarray)`: the
    # result never depends on which side the ndarray is on
    __array_ufunc__ = None

    __add__ = operators.binary("+")
    __radd__ = operators.binary("+", swap=True)
    __sub__ = operators.binary("-")
    __rsub__ = operators.binary("-", swap=True)
    __mul__ = operators.binary("*")
    __rmul__ = operators.binary("*", swap=True)
    __truediv__ = operators.binary("/")
    __rtruediv__ = operators.rdiv
    __mod__ = operators.binary("%")
    __matmul__ = operators.matmul
    __rmatmul__ = operators.rmatmul
    __pow__ = operators.power
    __rpow__ = operators.rpower
    __lt__ = operators.comparison("lt")
    __le__ = operators.comparison("le")
    __gt__ = operators.comparison("gt")
    __ge__ = operators.comparison("ge")
    __neg__ = operators.negative
    __abs__ = operators.absolute
    __len__ = operators.length
    __iter__ = operators.iterate
    __contains__ = operators.contains

    # Lua's == on tensors is identity; keep it so proxies stay hashable
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

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
        __tracebackhide__ = True
        if display.is_probe(name):
            raise AttributeError(name)
        return _request(self._conn, "global", name=name)

    def __dir__(self) -> list[str]:
        return sorted(set(object.__dir__(self)) | set(discovery.lua_names(self._conn.ref("_G"))))

    def __setattr__(self, name: str, value: Any) -> None:
        self._conn.request("set", target=self._conn.ref("_G"), key=name, value=value)

    __getitem__ = __getattr__
    __setitem__ = __setattr__


#: the classes of proxies (what the request path sends as their ext 1 values directly)
PROXY_CLASSES = frozenset({LuaObject, Tensor, Storage})


def proxy_class(typename: str) -> type[LuaObject]:
    """The proxy class for a Lua type name."""
    if typename.startswith("torch.") and typename.endswith("Tensor"):
        return Tensor
    if typename.startswith("torch.") and typename.endswith("Storage"):
        return Storage
    return LuaObject


def make_proxy(conn: Connection, ref_id: int, typename: str) -> LuaObject:
    return proxy_class(typename)(conn, ref_id, typename)


_set_conn, _set_id, _set_typename, _set_receipts, _set_wire = (
    LuaObject.__dict__[name].__set__ for name in _OWN[:5])


def new_proxy(cls: type[LuaObject], conn: Connection, ref_id: int, typename: str,
              wire: Any) -> LuaObject:
    """``cls(conn, ref_id, typename)`` with its ext 1 value known (a received reference):
    the slots set directly, without __init__'s five object.__setattr__ calls."""
    proxy = object.__new__(cls)
    _set_conn(proxy, conn)
    _set_id(proxy, ref_id)
    _set_typename(proxy, typename)
    _set_receipts(proxy, 1)
    _set_wire(proxy, wire)
    return proxy

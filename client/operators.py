"""Python operators on tensor proxies, evaluated on the server.

Where Lua Torch has an operator, Python's means the same (``a * b`` of two matrices is a
matrix product, sizes never broadcast). Where Lua has none, the Python operator takes the
Torch7 function Python's name implies: ``@`` is mm / mv / dot, ``**`` is pow / cpow,
``abs`` is torch.abs, ``<`` ``<=`` ``>`` ``>=`` are lt / le / gt / ge (ByteTensors, as in
Torch7), ``number / tensor`` divides elementwise. ``==`` stays Lua's ``==``: the same object
(use ``t.eq(x)`` for elementwise equality). A numpy array on either side is sent as a
tensor, so ``ndarray * proxy`` and ``proxy * ndarray`` both mean Lua's ``*``.

Each operator is one request; its Lua function is compiled once per connection.
"""

from __future__ import annotations

import weakref
from typing import Any

# operator functions, compiled once per connection under a chunk name that tracebacks hide
_compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

_MATMUL = """function(a, b)
  if a:dim() == 2 and b:dim() == 2 then return torch.mm(a, b) end
  if a:dim() == 2 and b:dim() == 1 then return torch.mv(a, b) end
  if a:dim() == 1 and b:dim() == 1 then return torch.dot(a, b) end
  error(string.format("@ needs matrices or vectors (mm, mv, dot), got %dD @ %dD", a:dim(), b:dim()), 0)
end"""

_POW = """function(a, b)
  if torch.isTensor(b) then
    if torch.isTensor(a) then return torch.cpow(a, b) end
    return torch.pow(a, b)
  end
  return torch.pow(a, b)
end"""

# number / tensor: Lua has no such operator; Python's meaning, elementwise
_RDIV = """function(t, s)
  if type(s) == "number" then return t.new(t:size()):fill(s):cdiv(t) end
  return s / t
end"""

_COMPARE = "function(a, b) return torch.{name}(a, b) end"

_LEN = """function(t)
  if t:dim() == 0 then return nil end
  return t:size(1)
end"""

_CONTAINS = "function(t, x) return t:nElement() > 0 and torch.eq(t, x):max() == 1 end"


def _call(obj: Any, code: str, *args: Any) -> Any:
    __tracebackhide__ = True
    conn = obj._conn
    functions = _compiled.setdefault(conn, {})
    fn = functions.get(code)
    if fn is None:
        fn = functions[code] = conn.request("load_chunk", code="return " + code, chunkname="[operator]")
    return fn(*args)


def binary(symbol: str, swap: bool = False):
    """A Python operator evaluated by Lua's (``+ - * / %``)."""
    code = f"function(a, b) return {'b' if swap else 'a'} {symbol} {'a' if swap else 'b'} end"

    def apply(self: Any, other: Any) -> Any:
        __tracebackhide__ = True
        return _call(self, code, self, other)

    return apply


def function(code: str, swap: bool = False):
    """A Python operator evaluated by a Lua function of (self, other) or (other, self)."""

    def apply(self: Any, other: Any) -> Any:
        __tracebackhide__ = True
        return _call(self, code, *((other, self) if swap else (self, other)))

    return apply


def comparison(name: str):
    return function(_COMPARE.format(name=name))


matmul = function(_MATMUL)
rmatmul = function(_MATMUL, swap=True)
power = function(_POW)
rpower = function(_POW, swap=True)
rdiv = function(_RDIV)


def negative(self: Any) -> Any:
    __tracebackhide__ = True
    return _call(self, "function(a) return -a end", self)


def absolute(self: Any) -> Any:
    __tracebackhide__ = True
    return _call(self, "function(a) return torch.abs(a) end", self)


def length(self: Any) -> int:
    __tracebackhide__ = True
    n = _call(self, _LEN, self)
    if n is None:
        raise TypeError("len() of a tensor with no dimensions")
    return int(n)


def iterate(self: Any):
    """Over the first dimension, as Lua's ``t[i]``: sub-tensors, or numbers for a vector."""
    for i in range(1, length(self) + 1):
        yield self[i]


def contains(self: Any, value: Any) -> bool:
    __tracebackhide__ = True
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"'in' on a tensor takes a number, not {type(value).__name__}")
    return bool(_call(self, _CONTAINS, self, value))

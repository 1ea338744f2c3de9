"""How a notebook shows a proxy: Torch7's text, fetched in one request.

IPython asks an object for many optional representations (``_repr_html_``,
``_repr_png_``, ``_ipython_canary_method_should_not_exist_`` ...). Those names are answered
here, without the server: only the text Torch7 would print travels, once per display.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from .errors import ConnectionLost

if TYPE_CHECKING:
    from .proxy import LuaObject

# Attribute names that tools probe for and that Lua code does not define: IPython's display
# and completion machinery, pickle, copy, numpy, pandas, inspect, doctest, mock.
_PROBE_PREFIXES = ("__", "_repr_", "_ipython_", "_jupyter_", "_mock_", "_pytest")
_PROBES = frozenset({"_partialmethod", "_fields", "_asdict", "_is_coroutine", "_ipython_display_",
                     "_typ", "_array_api"})


def is_probe(name: str) -> bool:
    """True for a name asked of every object by Python tools, never a Lua field."""
    return name.startswith(_PROBE_PREFIXES) or name in _PROBES


def text(obj: LuaObject) -> str:
    """Torch7's text of obj (``print(net)``); a large tensor shows its first rows."""
    return obj._conn.request("show", target=obj)


def mimebundle(obj: LuaObject) -> dict[str, Any]:
    try:
        shown = text(obj)
    except ConnectionLost as e:  # an old cell's object after the server went away
        shown = f"{obj!r} ({e})"
    return {"text/plain": shown, "text/html": f"<pre>{html.escape(shown)}</pre>"}

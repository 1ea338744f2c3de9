"""What a proxy offers: names for ``dir()`` and completion, text for ``help()``, suggestions
for a misspelled name.

A Lua class's methods are asked for once per class and connection (the ``describe``
request) and cached; an object's own fields are asked for each time (they change). Plain
tables (``nn``, ``torch``) have no class, so listing one is one request each time.
"""

from __future__ import annotations

import difflib
import textwrap
import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .connection import Connection
    from .proxy import LuaObject

# Lua types that are not classes: every object of them is described on its own.
_NO_CLASS = frozenset({"table", "function", "userdata", "cdata", "thread"})

_classes: weakref.WeakKeyDictionary[Connection, dict[str, dict]] = weakref.WeakKeyDictionary()


def forget_classes(conn: Connection) -> None:
    """Drop the cached class descriptions (a class was redefined)."""
    _classes.pop(conn, None)


def describe(obj: LuaObject, method: str | None = None) -> dict[str, Any]:
    """The ``describe`` reply for obj: typename, parents, fields, methods, class_fields."""
    conn = obj._conn
    cache = _classes.setdefault(conn, {})
    known = cache.get(obj._typename)
    if known is not None and known["kind"] != "table" and method is None:
        return known  # tensors, storages: nothing per object to ask for
    info = conn.request("describe", target=obj, methods=known is None, name=method)
    if known is None:
        known = {"kind": info["kind"], "parents": list(info["parents"]),
                 "methods": list(info["methods"]), "class_fields": list(info["class_fields"])}
        if obj._typename not in _NO_CLASS:
            cache[obj._typename] = known
    return {**known, **info, "methods": known["methods"], "class_fields": known["class_fields"]}


def lua_names(obj: LuaObject) -> list[str]:
    """Every field and method name a Lua lookup on obj would find."""
    info = describe(obj)
    return sorted(set(info.get("fields", ())) | set(info["methods"]) | set(info["class_fields"]))


def missing(obj: LuaObject, name: str) -> AttributeError:
    """The AttributeError for a name Lua has no value for, with the closest existing name."""
    try:
        names = lua_names(obj)
    except Exception:  # noqa: BLE001 - the suggestion is a courtesy; the error is the point
        names = []
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    err = AttributeError(f"Lua {obj._typename} has no field or method '{name}'{hint}")
    err.name, err.obj = name, None  # not obj: a proxy in the error would keep it alive
    return err


def _wrapped(label: str, names: list[str]) -> str:
    if not names:
        return ""
    return textwrap.fill(", ".join(names), width=88, initial_indent=f"{label}: ",
                         subsequent_indent=" " * (len(label) + 2)) + "\n"


def help_text(obj: LuaObject) -> str:
    """What ``help(obj)`` and IPython's ``obj?`` show: the Lua class, parents, names."""
    info = describe(obj)
    parents = info["parents"]
    text = f"Lua {info['typename']}"
    if parents:
        text += " (a subclass of " + ", ".join(parents) + ")"
    text += ", a proxy of an object on the luatorch server.\n\n"
    text += _wrapped("fields", list(info.get("fields", ())))
    text += _wrapped("class fields", info["class_fields"])
    text += _wrapped("methods", info["methods"])
    text += ("\nobj.name reads a field; obj.method(...) is obj:method(...) in Lua; "
             "str(obj) is Lua's tostring.\n")
    return text


def method_help(obj: LuaObject, name: str) -> str:
    """``help(obj.method)``: which class defines the Lua method, and where."""
    info = describe(obj, method=name)
    where = info.get("source")
    text = f"{info['typename']}:{name}(...), a Lua method"
    if where:
        text += f" defined by {info.get('defined_in')} at {where}"
    return text + f".\nCalling it runs obj:{name}(...) on the luatorch server.\n"

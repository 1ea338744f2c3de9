"""Your own Lua code, from files on *this* machine, run by the server.

The file's text travels with the request (the server need not share your directory) and
runs under the name you gave it, so a Lua error says ``MyLayer.lua:17``. Loading a file
again after editing it redefines the classes it defines (``torch.class`` would otherwise
refuse: "class nn.MyLayer already exists"), and objects made from the old code run the
new methods.
"""

from __future__ import annotations

import os
import re
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import discovery

if TYPE_CHECKING:
    from .connection import Connection

_DOTTED_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
_last: list[weakref.ref] = []


def remember(conn: Connection) -> None:
    """The connection load_lua_class uses when given none: the latest one opened."""
    _last[:] = [weakref.ref(conn)]


def _connection(lua: Connection | None) -> Connection:
    if lua is None:
        lua = _last[0]() if _last else None
        if lua is None or lua.closed:
            raise RuntimeError("no open luatorch connection: call client.connect() first, or pass lua=")
    return lua


def _classes_changed(conn: Connection) -> None:
    # a redefined class may have other methods and fields than the cached ones
    discovery.forget_classes(conn)
    conn._method_cache.clear()
    for functions in conn._module_functions.values():  # the file may redefine them
        functions.clear()


def load_file(conn: Connection, path: str | os.PathLike) -> Any:
    """Run a local ``.lua`` file on the server, as ``dofile`` would; returns its results."""
    __tracebackhide__ = True
    code = Path(path).read_text()
    try:
        return conn.request("load_chunk", code=code, chunkname=os.fspath(path))
    finally:
        _classes_changed(conn)


def _module_files(path: Path) -> tuple[dict[str, dict[str, str]], str | None]:
    """Module name -> {code, chunkname} for a file or a folder of modules, and the name
    ``require`` should load (a file's, or the folder's when it has an init.lua)."""
    if path.is_file():
        return {path.stem: {"code": path.read_text(), "chunkname": os.fspath(path)}}, path.stem
    if not path.is_dir():
        raise FileNotFoundError(f"no Lua file or folder at {path}")
    modules: dict[str, dict[str, str]] = {}
    main = None
    for file in sorted(path.rglob("*.lua")):
        parts = [path.name, *file.relative_to(path).with_suffix("").parts]
        if parts[-1] == "init":
            parts.pop()
        name = ".".join(parts)
        if name == path.name:
            main = name
        chunkname = os.fspath(Path(path.name) / file.relative_to(path))
        modules[name] = {"code": file.read_text(), "chunkname": chunkname}
    if not modules:
        raise FileNotFoundError(f"no .lua files under {path}")
    return modules, main


def require_file(conn: Connection, path: str | os.PathLike) -> Any:
    """Ship a local module (``mymod.lua``) or a folder of modules (``mylib/init.lua``,
    ``mylib/layers/Scale.lua`` become ``mylib`` and ``mylib.layers.Scale``) so that
    ``require`` on the server finds them, replacing earlier versions; then require the
    file's module or the folder's ``init.lua`` and return it."""
    __tracebackhide__ = True
    modules, main = _module_files(Path(path))
    try:
        return conn.request("preload", modules=modules, require=main, as_ref=True)
    finally:
        _classes_changed(conn)


def load_lua_class(path: str | os.PathLike, class_name: str, lua: Connection | None = None) -> Any:
    """Load the Lua file that defines ``class_name`` and return the class, ready to call
    (hughperkins/pytorch's ``PyTorchHelpers.load_lua_class``)::

        MyLayer = client.load_lua_class("MyLayer.lua", "nn.MyLayer")
        layer = MyLayer(3)

    Uses the latest connection opened with :func:`client.connect` unless given ``lua``.
    """
    __tracebackhide__ = True
    if not _DOTTED_NAME.match(class_name):
        raise ValueError(f"{class_name!r} is not a Lua class name such as 'nn.MyLayer'")
    conn = _connection(lua)
    load_file(conn, path)
    cls = conn.ref(class_name)
    if cls is None:
        raise LookupError(f"{os.fspath(path)} ran, but defined no class {class_name}")
    return cls

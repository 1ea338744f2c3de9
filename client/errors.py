"""The exceptions the client raises: one tree, rooted at :class:`LuaTorchError`."""

from __future__ import annotations

import re


class LuaTorchError(Exception):
    """Base of every error raised by the luatorch client."""


class RemoteError(LuaTorchError):
    """An error raised on the server: a Lua error, an ATen error, a bad request.

    Attributes
    ----------
    ename : str
        The kind of error ("LuaError", "ProtocolError", "ReleasedReference", ...).
    evalue : str
        The message, e.g. ATen's text naming the mismatched sizes.
    traceback : str
        The Lua traceback at the point of failure.
    """

    def __new__(cls, ename: str = "", evalue: str = "", traceback: str = "", *args: object) -> RemoteError:
        # RemoteError(...) made anywhere gives the subclass its kind is known to be
        if cls is RemoteError:
            cls = classify(ename, evalue)
        return super().__new__(cls)

    def __init__(self, ename: str, evalue: str, traceback: str = "") -> None:
        super().__init__(f"{ename}: {evalue}")
        self.ename = ename
        self.evalue = evalue
        self.traceback = traceback

    @property
    def message(self) -> str:
        """The message without the runtime's internal file names."""
        return without_runtime_location(self.evalue)

    @property
    def lua_frames(self) -> list[str]:
        """The Lua traceback's frames in your code (eval, execute, your loaded files)."""
        return user_frames(self.traceback)

    def __str__(self) -> str:
        text = self.message
        frames = self.lua_frames
        if frames:
            text += "\n\nLua traceback (your code; .traceback has every frame):\n" + "\n".join(frames)
        return text


class Interrupted(LuaTorchError):
    """The request was interrupted (Ctrl-C, or :meth:`AsyncResult.cancel`) and its Lua code
    stopped; the connection and every object stay usable."""


class ConnectionLost(LuaTorchError):
    """The server went away (died, or the network dropped) while a request was pending."""


class ServerRestarted(ConnectionLost):
    """The server at this endpoint is a newer run than the one this connection's proxies
    came from (it restarted): those objects are gone. Connect again."""


class ServerUnavailable(LuaTorchError):
    """No server answered at the endpoint, or a private server could not be started."""


# -- the kinds of remote error (issue 11) ----------------------------------------------------

class LuaSyntaxError(RemoteError):
    """Lua code sent to the server (eval, execute, a loaded file) does not compile."""


class SizeError(RemoteError, ValueError):
    """Tensor sizes do not fit the operation (ATen's and Torch7's size checks)."""


class LuaTypeError(RemoteError, TypeError):
    """A value of the wrong type: a tensor type mismatch, a bad argument, calling or
    indexing a value Lua cannot call or index."""


class MissingMethod(RemoteError, AttributeError):
    """The Lua object has no method of that name."""


_SYNTAX = re.compile(r"^[^\n]*:\d+: .* near ('.*'|<eof>)$|'<eof>' expected", re.S)
_SIZE = re.compile(
    r"size mismatch|inconsistent (tensor )?size|shapes cannot be multiplied|must match the size"
    r"|input of size .* expected|sizes? (do not|don't) match|number of elements|dimension mismatch"
    r"|expected \d+[- ]?D|invalid size|of size .* (cannot|does not|must)")
_TYPE = re.compile(
    r"expected scalar type|bad argument|invalid argument|attempt to (call|index|perform arithmetic"
    r"|compare|concatenate|get length)|expected .*Tensor|(number|string|tensor|table) expected"
    r"|cannot convert|type mismatch")
_MISSING = re.compile(r"has no method '")


def classify(ename: str, evalue: str) -> type[RemoteError]:
    """The RemoteError subclass for a server error, by its ename and message."""
    if ename == "LuaSyntaxError":
        return LuaSyntaxError
    if ename != "LuaError":
        return RemoteError
    text = evalue or ""
    if _MISSING.search(text):
        return MissingMethod
    if _SYNTAX.search(text):
        return LuaSyntaxError
    if _SIZE.search(text):
        return SizeError
    if _TYPE.search(text):
        return LuaTypeError
    return RemoteError


# A runtime file's location, as Lua prefixes error messages with it: "/.../lua_server/nn/
# Linear.lua:51: ". It says where the runtime noticed, not where your code went wrong.
_RUNTIME_LOCATION = re.compile(r"^(?:[^\s:]*lua_server/[^\s:]+:\d+: )+")
_RUNTIME_FRAME = re.compile(
    r"lua_server/|^\s*\[operator\]|^\s*\[C\]|^\s*\[builtin#|^\s*\(tail call\)|^\s*\.\.\.$|^stack traceback:")


def without_runtime_location(message: str) -> str:
    return _RUNTIME_LOCATION.sub("", message or "")


def user_frames(traceback: str) -> list[str]:
    """Frames of a Lua traceback outside the runtime and the server (lua_server/)."""
    lines = (traceback or "").splitlines()
    start = next((i + 1 for i, line in enumerate(lines) if line.startswith("stack traceback:")), len(lines))
    return [line.strip() for line in lines[start:] if line.strip() and not _RUNTIME_FRAME.search(line)]

"""The exceptions the client raises: one tree, rooted at :class:`LuaTorchError`."""

from __future__ import annotations


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

    def __init__(self, ename: str, evalue: str, traceback: str = "") -> None:
        super().__init__(f"{ename}: {evalue}")
        self.ename = ename
        self.evalue = evalue
        self.traceback = traceback

    def __str__(self) -> str:
        text = f"{self.ename}: {self.evalue}"
        if self.traceback:
            text += "\n\nLua traceback:\n" + self.traceback
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

"""luatorch client: drive a Lua Torch (Torch7-compatible) server from Python.

>>> import client
>>> lua = client.connect()              # a private local server
>>> nn = lua.require("nn")
>>> net = nn.Sequential(); net.add(nn.Linear(3, 4))

The client never imports torch: tensors travel as numpy arrays.
"""

from __future__ import annotations

from .connection import AsyncResult, Connection
from .errors import ConnectionLost, LuaTorchError, RemoteError, ServerUnavailable
from .proxy import BoundMethod, LuaObject, Storage, Tensor

__all__ = [
    "AsyncResult", "BoundMethod", "Connection", "ConnectionLost", "LuaObject", "LuaTorchError",
    "RemoteError", "ServerUnavailable", "Storage", "Tensor", "connect",
]

# issue 11: the kinds of remote error
from . import userlua  # noqa: E402
from .errors import LuaSyntaxError, LuaTypeError, MissingMethod, SizeError  # noqa: E402
from .progress import progress  # noqa: E402
from .userlua import load_lua_class  # noqa: E402

__all__ += ["LuaSyntaxError", "LuaTypeError", "MissingMethod", "SizeError", "load_lua_class", "progress"]


def connect(endpoint: str | None = None, timeout: float = 10.0) -> Connection:
    """Connect to a luatorch server.

    Parameters
    ----------
    endpoint : str, optional
        ZeroMQ endpoint of a running server (``"tcp://127.0.0.1:5555"``). Without one, a
        private local server is started for this connection and stopped by ``close()`` or
        at interpreter exit.
    timeout : float
        Seconds to wait for the server's first answer.

    Raises
    ------
    ServerUnavailable
        No server answered, or the private server could not start.
    """
    conn = Connection(endpoint, timeout=timeout)
    userlua.remember(conn)  # the connection load_lua_class uses by default
    return conn

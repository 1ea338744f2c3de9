"""luatorch client: drive a Lua Torch (Torch7-compatible) server from Python.

>>> import client
>>> lua = client.connect()              # a private local server
>>> nn = lua.require("nn")
>>> net = nn.Sequential(); net.add(nn.Linear(3, 4))

The client never imports torch: tensors travel as numpy arrays.
"""

from __future__ import annotations

from .connection import AsyncResult, Connection
from .errors import (
    ConnectionLost,
    Interrupted,
    LuaTorchError,
    RemoteError,
    ServerRestarted,
    ServerUnavailable,
)
from .proxy import BoundMethod, LuaObject, Storage, Tensor

__all__ = [
    "AsyncResult", "BoundMethod", "Connection", "ConnectionLost", "Interrupted", "LuaObject",
    "LuaTorchError", "RemoteError", "ServerRestarted", "ServerUnavailable", "Storage", "Tensor",
    "connect",
]

# issue 11: the kinds of remote error
from . import userlua  # noqa: E402
from .errors import LuaSyntaxError, LuaTypeError, MissingMethod, SizeError  # noqa: E402
from .progress import progress  # noqa: E402
from .userlua import load_lua_class  # noqa: E402

__all__ += ["LuaSyntaxError", "LuaTypeError", "MissingMethod", "SizeError", "load_lua_class", "progress"]


def connect(endpoint: str | None = None, timeout: float = 10.0,
            request_timeout: float | None = None, session: str | None = None,
            direct: bool = True) -> Connection:
    """Connect to a luatorch server.

    Parameters
    ----------
    endpoint : str, optional
        A server's connection file (``"server.json"``, written by ``luatorch-server
        --connection-file``: endpoint and CurveZMQ keys), or a bare ZeroMQ endpoint of a
        server that needs no keys (``ipc://...``, or ``--insecure`` on loopback). Without
        one, a private local server is started for this connection (on an ``ipc://``
        socket in a 0700 directory) and stopped by ``close()`` or at interpreter exit.
    timeout : float
        Seconds to wait for the server's first answer.
    request_timeout : float, optional
        Seconds a request waits for its reply before raising ``TimeoutError``
        (default: no limit; a dead server raises ``ConnectionLost`` anyway).
    session : str, optional
        On a server started with ``--sessions`` (each connection its own Lua state), join
        the session of that name instead: connections naming it share one Lua state.
    direct : bool
        With sessions, each connection moves to its session worker's own socket once the
        worker is up (same transport and keys; calls then skip the server's forwarding);
        where that socket cannot be reached, the server keeps forwarding. False: always
        forwarded.

    Raises
    ------
    ServerUnavailable
        No server answered, or the private server could not start.
    """
    conn = Connection(endpoint, timeout=timeout, request_timeout=request_timeout, session=session,
                      direct=direct)
    userlua.remember(conn)  # the connection load_lua_class uses by default
    return conn

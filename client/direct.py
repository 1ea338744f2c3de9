"""Talking to a session's worker directly (``bridge/PROTOCOL.md`` §2.5).

A server started by hand forks a worker per session. Its parent forwards every message of
a client to the worker and back, so a call would cross the parent twice; instead, the
first ping's reply offers the worker's own socket (``direct``), and the connection moves
there when it can reach it: a second DEALER, with the same CurveZMQ keys and the same
routing id (which is how the worker knows it is the same client, with the same objects).
When the direct socket cannot be reached within ``CONNECT_S`` (a firewall, a NAT, an ssh
tunnel that forwards only the server's port), the connection stays with the parent, which
forwards as before. The parent's socket stays open either way: the parent is who says
why a session ended (``session_lost``) when its worker dies.
"""

from __future__ import annotations

import itertools
import os
import time

import zmq
from zmq.backend import zmq_poll

#: how long a connection waits for the worker's socket to accept it (handshake and
#: authentication included) before staying with the parent
CONNECT_S = 2.0
#: how long a client whose direct connection dropped waits for the parent to say why
SESSION_LOST_WAIT_S = 3.0


def routing_id() -> bytes:
    """A routing id of this connection, the same on both sockets: random (the worker serves
    its direct socket only for ids it already serves through the parent), and not starting
    with a zero byte (ZeroMQ keeps those for the ids it makes up)."""
    return b"L" + os.urandom(15)


def endpoint(public: str, offered: str) -> str:
    """Where to reach the worker: for tcp, the host this connection reached the server by
    (the worker listens on the same interface) with the worker's port; else as offered."""
    if public.startswith("tcp://") and offered.startswith("tcp://"):
        host = public[len("tcp://"):].rsplit(":", 1)[0]
        return f"tcp://{host}:{offered.rsplit(':', 1)[1]}"
    return offered


# what tells at once that the worker's socket cannot be reached: a refused connection
# (ZeroMQ retries it), a failed handshake
_UNREACHABLE = (zmq.EVENT_CONNECT_RETRIED | zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL
                | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL | zmq.EVENT_HANDSHAKE_FAILED_AUTH)


_monitor_numbers = itertools.count()


def monitor(sock: zmq.Socket, events: int) -> zmq.Socket:
    """A monitor socket of sock at an inproc address of its own: pyzmq's default address is
    per socket, and cannot be bound again at once after disable_monitor."""
    return sock.get_monitor_socket(events, addr=f"inproc://luatorch-monitor-{os.getpid()}-"
                                                f"{next(_monitor_numbers)}")


def reachable(sock: zmq.Socket, endpoint: str, timeout_s: float) -> bool:
    """Connect sock (ZMQ_IMMEDIATE) to endpoint; whether the connection is made within
    timeout_s. The socket becomes writable only once the handshake (and the server's
    authentication) is done, so nothing was sent when this says False."""
    watch = monitor(sock, _UNREACHABLE)
    try:
        sock.connect(endpoint)
        deadline = time.monotonic() + timeout_s
        while True:
            remaining = int((deadline - time.monotonic()) * 1000)
            if remaining <= 0:
                return False
            ready = zmq_poll([(sock, zmq.POLLOUT), (watch, zmq.POLLIN)], remaining)
            if any(s is sock for s, _ in ready):
                return True
            if ready:
                return False  # refused, or the handshake failed
    finally:
        sock.disable_monitor()
        watch.close(0)

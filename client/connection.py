"""A connection to a luatorch server: requests, replies, references and liveness.

One DEALER socket talks to the server's ROUTER (``bridge/PROTOCOL.md``); with sessions,
a second one to the session worker's own socket once it is up (client/direct.py). Every
request carries an id; replies are matched by id, so several requests may be in flight
(:meth:`Connection.submit`). ZeroMQ heartbeats and a socket monitor notice a dead server
within seconds, also while the server is busy computing.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import itertools
import json
import os
import struct
import sys
import threading
import time
import traceback
import warnings
import weakref
from pathlib import Path
from typing import Any

import msgpack
import zmq
from zmq.backend import zmq_poll
from zmq.utils.monitor import recv_monitor_message

from . import direct as direct_path
from . import streams
from .errors import ConnectionLost, Interrupted, RemoteError, ServerRestarted, ServerUnavailable
from .headers import HeaderTemplates, call_header, request_header
from .pipeline import PIPELINED_OPS, Pending, Pipeline
from .proxy import PROXY_CLASSES, BoundMethod, LuaObject, new_proxy, proxy_class  # (not per call)
from .shared import SharedMemory
from .spawn import LocalServer


def _checkout_codec() -> Any:
    """bridge/codec.py beside this client/ when this is a checkout (first, so an editable
    install of another checkout, which maps client.bridge elsewhere, cannot mix codecs)."""
    sibling = Path(__file__).resolve().parent.parent / "bridge" / "codec.py"
    if not sibling.is_file():
        return None
    try:
        from bridge import codec as found
    except ImportError:
        return None
    return found if Path(found.__file__).resolve() == sibling else None


codec = _checkout_codec()
if codec is None:  # an installed wheel carries the codec inside the package (pyproject.toml)
    from .bridge import codec


HEARTBEAT_IVL_MS = 1000
HEARTBEAT_TIMEOUT_MS = 4000
POLL_SLICE_MS = 100
RELEASE_BATCH = 512
COPY_THRESHOLD = 64 * 1024
# How often the sync path looks at the private server's process and the socket monitor
# (each a syscall or two). Safe below RECONNECT_IVL_MS: a disconnect older than the last
# look was read then, and a newer one leaves the socket without a connection for at least
# RECONNECT_IVL_MS (ZMQ_IMMEDIATE), so a send that goes through without waiting went by a
# connection made after any disconnect the monitor has not been read for yet.
LIVENESS_CHECK_S = 0.05
RECONNECT_IVL_MS = 100
INTERRUPT_GRACE_S = 3.0  # how long Ctrl-C waits for the server to confirm the stop
EXT_CLIENT_FUNCTION = 3  # a Python function the server may call back (PROTOCOL.md)
# pyzmq's flags are enums, and `|` on them costs about a microsecond: plain ints for the
# request path
_NOBLOCK, _SNDMORE, _RCVMORE = int(zmq.NOBLOCK), int(zmq.SNDMORE), int(zmq.RCVMORE)


class AsyncResult:
    """The future reply of a request sent with :meth:`Connection.submit`."""

    def __init__(self, conn: Connection, request_id: int, op: str) -> None:
        self._conn = conn
        self.request_id = request_id
        self.op = op
        self._reply: dict | None = None

    def __del__(self) -> None:
        # never waited for: its reply, now or when it comes, is dropped instead of kept
        if self._reply is None:
            try:
                self._conn._abandon(self.request_id)
            except Exception:  # noqa: BLE001 - interpreter shutdown
                pass

    def ready(self) -> bool:
        """True when the reply has arrived (does not block)."""
        if self._reply is None:
            self._reply = self._conn._take_reply(self.request_id, timeout=0.0)
        return self._reply is not None

    def wait(self, timeout: float | None = None) -> Any:
        """Block until the reply arrives and return its value (raises its error).

        Ctrl-C while waiting interrupts the request's Lua code on the server and raises
        :class:`client.Interrupted`; the connection stays usable.
        """
        __tracebackhide__ = True  # IPython and pytest hide this frame
        if self._reply is None:
            try:
                self._reply = self._conn._take_reply(self.request_id, timeout=timeout, op=self.op)
            except KeyboardInterrupt:
                self._reply = self._conn._interrupt_and_wait(self.request_id, self.op)
            if self._reply is None:
                raise TimeoutError(f"no reply to {self.op} (request {self.request_id}) within {timeout} s")
        return self._conn._result(self._reply)

    def cancel(self) -> None:
        """Interrupt the request's Lua code on the server; :meth:`wait` then raises
        :class:`client.Interrupted` (unless the reply had already come)."""
        if self._reply is None:
            self._conn.interrupt(self.request_id)

    @property
    def value(self) -> Any:
        return self.wait()


class Connection:
    """The ``lua`` object of ``lua = client.connect()``.

    Parameters
    ----------
    endpoint : str, optional
        A connection file written by ``luatorch-server --connection-file`` (endpoint and
        CurveZMQ keys), or a ZeroMQ endpoint that needs no keys. Without one, a private
        local server is started and stopped with this connection.
    timeout : float
        Seconds to wait for a server to answer the first ping.
    request_timeout : float, optional
        Seconds :meth:`request` waits for a reply before raising ``TimeoutError``.
    session : str, optional
        On a server started with ``--sessions``: join the named session (its Lua state is
        shared by every connection naming it) instead of a private one.
    direct : bool
        On a server with sessions: move to the session worker's own socket when the server
        offers it (client/direct.py); False keeps every message going through the server's
        endpoint, which forwards it.

    Raises
    ------
    ServerUnavailable
        When no server answers within ``timeout`` or a private server cannot start.
    """

    def __init__(self, endpoint: str | None = None, timeout: float = 10.0,
                 request_timeout: float | None = None, session: str | None = None,
                 direct: bool = True) -> None:
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._replies: dict[int, dict] = {}
        self._discard: set[int] = set()
        self._releases: collections.deque[tuple[int, int]] = collections.deque()
        #: ids of batched requests whose replies were read: sent as `done` (PROTOCOL.md 2.7)
        self._done: list[int] = []
        # ref id -> weak reference to its proxy (no callback: a proxy's finalizer removes
        # its entry, which costs less than WeakValueDictionary's callback per proxy)
        self._proxies: dict[int, weakref.ref] = {}
        # type name payloads of ext 1 values -> (type name, proxy class)
        self._proxy_types: dict[bytes, tuple[str, type]] = {}
        self._encoder = codec.RequestEncoder(self._to_ref)
        self._header_templates = HeaderTemplates()
        self._decoder = codec.MessageDecoder(self._proxy_from_wire)
        self._method_cache: dict[tuple[str, str], bool] = {}
        # functions looked up on module tables (torch.add): module ref id -> name -> proxy,
        # so that calling one from Python is one request; require() starts a module afresh
        self._module_functions: dict[int, dict[str, Any]] = {}
        self.closed = False
        self._functions: dict[str, Any] = {}
        self._callbacks: dict[int, Any] = {}
        self._callback_ids: dict[int, int] = {}
        self.server: LocalServer | None = None
        self.request_timeout = request_timeout
        self.epoch: str | None = None
        self._session_lost: str | None = None
        keys: dict[str, str] = {}
        if endpoint is None:
            self.server = LocalServer()
            endpoint = self.server.endpoint
        elif "://" not in endpoint:
            endpoint, keys = read_connection_file(endpoint)
        self.endpoint = endpoint
        self._ctx = zmq.Context.instance()
        self._keys = keys
        self._send_timeout = timeout
        self._routing_id = direct_path.routing_id()
        self._next_liveness_check = 0.0
        self._lost = False
        #: where this connection's requests go when it moved to its session worker's own
        #: socket (client/direct.py), else None
        self.direct_endpoint: str | None = None
        # the server's socket, kept after such a move: the parent says there why a
        # session ended (session_lost)
        self._parent_sock: zmq.Socket | None = None
        self._parent_poll: list = []
        self._direct_dropped = False  # that direct connection dropped: back to the parent
        self._use_socket(self._new_socket())
        #: requests sent on this connection (what tests count round trips by)
        self.requests_sent = 0
        self._pipeline: Pipeline | None = None
        #: arrays from shared_array() are shared with a server on this machine; False
        #: sends every array by value (as to a remote server)
        self.shared_memory = True
        self._shared: SharedMemory | None = None
        self._sock.connect(endpoint)
        try:
            self.info = self.submit("ping", session=session, direct=direct or None).wait(timeout)
            offered = self.info.get("direct") if direct and isinstance(self.info, dict) else None
            if isinstance(offered, str):
                self._move_direct(offered, timeout)
        except (TimeoutError, ConnectionLost) as e:
            self._shutdown_quietly()
            if self._session_lost is not None:
                raise ServerUnavailable(f"the luatorch server at {endpoint} refused: {e}") from e
            hint = "" if keys or not endpoint.startswith("tcp://") else (
                " (a server that requires CurveZMQ keys answers only clients that have them: "
                "pass its connection file)")
            raise ServerUnavailable(
                f"no luatorch server answered at {endpoint} within {timeout} s{hint}") from e
        self.epoch = self.info.get("epoch") if isinstance(self.info, dict) else None
        atexit.register(_close_at_exit, weakref.ref(self))

    # ------------------------------------------------------------------ sockets

    def _new_socket(self) -> zmq.Socket:
        """A DEALER with this connection's keys, routing id and options, not connected."""
        sock = self._ctx.socket(zmq.DEALER)
        keys = self._keys
        if keys:
            sock.curve_serverkey = keys["server_public_key"].encode()
            sock.curve_publickey = keys["client_public_key"].encode()
            sock.curve_secretkey = keys["client_secret_key"].encode()
        sock.setsockopt(zmq.ROUTING_ID, self._routing_id)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.IMMEDIATE, 1)
        sock.setsockopt(zmq.SNDTIMEO, int(self._send_timeout * 1000))
        sock.setsockopt(zmq.HEARTBEAT_IVL, HEARTBEAT_IVL_MS)
        sock.setsockopt(zmq.HEARTBEAT_TIMEOUT, HEARTBEAT_TIMEOUT_MS)
        sock.setsockopt(zmq.HEARTBEAT_TTL, HEARTBEAT_TIMEOUT_MS)
        sock.setsockopt(zmq.RECONNECT_IVL, RECONNECT_IVL_MS)
        # a reply is waited for with blocking receives of one slice each (one wake-up, no
        # poll call in front of every receive); between slices the connection is checked
        sock.setsockopt(zmq.RCVTIMEO, POLL_SLICE_MS)
        return sock

    def _use_socket(self, sock: zmq.Socket) -> None:
        """Send requests by sock from now on, watching its connection."""
        self._sock = sock
        self._monitor = direct_path.monitor(sock, zmq.EVENT_DISCONNECTED)
        # zmq_poll on one socket: pyzmq's Poller (and Socket.poll, which makes one) cost
        # several microseconds a call; the monitor is read only when a wait times out
        self._sock_poll = [(sock, zmq.POLLIN)]
        self._monitor_poll = [(self._monitor, zmq.POLLIN)]

    def _move_direct(self, offered: str, timeout: float) -> None:
        """Move to the session worker's own socket, if this machine can reach it."""
        endpoint = direct_path.endpoint(self.endpoint, offered)
        sock = self._new_socket()
        if not direct_path.reachable(sock, endpoint, direct_path.CONNECT_S):
            sock.close(0)  # nothing was sent there: the parent keeps forwarding
            return
        parent = self._sock
        parent.disable_monitor()  # (that connection dropping no longer concerns requests)
        self._monitor.close(0)
        self._parent_sock, self._parent_poll = parent, [(parent, zmq.POLLIN)]
        self._use_socket(sock)
        self.direct_endpoint = endpoint
        self.submit("ping").wait(timeout)  # the worker now knows this connection's socket

    def _leave_direct(self) -> None:
        """The direct connection dropped (and no session_lost said the worker died): go
        back to the parent's socket. A worker still alive is reached through its parent
        again; a restarted server answers there (ServerRestarted)."""
        self._sock.disable_monitor()
        self._monitor.close(0)
        self._sock.close(0)
        parent, self._parent_sock, self._parent_poll = self._parent_sock, None, []
        self._use_socket(parent)
        self.direct_endpoint, self._direct_dropped = None, False

    def _read_parent(self, timeout: float = 0.0) -> None:
        """After a move: read what the parent sent (a session_lost), waiting up to timeout
        seconds for something to come."""
        parent = self._parent_sock
        if parent is None:
            return
        deadline = time.monotonic() + timeout
        while self._session_lost is None:
            remaining = max(0, int((deadline - time.monotonic()) * 1000))
            if not zmq_poll(self._parent_poll, remaining):
                return
            frames = parent.recv_multipart()
            try:
                message = self._decoder.decode(frames)
            except codec.CodecError:
                continue
            if message.get("op") == "session_lost":
                self._session_lost = f"{self.endpoint}: {message.get('reason', 'the session ended')}"

    # ------------------------------------------------------------------ requests

    def submit(self, op: str, *, _release_arrays: bool = True, **fields: Any) -> AsyncResult:
        """Send one request without waiting; returns its :class:`AsyncResult`.

        Large arrays travel without a copy: ZeroMQ reads their memory while it sends, so
        this returns once it is done with them and the caller may change them again
        (``_release_arrays=False`` skips that wait, for callers that wait for the reply).
        """
        request_id, kept = self._send_request(op, fields, _release_arrays)
        result = AsyncResult(self, request_id, op)
        if kept:  # shared arrays' memfds stay open until the server has mapped them
            result._shared_arrays = kept
        return result

    def _send_request(self, op: str, fields: dict, release_arrays: bool) -> tuple[int, list]:
        """Send one request; its id, and the shared arrays it names (to keep until its
        reply, so their memfds stay open until the server has mapped them)."""
        with self._lock:
            self._before_request()
            request_id = next(self._ids)
            if "target" in fields:
                self._target_as_wire(fields)
            releases = self._drain_releases() if self._releases else None
            done = self._done
            if done:
                self._done = []
            # keys in protocol order, so the header packs in one pass to encode_message's bytes
            header = request_header(op, request_id, fields, self.epoch, releases, done)
            return request_id, self._encode_and_send(header, op, releases, done, release_arrays)

    def _send_call(self, op: str, target: Any, name: str | None, args: Any) -> tuple[int, list]:
        """:meth:`_send_request` of a call or method call, its header built directly."""
        with self._lock:
            self._before_request()
            request_id = next(self._ids)
            if target.__class__ in PROXY_CLASSES and target._conn is self:
                target = target._wire or target._wire_value()
            releases = self._drain_releases() if self._releases else None
            done = self._done
            if done:
                self._done = []
            elif releases is None and target.__class__ is msgpack.ExtType:
                # the usual call: its header from the target's template (headers.HeaderTemplates)
                shared, kept = self._shared, []
                frames = self._header_templates.encode_call(
                    self._encoder, op, request_id, target, name, args, self.epoch,
                    shared.sender(kept) if shared is not None and self.shared_memory else None)
                if frames is not None:
                    self._send_frames(frames, op, None, False)
                    return request_id, kept
            header = call_header(op, request_id, target, name, args, self.epoch, releases, done)
            return request_id, self._encode_and_send(header, op, releases, done, False)

    def _before_request(self) -> None:
        """What a request checks first (under the lock): the connection is usable, and
        batched calls made earlier go first."""
        if self.closed:
            raise ConnectionLost("this connection is closed")
        now = time.monotonic()
        if now >= self._next_liveness_check:  # (throttled: LIVENESS_CHECK_S)
            self._next_liveness_check = now + LIVENESS_CHECK_S
            if self.server is not None and not self.server.alive():
                raise ConnectionLost("the local server is gone:\n" + self.server.describe())
            self._read_monitor()
            self._lost = False  # a disconnect before this request does not concern it
            self._read_parent()
            if self._direct_dropped and self._session_lost is None:
                self._leave_direct()
        if self._session_lost is not None:
            raise ConnectionLost(self._session_lost)
        pipeline = self._pipeline
        if pipeline is not None and pipeline.buffer:
            pipeline.flush()  # batched calls made earlier go first

    def _encode_and_send(self, header: dict, op: str, releases: list | None, done: list | None,
                         release_arrays: bool) -> list:
        """Encode and send a request's header (under the lock); the shared arrays it names.
        A request that does not go gives its releases and acknowledgements back."""
        shared, kept = self._shared, []
        try:
            frames = self._encoder.encode(
                header, shared.sender(kept) if shared is not None and self.shared_memory else None)
        except BaseException:  # e.g. a failed pipelined result as an argument: not sent
            self._unsent(releases, done)
            raise
        self._send_frames(frames, op, releases, release_arrays)
        return kept

    def _send_frames(self, frames: list, op: str, releases: list | None,
                     release_arrays: bool) -> None:
        """Send an encoded request (under the lock); one that does not go gives its
        releases back."""
        try:
            trackers = self._send(frames, op, track=release_arrays)
            self.requests_sent += 1
        except ConnectionLost:
            self._unsent(releases, None)
            raise
        for tracker in trackers:
            self._wait_sent(tracker, op)

    def _unsent(self, releases: list | None, done: list | None) -> None:
        """A request that did not go: its releases and acknowledgements go with the next."""
        if releases:
            self._releases.extendleft(tuple(r) for r in reversed(releases))
        if done:
            self._done[:0] = done

    def request(self, op: str, **fields: Any) -> Any:
        """Send one request and return its value (None, one value, or a tuple); in a
        :meth:`pipeline` block, a call's :class:`~client.pipeline.Pending` result."""
        __tracebackhide__ = True  # IPython and pytest hide this frame
        pipeline = self._pipeline
        if pipeline is not None:
            if op in PIPELINED_OPS:
                return pipeline.call(op, fields.get("target"), fields.get("name"),
                                     fields.get("args") or (), 3)
            pipeline.wait_until()  # this one needs its value: the earlier calls' errors first
        # the reply comes after the server read the whole request: no wait for the arrays.
        # (AsyncResult.wait's steps, without making an AsyncResult)
        request_id, kept = self._send_request(op, fields, False)
        return self._value_of(request_id, op, kept)

    def _call(self, op: str, target: Any, name: str | None, args: Any) -> Any:
        """``request(op, target=target, name=name, args=args)`` for a call (``name`` None)
        or method call, the request Python makes most, without building a fields dict."""
        __tracebackhide__ = True  # IPython and pytest hide this frame
        pipeline = self._pipeline
        if pipeline is not None:
            return pipeline.call(op, target, name, args)
        request_id, kept = self._send_call(op, target, name, args)
        return self._value_of(request_id, op, kept)

    def _value_of(self, request_id: int, op: str, kept: list) -> Any:
        """Wait for a request's reply and return its value (raises its error)."""
        __tracebackhide__ = True  # IPython and pytest hide this frame
        timeout = self.request_timeout
        try:
            reply = self._take_reply(request_id, timeout, op)
        except KeyboardInterrupt:  # stop the Lua code; raises Interrupted, or gives its reply
            reply = self._interrupt_and_wait(request_id, op)
        except BaseException:
            self._abandon(request_id)
            raise
        if reply is None:
            self._abandon(request_id)
            raise TimeoutError(f"no reply to {op} (request {request_id}) within {timeout} s")
        del kept  # the server has mapped the shared arrays it was sent
        return self._result(reply)

    @contextlib.contextmanager
    def pipeline(self) -> Any:
        """``with lua.pipeline():`` calls in the block are sent without waiting for their
        replies (see client/pipeline.py); the block's end waits for them all and raises
        the first error. Nested blocks are one block."""
        __tracebackhide__ = True
        if self._pipeline is not None:
            yield self._pipeline
            return
        pipeline = self._pipeline = Pipeline(self)
        try:
            yield pipeline
        except BaseException as e:
            with contextlib.suppress(Exception):  # the block's own error is the one to see
                if isinstance(e, KeyboardInterrupt):  # Ctrl-C while Python ran: stop the calls
                    pipeline.interrupt()
                pipeline.wait_until()
            self._pipeline = None
            pipeline.close()
            raise
        try:
            pipeline.wait_until()
        finally:
            self._pipeline = None
            pipeline.close()

    def _send(self, frames: list, op: str, track: bool = False) -> list:
        """Send one message; with ``track``, the MessageTrackers of the frames sent without
        a copy (done once ZeroMQ no longer reads their memory)."""
        sock, last = self._sock, len(frames) - 1
        head = frames[0]
        try:  # the usual case: connected, so the header goes at once (no poll first)
            sock.send(head, _NOBLOCK | _SNDMORE if last else _NOBLOCK, copy=len(head) < COPY_THRESHOLD)
        except zmq.Again:
            self._wait_writable(op)
            # (re)connected just now: a disconnect the monitor reported before is not this
            # request's (see LIVENESS_CHECK_S)
            self._read_monitor()
            self._lost = False
            try:
                sock.send(head, _SNDMORE if last else 0, copy=len(head) < COPY_THRESHOLD)
            except zmq.Again as e:
                raise ConnectionLost(
                    f"could not send {op} to {self.endpoint}: the server is not connected") from e
        # the rest of a message whose first frame went through is accepted whole
        trackers = []
        for i in range(1, last + 1):
            frame = frames[i]
            # zero-copy only pays for large frames (pyzmq's copy_threshold advice)
            copy = len(frame) < COPY_THRESHOLD
            tracker = sock.send(frame, _SNDMORE if i < last else 0, copy=copy, track=track and not copy)
            if track and not copy:
                trackers.append(tracker)
        return trackers

    def _wait_writable(self, op: str) -> None:
        # wait to be able to send in slices, so that a dead private server is noticed at
        # once instead of after the whole send timeout
        deadline = time.monotonic() + self._send_timeout
        while not zmq_poll([(self._sock, zmq.POLLOUT)], POLL_SLICE_MS):
            if self._parent_sock is not None:  # moved to the worker's socket: did it die?
                self._read_parent()
                if self._session_lost is not None:
                    raise ConnectionLost(f"could not send {op}: {self._session_lost}")
                self._read_monitor()
                if self._direct_dropped:
                    raise ConnectionLost(
                        f"could not send {op}: the connection to the session's worker at "
                        f"{self.direct_endpoint} dropped (the next request goes by {self.endpoint})")
            if self.server is not None and not self.server.alive():
                raise ConnectionLost(f"could not send {op}: the local server died:\n"
                                     + self.server.describe())
            if time.monotonic() >= deadline:
                raise ConnectionLost(
                    f"could not send {op} to {self.endpoint}: the server is not connected")

    def _wait_sent(self, tracker: Any, op: str) -> None:
        """Wait until ZeroMQ is done reading a frame sent without a copy."""
        while not tracker.done:
            try:
                tracker.wait(POLL_SLICE_MS / 1000)
            except zmq.NotDone:
                pass
            if not tracker.done and self.server is not None and not self.server.alive():
                raise ConnectionLost(f"could not send {op}: the local server died:\n"
                                     + self.server.describe())

    def interrupt(self, request_id: int) -> None:
        """Ask the server to stop request ``request_id`` (no reply; the request's own reply
        says ``Interrupted``)."""
        with self._lock:
            self._check_open()
            self._send(codec.encode_message(
                {"v": codec.PROTOCOL_VERSION, "op": "interrupt", "request": request_id}), "interrupt")

    def _interrupt_and_wait(self, request_id: int, op: str) -> dict:
        """After Ctrl-C: stop the request and wait briefly for its (error) reply."""
        try:
            self.interrupt(request_id)
            reply = self._take_reply(request_id, timeout=INTERRUPT_GRACE_S, op=op)
        except (ConnectionLost, KeyboardInterrupt):
            reply = None
        if reply is None:
            self._abandon(request_id)
            raise Interrupted(
                f"{op} (request {request_id}) was interrupted here, but the server did not confirm "
                f"the stop within {INTERRUPT_GRACE_S} s (a long C call?); it may still be busy")
        if reply.get("status") == "ok":
            raise Interrupted(f"{op} (request {request_id}) was interrupted just as it finished")
        return reply

    def _abandon(self, request_id: int) -> None:
        """An AsyncResult nobody waited for is gone: drop its reply."""
        if self._replies.pop(request_id, None) is None and not self.closed:
            self._discard.add(request_id)

    def _drain_releases(self) -> list[list[int]]:
        out = []
        while self._releases:
            ref_id, count = self._releases.popleft()
            out.append([ref_id, count])
        return out

    def _take_reply(self, request_id: int, timeout: float | None, op: str = "") -> dict | None:
        """Receive until the reply to request_id arrives; None if timeout passes first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        sock, replies = self._sock, self._replies
        with self._lock:
            while request_id not in replies:
                if self._session_lost is not None:
                    raise ConnectionLost(f"{self._session_lost} while {op or 'a request'} "
                                         f"(request {request_id}) was pending")
                if deadline is None or deadline - time.monotonic() >= POLL_SLICE_MS / 1000:
                    try:  # blocks for one slice at most (RCVTIMEO)
                        head = sock.recv()
                    except zmq.Again:
                        head = None
                else:  # less than a slice left
                    remaining = max(0, int((deadline - time.monotonic()) * 1000))
                    head = sock.recv() if zmq_poll(self._sock_poll, remaining) else None
                if head is not None:
                    self._receive_one(head)
                    continue
                self._read_monitor()  # a slice passed without a reply: is the server there?
                if self._lost:
                    self._lost = False
                    self._read_parent(direct_path.SESSION_LOST_WAIT_S)  # did the worker die?
                    if self._session_lost is not None:
                        raise ConnectionLost(f"{self._session_lost} while {op or 'a request'} "
                                             f"(request {request_id}) was pending")
                    raise ConnectionLost(
                        f"lost the connection to {self.endpoint} while waiting for the reply to "
                        f"{op or 'a request'} (request {request_id}){self._server_note()}")
                if self.server is not None and not self.server.alive():
                    raise ConnectionLost(
                        f"the local server died while handling {op or 'a request'}:\n"
                        + self.server.describe())
                if deadline is not None and time.monotonic() >= deadline:
                    return None
            return replies.pop(request_id)

    def _server_note(self) -> str:
        if self.server is not None and not self.server.alive():
            return "; the local server exited:\n" + self.server.describe()
        return ""

    def _read_monitor(self) -> None:
        while zmq_poll(self._monitor_poll, 0):
            event = recv_monitor_message(self._monitor)
            if event["event"] == zmq.EVENT_DISCONNECTED:
                self._lost = True
                self._direct_dropped = self._parent_sock is not None

    def _receive_one(self, head: bytes | None = None) -> None:
        # the header is small: copied into bytes; data frames are not copied (tensors
        # become views of them, codec.unpack_tensor). head: the header frame when the
        # caller has received it already (_take_reply's blocking receive). Whether frames
        # follow is read from the header (tensors naming a data frame), not asked of ZeroMQ
        # (ZMQ_RCVMORE costs more than decoding a small reply): the protocol refuses data
        # frames no tensor names, so a header naming none is the whole message.
        sock = self._sock
        if head is None:
            head = sock.recv()
        try:
            reply = self._decoder.decode_head(head)
        except codec.FramesFollow as follow:
            frames = [head]
            while sock.get(_RCVMORE):
                frames.append(sock.recv(copy=False))
            try:
                reply = self._decoder.decode(frames)
            except codec.CodecError as e:
                warnings.warn(f"luatorch: dropped an undecodable reply: {e}", RuntimeWarning,
                              stacklevel=2)
                return
            finally:  # the references the first look received count once
                for proxy in follow.refs:
                    proxy._receipts -= 1
        except codec.CodecError as e:
            while sock.get(_RCVMORE):  # the rest of the message goes with it
                sock.recv(copy=False)
            warnings.warn(f"luatorch: dropped an undecodable reply: {e}", RuntimeWarning, stacklevel=2)
            return
        op = reply.get("op")
        if op is not None:  # replies have none: a message the server sends by itself
            if op == "callback":
                self._run_callback(reply)
                return
            if op == "stream":  # Lua's print while the request runs (PROTOCOL.md 2.6)
                streams.received(reply)
                return
            if op == "session_lost":
                self._session_lost = f"{self.endpoint}: {reply.get('reason', 'the session ended')}"
                return
            if op == "batch":  # the replies to a batch's requests (PROTOCOL.md 2.7)
                self._receive_batch(reply)
                return
        request_id = reply.get("id")
        if request_id in self._discard:
            self._discard.discard(request_id)
            return
        self._replies[request_id] = reply

    def _receive_batch(self, message: dict) -> None:
        try:
            replies = self._decoder.decode_batch(message)
        except codec.CodecError as e:
            warnings.warn(f"luatorch: dropped an undecodable batch reply: {e}", RuntimeWarning,
                          stacklevel=3)
            return
        for reply in replies:
            if isinstance(reply, codec.CodecError):
                warnings.warn(f"luatorch: dropped an undecodable reply: {reply}", RuntimeWarning,
                              stacklevel=3)
                continue
            request_id = reply.get("id")
            if request_id in self._discard:
                self._discard.discard(request_id)
            else:
                self._replies[request_id] = reply

    def _result(self, reply: dict) -> Any:
        __tracebackhide__ = True  # IPython and pytest hide this frame
        out = reply.get("stdout")
        if out:
            sys.stdout.write(out)
        if reply.get("warnings"):
            warnings.warn("luatorch server: " + reply["warnings"].rstrip(), RuntimeWarning, stacklevel=3)
        if reply.get("status") != "ok":
            if reply.get("ename") == "Interrupted":
                raise Interrupted(f"{reply.get('evalue', 'interrupted')}\n\nLua traceback:\n"
                                  f"{reply.get('traceback', '')}")
            if reply.get("ename") == "ServerRestarted":
                raise ServerRestarted(f"{self.endpoint}: {reply.get('evalue', '')}")
            raise RemoteError(
                reply.get("ename", "Error"), reply.get("evalue", ""), reply.get("traceback", ""))
        values = reply.get("values") or []
        if len(values) == 0:
            return None
        if len(values) == 1:
            return values[0]
        return tuple(values)

    # ------------------------------------------------------------------ references

    def _target_as_wire(self, fields: dict) -> None:
        """A proxy of this connection as a request's target goes as its ext 1 value, put
        in the header at once (not through the encoder's hook). ``fields`` is the request's
        own dict (its keyword arguments)."""
        target = fields.get("target")
        if target.__class__ in PROXY_CLASSES and target._conn is self:
            fields["target"] = target._wire or target._wire_value()

    def _to_ref(self, obj: Any) -> Any:
        if obj.__class__ in PROXY_CLASSES:  # the usual argument: checked first
            if obj._conn is not self:
                raise ValueError("a proxy of another connection cannot be sent to this server")
            return obj._wire or obj._wire_value()
        if isinstance(obj, Pending):  # a pipelined result: a promise while unread, else its value
            obj = obj._as_argument(self)
            if not isinstance(obj, LuaObject):
                return obj
        if isinstance(obj, LuaObject):
            if obj._conn is not self:
                raise ValueError("a proxy of another connection cannot be sent to this server")
            return obj._wire_value()
        if callable(obj) and not isinstance(obj, BoundMethod):
            # a Python function: Lua may call it back (e.g. a feval for optim)
            cid = self._callback_ids.get(id(obj))
            if cid is None:
                cid = next(self._ids)
                self._callback_ids[id(obj)] = cid
                self._callbacks[cid] = obj
            return msgpack.ExtType(EXT_CLIENT_FUNCTION, struct.pack(">Q", cid))
        raise TypeError(f"cannot send a {type(obj).__name__} to the Lua server")

    def _run_callback(self, message: dict) -> None:
        """The server calls a Python function: run it, answer with callback_result."""
        fn = self._callbacks.get(message.get("callback"))
        answer: dict[str, Any] = {"v": codec.PROTOCOL_VERSION, "op": "callback_result",
                                  "seq": message.get("seq")}
        pipeline, self._pipeline = self._pipeline, None  # the function's calls run now, in turn
        try:
            if fn is None:
                raise LookupError(f"no Python function #{message.get('callback')} on this client")
            result = fn(*(message.get("args") or []))
            values = list(result) if isinstance(result, tuple) else [result]
            answer.update(status="ok", values=values)
        except Exception as e:  # noqa: BLE001 - the error travels to Lua, then back as RemoteError
            answer.update(status="error", ename=type(e).__name__, evalue=str(e),
                          traceback=traceback.format_exc())
        finally:
            self._pipeline = pipeline
        self._send(codec.encode_message(answer, default=self._to_ref), "callback_result")

    def _proxy_from_wire(self, ref_id: int, payload: bytes) -> Any:
        """The decoder's hook for an ext 1 value: the proxy of that Lua object (one per
        object while it lives; each receipt counted, as the server counts them)."""
        entry = self._proxies.get(ref_id)
        if entry is not None:
            proxy = entry()
            if proxy is not None:
                proxy._receipts += 1
                return proxy
        name = payload[8:]
        known = self._proxy_types.get(name)
        if known is None:
            typename = codec.unpack_ref(payload).typename  # (checks it is UTF-8)
            if len(self._proxy_types) >= 1024:  # (Lua code could make endless class names)
                self._proxy_types.clear()
            known = self._proxy_types[name] = (typename, proxy_class(typename))
        proxy = new_proxy(known[1], self, ref_id, known[0], codec.ext_value(codec.EXT_REF, payload))
        self._proxies[ref_id] = weakref.ref(proxy)
        return proxy

    def _proxy_for(self, ref: codec.RemoteRef) -> Any:
        """A RemoteRef's proxy (codec.decode_message's ref_hook, for callers decoding alone)."""
        return self._proxy_from_wire(ref.id, codec.pack_ref(ref))

    def _ref_wire(self, ref_id: int, typename: str) -> Any:
        """The ext 1 value of a proxy made here, not received (raises for a bad id)."""
        return codec.ext_value(codec.EXT_REF, codec.pack_ref(codec.RemoteRef(ref_id, typename)))

    def _forget_proxy(self, proxy: Any) -> None:
        """A proxy's finalizer: drop its registry entry (unless a newer proxy of the same
        object took its place, when a collected cycle held it)."""
        entry = self._proxies.get(proxy._id)
        if entry is not None:
            alive = entry()
            if alive is None or alive is proxy:
                del self._proxies[proxy._id]

    def _release(self, ref_id: int, receipts: int) -> None:
        """Called from proxies' finalizers: queue the release for the next request."""
        if self.closed:
            return
        self._releases.append((ref_id, receipts))
        if len(self._releases) >= RELEASE_BATCH and self._lock.acquire(blocking=False):
            try:
                self.flush_releases()
            finally:
                self._lock.release()

    def flush_releases(self) -> None:
        """Send queued releases now instead of with the next request."""
        with self._lock:
            if not self._releases or self.closed:
                return
            result = self.submit("release")
            self._discard.add(result.request_id)

    def is_method(self, typename: str, name: str) -> bool | None:
        return self._method_cache.get((typename, name))

    def learn_method(self, typename: str, name: str, is_method: bool) -> None:
        self._method_cache[(typename, name)] = is_method

    # ------------------------------------------------------------------ the API

    def require(self, name: str) -> Any:
        """``require(name)`` on the server: a proxy of the module table (torch, nn, optim).

        Functions read from a module table are remembered (``torch.add`` costs one request
        per call, not two); requiring the module again forgets them, e.g. after Lua code
        replaced one.
        """
        module = self.request("require", name=name)
        if getattr(module, "_typename", None) == "table":
            self._module_functions[module._id] = {}
        return module

    def module_function(self, module_id: int, name: str) -> Any:
        """The function ``name`` of a required module, when already looked up, else None."""
        functions = self._module_functions.get(module_id)
        return None if functions is None else functions.get(name)

    def learn_module_field(self, module_id: int, name: str, value: Any) -> None:
        """Remember a function read from a module; any other value (or a write) is not."""
        functions = self._module_functions.get(module_id)
        if functions is None:
            return
        if getattr(value, "_typename", None) == "function":
            functions[name] = value
        else:
            functions.pop(name, None)

    def eval(self, code: str) -> Any:
        """Evaluate a Lua expression (or chunk) and return its value(s)."""
        __tracebackhide__ = True  # IPython and pytest hide this frame
        if self._pipeline is None and code.__class__ is str \
                and len(code) <= HeaderTemplates.EVAL_CODE_MAX:
            request_id = self._send_eval(code)
            if request_id is not None:
                return self._value_of(request_id, "eval", ())
        return self.request("eval", code=code)

    def _send_eval(self, code: str) -> int | None:
        """Send ``eval`` of short code with its header from a template; None (nothing sent)
        when the request has releases or acknowledgements to carry."""
        with self._lock:
            self._before_request()
            if self._releases or self._done:
                return None
            request_id = next(self._ids)
            head = self._header_templates.encode_eval(request_id, code, self.epoch)
            self._send_frames([head], "eval", None, False)
            return request_id

    def execute(self, code: str) -> Any:
        """Run a Lua chunk (statements); returns what the chunk returns."""
        __tracebackhide__ = True  # IPython and pytest hide this frame
        for functions in self._module_functions.values():  # the chunk may replace them
            functions.clear()
        return self.request("execute", code=code)

    def ref(self, code: str) -> Any:
        """Evaluate a Lua expression and return it as a proxy, even a plain table."""
        return self.request("eval", code=code, as_ref=True)

    @property
    def globals(self) -> Any:
        """Lua globals: ``lua.globals.x`` reads, ``lua.globals.x = v`` writes."""
        from .proxy import Globals

        return Globals(self)

    def load_t7(self, source: str | os.PathLike | bytes, format: str = "binary") -> Any:
        """Load a .t7 file that lives on *this* machine into the server.

        The bytes travel with the request, so the server need not share a filesystem
        with the client. ``format`` is Torch7's: binary, ascii, b32 or b64.
        """
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        return self.request("call", target=self._function("torch.deserialize"), args=[data, format])

    def save_t7(self, obj: Any, path: str | os.PathLike, format: str = "binary") -> None:
        """Write a server object to a .t7 file on this machine (``torch.serialize``)."""
        data = self.request("call", target=self._function("torch.serialize"), args=[obj, format])
        Path(path).write_bytes(data.encode() if isinstance(data, str) else data)

    def lua_function(self, code: str) -> Any:
        """The Lua function (or any value) an expression gives, evaluated once and cached."""
        fn = self._functions.get(code)
        if fn is None:
            fn = self._functions[code] = self.eval(code)
        return fn

    _function = lua_function

    def fetch(self, obj: Any) -> Any:
        """An object by value: tensors inside become numpy arrays, tables lists and dicts.

        (A method of the connection, not of proxies, so that no Lua field is shadowed.)
        """
        return self.request("value", target=obj)

    def tostring(self, obj: Any) -> str:
        """Lua's ``tostring(obj)`` (how ``print(net)`` shows a model as Torch7 does)."""
        return self._function("tostring")(obj)

    def ping(self) -> dict:
        return self.request("ping")

    def shared_array(self, shape: Any, dtype: Any = "float64") -> Any:
        """A zero-filled numpy array in memory shared with the server (client/shared.py):
        passed to Lua it becomes a tensor over the same pages, with no copy, and Lua's
        writes show in it. With a server on another machine (or ``shared_memory`` False)
        it is an ordinary array, sent by value."""
        import numpy as np

        if self.shared_memory:
            if self._shared is None:
                self._shared = SharedMemory(self, codec._DTYPE_CODES, codec.CODE_DTYPES)
                self._decoder.shared_hook = self._shared.array_from
            if self._shared.attach():
                return self._shared.array(shape, dtype)
        return np.zeros(shape, dtype)

    # -- your own Lua files (issue 11; client/userlua.py) --------------------------------

    def load_file(self, path: str | os.PathLike) -> Any:
        """Run a ``.lua`` file of this machine on the server under its own name (errors say
        ``MyLayer.lua:17``); loading it again redefines the classes it defines."""
        __tracebackhide__ = True
        from . import userlua

        return userlua.load_file(self, path)

    def require_file(self, path: str | os.PathLike) -> Any:
        """Make a local module file, or a folder of modules, what ``require`` finds on the
        server (replacing earlier versions); returns the required module."""
        __tracebackhide__ = True
        from . import userlua

        return userlua.require_file(self, path)

    def close(self) -> None:
        """Release every reference; stop the private server if this connection started it."""
        if self.closed:
            return
        with self._lock:
            try:
                if not self._lost and (self.server is None or self.server.alive()):
                    self.submit("close").wait(5.0)
                    if self.server is not None:
                        self.submit("shutdown").wait(5.0)
            except Exception:  # noqa: BLE001 - closing must not fail on a dead server
                pass
            self._shutdown_quietly()

    def _shutdown_quietly(self) -> None:
        self.closed = True
        try:
            self._sock.disable_monitor()
        except zmq.ZMQError:
            pass
        self._monitor.close(0)
        self._sock.close(0)
        if self._parent_sock is not None:
            self._parent_sock.close(0)
        if self.server is not None:
            if not self.server.wait(5.0):
                self.server.kill()

    def _check_open(self) -> None:
        if self.closed:
            raise ConnectionLost("this connection is closed")

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<luatorch connection to {self.endpoint} ({state})>"


def _close_at_exit(ref: weakref.ref) -> None:
    conn = ref()
    if conn is not None:
        conn.close()


def read_connection_file(path: str | os.PathLike) -> tuple[str, dict[str, str]]:
    """The endpoint and CurveZMQ keys of a connection file (``--connection-file``)."""
    try:
        info = json.loads(Path(path).read_text())
    except (OSError, ValueError) as e:
        raise ServerUnavailable(f"cannot read the connection file {path}: {e}") from e
    if not isinstance(info, dict) or not isinstance(info.get("endpoint"), str):
        raise ServerUnavailable(f"{path} is not a luatorch connection file (no endpoint)")
    names = ("server_public_key", "client_public_key", "client_secret_key")
    keys = {k: info[k] for k in names if isinstance(info.get(k), str)}
    if keys and len(keys) != 3:
        raise ServerUnavailable(f"{path} lacks some of the keys {', '.join(names)}")
    return info["endpoint"], keys

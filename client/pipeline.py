"""``with lua.pipeline():`` — calls sent without waiting, batched, and usable before they finish.

Inside the block, calls and method calls (``lin.forward(x)``, ``torch.add(a, b)``,
``model.zeroGradParameters()``) return a :class:`Pending` at once. They are buffered and sent
several to a ZeroMQ message (a *batch*, ``bridge/PROTOCOL.md`` §2.7): when the batch is full,
when Python needs a value, at the block's end, and 20 ms after the first call
of a batch in any case (a background timer, so a block that then sleeps still runs its calls).
The server runs them in the order made and answers a batch with one message.

A Pending can be used before its reply arrives (promise pipelining, Cap'n Proto's idea): as
an argument (``crit.forward(out, y)``) or as the target of a method call
(``torch.Tensor(4).fill(2)``) it travels as a *promise* of the earlier call's result, which
the server resolves itself, so Python does not wait. Python waits only where it needs a
value: ``.value``, ``f"{loss}"``, ``float(loss)``, ``numpy()``, any request that is not a call
(reading a field, ``eval``), and the block's end.

Errors: a failed call's error is raised at the next wait (and again whenever its result is
used), with its Lua traceback and a note naming the Python lines that made it. Calls after
it still run, except those that use its result: the server refuses them (``PromiseBroken``),
and in Python they raise the original error. No reply is ever left unread. Ctrl-C while
waiting stops the running call and cancels the calls not started yet.
"""

from __future__ import annotations

import collections
import os
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

import msgpack
import zmq

from .display import is_probe
from .errors import Interrupted
from .headers import HeaderTemplates, call_header

if TYPE_CHECKING:
    from .connection import Connection

#: the requests that may go without waiting; all others need their value at once
PIPELINED_OPS = frozenset({"call", "method"})
#: replies left unread at most: the server's promise table keeps 4096 results, and ZeroMQ
#: queues 1000 messages a peer (a batch reply is one message, a printed line another)
MAX_IN_FLIGHT = 512
#: requests in one batch message
BATCH_MAX = 64
#: a buffered request is sent at the latest this long after it was made; the timer thread
#: wakes this often while calls are buffered (every 5 ms cost 15% of a pipelined loop's CPU)
FLUSH_DELAY_S = 0.02
_EXT_CLIENT_FUNCTION = 3
_ExtType = msgpack.ExtType
INTERRUPT_GRACE_S = 3.0
_CLIENT_DIR = os.path.dirname(os.path.abspath(__file__))


_in_client: dict = {}  # code object -> whether it is this package's (a cache: one lookup a frame)


def _where(depth: int) -> tuple:
    """(code, instruction offset) of the nearest frames outside this package: the user's
    call and its two callers. Cheap: no line numbers (frame.f_lineno costs 0.4 us a frame)
    and no strings; _describe_where works them out if needed. ``depth``: where the user's
    frame is when the call came the usual way (from a proxy's method), looked at first:
    Python makes a frame object of every frame looked at, and one of a client function that
    then returns costs about a microsecond; when that frame is the client's (an operator),
    the search goes on up."""
    try:
        frame = sys._getframe(depth)
    except ValueError:  # called from the top of the stack
        return ()
    inside = _in_client
    code = frame.f_code
    while True:
        flag = inside.get(code)
        if flag is None:
            flag = inside[code] = code.co_filename.startswith(_CLIENT_DIR)
        if not flag:
            break
        frame = frame.f_back
        if frame is None:
            return ()
        code = frame.f_code
    # the user's frame and its callers, unrolled (a loop and a list cost a third more)
    caller = frame.f_back
    if caller is None:
        return ((code, frame.f_lasti),)
    above = caller.f_back
    if above is None:
        return ((code, frame.f_lasti), (caller.f_code, caller.f_lasti))
    return ((code, frame.f_lasti), (caller.f_code, caller.f_lasti), (above.f_code, above.f_lasti))


def _line_of(code: Any, offset: int) -> int:
    """The source line of the instruction at byte ``offset`` of ``code``."""
    for start, end, line in code.co_lines():
        if start <= offset < end and line is not None:
            return line
    return code.co_firstlineno


def _describe_where(where: tuple) -> str:
    if not where:
        return "?"
    lines = [f"{code.co_filename}:{_line_of(code, offset)} in {code.co_name}" for code, offset in where]
    return "\n    called from ".join(lines)


_proxy_api: frozenset | None = None
_proxy_classes: tuple = ()


def _proxy_types() -> tuple:
    """The proxy classes whose objects are sent as references (imported on first use:
    client.proxy imports the connection, which imports this module)."""
    global _proxy_classes
    if not _proxy_classes:
        from .proxy import LuaObject, Storage, Tensor

        _proxy_classes = (LuaObject, Tensor, Storage)
    return _proxy_classes


def _is_proxy_api(name: str) -> bool:
    """Names the Python proxies define themselves (numpy, tolist, shape ...): these need the
    object, not a Lua method call."""
    global _proxy_api
    if _proxy_api is None:
        from .proxy import BoundMethod, LuaObject, Storage, Tensor

        _proxy_api = frozenset(n for cls in (Tensor, Storage, LuaObject, BoundMethod)
                               for n in dir(cls) if not n.startswith("_"))
    return name in _proxy_api


def _send_at_once(sock: Any, frame: bytes) -> bool:
    """Send a one-frame message if ZeroMQ can take it now (the usual case): no poll first."""
    try:
        sock.send(frame, zmq.NOBLOCK)
    except zmq.Again:
        return False
    return True


class Pending:
    """The result of a call made in a pipeline. ``.value`` waits for it; used as an argument
    or method target it is sent as a promise, without waiting."""

    __slots__ = ("_pipeline", "request_id", "op", "_where", "_deps", "_read", "_value", "_error",
                 "_kept")

    def __init__(self, pipeline: Pipeline, request_id: int, op: str, where: tuple,
                 deps: list, kept: list | None = None) -> None:
        self._pipeline, self.request_id, self.op, self._where = pipeline, request_id, op, where
        self._deps = deps
        self._read, self._value, self._error = False, None, None
        # shared arrays the call names: their memfds stay open until the server has mapped
        # them, which it has once the reply comes
        self._kept = kept

    def _collect(self, timeout: float | None = None) -> None:
        """Read this call's reply (the earlier ones are read first by the pipeline)."""
        if self._read:
            return
        conn = self._pipeline.conn
        reply = conn._replies.pop(self.request_id, None)  # most came in an earlier batch reply
        if reply is None:
            reply = conn._take_reply(self.request_id, timeout=timeout, op=self.op)
        if reply is None:
            raise TimeoutError(f"no reply to the pipelined {self.op} (request {self.request_id}) "
                               f"within {timeout} s")
        self._settle(reply)

    def _settle(self, reply: dict) -> None:
        conn = self._pipeline.conn
        self._read, self._kept = True, None
        conn._done.append(self.request_id)  # the server may forget the kept results
        if len(reply) == 4 and reply.get("status") == "ok":
            # the usual reply, {id, status, v, values}: no output, warnings or error to
            # report, so the value without conn._result's checks
            values = reply.get("values")
            if values:
                self._value = values[0] if len(values) == 1 else tuple(values)
            self._deps = ()
            return
        try:
            self._value = conn._result(reply)
        except Exception as e:  # noqa: BLE001 - kept, raised at the pipeline's next wait
            original = self._broken_by() if getattr(e, "ename", None) == "PromiseBroken" else None
            if original is not None:
                e = original  # a call that used a failed call's result: that call's error
            elif hasattr(e, "add_note"):
                e.add_note(f"(the pipelined {self.op}, request {self.request_id}, made at "
                           f"{_describe_where(self._where)})")
            self._error = e
        self._deps = ()  # read: a chain of dependent calls (h = f(h)) must not stay alive

    def _broken_by(self) -> BaseException | None:
        for dep in self._deps:
            if dep._error is not None:
                return dep._error
        return None

    def _as_argument(self, conn: Connection) -> Any:
        """What goes on the wire to ``conn`` for this Pending: a promise while its reply is
        unread and the request is made in the same block, else its value (a failed call
        raises its error)."""
        pipeline = self._pipeline
        if not self._read and conn._pipeline is pipeline and pipeline.conn is conn:
            return pipeline.promise_of(self)
        return self.value

    @property
    def value(self) -> Any:
        """Wait for this call (and every earlier one); raise the first error among them, or
        this call's own error."""
        __tracebackhide__ = True
        self._pipeline.wait_until(self)
        if self._error is not None:
            raise self._error.with_traceback(None)
        return self._value

    def wait(self) -> Any:
        __tracebackhide__ = True
        return self.value

    def ready(self) -> bool:
        """True when the reply was read (does not block)."""
        return self._read

    def __getattr__(self, name: str) -> Any:
        __tracebackhide__ = True
        if name.startswith("__") or is_probe(name):
            raise AttributeError(name)  # Python tools' probes never wait
        if self._read or name.startswith("_") or _is_proxy_api(name):
            return getattr(self.value, name)
        # `torch.Tensor(4).fill(2)`: a method call on the promised object, also pipelined
        return PendingMethod(self, name)

    # the value, where Python clearly asks for it (print(loss), f"{loss:.4f}", float(loss))
    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    def __str__(self) -> str:
        return str(self.value)

    def __float__(self) -> float:
        return float(self.value)

    def __int__(self) -> int:
        return int(self.value)

    def __index__(self) -> int:
        return self.value.__index__()

    def __bool__(self) -> bool:
        return bool(self.value)

    def __iter__(self) -> Any:
        return iter(self.value)

    def __getitem__(self, key: Any) -> Any:
        return self.value[key]

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        import numpy as np

        return np.asarray(self.value, dtype=dtype)

    def __repr__(self) -> str:
        state = ("failed" if self._error is not None else "done") if self._read else "pending"
        return (f"<pipelined {self.op} #{self.request_id} ({state}), made at "
                f"{_describe_where(self._where[:1])}>")


class PendingMethod:
    """``pending.name`` before the reply came: calling it is ``obj:name(...)`` on the
    promised object, pipelined too; anything else waits for ``pending`` and reads the name."""

    __slots__ = ("pending", "name")

    def __init__(self, pending: Pending, name: str) -> None:
        self.pending, self.name = pending, name

    def __call__(self, *args: Any) -> Any:
        __tracebackhide__ = True
        return self.pending._pipeline.conn._call("method", self.pending, self.name, args)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(getattr(self.pending.value, self.name), name)

    def __repr__(self) -> str:
        return f"<pipelined method :{self.name} of {self.pending!r}>"


class _Flusher(threading.Thread):
    """Sends a batch that waited FLUSH_DELAY_S, when no size limit or wait sent it (a block
    that pipelines, then sleeps or computes in Python). Sleeps while the buffer is empty."""

    def __init__(self, pipeline: Pipeline) -> None:
        super().__init__(name="luatorch-pipeline-flush", daemon=True)
        self.pipeline = pipeline
        self.cond = threading.Condition()
        self.idle = True  # changed under the connection's lock
        self.stopped = False

    def wake(self) -> None:
        """The buffer got its first request (called under the connection's lock)."""
        if self.idle:
            self.idle = False
            with self.cond:
                self.cond.notify()

    def stop(self) -> None:
        self.stopped = True
        with self.cond:
            self.cond.notify()

    def run(self) -> None:
        pipeline = self.pipeline
        lock = pipeline.conn._lock
        while True:
            with self.cond:
                while self.idle and not self.stopped:
                    self.cond.wait()
                if self.stopped:
                    return
                self.cond.wait(FLUSH_DELAY_S)
            if self.stopped or not lock.acquire(timeout=FLUSH_DELAY_S):
                continue
            try:
                if pipeline.buffer and time.monotonic() - pipeline.buffer_since >= FLUSH_DELAY_S:
                    pipeline.flush()
                if not pipeline.buffer:
                    self.idle = True
            except Exception:  # noqa: BLE001 - the calls' own waits report a lost connection
                self.idle = True
            finally:
                lock.release()


class Pipeline:
    """The state of one ``with lua.pipeline():`` block (see the module's docstring)."""

    def __init__(self, conn: Connection) -> None:
        from .connection import codec  # the codec the connection uses

        self.conn, self.codec = conn, codec
        self.unread: collections.deque[Pending] = collections.deque()
        self.first_error: BaseException | None = None
        self.buffer: list[bytes] = []  # encoded request headers not sent yet
        self.buffer_pending: list[Pending] = []
        self.buffer_frames: list = []
        self.buffer_since = 0.0
        self.deps: list[Pending] | None = None  # promises the request being encoded uses
        self.calls_back = False  # ...and whether it passes a Python function
        self._flusher: _Flusher | None = None
        self.batches_sent = 0
        self._encoder = codec.RequestEncoder(self._to_wire)
        self._headers = HeaderTemplates()
        self.proxy_classes = frozenset(_proxy_types())

    def call(self, op: str, target: Any, name: str | None, args: Any, depth: int = 4) -> Pending:
        """Encode a call (``name`` None) or method call into the batch being built; returns
        its Pending. Only what each call needs is done here: the header, its encoding, the
        Pending; batches are framed once per flush and replies read in runs. ``depth``: the
        user's frame, counted from _where (a proxy's method, then Connection._call, then
        this)."""
        conn = self.conn
        with conn._lock:
            if conn.closed:
                conn._check_open()
            if len(self.unread) >= MAX_IN_FLIGHT:
                # read the oldest replies before queues fill; their errors wait for the next wait
                self._read_oldest()
            request_id = next(conn._ids)
            if target.__class__ in self.proxy_classes and target._conn is conn:
                target = target._wire or target._wire_value()
            releases = conn._drain_releases() if conn._releases else None
            done = conn._done
            if done:
                conn._done = []
            self.deps = deps = []
            self.calls_back = False
            # shared arrays (lua.shared_array) travel as references to their memory
            shared, kept, sender = conn._shared, None, None
            if shared is not None and conn.shared_memory:
                kept = []
                sender = shared.sender(kept)
            try:
                frames = None
                if releases is None and not done and target.__class__ is _ExtType:
                    frames = self._headers.encode_call(self._encoder, op, request_id, target,
                                                       name, args, conn.epoch, sender)
                if frames is None:
                    frames = self._encoder.encode(
                        call_header(op, request_id, target, name, args, conn.epoch, releases, done),
                        sender)
            except BaseException:
                conn._unsent(releases, done)
                raise
            finally:
                self.deps = None
            pending = Pending(self, request_id, op, _where(depth), deps, kept or None)
            buffer = self.buffer
            if not buffer:
                self.buffer_since = time.monotonic()
                flusher = self._flusher
                if flusher is None:
                    flusher = self._flusher = _Flusher(self)
                    flusher.start()
                flusher.wake()
            buffer.append(frames[0])
            self.buffer_pending.append(pending)
            self.unread.append(pending)
            if len(frames) > 1:  # data frames belong to a batch's last request: send it now
                self.buffer_frames = frames[1:]
                self.flush()
            elif len(buffer) >= BATCH_MAX:
                self.flush()
            if self.calls_back:
                # a call given a Python function (optim's feval) is waited for: the server
                # calls back while it runs, and later calls must not reach it before the
                # callback has answered (they would run inside that wait, out of order)
                self.wait_until(pending)
            return pending

    def _to_wire(self, obj: Any) -> Any:
        """The encoder's hook: a proxy of this connection as its (cached) ext 1 value, a
        Pending of this block as a promise, anything else as the connection decides."""
        if obj.__class__ in self.proxy_classes and obj._conn is self.conn:
            return obj._wire or obj._wire_value()  # (made once a proxy)
        out = self.conn._to_ref(obj)
        if getattr(out, "code", None) == _EXT_CLIENT_FUNCTION:
            self.calls_back = True
        return out

    def promise_of(self, pending: Pending) -> Any:
        """Called while encoding a request: the promise a Pending argument travels as (its
        ext 4 value: codec.pack_promise's bytes for the call's whole value, made directly)."""
        if self.deps is not None:
            self.deps.append(pending)
        return self.codec.ext_value(self.codec.EXT_PROMISE, pending.request_id.to_bytes(8, "big"))

    def flush(self) -> None:
        """Send the buffered requests as one batch message."""
        if not self.buffer:
            return
        conn = self.conn
        with conn._lock:
            requests, frames, pendings = self.buffer, self.buffer_frames, self.buffer_pending
            self.buffer, self.buffer_frames, self.buffer_pending = [], [], []
            try:
                message = self.codec.encode_batch(requests, frames)
                if len(message) > 1 or not _send_at_once(conn._sock, message[0]):
                    # waits for a peer, notices a dead server; returns once ZeroMQ is done
                    # reading big arrays sent without a copy, so the caller may change them
                    for tracker in conn._send(message, "batch", track=True):
                        conn._wait_sent(tracker, "batch")
            except Exception as e:
                for p in pendings:  # never sent: no reply will come
                    p._read, p._error = True, e
                raise
            conn.requests_sent += len(requests)
            self.batches_sent += 1

    def _read_oldest(self) -> None:
        """Read the oldest replies, a batch's worth (a run, so that reading costs one call
        per batch here, not one per request)."""
        unread, replies = self.unread, self.conn._replies
        for _ in range(min(BATCH_MAX, len(unread))):
            item = unread.popleft()
            reply = replies.pop(item.request_id, None)  # most came in an earlier batch reply
            if reply is None:
                self.flush()  # never wait for a reply to a request still in the buffer
                item._collect()
            elif not item._read:
                item._settle(reply)
            if item._error is not None and self.first_error is None:
                self.first_error = item._error

    def wait_until(self, last: Pending | None = None) -> None:
        """Send what is buffered, read the replies in order up to ``last`` (all when None),
        then raise the first error read so far, once."""
        __tracebackhide__ = True
        if last is not None and last._read and self.first_error is None:
            return
        try:
            self.flush()
            unread, conn = self.unread, self.conn
            replies = conn._replies
            while unread:
                item = unread[0]
                reply = None if item._read else replies.pop(item.request_id, None)
                if reply is not None:  # came in an earlier batch reply
                    item._settle(reply)
                else:
                    item._collect(conn.request_timeout)
                unread.popleft()
                if item._error is not None and self.first_error is None:
                    self.first_error = item._error
                if item is last:
                    break
        except KeyboardInterrupt:
            self.interrupt()
            raise Interrupted("interrupted: the running pipelined call was stopped and the "
                              "calls not started yet were cancelled") from None
        if self.first_error is not None:
            error, self.first_error = self.first_error, None
            raise error.with_traceback(None)

    def interrupt(self) -> None:
        """Stop the running call, cancel those not started, and read every reply (Ctrl-C)."""
        conn = self.conn
        try:
            self.flush()
            for item in self.unread:
                if item.request_id not in conn._replies:  # finished ones need no stop
                    conn.interrupt(item.request_id)
        except Exception:  # noqa: BLE001 - a lost connection: the replies will not come
            pass
        deadline = time.monotonic() + INTERRUPT_GRACE_S
        while self.unread:
            item = self.unread.popleft()
            try:
                item._collect(max(0.0, deadline - time.monotonic()))
            except (TimeoutError, KeyboardInterrupt, Exception) as e:  # noqa: BLE001
                conn._abandon(item.request_id)
                item._read, item._error = True, Interrupted(f"{item.op} (request {item.request_id}) "
                                                            f"was interrupted: {e}")
        self.first_error = None

    def close(self) -> None:
        """The block ended: no more timed flushes."""
        if self._flusher is not None:
            self._flusher.stop()
            self._flusher = None


"""``with lua.pipeline():`` — calls sent without waiting for their replies.

Inside the block, calls and method calls (``lin.forward(x)``, ``torch.add(a, b)``,
``model.zeroGradParameters()``) are sent at once and return a :class:`Pending` result; the
server runs them in the order sent. Python waits only where it needs a value: ``.value``
of a pending result, any other request (reading a field, ``eval``, ``numpy()``), passing a
pending result to another call or using its attributes (``torch.Tensor(4).fill(2)``), and
the end of the block. Each of these first collects
every earlier reply, so an error surfaces at the first wait after the failing call, as
the failing call's own error (its Lua traceback, and a note naming the Python line that
made it); the calls after it have still run. No reply is ever left unread.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .connection import AsyncResult, Connection

#: the requests that may go without waiting; all others need their value at once
PIPELINED_OPS = frozenset({"call", "method"})
#: replies left unread at most (ZeroMQ queues 1000 messages a peer by default)
MAX_IN_FLIGHT = 256
_CLIENT_DIR = os.path.dirname(os.path.abspath(__file__))


def _caller() -> str:
    """file:line of the nearest frame outside this package (the user's call)."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename.startswith(_CLIENT_DIR):
        frame = frame.f_back
    return "?" if frame is None else f"{frame.f_code.co_filename}:{frame.f_lineno}"


class Pending:
    """The result of a call made in a pipeline: ``.value`` waits for it."""

    __slots__ = ("_pipeline", "_async", "_where", "_done", "_value", "_error")

    def __init__(self, pipeline: Pipeline, result: AsyncResult, where: str) -> None:
        self._pipeline, self._async, self._where = pipeline, result, where
        self._done, self._value, self._error = False, None, None

    def _collect(self) -> None:
        if self._done:
            return
        self._done = True
        try:
            self._value = self._async.wait(self._pipeline.conn.request_timeout)
        except Exception as e:  # noqa: BLE001 - kept, raised at the pipeline's next wait
            if hasattr(e, "add_note"):
                e.add_note(f"(a pipelined {self._async.op} made at {self._where})")
            self._error = e

    @property
    def value(self) -> Any:
        """Wait for this call (and every earlier one); raise the first error among them."""
        __tracebackhide__ = True
        self._pipeline.wait_until(self)
        return self._value

    def __getattr__(self, name: str) -> Any:
        # `torch.Tensor(4).fill(2)` in a pipeline: the object is needed, so wait for it
        __tracebackhide__ = True
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.value, name)

    def wait(self) -> Any:
        __tracebackhide__ = True
        return self.value

    def __repr__(self) -> str:
        state = "done" if self._done else "pending"
        return f"<pipelined {self._async.op} ({state}), made at {self._where}>"


class Pipeline:
    """The state of one ``with lua.pipeline():`` block (see the module's docstring)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pending: list[Pending] = []
        self.first_error: BaseException | None = None

    def submit(self, op: str, fields: dict) -> Pending:
        if len(self.pending) >= MAX_IN_FLIGHT:
            # read the oldest replies before ZeroMQ's queues fill (a full queue would drop
            # replies); their errors wait for the next wait
            item = self.pending.pop(0)
            item._collect()
            if item._error is not None and self.first_error is None:
                self.first_error = item._error
        result = Pending(self, self.conn.submit(op, **fields), _caller())
        self.pending.append(result)
        return result

    def wait_until(self, last: Pending | None = None) -> None:
        """Collect the replies in order up to ``last`` (all when None), then raise the
        first error collected so far, once."""
        __tracebackhide__ = True
        while self.pending:
            item = self.pending.pop(0)
            item._collect()
            if item._error is not None and self.first_error is None:
                self.first_error = item._error
            if item is last:
                break
        if last is not None and last._error is not None and self.first_error is None:
            self.first_error = last._error
        if self.first_error is not None:
            error, self.first_error = self.first_error, None
            raise error.with_traceback(None)

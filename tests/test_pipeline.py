"""``with lua.pipeline():`` (issue 10): calls go without waiting, in order; errors surface
at the next wait as the failing call's own; no reply is lost."""

from __future__ import annotations

import numpy as np
import pytest

import client
from client.pipeline import MAX_IN_FLIGHT, Pending


@pytest.fixture
def log(lua):
    lua.execute("reqpath_log = {}")
    yield lua.eval("function(i) reqpath_log[#reqpath_log + 1] = i end")
    lua.execute("reqpath_log = nil")


def test_calls_run_in_order_and_no_reply_is_lost(lua, log):
    n = 3 * MAX_IN_FLIGHT + 7  # more than the replies left unread at once
    with lua.pipeline():
        results = [log(i) for i in range(n)]
        assert all(isinstance(r, Pending) for r in results)
    assert lua.fetch(lua.eval("reqpath_log")) == list(range(n))
    assert [r.value for r in results] == [None] * n
    assert lua.eval("return 1") == 1  # no stray reply confuses the next request


def test_values_wait_for_their_call(lua):
    torch = lua.require("torch")
    with lua.pipeline():
        a = torch.Tensor(4).fill(2)
        total = a.value.sum()  # a method call of a pipelined result: pending too
        assert total.value == 8
        c = torch.add(a, a)  # a pending result as an argument: its value is sent
    np.testing.assert_array_equal(c.value.numpy(), [4, 4, 4, 4])


def test_an_error_surfaces_at_the_next_wait_with_its_traceback(lua, log):
    fail = lua.eval("function() error('reqpath boom') end")
    with lua.pipeline():
        log(1)
        failed = fail()  # the line the note names
        log(2)
        with pytest.raises(client.RemoteError, match="reqpath boom") as caught:
            lua.eval("return 0")  # a request that needs its value: the next wait
        assert "test_pipeline.py" in "".join(getattr(caught.value, "__notes__", []))
        assert "stack traceback" in caught.value.traceback  # the failing call's Lua traceback
        with pytest.raises(client.RemoteError, match="reqpath boom"):
            _ = failed.value  # a failed call's result raises whenever it is used
    assert lua.fetch(lua.eval("reqpath_log")) == [1, 2]  # the calls after it still ran


def test_an_error_not_waited_for_is_raised_by_the_end_of_the_block(lua, log):
    fail = lua.eval("function() error('reqpath late') end")
    with pytest.raises(client.RemoteError, match="reqpath late"):
        with lua.pipeline():
            fail()
            log(3)
    assert lua.fetch(lua.eval("reqpath_log")) == [3]
    assert lua.eval("return 2") == 2


def test_the_blocks_own_exception_wins_and_replies_are_still_read(lua, log):
    fail = lua.eval("function() error('reqpath hidden') end")
    with pytest.raises(KeyError):
        with lua.pipeline():
            fail()
            log(4)
            raise KeyError("the block's own")
    assert lua.eval("return 3") == 3
    assert lua.fetch(lua.eval("reqpath_log")) == [4]

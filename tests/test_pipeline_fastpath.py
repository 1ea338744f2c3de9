"""The lean pipelined path (issue 10): calls made without a fields dict, replies read in runs
of a batch and plain ok replies settled directly must give what the general path gives:
values (none, one, several), output and warnings, and the first error at the next wait."""

from __future__ import annotations

import pytest

import client
from client.pipeline import BATCH_MAX, MAX_IN_FLIGHT


def test_values_of_every_arity_come_back_as_a_sync_call_gives_them(lua):
    many = lua.eval("function(i) if i % 3 == 0 then return end if i % 3 == 1 then return i end "
                    "return i, 'x', true end")
    n = MAX_IN_FLIGHT + 3 * BATCH_MAX + 5  # some replies read in runs while calls are made
    with lua.pipeline():
        results = [many(i) for i in range(n)]
    assert [r.value for r in results] == [many(i) for i in range(n)]
    assert many(2) == (2, "x", True) and many(3) is None and many(4) == 4


def test_an_error_read_in_a_run_is_raised_once_at_the_next_wait(lua):
    check = lua.eval("function(i) if i == 300 then error('fastpath ' .. i) end return i end")
    with lua.pipeline():
        results = [check(i) for i in range(MAX_IN_FLIGHT + 2 * BATCH_MAX)]  # read in runs
        with pytest.raises(client.RemoteError, match="fastpath 300") as caught:
            lua.eval("return 0")
        assert "test_pipeline_fastpath.py" in "".join(getattr(caught.value, "__notes__", []))
        assert lua.eval("return 1") == 1  # raised once
    assert results[299].value == 299 and results[301].value == 301
    with pytest.raises(client.RemoteError, match="fastpath 300"):
        _ = results[300].value


def test_output_of_a_pipelined_call_is_printed(lua, capfd):
    say = lua.eval("function(i) print('fastpath says ' .. i) return i end")
    with lua.pipeline():
        results = [say(i) for i in range(3)]
    assert [r.value for r in results] == [0, 1, 2]
    out = capfd.readouterr().out
    assert all(f"fastpath says {i}" in out for i in range(3))


def test_method_calls_with_explicit_and_pending_targets(lua):
    torch = lua.require("torch")
    t = torch.Tensor(3).fill(1)
    with lua.pipeline():
        filled = t.fill(4)  # a method of a proxy
        total = filled.sum()  # a method of a pending result: a promise as its target
        size = t.call_method("size", 1)
    assert total.value == 12 and size.value == 3 and filled.value is t


def _line() -> int:
    import sys

    return sys._getframe(1).f_lineno


def test_a_failed_calls_note_names_the_users_line_whichever_way_it_was_made(lua):
    torch = lua.require("torch")
    fail = lua.eval("function() error('fastpath where') end")
    bad = lua.eval("setmetatable({}, {__index = function() error('fastpath where') end})")
    t = torch.Tensor(2)
    # what needs a request that waits is done now: the operator's Lua function, learning
    # that narrow is a method, looking torch.Tensor up
    t + t, t.narrow
    make = lua.eval("function() return torch.Tensor(2) end")
    made = []
    with pytest.raises(client.RemoteError):
        with lua.pipeline():
            made.append((fail(), _line()))  # a proxy's call
            made.append((t.narrow(1, 5, 1), _line()))  # a method call (out of range)
            made.append((t.call_method("narrow", 1, 5, 1), _line()))
            made.append((make().narrow(1, 5, 1), _line()))  # a pending's method
            made.append((t + bad, _line()))  # an operator: client frames in between
            made.append((lua.request("call", target=fail, args=[]), _line()))
    assert len(made) == 6
    for pending, line in made:
        notes = "".join(getattr(pending._error, "__notes__", []))
        assert f"test_pipeline_fastpath.py:{line} in test_a_failed" in notes, (line, notes)

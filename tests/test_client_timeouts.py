"""Client-side liveness: a request timeout, and no reply kept that nobody waits for."""

from __future__ import annotations

import gc
import time

import pytest

import client


def test_request_timeout_raises_and_the_late_reply_is_dropped(server_process):
    with client.connect(server_process.endpoint, request_timeout=0.5) as lua:
        start = time.monotonic()
        with pytest.raises(TimeoutError, match="within 0.5 s"):
            lua.eval("(function() local t = os.clock() while os.clock() - t < 2.5 do end end)()")
        assert time.monotonic() - start < 2  # well before the 2.5 s loop ends
        gc.collect()  # the AsyncResult of the timed-out call is gone: its reply is not wanted
        assert lua.submit("eval", code="'next'").wait(30) == "next"  # queued behind the loop
        assert lua._replies == {} and lua._discard == set()


def test_replies_of_unwaited_submits_do_not_accumulate(lua):
    for _ in range(200):
        lua.submit("ping")  # never waited for
    gc.collect()
    assert lua.eval("1") == 1  # by now every ping reply has come in
    assert lua._replies == {} and lua._discard == set()

"""Ctrl-C and AsyncResult.cancel() stop running Lua code; the session stays usable."""

from __future__ import annotations

import _thread
import threading
import time

import pytest
from test_fuzz import dealer

import client
from bridge import codec

THIRTY_SECONDS_OF_LUA = {
    # a loop the JIT compiles into machine code that never leaves the trace
    "jit loop": "(function() local x = 0; while true do x = x + 1 end end)()",
    # ATen kernels through the FFI, 30 s of them
    "aten loop": "(function() local t, s = os.time(), torch.Tensor(8):fill(1) "
                 "while os.time() - t < 30 do s:add(1) end end)()",
    # user code that swallows errors with pcall cannot swallow the interrupt
    "pcall loop": "(function() local t = os.time() while os.time() - t < 30 do "
                  "pcall(function() local x = 0 for i = 1, 1e6 do x = x + i end end) end end)()",
}


@pytest.mark.parametrize("code", THIRTY_SECONDS_OF_LUA.values(), ids=THIRTY_SECONDS_OF_LUA.keys())
def test_cancel_interrupts_within_a_second_and_the_session_goes_on(lua, code):
    lua.execute("interrupt_test_global = 42")
    pending = lua.submit("eval", code=code)
    time.sleep(0.3)
    assert not pending.ready()
    start = time.monotonic()
    pending.cancel()
    with pytest.raises(client.Interrupted, match="interrupted by the client"):
        pending.wait(10)
    assert time.monotonic() - start < 1.0
    start = time.monotonic()
    assert lua.eval("interrupt_test_global") == 42
    assert lua.eval("(jit.status())") is True  # compiled code is back for what follows
    assert time.monotonic() - start < 0.5


def test_ctrl_c_raises_interrupted_and_the_next_call_answers_at_once(lua):
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    start = time.monotonic()
    with pytest.raises(client.Interrupted):
        lua.eval("(function() local t = os.time() while os.time() - t < 30 do end end)()")
    assert time.monotonic() - start < 1.5  # 0.5 s until the Ctrl-C, then under 1 s
    start = time.monotonic()
    assert lua.eval("1 + 1") == 2
    assert time.monotonic() - start < 0.5


def test_other_clients_are_served_after_the_interrupt(server_process):
    with client.connect(server_process.endpoint) as lua:
        pending = lua.submit("eval", code=THIRTY_SECONDS_OF_LUA["jit loop"])
        time.sleep(0.2)
        other = dealer(server_process.endpoint)
        other.send_multipart(codec.encode_message({"v": 1, "id": 5, "op": "ping"}))
        time.sleep(0.2)
        pending.cancel()
        with pytest.raises(client.Interrupted):
            pending.wait(5)
        assert other.poll(5000), "the other client's ping was lost"


def test_interrupt_of_a_finished_or_unknown_request_changes_nothing(lua):
    lua.interrupt(10**9)
    assert lua.eval("2 + 3") == 5

"""Promise pipelining and batching (issue 10): a pipelined call's result used before its
reply arrives, several calls to a message, and Torch7's semantics kept: order, errors with
their tracebacks and Python lines, no reply lost, releases, Ctrl-C, callbacks and print."""

from __future__ import annotations

import _thread
import gc
import sys
import threading
import time

import numpy as np
import pytest
from conftest import wait_until

import client
from client.pipeline import BATCH_MAX


@pytest.fixture
def log(lua):
    lua.execute("promise_log = {}")
    yield lua.eval("function(i) promise_log[#promise_log + 1] = i; return 2 * i end")
    lua.execute("promise_log = nil")


def logged(lua):
    return lua.fetch(lua.eval("promise_log"))


def test_a_pending_result_is_a_target_and_an_argument_without_waiting(lua, torch):
    tensor, add = torch.Tensor, torch.add  # looked up before the block
    sent = lua.requests_sent
    with lua.pipeline() as pipeline:
        a = tensor(4)
        filled = a.fill(2)  # a method call on a promised tensor
        total = add(filled, a)  # promises as arguments
        s = total.sum()
        assert not any(p.ready() for p in (a, filled, total, s))
        assert pipeline.batches_sent == 0  # all four wait in one batch, nothing was read
    assert pipeline.batches_sent == 1 and lua.requests_sent == sent + 4
    assert s.value == 16
    np.testing.assert_array_equal(total.value.numpy(), [4, 4, 4, 4])
    assert a.value is filled.value  # fill returns the tensor itself: one proxy


def test_a_pending_number_formats_as_its_value(lua, log):
    with lua.pipeline():
        x = log(21)
        assert f"{x}" == "42" and f"{x:5.1f}" == " 42.0"
        assert str(x) == "42" and float(x) == 42.0 and int(x) == 42 and x.value == 42
        assert repr(log(1)).startswith("<pipelined call #")  # repr never waits


def test_no_reply_is_lost_across_batches(lua, log):
    n = 5 * BATCH_MAX + 3
    with lua.pipeline() as pipeline:
        results = [log(i) for i in range(n)]
    assert pipeline.batches_sent >= 5
    assert [r.value for r in results] == [2 * i for i in range(n)]
    assert logged(lua) == list(range(n))  # in the order made
    assert lua.eval("return 1") == 1


def test_a_failed_call_breaks_its_dependents_only_and_the_block_raises_it_once(lua, log):
    fail = lua.eval("function() error('promise boom') end")
    ident = lua.eval("function(x) return x end")
    with pytest.raises(client.RemoteError, match="promise boom") as caught:
        with lua.pipeline():
            log(1)
            failed = fail(); line = sys._getframe().f_lineno  # noqa: E702
            dependent = ident(failed)  # the server refuses it: the promise broke
            independent = log(2)  # runs
    error = caught.value
    assert "stack traceback" in error.traceback and "promise boom" in error.traceback
    notes = "".join(error.__notes__)
    assert f"{__file__}:{line} in test_a_failed_call" in notes
    with pytest.raises(client.RemoteError, match="promise boom") as again:
        _ = dependent.value  # a dependent call raises the original error
    assert again.value is error
    with pytest.raises(client.RemoteError, match="promise boom"):
        ident(failed)  # a failed call's result raises whenever it is used
    assert independent.value == 4
    assert logged(lua) == [1, 2]
    assert lua.eval("return 5") == 5  # raised once: nothing is left to raise


def test_the_server_refuses_a_dependent_call_with_promise_broken(lua):
    fail = lua.eval("function() error('promise root') end")
    ident = lua.eval("function(x) return x end")
    with pytest.raises(client.RemoteError), lua.pipeline():
        failed = fail()
        dependent = lua.submit("call", target=ident, args=[failed])  # raw reply, not mapped
    with pytest.raises(client.RemoteError) as caught:
        dependent.wait(10)
    assert caught.value.ename == "PromiseBroken"
    assert f"request {failed.request_id}, whose result this call uses, failed" in str(caught.value)
    assert "promise root" in str(caught.value)


def test_promised_results_are_released_and_forgotten(lua, nn):
    lin = nn.Linear(3, 2)
    x = np.ones((1, 3))
    gc.collect()
    lua.flush_releases()
    before = lua.ping()["refs"]
    with lua.pipeline():
        h = lin.forward(x)
        for _ in range(300):  # a chain of promises: each result feeds the next call
            h = h.clone().mul(0.5)
    assert h.value.numpy().shape == (1, 2)
    del h
    gc.collect()
    lua.flush_releases()
    info = lua.ping()
    assert info["refs"] == before  # every clone was released
    assert info["promises"] == 0  # every kept result was acknowledged


def test_ctrl_c_in_a_pipeline_stops_the_running_call_and_cancels_the_rest(lua, log):
    spin = lua.eval("function() local t = os.time() while os.time() - t < 30 do end end")
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    start = time.monotonic()
    with pytest.raises(client.Interrupted), lua.pipeline():
        log(1)
        spin()
        log(2)
        lua.eval("return 0")  # a wait: Ctrl-C arrives while it waits
    assert time.monotonic() - start < 5
    assert logged(lua) == [1]  # the call after the interrupted one was cancelled
    assert lua.eval("1 + 1") == 2


def test_print_and_python_callbacks_inside_pipelined_calls(lua, capsys):
    apply = lua.eval("function(f, x) print('lua says ' .. x); return f(x) end")
    seen = []

    def twice(x):
        seen.append(x)
        return lua.eval(f"{x} * 2")  # a request made inside the callback runs at once

    with lua.pipeline():
        results = [apply(twice, i) for i in range(3)]
    assert [r.value for r in results] == [0, 2, 4]
    assert seen == [0, 1, 2]
    assert capsys.readouterr().out.count("lua says") == 3


def test_buffered_calls_go_out_after_a_short_time_without_a_wait(lua):
    lua.execute("flush_test = 0")
    setter = lua.eval("function() flush_test = 1 end")
    with client.connect(lua.endpoint) as other, lua.pipeline():  # the same Lua state
        setter()
        assert wait_until(lambda: other.eval("flush_test") == 1, 2.0)


def test_a_pending_result_sent_to_another_connection_goes_by_value(lua, log):
    with client.connect(lua.endpoint) as other:
        ident = other.eval("function(x) return x end")
        with lua.pipeline():
            x = log(5)
            assert ident(x) == 10  # a promise would name this connection's results: the value


def test_a_call_given_a_python_function_is_waited_for_so_later_calls_keep_their_order(lua, log):
    apply = lua.eval("function(f) return f() end")
    order = []

    def callback():
        order.append("callback")
        return lua.eval("#promise_log")  # what ran before the call that calls back

    with lua.pipeline():
        log(1)
        seen = apply(callback)
        assert seen.ready()  # waited for: no later call can run inside the callback's wait
        log(2)
    assert seen.value == 1 and order == ["callback"]
    assert logged(lua) == [1, 2]

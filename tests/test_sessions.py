"""Sessions (the default): each connection its own Lua state in a forked worker; named
sessions shared; --shared keeps one state for all."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from conftest import ServerProcess, wait_until
from test_fuzz import rss_bytes

import client

WALL_CLOCK = """
local ffi = require 'ffi'
pcall(ffi.cdef, [[typedef struct { long sec; long nsec; } luatorch_test_timespec;
  int lt_clock_gettime(int, luatorch_test_timespec *) asm("clock_gettime");]])
local ts = ffi.new('luatorch_test_timespec')
local function now() ffi.C.lt_clock_gettime(0, ts); return tonumber(ts.sec) + tonumber(ts.nsec) * 1e-9 end
local start, cpu = now(), os.clock()
while os.clock() - cpu < 0.5 do end
return start, now()
"""


@pytest.fixture
def sessions_server():
    server = ServerProcess()
    yield server
    server.stop()


def workers_of(pid: int) -> list[int]:
    out = subprocess.run(["ps", "--ppid", str(pid), "-o", "pid=,stat="],
                         capture_output=True, text=True).stdout
    return [int(line.split()[0]) for line in out.splitlines() if "Z" not in line.split()[1]]


def test_globals_rng_and_default_type_are_per_connection(sessions_server):
    with client.connect(sessions_server.endpoint) as a, client.connect(sessions_server.endpoint) as b:
        a.execute("shared_name = 'a'; torch.setdefaulttensortype('torch.FloatTensor')")
        assert b.eval("shared_name") is None
        assert b.eval("torch.getdefaulttensortype()") == "torch.DoubleTensor"
        a.execute("torch.manualSeed(7)")
        b.execute("torch.manualSeed(7)")
        first = a.eval("torch.uniform()")
        b.eval("torch.rand(1000)")  # b draws a lot; a's stream must not move
        second = a.eval("torch.uniform()")
        b.execute("torch.manualSeed(7)")
        assert [b.eval("torch.uniform()"), b.eval("torch.uniform()")] == [first, second]
        assert a.ping()["epoch"] != b.ping()["epoch"]


def test_two_sessions_compute_at_once(sessions_server):
    with client.connect(sessions_server.endpoint) as a, client.connect(sessions_server.endpoint) as b:
        pa, pb = a.submit("execute", code=WALL_CLOCK), b.submit("execute", code=WALL_CLOCK)
        (a0, a1), (b0, b1) = pa.wait(30), pb.wait(30)
        assert a0 < b1 and b0 < a1, "the two computations did not overlap"


def test_named_session_is_shared(sessions_server):
    with client.connect(sessions_server.endpoint, session="team") as a, \
            client.connect(sessions_server.endpoint, session="team") as b, \
            client.connect(sessions_server.endpoint) as outsider:
        a.execute("team_value = 41")
        assert b.eval("team_value + 1") == 42
        assert outsider.eval("team_value") is None
        assert b.ping()["clients"] == 2


def test_a_crashed_worker_takes_down_its_session_only(sessions_server):
    endpoint = sessions_server.endpoint
    with client.connect(endpoint) as victim, client.connect(endpoint) as other:
        kept = other.eval("torch.Tensor(3):fill(2)")
        with pytest.raises(client.ConnectionLost, match="SIGSEGV"):
            victim.execute("local ffi = require 'ffi'; ffi.cast('int *', 0)[0] = 1")
        with pytest.raises(client.ConnectionLost, match="SIGSEGV"):
            victim.eval("1")
        assert np.array_equal(other.fetch(kept), [2, 2, 2])


def test_a_disconnected_sessions_memory_is_gone_with_its_worker(sessions_server):
    pid = sessions_server.proc.pid
    lua = client.connect(sessions_server.endpoint)
    lua.eval("torch.ByteTensor(2^28):fill(1)")
    (worker,) = workers_of(pid)
    assert rss_bytes(worker) > 250 * 2**20
    lua._monitor.close(0)
    lua._sock.close(0)  # no close request: the process "died"
    if lua._parent_sock is not None:  # (it talked to its worker directly: both sockets go)
        lua._parent_sock.close(0)
    lua.closed = True
    assert wait_until(lambda: workers_of(pid) == [], timeout=2.0)


def test_interrupt_callbacks_and_aten_threads_work_in_a_session(sessions_server):
    with client.connect(sessions_server.endpoint) as lua:
        # a parallel ATen op: the forked worker's thread pool must start cleanly
        big = "torch.mm(torch.rand(600, 600), torch.rand(600, 600)):size(1)"
        assert lua.submit("eval", code=big).wait(60) == 600
        assert lua.eval("function(f, x) return f(x) * 2 end")(lambda x: x + 1, 20) == 42
        pending = lua.submit("eval", code="(function() while true do end end)()")
        assert not pending.ready()
        pending.cancel()
        with pytest.raises(client.Interrupted):
            pending.wait(5)
        assert lua.eval("6 * 7") == 42


def test_sessions_are_limited():
    server = ServerProcess(["--max-sessions", "1"])
    try:
        with client.connect(server.endpoint) as first:
            with pytest.raises(client.ServerUnavailable, match="limit"):
                client.connect(server.endpoint, timeout=5)
            assert first.eval("1 + 1") == 2
    finally:
        server.stop()

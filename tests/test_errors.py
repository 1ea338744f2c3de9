"""Bad input becomes a Python exception with the Lua traceback; nothing else is lost."""

from __future__ import annotations

import time

import numpy as np
import pytest
import zmq

import client
from bridge import codec


def test_shape_mismatch_names_sizes_and_connection_keeps_training(lua, nn):
    lin = nn.Linear(3, 4)
    with pytest.raises(client.RemoteError) as info:
        lin.forward(np.zeros((4, 5)))
    err = info.value
    assert err.ename == "LuaError"
    assert "4x5" in err.evalue and "expected 3" in err.evalue
    assert "stack traceback" in err.traceback and "Linear.lua" in err.traceback
    # the same connection, the same module, keep working
    x = np.random.default_rng(0).random((8, 3))
    crit = nn.MSECriterion()
    target = np.zeros((8, 4))
    losses = []
    for _ in range(50):
        lin.zeroGradParameters()
        out = lin.forward(x)
        losses.append(crit.forward(out, target))
        lin.backward(x, crit.backward(out, target))
        lin.updateParameters(0.1)
    assert losses[-1] < losses[0] / 2


def test_aten_error_comes_back_as_remote_error(lua, torch):
    a, b = torch.Tensor(2, 3), torch.Tensor(4, 5)
    with pytest.raises(client.RemoteError) as info:
        torch.mm(a, b)
    assert "2x3 and 4x5" in info.value.evalue


def test_lua_syntax_and_runtime_errors(lua):
    with pytest.raises(client.RemoteError) as info:
        lua.execute("local x = ")
    assert "unexpected symbol" in info.value.evalue or "expected" in info.value.evalue
    with pytest.raises(client.RemoteError) as info:
        lua.eval("nil + 1")
    assert "arithmetic" in info.value.evalue
    assert lua.eval("2 * 21") == 42


def test_unknown_method_names_the_class(lua, nn):
    lin = nn.Linear(2, 2)
    with pytest.raises(client.RemoteError) as info:
        lin.call_method("noSuchMethod")
    assert "nn.Linear has no method 'noSuchMethod'" in info.value.evalue


def raw_socket(endpoint: str) -> zmq.Socket:
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.RCVTIMEO, 10000)
    sock.connect(endpoint)
    return sock


@pytest.mark.parametrize("frames", [
    [b"\xc1"],                       # a byte msgpack never uses
    [b"\x92\x01"],                   # truncated array
    [b"\xa3abc"],                    # not a map
    [codec.encode_message({"v": 1, "id": 7, "op": "nonsense"})[0]],
    [codec.encode_message({"v": 99, "id": 8, "op": "ping"})[0]],
    [codec.encode_message({"v": 1, "id": 9, "op": "get", "target": codec.RemoteRef(10**9, "x"),
                           "key": "a"})[0]],
])
def test_malformed_messages_get_error_replies_and_server_stays_up(server_process, frames):
    sock = raw_socket(server_process.endpoint)
    sock.send_multipart(frames)
    reply = codec.decode_message(sock.recv_multipart())
    assert reply["status"] == "error"
    assert reply["ename"] in ("ProtocolError", "ReleasedReference")
    assert reply["evalue"]
    sock.close()
    # a fresh client is served normally
    lua = client.connect(server_process.endpoint)
    assert lua.eval("1 + 2") == 3
    lua.close()


def test_errors_keep_request_ids(server_process):
    sock = raw_socket(server_process.endpoint)
    sock.send_multipart(codec.encode_message({"v": 1, "id": 41, "op": "eval", "code": "error('boom')"}))
    reply = codec.decode_message(sock.recv_multipart())
    assert reply["id"] == 41 and reply["status"] == "error" and "boom" in reply["evalue"]
    sock.close()


def test_one_clients_error_does_not_disturb_another(server_process):
    a = client.connect(server_process.endpoint)
    b = client.connect(server_process.endpoint)
    nn_b = b.require("nn")
    lin = nn_b.Linear(2, 1)
    with pytest.raises(client.RemoteError):
        a.eval("error('client a fails')")
    assert lin.forward(np.ones(2)).numpy().shape == (1,)
    a.close()
    b.close()


def test_dead_server_raises_within_seconds(server_process):
    lua = client.connect(server_process.endpoint)
    pending = lua.submit("eval", code="local t = os.clock() while os.clock() - t < 30 do end")
    time.sleep(0.3)
    server_process.stop()
    start = time.monotonic()
    with pytest.raises(client.ConnectionLost):
        pending.wait(timeout=20)
    assert time.monotonic() - start < 10
    lua._shutdown_quietly()


def test_dead_private_server_raises_with_its_output():
    lua = client.connect()
    lua.server.process.kill()
    start = time.monotonic()
    with pytest.raises(client.ConnectionLost):
        lua.eval("1")
    assert time.monotonic() - start < 10
    lua.close()


def test_unreachable_server_fails_fast():
    start = time.monotonic()
    with pytest.raises(client.ServerUnavailable):
        client.connect("tcp://127.0.0.1:9", timeout=2)
    assert time.monotonic() - start < 6


def test_crashed_client_objects_are_dropped(server_process):
    # one named session, so that the watcher sees the other client's objects come and go
    watcher = client.connect(server_process.endpoint, session="crash-watch")
    crashing = client.connect(server_process.endpoint, session="crash-watch")
    torch = crashing.require("torch")
    kept = [torch.Tensor(1000) for _ in range(5)]
    assert watcher.ping()["clients"] == 2
    # the process "dies": its socket goes away without a close request
    crashing._monitor.close(0)
    crashing._sock.close(0)
    crashing.closed = True
    from conftest import wait_until
    assert wait_until(lambda: watcher.ping()["clients"] == 1, timeout=10)
    assert watcher.eval("1 + 1") == 2
    assert len(kept) == 5
    watcher.close()

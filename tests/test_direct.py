"""Session workers serve their clients directly (issue 10): once its session is up, a
connection talks to the worker's own socket, and the parent only forwards for connections
that cannot reach it. Proof that a call is direct: it is answered while the parent process
is stopped (SIGSTOP), which no forwarded message could be."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import stat
import subprocess
import threading
import time

import msgpack
import numpy as np
import pytest
import zmq
from conftest import ROOT, ServerProcess, wait_until
from test_security import CurveServer, ping_frames

import client
from bridge import codec


@pytest.fixture(scope="module")
def sessions_server():
    server = ServerProcess()
    yield server
    server.stop()


@contextlib.contextmanager
def parent_stopped(server):
    """The server's parent process frozen: only direct traffic can be answered."""
    os.kill(server.proc.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(server.proc.pid, signal.SIGCONT)


def test_calls_callbacks_interrupts_pipelines_and_shared_arrays_go_direct(sessions_server, capsys):
    # (a forwarded call would wait for the stopped parent: the timeout turns that into a failure)
    with client.connect(sessions_server.endpoint, request_timeout=10) as lua:
        assert lua.direct_endpoint is not None
        assert lua.direct_endpoint != sessions_server.endpoint
        twice = lua.eval("function(f, x) return f(x) * 2 end")
        double = lua.eval("function(x) return x * 2 end")
        torch = lua.require("torch")
        with parent_stopped(sessions_server):
            assert lua.eval("6 * 7") == 42
            x = np.arange(20000, dtype=np.float64)  # a data frame each way
            assert np.array_equal(lua.fetch(torch.DoubleTensor(x).mul(3)), x * 3)
            assert twice(lambda v: v + 1, 20) == 42  # the worker calls Python back
            lua.execute("print('from the worker')")
            shared = lua.shared_array(1000, "float64")
            torch.DoubleTensor(shared).fill(5)
            assert shared.sum() == 5000
            with lua.pipeline():
                results = [double(i) for i in range(100)]
            assert [r.value for r in results] == [i * 2 for i in range(100)]
            pending = lua.submit("eval", code="(function() while true do end end)()")
            assert not pending.ready()
            pending.cancel()
            with pytest.raises(client.Interrupted):
                pending.wait(5)
            assert lua.eval("1 + 1") == 2
        assert "from the worker" in capsys.readouterr().out


def test_a_named_session_serves_several_direct_clients(sessions_server):
    endpoint = sessions_server.endpoint
    with client.connect(endpoint, session="direct-team", request_timeout=10) as a, \
            client.connect(endpoint, session="direct-team", request_timeout=10) as b:
        assert a.direct_endpoint == b.direct_endpoint is not None
        with parent_stopped(sessions_server):
            a.execute("team_total = 40")
            assert b.eval("team_total + 2") == 42
            assert b.ping()["clients"] == 2
        kept = b.eval("torch.Tensor(2):fill(3)")
        a._shutdown_quietly()  # a's process "died": no close request
        assert wait_until(lambda: b.ping()["clients"] == 1, timeout=5)
        assert np.array_equal(b.fetch(kept), [3, 3])  # b's objects stay


def test_a_new_direct_connection_is_not_taken_for_one_that_had_its_fd(sessions_server):
    # the kernel gives a new connection the lowest free fd, often the one of a connection
    # that just went away: its disconnect must be settled first, or the fresh client's
    # objects would be dropped as the old one's
    endpoint = sessions_server.endpoint
    with client.connect(endpoint, session="fd-reuse") as anchor:  # keeps the worker up
        for _ in range(2):
            gone = client.connect(endpoint, session="fd-reuse")
            assert gone.eval("return 1") == 1
            gone._shutdown_quietly()  # the process "dies": no close request
            time.sleep(0.2)
            fresh = client.connect(endpoint, session="fd-reuse")
            t = fresh.eval("torch.Tensor(3):fill(7)")
            time.sleep(0.3)
            assert t.sum() == 21
            fresh.close()
        assert wait_until(lambda: anchor.ping()["clients"] == 1, timeout=5)  # (fresh closed)


def test_a_killed_worker_is_reported_to_its_direct_client(sessions_server):
    lua = client.connect(sessions_server.endpoint)
    try:
        assert lua.direct_endpoint is not None
        lua.execute("session_marker = true; pcall(require('ffi').cdef, 'int getpid(void);')")
        os.kill(lua.eval("require('ffi').C.getpid()"), signal.SIGKILL)
        # the first call may see the connection drop before the parent has found out why
        with pytest.raises(client.ConnectionLost):
            lua.eval("1")
        with pytest.raises(client.ConnectionLost, match="SIGKILL"):
            lua.eval("1")
    finally:
        lua._shutdown_quietly()
    with client.connect(sessions_server.endpoint) as other:  # the server serves on
        assert other.eval("session_marker") is None


def test_no_direct_and_direct_false_keep_forwarding():
    server = ServerProcess(["--no-direct"])
    try:
        with client.connect(server.endpoint) as lua:
            assert lua.direct_endpoint is None and "direct" not in lua.info
            assert lua.eval("2 + 2") == 4
    finally:
        server.stop()
    server = ServerProcess()
    try:
        with client.connect(server.endpoint, direct=False) as lua:
            assert lua.direct_endpoint is None
            assert lua.eval("3 + 3") == 6
    finally:
        server.stop()


class Tunnel:
    """A TCP forwarder for one port, as `ssh -L` is: the worker's own port stays out of
    reach of a client that reaches the server only through it."""

    def __init__(self, listen_host: str, target: tuple[str, int]) -> None:
        self.listener = socket.create_server((listen_host, 0))
        self.port = self.listener.getsockname()[1]
        self.target = target
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                near, _ = self.listener.accept()
            except OSError:
                return
            far = socket.create_connection(self.target)
            for a, b in ((near, far), (far, near)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self.listener.close()


def test_a_client_that_cannot_reach_the_worker_is_forwarded(tmp_path):
    server = CurveServer(tmp_path)
    host, port = server.info["endpoint"][len("tcp://"):].rsplit(":", 1)
    tunnel = Tunnel("127.0.0.2", (host, int(port)))
    try:
        through = dict(server.info, endpoint=f"tcp://127.0.0.2:{tunnel.port}")
        path = tmp_path / "through-tunnel.json"
        path.write_text(json.dumps(through))
        with client.connect(str(path)) as lua:
            assert "direct" in lua.info  # offered, but 127.0.0.2 has nothing on that port
            assert lua.direct_endpoint is None
            torch = lua.require("torch")
            x = np.arange(3000, dtype=np.float32)
            assert np.array_equal(lua.fetch(torch.FloatTensor(x).add(1)), x + 1)
            assert lua.eval("function(f) return f() end")(lambda: 7) == 7
    finally:
        tunnel.close()
        server.stop()


def test_the_workers_tcp_socket_admits_only_authorized_keys_and_known_clients(tmp_path):
    server = CurveServer(tmp_path)
    try:
        with client.connect(str(server.connection_file)) as lua:
            direct = lua.direct_endpoint
            assert direct is not None and direct != server.info["endpoint"]
            ctx = zmq.Context.instance()
            plain = ctx.socket(zmq.DEALER)
            stranger = ctx.socket(zmq.DEALER)  # knows the server key, not authorized
            stranger.curve_serverkey = server.info["server_public_key"].encode()
            stranger.curve_publickey, stranger.curve_secretkey = zmq.curve_keypair()
            # authorized, but not a client the worker was told of by its parent
            unknown = ctx.socket(zmq.DEALER)
            unknown.curve_serverkey = server.info["server_public_key"].encode()
            unknown.curve_publickey = server.info["client_public_key"].encode()
            unknown.curve_secretkey = server.info["client_secret_key"].encode()
            for sock in (plain, stranger, unknown):
                sock.setsockopt(zmq.LINGER, 0)
                sock.connect(direct)
                sock.send_multipart(ping_frames())
            assert unknown.poll(5000)
            refusal = codec.decode_message(unknown.recv_multipart())
            assert refusal["op"] == "session_lost" and "not a client" in refusal["reason"]
            assert not plain.poll(500) and not stranger.poll(200)
            assert lua.eval("'still ' .. 'served'") == "still served"
            for sock in (plain, stranger, unknown):
                sock.close(0)
    finally:
        server.stop()


def test_the_workers_ipc_socket_lies_in_the_servers_private_directory(tmp_path):
    directory = tmp_path / "private"
    directory.mkdir(mode=0o700)
    endpoint = f"ipc://{directory}/server"
    proc = subprocess.Popen([str(ROOT / "lua_server/bin/luatorch-server"), "--listen", endpoint,
                             "--announce"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout.readline().startswith("LUATORCH-LISTENING")
        with client.connect(endpoint) as lua:
            path = lua.direct_endpoint[len("ipc://"):]
            assert os.path.dirname(path) == str(directory)
            assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
            assert stat.S_ISSOCK(os.stat(path).st_mode)
            assert lua.eval("5 * 5") == 25
        assert wait_until(lambda: not os.path.exists(path), timeout=5)  # gone with its worker
    finally:
        proc.kill()
        proc.wait()


def test_a_worker_socket_that_never_answers_or_refuses_is_given_up():
    from client import direct as direct_path

    ctx = zmq.Context.instance()
    silent = socket.create_server(("127.0.0.1", 0))  # accepts, never speaks ZeroMQ
    closed = socket.create_server(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()  # connections to it are refused
    try:
        for port, limit in ((silent.getsockname()[1], 0.3), (closed_port, 5.0)):
            sock = ctx.socket(zmq.DEALER)
            sock.setsockopt(zmq.IMMEDIATE, 1)
            sock.setsockopt(zmq.LINGER, 0)
            started = time.monotonic()
            assert not direct_path.reachable(sock, f"tcp://127.0.0.1:{port}", limit)
            assert time.monotonic() - started < 2.0  # a refusal is not waited out
            sock.close(0)
    finally:
        silent.close()
    # tcp: the host this client reached the server by, the worker's port
    assert direct_path.endpoint("tcp://gpu.example:5555", "tcp://0.0.0.0:41000") == \
        "tcp://gpu.example:41000"
    assert direct_path.endpoint("ipc:///run/x/server", "ipc:///run/x/server.session-2") == \
        "ipc:///run/x/server.session-2"


def test_fuzzed_messages_on_the_direct_socket_never_stop_the_worker(sessions_server):
    from test_fuzz import Fuzzer

    ctx = zmq.Context.instance()
    routing_id = b"Lfuzz" + os.urandom(11)
    public, own = ctx.socket(zmq.DEALER), ctx.socket(zmq.DEALER)
    for sock in (public, own):
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.ROUTING_ID, routing_id)
    public.connect(sessions_server.endpoint)
    public.send_multipart(codec.encode_message({"v": 1, "id": 1, "op": "ping", "direct": True}))
    assert public.poll(20000)
    own.connect(codec.decode_message(public.recv_multipart())["values"][0]["direct"])
    own.send_multipart(codec.encode_message({"v": 1, "id": 2, "op": "require", "name": "torch"}))
    assert own.poll(20000)
    reply = msgpack.unpackb(own.recv_multipart()[0], raw=False, strict_map_key=False)
    fuzzer = Fuzzer(99, reply["values"][0].data)  # a real reference: deeper code is reached
    try:
        for batch in range(4):
            for _ in range(500):
                own.send_multipart(fuzzer.message())
            ping_id = 2**40 + batch
            own.send_multipart(codec.encode_message({"v": 1, "id": ping_id, "op": "ping"}))
            while True:
                assert own.poll(20000), f"the worker stopped answering in batch {batch}"
                reply = codec.decode_message(own.recv_multipart())
                if reply.get("id") == ping_id:
                    assert reply["status"] == "ok"
                    break
    finally:
        public.close(0)
        own.close(0)


def test_a_named_session_can_be_joined_again_as_its_last_client_leaves(sessions_server):
    # the worker ends by itself when its last direct client is gone; a newcomer then gets a
    # fresh worker (or, when it came first, keeps that one alive)
    for _ in range(4):
        with client.connect(sessions_server.endpoint, session="again", timeout=20) as lua:
            assert lua.eval("1 + 1") == 2

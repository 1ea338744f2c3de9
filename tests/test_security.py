"""Who can reach a server: CurveZMQ on TCP, private ipc sockets, epochs against stale proxies."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess

import numpy as np
import pytest
import zmq
import zmq.auth
from conftest import ROOT, ServerProcess, wait_until
from test_fuzz import dealer

import client
from bridge import codec

SERVER = str(ROOT / "lua_server/bin/luatorch-server")


class CurveServer:
    """A server as the README tells a GPU host to run it: TCP, a connection file."""

    def __init__(self, directory, extra=()) -> None:
        self.connection_file = directory / "server.json"
        self.proc = subprocess.Popen(
            [SERVER, "--listen", "tcp://127.0.0.1:0", "--announce",
             "--connection-file", str(self.connection_file), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("LUATORCH-LISTENING "), line
        self.info = json.loads(self.connection_file.read_text())

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


@pytest.fixture
def curve_server(tmp_path):
    server = CurveServer(tmp_path)
    yield server
    server.stop()


def ping_frames(request_id: int = 1) -> list:
    return codec.encode_message({"v": 1, "id": request_id, "op": "ping"})


def test_tcp_needs_keys_and_insecure_only_on_loopback():
    for args, message in [
        (["--listen", "tcp://127.0.0.1:0"], "needs --connection-file"),
        (["--listen", "tcp://0.0.0.0:0", "--insecure"], "only on loopback"),
        (["--listen", "ipc:///tmp/luatorch-test-shared.sock"], "other users can reach"),
    ]:
        done = subprocess.run([SERVER, *args], capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and message in done.stderr, done.stderr


def test_connection_file_is_private_and_gives_full_access(curve_server):
    mode = stat.S_IMODE(os.stat(curve_server.connection_file).st_mode)
    assert mode == 0o600
    assert curve_server.info["endpoint"].startswith("tcp://127.0.0.1:")
    with client.connect(str(curve_server.connection_file)) as lua:
        torch = lua.require("torch")
        x = np.arange(3000, dtype=np.float32).reshape(30, 100)  # a data frame, encrypted
        assert np.array_equal(lua.fetch(torch.FloatTensor(x).mul(2)), x * 2)


def test_without_the_keys_a_tcp_client_gets_no_reply(curve_server):
    endpoint = curve_server.info["endpoint"]
    plain = dealer(endpoint)
    plain.send_multipart(ping_frames())
    stranger = zmq.Context.instance().socket(zmq.DEALER)  # knows the server key, not authorized
    stranger.setsockopt(zmq.LINGER, 0)
    stranger.curve_serverkey = curve_server.info["server_public_key"].encode()
    stranger.curve_publickey, stranger.curve_secretkey = zmq.curve_keypair()
    stranger.connect(endpoint)
    stranger.send_multipart(ping_frames())
    assert not plain.poll(1000) and not stranger.poll(200)
    with pytest.raises(client.ServerUnavailable, match="connection file"):
        client.connect(endpoint, timeout=1.0)
    with client.connect(str(curve_server.connection_file)) as lua:  # still serving
        assert lua.eval("1 + 1") == 2


def test_authorized_keys_directory_admits_more_clients(tmp_path):
    keys = tmp_path / "keys"
    keys.mkdir()
    public_file, secret_file = zmq.auth.create_certificates(str(keys), "alice")
    os.rename(secret_file, tmp_path / "alice.key_secret")  # a public-key directory, as ssh's
    server = CurveServer(tmp_path, ["--authorized-keys", str(keys)])
    try:
        public, secret = zmq.auth.load_certificate(str(tmp_path / "alice.key_secret"))
        alice = dict(server.info, client_public_key=public.decode(), client_secret_key=secret.decode())
        alice_file = tmp_path / "alice.json"
        alice_file.write_text(json.dumps(alice))
        with client.connect(str(alice_file)) as lua:
            assert lua.eval("'hello ' .. 'alice'") == "hello alice"
    finally:
        server.stop()


def test_private_server_listens_in_a_private_directory(lua):
    directory = lua.server.directory
    assert lua.endpoint == f"ipc://{directory}/server"
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    if os.geteuid() != 0 or not os.path.exists("/usr/bin/python3"):
        return  # only root can try it as another user (with a Python that user may run)
    probe = ("import socket, sys\n"
             "s = socket.socket(socket.AF_UNIX)\n"
             "try:\n    s.connect(sys.argv[1])\nexcept PermissionError:\n    print('refused')\n"
             "else:\n    print('connected')\n")
    done = subprocess.run(["/usr/bin/python3", "-c", probe, f"{directory}/server"], capture_output=True,
                          text=True, timeout=30, preexec_fn=lambda: os.setuid(65534))
    assert done.stdout.strip() == "refused", done.stderr
    # and root itself can: the refusal is the directory's doing
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(f"{directory}/server")


def test_a_proxy_from_an_earlier_server_run_raises_server_restarted():
    first = ServerProcess()
    port = first.endpoint.rsplit(":", 1)[1]
    lua = client.connect(first.endpoint)
    try:
        t = lua.eval("torch.Tensor(3):fill(7)")
        first.stop()
        second = ServerProcess.__new__(ServerProcess)
        second.proc = subprocess.Popen([SERVER, "--listen", f"tcp://127.0.0.1:{port}", "--insecure"],
                                       stderr=subprocess.DEVNULL)
        try:
            raw = dealer(f"tcp://127.0.0.1:{port}")
            assert wait_until(lambda: raw.send_multipart(ping_frames()) or raw.poll(200), 30)
            with pytest.raises(client.ServerRestarted, match="connect again"):
                t.sum()
        finally:
            second.stop()
    finally:
        lua._shutdown_quietly()

"""Bounded resources: limits are checked before allocating, memory comes back promptly."""

from __future__ import annotations

import struct

import msgpack
import pytest
import zmq
from conftest import ServerProcess, wait_until
from test_fuzz import dealer
from test_fuzz import tree_rss_bytes as rss_bytes

import client
from bridge import codec

MiB = 1024 * 1024


def ask(sock: zmq.Socket, frames: list) -> dict:
    sock.send_multipart(frames)
    assert sock.poll(20000), "no reply"
    return msgpack.unpackb(sock.recv_multipart()[0], raw=False, strict_map_key=False)


def test_lying_tensor_header_is_refused_before_allocating(server_process):
    sock = dealer(server_process.endpoint)
    before = rss_bytes(server_process.proc.pid)
    payload = bytes([6, 1, 1]) + struct.pack(">QI", 2**29, 1)  # 2 GiB of floats, 4-byte frame
    reply = ask(sock, [msgpack.packb({"v": 1, "id": 3, "op": "value",
                                      "target": msgpack.ExtType(2, payload)}), b"\0" * 4])
    assert reply["ename"] == "ProtocolError" and "has 4 bytes, expected 2147483648" in reply["evalue"]
    assert reply["id"] == 3
    assert rss_bytes(server_process.proc.pid) - before < 64 * MiB


def test_tensors_sharing_a_frame_cannot_multiply_memory(server_process):
    sock = dealer(server_process.endpoint)
    payload = bytes([1, 1, 1]) + struct.pack(">QI", MiB, 1)
    header = msgpack.packb({"v": 1, "id": 4, "op": "value",
                            "target": [msgpack.ExtType(2, payload)] * 200})
    reply = ask(sock, [header, b"\0" * MiB])
    assert reply["ename"] == "ProtocolError" and "more bytes than the message holds" in reply["evalue"]
    shared = msgpack.packb({"v": 1, "id": 5, "op": "value", "target": [msgpack.ExtType(2, payload)] * 2})
    assert ask(sock, [shared, b"\0" * MiB])["status"] == "ok"  # sharing itself is allowed


def test_stray_frames_and_long_headers_are_refused():
    server = ServerProcess(["--max-header-bytes", "1000"])
    try:
        sock = dealer(server.endpoint)
        ping = codec.encode_message({"v": 1, "id": 6, "op": "ping"})
        reply = ask(sock, ping + [b"stray"])
        assert reply["ename"] == "ProtocolError" and reply["id"] == 6
        assert "data frame 1 is not referred to" in reply["evalue"]
        long = msgpack.packb({"v": 1, "id": 7, "op": "ping", "pad": "x" * 2000})
        reply = ask(sock, [long])
        assert "longer than the limit of 1000" in reply["evalue"]
        assert ask(sock, ping)["status"] == "ok"
    finally:
        server.stop()


def test_a_frame_over_the_message_limit_drops_only_that_connection():
    server = ServerProcess(["--max-message-bytes", str(MiB)])
    try:
        big = dealer(server.endpoint)
        payload = bytes([1, 1, 1]) + struct.pack(">QI", 2 * MiB, 1)
        big.send_multipart([msgpack.packb({"v": 1, "id": 8, "op": "value",
                                           "target": msgpack.ExtType(2, payload)}), b"\0" * (2 * MiB)])
        assert not big.poll(500), "the oversized message was answered"
        reply = ask(dealer(server.endpoint), codec.encode_message({"v": 1, "id": 9, "op": "ping"}))
        assert reply["status"] == "ok"
    finally:
        server.stop()


@pytest.fixture(params=[["--shared"], []], ids=["one state", "sessions"])
def any_server(request):
    """A server in each mode: one Lua state (memory.lua collects), or sessions (workers)."""
    server = ServerProcess(request.param)
    yield server
    server.stop()


def test_a_disconnected_clients_gigabyte_returns_within_two_seconds(any_server):
    server_process = any_server
    pid = server_process.proc.pid
    before = rss_bytes(pid)
    sock = dealer(server_process.endpoint)
    reply = ask(sock, codec.encode_message(
        {"v": 1, "id": 1, "op": "eval", "code": "torch.ByteTensor(2^30):fill(1)"}))
    assert reply["status"] == "ok"
    assert rss_bytes(pid) - before > 900 * MiB
    sock.close(0)  # no close request: the connection just ends
    assert wait_until(lambda: rss_bytes(pid) - before < 100 * MiB, timeout=2.0), \
        f"server RSS still {(rss_bytes(pid) - before) / MiB:.0f} MiB above its start"


def test_released_tensor_memory_returns_without_more_traffic(any_server):
    server_process = any_server
    pid = server_process.proc.pid
    with client.connect(server_process.endpoint) as lua:
        before = rss_bytes(pid)
        big = lua.eval("torch.ByteTensor(2^28):fill(1)")
        assert rss_bytes(pid) - before > 200 * MiB
        del big
        lua.flush_releases()
        assert wait_until(lambda: rss_bytes(pid) - before < 50 * MiB, timeout=2.0)


def test_callback_answers_from_another_client_are_ignored(server_process):
    with client.connect(server_process.endpoint) as lua:
        intruder = dealer(server_process.endpoint)

        def honest() -> str:
            for seq in range(1, 20):  # answer every plausible pending call first
                intruder.send_multipart(codec.encode_message(
                    {"v": 1, "op": "callback_result", "seq": seq, "status": "ok", "values": ["forged"]}))
            assert ask(intruder, codec.encode_message({"v": 1, "id": 1, "op": "ping"}))["status"] == "ok"
            return "honest"

        assert lua.eval("function(f) return f() end")(honest) == "honest"

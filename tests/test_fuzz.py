"""No message kills the server: 20,000 malformed messages against a real server.

After every batch the server must answer a ping, its memory must stay bounded, and every
reply must go to the socket whose request it answers (a bystander client checks that it
only ever sees its own ids).
"""

from __future__ import annotations

import random
import struct
import time
from pathlib import Path

import msgpack
import pytest
import zmq
from conftest import ServerProcess

from bridge import codec

MESSAGES = 20_000
BATCH = 500
RSS_GROWTH_LIMIT = 200 * 1024 * 1024

HOSTILE_CODE = [
    "error(setmetatable({}, {__tostring = function() error('tostring raised') end}))",
    "error(setmetatable({}, {__index = function() error('index raised') end}))",
    "error(setmetatable({ename = {}}, {__tostring = function() return {} end}))",
    "error(coroutine.create(print))",
    "error({ename = 'ProtocolError', evalue = setmetatable({}, {__tostring = error})})",
    "return setmetatable({}, {__index = function() error('x') end})",
    "print(setmetatable({}, {__tostring = function() error('print') end}))",
    "error()",
]


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0  # a zombie, or gone


def tree_rss_bytes(pid: int) -> int:
    """A server's RSS with its session workers' (--sessions)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return rss_bytes(pid) + sum(rss_bytes(int(child)) for child in children)


class Fuzzer:
    """Malformed messages of every kind the issue lists, from one seeded generator."""

    def __init__(self, seed: int, ref_payload: bytes) -> None:
        self.rng = random.Random(seed)
        self.ref_payload = ref_payload  # a reference the fuzzing client really holds

    def scalar(self):
        r = self.rng
        return r.choice([
            None, True, False, r.randint(-2**63, 2**64 - 1), r.random() * 1e300, float("nan"),
            r.randbytes(r.randint(0, 20)), "op", "ping", "", r.randint(0, 3), -1,
            msgpack.ExtType(r.choice([0, 4, 9, 127]), r.randbytes(r.randint(0, 24))),
            msgpack.ExtType(1, self.ref_payload), msgpack.ExtType(2, self.tensor_payload()),
            msgpack.ExtType(3, r.randbytes(r.choice([8, 7, 0]))),
        ])

    def value(self, depth: int = 0):
        r = self.rng
        if depth > 3 or r.random() < 0.5:
            return self.scalar()
        if r.random() < 0.5:
            return [self.value(depth + 1) for _ in range(r.randint(0, 4))]
        return {str(r.randint(0, 9)): self.value(depth + 1) for _ in range(r.randint(0, 3))}

    def tensor_payload(self) -> bytes:
        """Tensor headers that lie: huge sizes, short data, bad dtype, flags, frame index."""
        r = self.rng
        dtype = r.choice([0, 1, 6, 7, 9, 255])
        ndim = r.choice([0, 1, 2, 65, 200])
        sizes = b"".join(struct.pack(">Q", r.choice([0, 1, 3, 2**29, 2**40, 2**63]))
                         for _ in range(min(ndim, 4)))
        flags = r.choice([0, 1, 2])
        if flags == 1:
            tail = struct.pack(">I", r.choice([0, 1, 2, 2**32 - 1]))
        else:
            tail = r.randbytes(r.randint(0, 16))
        return bytes([dtype, flags, ndim]) + sizes + tail

    def request(self) -> dict:
        r = self.rng
        ops = list(codec_ops) + ["nonsense", "", "callback", "callback_result"]
        req = {"v": r.choice([1, 1, 1, 2, None]), "id": r.choice([r.randint(0, 2**32), self.scalar()]),
               "op": r.choice(ops)}
        for field in r.sample(["target", "key", "value", "args", "name", "class", "code",
                               "release", "seq", "status", "values", "as_ref"], r.randint(0, 4)):
            req[field] = self.value()
        if req["op"] == "callback_result":  # unsolicited answers, with plausible seqs
            req["seq"] = r.randint(0, 50)
        if req["op"] in ("eval", "execute"):
            req["code"] = r.choice(HOSTILE_CODE + [r.randbytes(8).hex()])
        if req["op"] in ("require", "construct", "global"):  # nothing with side effects
            req["name"] = req["class"] = r.choice(["no.such", "", "string.nope"])
        if r.random() < 0.2:
            req["release"] = [self.value() for _ in range(r.randint(0, 3))]
        return req

    def message(self) -> list[bytes]:
        r = self.rng
        kind = r.randrange(7)
        if kind == 0:  # random bytes
            return [r.randbytes(r.randint(0, 64))]
        header = msgpack.packb(self.request(), use_bin_type=True)
        if kind == 1:  # truncated msgpack
            return [header[:r.randint(0, max(0, len(header) - 1))]]
        if kind == 2:  # wrong frame counts: stray frames, or none where a tensor wants one
            return [header] + [r.randbytes(r.randint(0, 16)) for _ in range(r.randint(1, 3))]
        if kind == 3:  # a tensor declaring 2^29 floats with a 4-byte frame
            payload = bytes([6, 1, 1]) + struct.pack(">QI", 2**29, 1)
            return [msgpack.packb({"v": 1, "id": 5, "op": "value",
                                   "target": msgpack.ExtType(2, payload)}), b"\0" * 4]
        if kind == 4:  # deep nesting
            depth = r.choice([63, 64, 65, 500])
            return [b"\x81\xa1a" + b"\x91" * depth + b"\xc0"]
        if kind == 5:  # trailing bytes or a header that is not a map
            return [header + r.randbytes(r.randint(1, 4))] if r.random() < 0.5 else [b"\x93\x01\x02\x03"]
        return [header]


codec_ops = ["ping", "require", "global", "get", "set", "call", "method", "construct", "eval",
             "execute", "value", "release", "close"]


def dealer(endpoint: str) -> zmq.Socket:
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(endpoint)
    return sock


@pytest.mark.parametrize("mode", [["--shared"], []], ids=["one state", "sessions"])
def test_fuzzed_messages_never_stop_the_server(mode):
    server_process = ServerProcess(mode)
    try:
        fuzz_server(server_process, MESSAGES if mode else MESSAGES // 4)
    finally:
        server_process.stop()


def fuzz_server(server_process, messages: int) -> None:
    fuzz, bystander = dealer(server_process.endpoint), dealer(server_process.endpoint)
    # a real reference, so ext 1 values resolve and the fuzzer reaches deeper code
    fuzz.send_multipart(codec.encode_message({"v": 1, "id": 1, "op": "require", "name": "torch"}))
    assert fuzz.poll(20000), "no reply to require"
    reply = msgpack.unpackb(fuzz.recv_multipart()[0], raw=False, strict_map_key=False)
    ref_payload = reply["values"][0].data
    fuzzer = Fuzzer(1234, ref_payload)
    bystander_ids: list[int] = []
    bystander_set: set[int] = set()
    pid = server_process.proc.pid
    baseline = None
    sent = 0
    start = time.monotonic()
    while sent < messages:
        for _ in range(BATCH):
            fuzz.send_multipart(fuzzer.message())
        sent += BATCH
        ping_id = 2**40 + sent
        fuzz.send_multipart(codec.encode_message({"v": 1, "id": ping_id, "op": "ping"}))
        bystander_ids.append(2**50 + sent)
        bystander_set.add(bystander_ids[-1])
        bystander.send_multipart(codec.encode_message({"v": 1, "id": bystander_ids[-1], "op": "ping"}))
        while True:  # replies to the fuzzer: errors, then our ping's answer
            assert fuzz.poll(20000), f"server stopped answering after {sent} messages"
            frames = fuzz.recv_multipart()
            header = msgpack.unpackb(frames[0], raw=False, strict_map_key=False)
            assert header.get("id") not in bystander_set, "a bystander's reply reached the fuzzer"
            if header.get("id") == ping_id:
                assert header["status"] == "ok" and header["values"][0]["server"] == "luatorch"
                break
        assert server_process.proc.poll() is None
        if baseline is None:
            baseline = tree_rss_bytes(pid)
    for expected in bystander_ids:
        assert bystander.poll(20000)
        header = msgpack.unpackb(bystander.recv_multipart()[0], raw=False, strict_map_key=False)
        assert header["id"] == expected and header["status"] == "ok"
    assert not bystander.poll(200), "the bystander received a reply it did not ask for"
    growth = tree_rss_bytes(pid) - baseline
    assert growth < RSS_GROWTH_LIMIT, f"server RSS grew by {growth / 2**20:.0f} MiB"
    assert time.monotonic() - start < 120

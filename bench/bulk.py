"""Bulk tensors: numpy -> server -> numpy against a zero-copy ZeroMQ echo and memcpy.

    .venv/bin/python bench/bulk.py [rounds]

For 16 MB and 256 MB float32 arrays, in one run (issue 10's bulk rows):

- ``echo``: a zero-copy pyzmq DEALER -> ROUTER echo of the same frame (a Python ROUTER in
  its own process sending every message straight back; ipc), the client handed an
  ``np.frombuffer`` view, as luatorch's client is;
- ``frames``: ``lua.fetch(identity(x))`` with an ordinary array (the request carries the
  array as a frame, the reply the tensor's bytes; two requests, as a user writes it);
- ``shared``: the same with ``x = lua.shared_array(...)`` (shared memory, no frames);
- ``memcpy``: ``np.copyto`` of the same bytes into an array allocated once.

Every case runs once per round, the rounds interleaved so a busy machine slows all alike,
each after both processes freed what the one before left; each row is the median over
rounds. Speeds are reference time / case time (higher is
better; issue 10 asks frames >= 0.9x the echo, shared >= 0.5x memcpy). "server copies"
counts, from the server's own counters, the bytes it copied per round trip, in units of
the array (0: the received frame became the tensor and the reply lent its bytes).
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from latency import start_echo  # noqa: E402  (bench/ is this script's folder)

import client  # noqa: E402

SIZES_MB = (16, 256)
HEADER = b"\x83\xa1v\x01\xa2id\x01\xa2op\xa4ping"


def server_copies(lua) -> int:
    s = lua.eval("require('server.marshal').stats")
    return s["received_copied"] + s["sent_copied"]


def quiesce(lua) -> None:
    """Let both processes free what the previous case left (untimed): freeing hundreds of
    megabytes costs milliseconds, which would land on whichever case runs next."""
    gc.collect()
    lua.eval("collectgarbage(); collectgarbage(); return 1")


def cases_for(mb: int, lua, sock) -> dict:
    n = mb << 18  # float32 elements
    data = np.ones(n, dtype=np.float32)
    shared = lua.shared_array(n, "float32")
    shared[:] = 1
    target = np.empty_like(data)
    identity = lua.eval("function(t) return t end")

    def echo():
        sock.send_multipart([HEADER, data], copy=False)
        frames = sock.recv_multipart(copy=False)
        return np.frombuffer(frames[1].buffer, dtype=np.float32)

    def frames():
        return lua.fetch(identity(data))

    def shared_rt():
        return lua.fetch(identity(shared))

    def memcpy():
        np.copyto(target, data)
        return target

    return {"echo": echo, "frames": frames, "shared": shared_rt, "memcpy": memcpy}


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    with tempfile.TemporaryDirectory(prefix="luatorch-bulk-") as directory:
        os.chmod(directory, 0o700)
        proc, sock = start_echo(directory)
        lua = client.connect()
        try:
            cases = {mb: cases_for(mb, lua, sock) for mb in SIZES_MB}
            for mb in SIZES_MB:  # warm up: first-touch page faults, JIT, mappings
                for fn in cases[mb].values():
                    fn()
            times: dict = {mb: {name: [] for name in cases[mb]} for mb in SIZES_MB}
            copies: dict = {mb: [] for mb in SIZES_MB}
            for _ in range(rounds):
                for mb in SIZES_MB:
                    for name, fn in cases[mb].items():
                        quiesce(lua)
                        before = server_copies(lua) if name == "frames" else 0
                        start = time.perf_counter()
                        result = fn()
                        times[mb][name].append(time.perf_counter() - start)
                        del result
                        if name == "frames":
                            copies[mb].append((server_copies(lua) - before) / (mb << 20))
        finally:
            lua.close()
            sock.close(0)
            proc.kill()
            proc.wait()
    print(f"numpy -> server -> numpy, float32; medians of {rounds} interleaved rounds (ms)")
    print(f"{'size':>7} {'echo':>8} {'frames':>8} {'speed vs echo':>14} {'shared':>8} "
          f"{'memcpy':>8} {'shared speed vs memcpy':>23} {'server copies':>14}")
    for mb in SIZES_MB:
        med = {name: statistics.median(v) * 1e3 for name, v in times[mb].items()}
        print(f"{mb:>5}MB {med['echo']:>8.2f} {med['frames']:>8.2f} "
              f"{med['echo'] / med['frames']:>13.2f}x {med['shared']:>8.2f} {med['memcpy']:>8.2f} "
              f"{med['memcpy'] / med['shared']:>22.2f}x {statistics.median(copies[mb]):>14.2f}")
    print(f"memcpy speed: {(16 << 20) / statistics.median(times[16]['memcpy']) / 1e9:.1f} GB/s (16 MB)")


if __name__ == "__main__":
    main()

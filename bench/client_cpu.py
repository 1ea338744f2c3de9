"""The client's own Python time per call, without the server, ZeroMQ or the kernel.

    .venv/bin/python bench/client_cpu.py [rounds] [--base GIT_REV]

A private server answers the set-up (proxies, learnt methods); then the connection's socket
is swapped for a stand-in that takes each request at once and hands back the reply the
server would send (made before the clock starts). So a case times only the client's Python:
the proxy's attribute, building and encoding the request, decoding the reply, making and
releasing proxies, and in a pipeline the Pending objects, batches and their replies. The
cases are bench/latency.py's: ``lua.eval("return 1")``, ``t.size(1)``, ``lin.forward(x)``
(x 1x3), ``torch.add(a, b)``, a void call, and 4096 void calls in ``lua.pipeline()``.

Each case is the minimum over rounds (the least disturbed; this is CPU work, so noise only
adds), in microseconds per call. With ``--base``, that revision's client (its ``client/``
and ``bridge/``, extracted to a temporary folder) runs in its own process in the same
interleaved rounds, and each row shows this checkout's time as a ratio to the base's.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from revisions import extract, pop_base

ROOT = Path(__file__).resolve().parent.parent
CALLS = 2000  # calls per case per round
PIPELINED = 4096
BATCH = 64  # the client's batch size (client/pipeline.py BATCH_MAX)


class Answering:
    """The socket's stand-in: send() takes a message, recv() gives the next prepared reply."""

    def __init__(self) -> None:
        self.replies: list[bytes] = []

    def send(self, data, flags=0, copy=True, track=False):
        return None

    def recv(self, flags=0, copy=True):
        return self.replies.pop()

    def get(self, option):
        return 0  # no more frames


def worker(root: str) -> None:
    """Set up a connection with the client at ``root``, then time a round per input line."""
    sys.path.insert(0, root)
    import msgpack
    import numpy as np

    import client

    lua = client.connect()
    torch, nn = lua.require("torch"), lua.require("nn")
    t = lua.eval("torch.Tensor(3)")
    lin, x = nn.Linear(3, 2), np.ones((1, 3))
    a, b = torch.randn(8), torch.randn(8)
    void = lua.eval("function() end")
    fresh_ids = itertools.count(10**6)

    def new_tensor():  # a reply naming a new object each time (as the server's would)
        return [msgpack.ExtType(1, next(fresh_ids).to_bytes(8, "big") + b"torch.DoubleTensor")]

    def reuse():
        return [msgpack.ExtType(1, (999).to_bytes(8, "big") + b"torch.DoubleTensor")]

    cases = {
        'lua.eval("return 1")': (lambda: lua.eval("return 1"), lambda: [1]),
        "t.size(1)": (lambda: t.size(1), lambda: [3]),
        "lin.forward(x) 1x3": (lambda: lin.forward(x), reuse),
        "torch.add(a, b)": (lambda: torch.add(a, b), new_tensor),
        "void call": (lambda: void(), list),
    }
    for fn, _ in cases.values():  # learn methods, look up module functions
        fn(), fn()
    real, answering = lua._sock, Answering()
    lua._next_liveness_check = float("inf")  # no process or monitor checks while timing

    def reply(request_id, values):
        return msgpack.packb({"id": request_id, "status": "ok", "v": 1, "values": values})

    def one_round() -> dict:
        times = {}
        lua._sock = answering
        try:
            for name, (fn, values) in cases.items():
                start = next(lua._ids)
                lua._ids = itertools.count(start)
                answering.replies = [reply(i, values()) for i in range(start + CALLS - 1, start - 1, -1)]
                t0 = time.perf_counter()
                for _ in range(CALLS):
                    fn()
                times[name] = (time.perf_counter() - t0) / CALLS * 1e6
            start = next(lua._ids)
            lua._ids = itertools.count(start)
            batches = [msgpack.packb({"op": "batch", "v": 1, "replies": [
                reply(i, []) for i in range(s, min(s + BATCH, start + PIPELINED))]})
                for s in range(start, start + PIPELINED, BATCH)]
            answering.replies = batches[::-1]
            t0 = time.perf_counter()
            with lua.pipeline():
                for _ in range(PIPELINED):
                    void()
            times[f"{PIPELINED} void calls, pipelined"] = (time.perf_counter() - t0) / PIPELINED * 1e6
        finally:
            lua._sock = real
        return times

    print("ready", flush=True)
    for _ in sys.stdin:
        print(json.dumps(one_round()), flush=True)
    lua.close()


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["--worker"]:
        worker(args[1])
        return
    base_rev = pop_base(args)
    rounds = int(args[0]) if args else 15
    with tempfile.TemporaryDirectory(prefix="luatorch-clientcpu-") as directory:
        roots = {"this checkout": str(ROOT)}
        if base_rev:
            roots[f"base {base_rev}"] = str(extract(base_rev, directory, ("client", "bridge")))
        # every client starts this checkout's server
        env = dict(os.environ, LUATORCH_SERVER=str(ROOT / "lua_server/bin/luatorch-server"))
        procs = {}
        for column, root in roots.items():
            procs[column] = subprocess.Popen([sys.executable, __file__, "--worker", root], env=env,
                                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            assert procs[column].stdout.readline().strip() == "ready"
        samples: dict = {c: {} for c in roots}
        try:
            for _ in range(rounds):
                for column, proc in procs.items():  # one process at a time: no contention
                    proc.stdin.write("\n")
                    proc.stdin.flush()
                    for name, us in json.loads(proc.stdout.readline()).items():
                        samples[column].setdefault(name, []).append(us)
        finally:
            for proc in procs.values():
                proc.stdin.close()
                proc.wait()
    print(f"client Python per call, us (minimum of {rounds} interleaved rounds; no server, "
          "no syscalls: a stand-in socket answers at once)")
    columns = list(samples)
    print(f"{'':<30}" + "".join(f"{c:>22}" for c in columns) + ("   ratio" if base_rev else ""))
    for name in samples[columns[0]]:
        best = [min(samples[c][name]) for c in columns]
        ratio = f"   {best[0] / best[1]:.2f}x" if base_rev else ""
        print(f"{name:<30}" + "".join(f"{b:>22.2f}" for b in best) + ratio)


if __name__ == "__main__":
    main()

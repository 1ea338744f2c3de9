"""Latency of small calls and bulk tensors, against raw ZeroMQ echoes measured in the same run.

    .venv/bin/python bench/latency.py [calls] [--base GIT_REV] [--bulk]

Rows: lua.eval("return 1"), t.size(1), lin.forward(x) with x 1x3, torch.add(a, b), 1000 void
calls one by one and in ``with lua.pipeline():`` (beside the raw echo's own pipelining gain:
1000 messages sent, then 1000 read); with --bulk, 16 MB and 256 MB float32
arrays sent, returned and fetched (numpy -> server -> numpy).

References (issue 10): small calls against a raw pyzmq DEALER -> ROUTER echo (a Python
ROUTER in its own process, sending every message straight back), bulk round trips against
a zero-copy pyzmq echo of the same bytes. Every case runs in rounds interleaved with the
others (echo, this checkout, the base), so a busy machine slows them alike; a row is the
median over rounds, in microseconds per call, and its ratio to the echo's median.
With --base, the server of that git revision (extracted to a temporary folder, sharing this
checkout's ATen shim build) is measured in the same rounds, with this checkout's client.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import zmq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from revisions import extract, pop_base  # noqa: E402

import client  # noqa: E402

ECHO = r"""
import sys, zmq
s = zmq.Context.instance().socket(zmq.ROUTER)
s.bind(sys.argv[1])
print("ready", flush=True)
while True:
    s.send_multipart(s.recv_multipart(copy=False), copy=False)
"""

ROUNDS = 15
VOID_CALLS = 1000
BULK_ROUNDS = 3
BULK_MB = (16, 256)


def cpu_ns(pid: int) -> int:
    """CPU time of all threads of a process (ZeroMQ's I/O threads included), in ns."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total


def timed(fn, n: int, pids: tuple) -> tuple:
    """Wall us per call, and CPU us per call of each process in pids."""
    cpu0 = [cpu_ns(p) for p in pids]
    start = time.perf_counter()
    for _ in range(n):
        fn()
    wall = (time.perf_counter() - start) / n * 1e6
    return (wall, *((cpu_ns(p) - c) / n / 1e3 for p, c in zip(pids, cpu0, strict=True)))


def start_echo(directory: str):
    endpoint = f"ipc://{directory}/echo"
    proc = subprocess.Popen([sys.executable, "-c", ECHO, endpoint], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.connect(endpoint)
    return proc, sock


def server_pid(lua) -> int:
    return lua.server.process.pid


def echo_cases(sock) -> dict:
    header = b"\x83\xa1v\x01\xa2id\x01\xa2op\xa4ping"

    def small():
        sock.send(header)
        sock.recv_multipart()

    def small_pipelined():
        for _ in range(VOID_CALLS):
            sock.send(header)
        for _ in range(VOID_CALLS):
            sock.recv_multipart()

    cases = {"small": small, "small, pipelined": small_pipelined}
    for mb in BULK_MB:
        data = np.ones(mb << 18, dtype=np.float32)

        def bulk(data=data):
            sock.send_multipart([header, data], copy=False)
            frames = sock.recv_multipart(copy=False)
            np.frombuffer(frames[1].buffer, dtype=np.float32)  # what a client is handed

        cases[f"{mb}MB"] = bulk
    return cases


def client_cases(client_module) -> tuple:
    lua = client_module.connect()
    torch = lua.require("torch")
    nn = lua.require("nn")
    t = lua.eval("torch.Tensor(3)")
    lin = nn.Linear(3, 2)
    x = np.ones((1, 3))
    a, b = torch.randn(8), torch.randn(8)
    cases = {
        'lua.eval("return 1")': lambda: lua.eval("return 1"),
        "t.size(1)": lambda: t.size(1),
        "lin.forward(x) 1x3": lambda: lin.forward(x),
        "torch.add(a, b)": lambda: torch.add(a, b),
    }
    void = lua.eval("function() end")

    def void_sync():
        for _ in range(VOID_CALLS):
            void()

    def void_pipelined():
        with lua.pipeline():
            for _ in range(VOID_CALLS):
                void()

    cases["void calls, sync"] = void_sync
    cases["void calls, pipelined"] = void_pipelined
    for mb in BULK_MB:
        data = np.ones(mb << 18, dtype=np.float32)
        identity = lua.eval("function(t) return t end")
        cases[f"{mb}MB"] = lambda data=data, f=identity: lua.fetch(f(data))
    return lua, cases


def main() -> None:
    args = sys.argv[1:]
    base_rev = pop_base(args)
    bulk = "--bulk" in args
    args = [a for a in args if a != "--bulk"]
    calls = int(args[0]) if args else 3000
    per_round = max(1, calls // ROUNDS)
    with tempfile.TemporaryDirectory(prefix="luatorch-bench-") as directory:
        os.chmod(directory, 0o700)
        proc, sock = start_echo(directory)
        columns = {"echo": echo_cases(sock)}
        pids = {"echo": (os.getpid(), proc.pid)}
        conns = []
        lua, columns["this checkout"] = client_cases(client)
        pids["this checkout"] = (os.getpid(), server_pid(lua))
        conns.append(lua)
        if base_rev:
            base_root = extract(base_rev, directory)
            os.environ["LUATORCH_SERVER"] = str(base_root / "lua_server/bin/luatorch-server")
            try:
                lua, columns[f"base {base_rev}"] = client_cases(client)
                pids[f"base {base_rev}"] = (os.getpid(), server_pid(lua))
                conns.append(lua)
            finally:
                del os.environ["LUATORCH_SERVER"]
        try:
            samples: dict = {c: {} for c in columns}
            for _ in range(ROUNDS):
                for column, cases in columns.items():
                    for name, fn in cases.items():
                        if name.endswith("MB"):
                            if not bulk:
                                continue
                            if len(samples[column].get(name, ())) >= BULK_ROUNDS:
                                continue
                            n = 2 if name.startswith("16") else 1
                        elif name.startswith("void") or name.endswith("pipelined"):
                            n = 1
                        else:
                            n = per_round
                        samples[column].setdefault(name, []).append(timed(fn, n, pids[column]))
        finally:
            for lua in conns:
                lua.close()
            sock.close(0)
            proc.kill()
            proc.wait()
    # medians of wall time, client CPU and server CPU, each over the rounds
    med = {c: {k: [statistics.median(x[i] for x in v) for i in range(3)] for k, v in s.items()}
           for c, s in samples.items()}
    echo = med.pop("echo")
    print(f"raw pyzmq DEALER->ROUTER echo (Python ROUTER, ipc): {echo['small'][0]:.1f} us per round "
          f"trip (client CPU {echo['small'][1]:.1f} us, echo server CPU {echo['small'][2]:.1f} us); "
          f"medians of {ROUNDS} interleaved rounds of {per_round} calls")
    print("each cell: wall us per call (ratio to the echo's wall time) | client CPU us | server CPU us")
    print(f"{'':<22}" + "".join(f"{c:>44}" for c in med))
    for name in next(iter(med.values())):
        if name.startswith("void"):
            continue
        ref = echo["small"][0] if not name.endswith("MB") else echo[name][0]
        cells = "".join(f"{med[c][name][0]:>11.1f} ({med[c][name][0] / ref:5.2f}x) | "
                        f"{med[c][name][1]:8.1f} | {med[c][name][2]:8.1f}" for c in med)
        print(f"{name:<22}{cells}")
    echo_gain = echo["small"][0] * VOID_CALLS / echo["small, pipelined"][0]
    for c in med:
        sync, piped = med[c]["void calls, sync"][0], med[c]["void calls, pipelined"][0]
        print(f"{c}: {VOID_CALLS} void calls take {sync / 1e3:.1f} ms one by one, {piped / 1e3:.1f} ms "
              f"in lua.pipeline(): {sync / piped:.1f}x the rate (raw echo pipelined: "
              f"{echo_gain:.1f}x its one-by-one rate)")
    if bulk:
        print("bulk rows: numpy -> server -> numpy, against a zero-copy pyzmq echo of the same frame:",
              ", ".join(f"{mb} MB echo {echo[f'{mb}MB'][0] / 1e3:.1f} ms" for mb in BULK_MB))

if __name__ == "__main__":
    main()

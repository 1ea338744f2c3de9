"""Many clients at once: total small calls per second against a LuaJIT echo (issue 10).

    .venv/bin/python bench/clients.py [clients] [seconds] [rounds]

Each of `clients` processes (default 8) calls ``lua.eval("return 1")`` one call after
another for `seconds` (default 1.0); the row is the sum of their calls per second. Three
servers take turns in every round (interleaved, so a busy machine slows them alike):

- the reference: a ROUTER echo written in LuaJIT with ``lua_server/server/zmq.lua`` (every
  message sent straight back, without copying its frames), driven by the same number of
  raw pyzmq DEALER clients;
- a luatorch server with ``--shared`` (one Lua state serves every client);
- a luatorch server as started by hand, with sessions (a worker process per connection,
  which each client talks to directly once it is up);
- the same with ``--no-direct``: the parent forwards every message to the worker and back
  (what a client that cannot reach its worker's socket gets).

Printed: the median over rounds of each, and its ratio to the echo's median.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUAJIT_ENV = ROOT / "lua_server/bin/luajit-env"
SERVER = ROOT / "lua_server/bin/luatorch-server"

# The reference server: LuaJIT, the project's own libzmq binding, no work per message.
LUA_ECHO = r"""
local zmq = require "server.zmq"
local ctx = zmq.context()
local sock = zmq.socket(ctx, zmq.ROUTER)
assert(zmq.bind(sock, arg[1]))
io.stdout:write("ready\n"); io.stdout:flush()
while true do
  local frames = zmq.recv_multipart(sock)
  if frames then zmq.forward(frames, sock) end
end
"""

# One client process: connect, warm up, say "ready", wait for "go", call for `seconds`,
# print how many calls it made and in how many seconds.
WORKER = r"""
import sys, time
kind, endpoint, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
sys.path.insert(0, sys.argv[4])
if kind == "echo":
    import zmq
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.connect(endpoint)
    header = b"\x83\xa1v\x01\xa2id\x01\xa2op\xa4ping"
    def call():
        sock.send(header)
        sock.recv_multipart()
else:
    import client
    lua = client.connect(endpoint)
    def call():
        lua.eval("return 1")
for _ in range(200):
    call()
print("ready", flush=True)
sys.stdin.readline()
n, start = 0, time.perf_counter()
deadline = start + seconds
while True:
    for _ in range(20):
        call()
    n += 20
    now = time.perf_counter()
    if now >= deadline:
        break
print(n, now - start, flush=True)
"""


def start_server(kind: str, directory: str) -> tuple[subprocess.Popen, str]:
    endpoint = f"ipc://{directory}/{kind}"
    if kind == "echo":
        script = Path(directory) / "echo.lua"
        script.write_text(LUA_ECHO)
        proc = subprocess.Popen([str(LUAJIT_ENV), str(script), endpoint],
                                stdout=subprocess.PIPE, text=True)
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the LuaJIT echo did not start")
        return proc, endpoint
    cmd = [str(SERVER), "--listen", endpoint, "--announce", "--allow-shutdown"]
    if kind == "shared":
        cmd.append("--shared")
    if kind == "forwarded":
        cmd.append("--no-direct")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    if not line.startswith("LUATORCH-LISTENING"):
        raise RuntimeError(f"the {kind} server did not start")
    return proc, endpoint


def one_round(kind: str, endpoint: str, clients: int, seconds: float) -> float:
    """Total calls per second of `clients` processes calling at once."""
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, "echo" if kind == "echo" else "lua",
                                 endpoint, str(seconds), str(ROOT)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
               for _ in range(clients)]
    try:
        for w in workers:
            if w.stdout.readline().strip() != "ready":
                raise RuntimeError(f"a {kind} client did not start")
        for w in workers:  # all go at once
            w.stdin.write("go\n")
            w.stdin.flush()
        total = 0.0
        for w in workers:
            count, elapsed = w.stdout.readline().split()
            total += int(count) / float(elapsed)
        return total
    finally:
        for w in workers:
            w.wait(30)


def main() -> None:
    args = sys.argv[1:]
    clients = int(args[0]) if args else 8
    seconds = float(args[1]) if len(args) > 1 else 1.0
    rounds = int(args[2]) if len(args) > 2 else 5
    kinds = ("echo", "shared", "sessions", "forwarded")
    with tempfile.TemporaryDirectory(prefix="luatorch-clients-") as directory:
        os.chmod(directory, 0o700)
        servers = {k: start_server(k, directory) for k in kinds}
        rates: dict[str, list[float]] = {k: [] for k in kinds}
        try:
            for _ in range(rounds):
                for kind in kinds:
                    rates[kind].append(one_round(kind, servers[kind][1], clients, seconds))
                    time.sleep(0.2)  # let session workers of the last round exit
        finally:
            for proc, _ in servers.values():
                proc.kill()
                proc.wait()
    echo = statistics.median(rates["echo"])
    print(f"{clients} client processes at once, each calling one after another for {seconds} s; "
          f"medians of {rounds} interleaved rounds")
    print(f"{'LuaJIT ROUTER echo (reference)':<40}{echo:>10.0f} calls/s")
    for kind, label in (("shared", "luatorch --shared, lua.eval('return 1')"),
                        ("sessions", "luatorch sessions, lua.eval('return 1')"),
                        ("forwarded", "sessions --no-direct (forwarded)")):
        rate = statistics.median(rates[kind])
        print(f"{label:<40}{rate:>10.0f} calls/s  ({rate / echo:.2f}x the echo)")


if __name__ == "__main__":
    main()

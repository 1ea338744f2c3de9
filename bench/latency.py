"""Latency of a small call, against a raw ZeroMQ echo measured in the same run.

    .venv/bin/python bench/latency.py [calls] [--base GIT_REV]

The echo is a LuaJIT ROUTER using the server's own FFI binding (lua_server/server/zmq.lua)
that sends every message straight back: the floor any request/reply over ZeroMQ pays.
Each row is the best of 10 rounds, in microseconds per call, and its ratio to the echo.
The "sessions" column is a server started by hand (a forked worker per connection, one
more hop through the parent); "this checkout" is a private server (--shared). With --base,
the server of that git revision (extracted to a temporary folder, sharing this checkout's
ATen shim build) is measured in the same run, for a before/after.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import zmq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import client  # noqa: E402
from bridge import codec  # noqa: E402

ECHO = r"""
local zmq = require "server.zmq"
local ctx = zmq.context()
local s = zmq.socket(ctx, zmq.ROUTER)
assert(zmq.bind(s, arg[1]))
io.stdout:write("ready\n"); io.stdout:flush()
while true do
  local frames = zmq.recv_multipart(s)
  local parts = {}
  for i = 1, #frames do parts[i] = zmq.frame_string(frames[i]) end
  zmq.release(frames)
  zmq.send_multipart(s, parts)
end
"""


def per_call_us(fn, calls: int) -> float:
    """The best of 10 rounds: on a shared machine the minimum is the stable statistic."""
    rounds = []
    per_round = max(1, calls // 10)
    for _ in range(10):
        start = time.perf_counter()
        for _ in range(per_round):
            fn()
        rounds.append((time.perf_counter() - start) / per_round * 1e6)
    return min(rounds)


def echo_us(calls: int, directory: str) -> float:
    endpoint = f"ipc://{directory}/echo"
    script = Path(directory) / "echo.lua"
    script.write_text(ECHO)
    proc = subprocess.Popen([str(ROOT / "lua_server/bin/luajit-env"), str(script), endpoint],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        sock = zmq.Context.instance().socket(zmq.DEALER)
        sock.connect(endpoint)
        header = codec.encode_message({"v": 1, "id": 1, "op": "ping"})

        def roundtrip():
            sock.send_multipart(header)
            sock.recv_multipart()

        for _ in range(200):
            roundtrip()
        result = per_call_us(roundtrip, calls)
        sock.close(0)
        return result
    finally:
        proc.kill()
        proc.wait()


def server_rows(calls: int, endpoint: str | None = None) -> dict[str, float]:
    with client.connect(endpoint) as lua:
        absolute = lua.eval("math.abs")
        t = lua.eval("torch.Tensor(3)")
        cases = {
            "ping": lua.ping,
            "call math.abs(-1)": lambda: absolute(-1),
            "method t:dim()": lambda: t.dim(),
        }
        for fn in cases.values():
            for _ in range(200):
                fn()
        return {name: per_call_us(fn, calls) for name, fn in cases.items()}


def sessions_rows(calls: int, directory: str) -> dict[str, float]:
    """The same calls on a server started by hand: a session (forked worker) per client."""
    endpoint = f"ipc://{directory}/sessions"
    proc = subprocess.Popen([str(ROOT / "lua_server/bin/luatorch-server"), "--listen", endpoint,
                             "--announce"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().startswith("LUATORCH-LISTENING")
        return server_rows(calls, endpoint)
    finally:
        proc.kill()
        proc.wait()


def extract(rev: str, directory: str) -> Path:
    base = Path(directory) / "base"
    base.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "lua_server"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
    shutil.copytree(ROOT / "lua_server/build", base / "lua_server/build", symlinks=True)
    # older servers know no --shared (they always were): drop it from the arguments
    wrapper = base / "lua_server/bin/luatorch-server-compat"
    wrapper.write_text('#!/bin/sh\nfor a; do shift; [ "$a" = --shared ] || set -- "$@" "$a"; done\n'
                       f'exec "{base}/lua_server/bin/luatorch-server" "$@"\n')
    wrapper.chmod(0o755)
    return wrapper


def main() -> None:
    args = sys.argv[1:]
    base_rev = None
    if "--base" in args:
        i = args.index("--base")
        base_rev = args[i + 1]
        del args[i:i + 2]
    calls = int(args[0]) if args else 3000
    with tempfile.TemporaryDirectory(prefix="luatorch-bench-") as directory:
        os.chmod(directory, 0o700)
        echo = echo_us(calls, directory)
        columns = {"this checkout": server_rows(calls),
                   "sessions": sessions_rows(calls, directory)}
        if base_rev:
            os.environ["LUATORCH_SERVER"] = str(extract(base_rev, directory))
            try:
                columns[f"base {base_rev}"] = server_rows(calls)
            finally:
                del os.environ["LUATORCH_SERVER"]
    print(f"raw ZeroMQ echo (LuaJIT ROUTER, ipc): {echo:.1f} us per round trip, "
          f"{calls} calls in 10 rounds, best round")
    names = list(next(iter(columns.values())))
    print(f"{'small call':<22}" + "".join(f"{c:>27}" for c in columns))
    for name in names:
        cells = "".join(f"{columns[c][name]:>9.1f} us ({columns[c][name] / echo:4.1f}x echo)"
                        for c in columns)
        print(f"{name:<22}{cells}")


if __name__ == "__main__":
    main()

"""Shared fixtures: a real LuaJIT server per test session, and Torch7's reference data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(ROOT))

import client  # noqa: E402


@pytest.fixture(scope="session")
def manifest() -> dict:
    """Numbers written by the real Torch7 (tests/fixtures/torch7/manifest.json)."""
    return json.loads((FIXTURES / "torch7" / "manifest.json").read_text())


@pytest.fixture(scope="session")
def lua():
    """One private server for the session; tests must leave it usable."""
    conn = client.connect()
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def torch(lua):
    return lua.require("torch")


@pytest.fixture(scope="session")
def nn(lua):
    return lua.require("nn")


@pytest.fixture(scope="module")
def identity_lua():
    """A private server of the module's own, with `identity = function(t) return t end`: its
    byte counters (`marshal_stats`) then count only that module's traffic."""
    conn = client.connect()
    conn.execute("identity = function(t) return t end")
    yield conn
    conn.close()


def marshal_stats(lua) -> dict:
    """The server's counters of bytes received and sent, copied or not (server/marshal.lua)."""
    return lua.eval("require('server.marshal').stats")


class ServerProcess:
    """A server started by hand, as a user would (lua_server/bin/luatorch-server), without
    authentication on loopback (tests/test_security.py covers CurveZMQ)."""

    def __init__(self, extra: list[str] | tuple = ()) -> None:
        self.proc = subprocess.Popen(
            [str(ROOT / "lua_server/bin/luatorch-server"), "--listen", "tcp://127.0.0.1:0",
             "--announce", "--insecure", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line.startswith("LUATORCH-LISTENING "), line
        self.endpoint = line.split()[1]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def server_process():
    """A standalone server for tests that need several clients or kill the server."""
    server = ServerProcess()
    yield server
    server.stop()


def wait_until(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


os.environ.setdefault("PYTHONUNBUFFERED", "1")

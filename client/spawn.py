"""Starting a private local server: the LuaJIT process behind ``client.connect()``."""

from __future__ import annotations

import collections
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from .errors import ServerUnavailable

ANNOUNCE = "LUATORCH-LISTENING "


def repo_root() -> Path:
    """The checkout holding ``lua_server/`` (this package lives beside it)."""
    return Path(__file__).resolve().parent.parent


def server_command() -> list[str]:
    """The command that starts a server; ``LUATORCH_SERVER`` overrides the script path."""
    script = os.environ.get("LUATORCH_SERVER") or str(repo_root() / "lua_server/bin/luatorch-server")
    if not Path(script).exists():
        raise ServerUnavailable(
            f"no luatorch server to start here ({script} not found): this client was installed "
            "without the server. Connect to a running one, client.connect('tcp://HOST:PORT') "
            "(start it with lua_server/bin/luatorch-server in a checkout), or set "
            "LUATORCH_SERVER to a checkout's lua_server/bin/luatorch-server")
    config = Path(script).resolve().parent.parent / "build/config.lua"
    if "LUATORCH_CONFIG" not in os.environ and not config.exists():
        raise ServerUnavailable(f"{config} is missing: run `make shim` first to build the ATen shim")
    return [script]


class LocalServer:
    """A server process owned by this client: listening on an ``ipc://`` socket in a fresh
    0700 directory (so no other local user can reach it), stopped with the client, and
    gone by itself if this Python process dies (--parent-pid)."""

    def __init__(self, start_timeout: float = 60.0) -> None:
        self.directory = tempfile.mkdtemp(prefix="luatorch-")  # mode 0700
        cmd = server_command() + [
            # one client: its own process is its session, no worker to fork
            "--listen", f"ipc://{self.directory}/server", "--announce", "--allow-shutdown", "--shared",
            "--parent-pid", str(os.getpid()),
        ]
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=60)
        self.process = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, bufsize=1,
        )
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self.endpoint = self._wait_for_announce(start_timeout)

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr_tail.append(line.rstrip("\n"))

    def _wait_for_announce(self, timeout: float) -> str:
        assert self.process.stdout is not None
        found: list[str] = []

        def read() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                if line.startswith(ANNOUNCE):
                    found.append(line[len(ANNOUNCE):].strip())
                    break
            # keep draining so the server never blocks on a full pipe
            for _ in self.process.stdout:
                pass

        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + timeout
        while not found:
            if self.process.poll() is not None:
                self._remove_directory()
                time.sleep(0.1)  # let the stderr reader catch the last lines
                raise ServerUnavailable(
                    f"the local server exited with code {self.process.returncode}:\n" + self.describe()
                )
            if time.monotonic() > deadline:
                self.kill()
                raise ServerUnavailable(f"the local server did not start within {timeout} s")
            time.sleep(0.01)
        return found[0]

    def alive(self) -> bool:
        return self.process.poll() is None

    def describe(self) -> str:
        return "\n".join(self.stderr_tail) or "(no output)"

    def wait(self, timeout: float) -> bool:
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        self._remove_directory()
        return True

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
            self.process.wait()
        self._remove_directory()

    def _remove_directory(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

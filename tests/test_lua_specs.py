"""Runs every Lua spec (lua_server/spec/*_spec.lua) with the project's spec runner."""

from __future__ import annotations

import signal
import subprocess
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "lua_server/spec").glob("*_spec.lua"))
# A known, not yet fixed crash (docs/DIFFERENCES.md, "Known problems"): with the JIT on, the
# Float round trips of the Spatial*Normalization checks corrupt LuaJIT's heap about once in
# ten runs (Debian's LuaJIT and OpenResty's alike; never with -joff). Such a crash is
# reported as a warning and the spec run once more; any other failure fails at once.
KNOWN_JIT_CRASH = {"nn_spatial_layers_spec"}


def run_spec(spec: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "lua_server/bin/luajit-env"), str(ROOT / "lua_server/spec/runner.lua"), str(spec)],
        capture_output=True, text=True, timeout=600, cwd=ROOT)


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_lua_spec(spec):
    proc = run_spec(spec)
    if proc.returncode == -signal.SIGSEGV and spec.stem in KNOWN_JIT_CRASH:
        warnings.warn(f"{spec.name}: the known JIT heap-corruption crash (SIGSEGV); run again",
                      RuntimeWarning, stacklevel=1)
        proc = run_spec(spec)
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "(no output)"
    assert proc.returncode == 0, f"{spec.name}: {summary}\n{proc.stdout[-6000:]}\n{proc.stderr[-3000:]}"
    assert " 0 failed" in summary

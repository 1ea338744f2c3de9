"""Runs every Lua spec (lua_server/spec/*_spec.lua) with the project's spec runner."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "lua_server/spec").glob("*_spec.lua"))


def run_spec(spec: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "lua_server/bin/luajit-env"), str(ROOT / "lua_server/spec/runner.lua"), str(spec)],
        capture_output=True, text=True, timeout=600, cwd=ROOT)


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_lua_spec(spec):
    proc = run_spec(spec)
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "(no output)"
    assert proc.returncode == 0, f"{spec.name}: {summary}\n{proc.stdout[-6000:]}\n{proc.stderr[-3000:]}"
    assert " 0 failed" in summary

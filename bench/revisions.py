"""Benchmarks that compare this checkout with a base revision (`--base GIT_REV`): the option,
and the revision's files extracted to a temporary folder."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pop_base(args: list[str]) -> str | None:
    """Remove `--base REV` from args; the revision, or None."""
    if "--base" not in args:
        return None
    i = args.index("--base")
    rev = args[i + 1]
    del args[i:i + 2]
    return rev


def extract(rev: str, directory: str, paths: tuple[str, ...] = ("lua_server",)) -> Path:
    """The revision's `paths` under directory/base; a lua_server there shares this checkout's
    ATen shim build."""
    base = Path(directory) / "base"
    base.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, *paths],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
    if "lua_server" in paths:
        shutil.copytree(ROOT / "lua_server/build", base / "lua_server/build", symlinks=True)
    return base

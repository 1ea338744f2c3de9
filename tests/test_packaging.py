"""The wheel: only `client` at top level (the codec inside it), py.typed, two commands."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    # build from a copy, so that setuptools' build/ folder never lands in the checkout
    src, out = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("wheel")
    for name in ("client", "bridge"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(out), str(src)], check=True, capture_output=True, timeout=300)
    (path,) = out.glob("luatorch-*.whl")
    return zipfile.ZipFile(path)


def test_wheel_claims_only_client(wheel):
    names = wheel.namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"client"}
    assert {"client/py.typed", "client/bridge/codec.py", "client/__main__.py"} <= set(names)
    entry_points = next(wheel.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    assert "luatorch-server = client.cli:server_main" in entry_points
    metadata = next(wheel.read(n).decode() for n in names if n.endswith("METADATA"))
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    base = [line for line in requires if "extra ==" not in line]
    assert base and not any("torch" in line for line in base)  # the client installs alone


def run_module(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "client", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_python_m_client_help_and_one_chunk():
    help_text = run_module("--help")
    assert help_text.returncode == 0 and "A Lua Torch prompt" in help_text.stdout
    result = run_module("-e", "torch.range(1, 4):sum()")
    assert result.returncode == 0 and result.stdout.strip() == "10"
    failed = run_module("-e", "nil + 1")
    assert failed.returncode == 1 and "LuaTypeError: eval:1: attempt to perform arithmetic" in failed.stderr


def test_luatorch_server_command_forwards_to_the_server():
    code = "from client.cli import server_main; server_main(['--help'])"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and "usage: luatorch-server" in result.stdout

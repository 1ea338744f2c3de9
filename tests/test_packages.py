"""Torch7's script packages (paths, sys, xlua) served to Python: their output is client output."""

from __future__ import annotations

import re


def test_xlua_progress_arrives_as_client_output(lua, capsys):
    lua.require("xlua")
    run = lua.eval("function(n) for i = 1, n do xlua.progress(i, n) end return n end")
    assert run(3) == 3
    out = capsys.readouterr().out
    redraws = out.split("\r")
    first = redraws[0]
    # ' [' + bar + '] ', as Torch7 drew it; the bar is the terminal width less 34 columns
    bar = re.match(r" \[([=>.]+)\] ", first)
    assert bar, repr(first)
    length = len(bar.group(1))
    assert 0 < length <= 120 - 34
    assert " 1/3 " in first and "ETA: " in first
    final = [r for r in redraws if " 3/3 " in r]
    assert final, repr(out)
    assert final[0].startswith(" [" + "=" * (length - 1) + ">] ")
    assert "Tot: " in final[0] and final[0].endswith(" 3/3 \n")
    assert out.endswith("\n\r")


def test_xlua_progress_drives_the_clients_progress_bar(lua, capsys, monkeypatch):
    """Where the client has a bar of its own (tqdm), xlua.progress advances it instead."""
    from client import streams

    bars = []

    class Bar:
        def __init__(self, total):
            self.total, self.n, self.closed = total, 0, False
            bars.append(self)

        def update(self, n):
            self.n += n

        def close(self):
            self.closed = True

    monkeypatch.setattr(streams, "has_tqdm", lambda: True)
    monkeypatch.setattr(streams, "progress", lambda total: Bar(total))
    lua.require("xlua")
    lua.eval("function(n) for i = 1, n do xlua.progress(i, n) end end")(5)
    assert [(b.total, b.n, b.closed) for b in bars] == [(5, 5, True)]
    assert capsys.readouterr().out == ""  # no Torch7 text besides the bar


def test_paths_and_sys_are_defined_with_torch(lua):
    cwd = lua.eval("paths.cwd()")
    assert lua.eval("paths.concat('a', '..', 'b')") == cwd + "/b"
    assert lua.require("sys").OS == "linux"


def test_server_loads_a_users_package_from_luatorch_home(tmp_path, monkeypatch):
    """A Torch-style package in $LUATORCH_HOME/share/lua/5.1 is found by a fresh server."""
    pkg = tmp_path / "share" / "lua" / "5.1" / "mytorchpkg"
    pkg.mkdir(parents=True)
    (pkg / "init.lua").write_text(
        "require 'torch'\nmytorchpkg = {}\ntorch.include('mytorchpkg', 'Scale.lua')\nreturn mytorchpkg\n")
    (pkg / "Scale.lua").write_text(
        "local Scale = torch.class('mytorchpkg.Scale')\n"
        "function Scale:__init(k) self.k = k end\n"
        "function Scale:apply(t) return t * self.k end\n")
    monkeypatch.setenv("LUATORCH_HOME", str(tmp_path))
    import client

    conn = client.connect()
    try:
        mod = conn.require("mytorchpkg")
        scale = mod.Scale(3)
        assert conn.eval("function(s) return s:apply(torch.Tensor({1, 2})):totable() end")(scale) == [3, 6]
        assert conn.eval("paths.install_lua_path") == str(tmp_path / "share" / "lua" / "5.1")
    finally:
        conn.close()

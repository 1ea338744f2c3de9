"""Your own Lua files against a server that does not share your directory."""

from __future__ import annotations

import subprocess
import textwrap

import numpy as np
import pytest
from conftest import ROOT

import client

SCALE_V1 = textwrap.dedent("""\
    require 'nn'
    local Scale, parent = torch.class('nn.UserScale', 'nn.Module')

    function Scale:__init(k)
      parent.__init(self)
      self.k = k
    end

    function Scale:updateOutput(input)
      assert(input:dim() == 1, 'nn.UserScale expects a vector')
      self.output = input * self.k
      return self.output
    end
    """)


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory):
    """A server started in a directory of its own, and a connection to it."""
    server_dir = tmp_path_factory.mktemp("server_cwd")
    proc = subprocess.Popen(
        [str(ROOT / "lua_server/bin/luatorch-server"), "--listen", "tcp://127.0.0.1:0", "--insecure",
         "--announce"],
        cwd=server_dir, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    assert line.startswith("LUATORCH-LISTENING "), line
    conn = client.connect(line.split()[1])
    yield conn
    conn.close()
    proc.kill()
    proc.wait()


def test_load_lua_class_from_a_local_file(elsewhere, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "UserScale.lua").write_text(SCALE_V1)
    UserScale = client.load_lua_class("UserScale.lua", "nn.UserScale", lua=elsewhere)
    layer = UserScale(3)
    assert np.array_equal(layer.forward(np.array([1.0, 2.0])).numpy(), [3.0, 6.0])
    assert "updateOutput" in dir(layer) and "k" in dir(layer)


def test_errors_name_the_file_and_line(elsewhere, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "UserScale.lua").write_text(SCALE_V1)
    UserScale = client.load_lua_class("UserScale.lua", "nn.UserScale", lua=elsewhere)
    with pytest.raises(client.RemoteError) as info:
        UserScale(2).forward(np.zeros((2, 2)))
    assert str(info.value).startswith("UserScale.lua:10: nn.UserScale expects a vector")
    assert info.value.lua_frames[0].startswith("UserScale.lua:10: in function")
    (tmp_path / "Broken.lua").write_text("local x = = 1\n")
    with pytest.raises(client.LuaSyntaxError, match=r"^Broken.lua:1:"):
        elsewhere.load_file("Broken.lua")


def test_loading_an_edited_file_again_redefines_the_class(elsewhere, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "UserScale.lua"
    path.write_text(SCALE_V1)
    old = client.load_lua_class(path, "nn.UserScale", lua=elsewhere)(2)
    assert old.forward(np.ones(1)).numpy()[0] == 2
    path.write_text(SCALE_V1.replace("input * self.k", "input * self.k + 1")
                    + "function Scale:describe() return 'scale by ' .. self.k end\n")
    UserScale = client.load_lua_class(path, "nn.UserScale", lua=elsewhere)
    assert UserScale(2).forward(np.ones(1)).numpy()[0] == 3
    assert old.forward(np.ones(1)).numpy()[0] == 3  # the old object runs the new code
    assert old.describe() == "scale by 2" and "describe" in dir(old)


def test_require_file_ships_a_folder_of_modules(elsewhere, tmp_path):
    lib = tmp_path / "mylib"
    (lib / "layers").mkdir(parents=True)
    (lib / "init.lua").write_text("local M = {}\nM.double = require('mylib.layers.double')\nreturn M\n")
    (lib / "layers" / "double.lua").write_text("return function(x) return 2 * x end\n")
    mylib = elsewhere.require_file(lib)
    assert mylib.double(21) == 42
    (lib / "layers" / "double.lua").write_text("return function(x) return 2 * x + 1 end\n")
    assert elsewhere.require_file(lib).double(21) == 43
    assert elsewhere.eval("require('mylib.layers.double')(1)") == 3
    single = tmp_path / "single.lua"
    single.write_text("return {answer = 42}\n")
    assert elsewhere.require_file(single).answer == 42


def test_load_lua_class_uses_the_latest_connection_by_default(elsewhere, tmp_path):
    (tmp_path / "Default.lua").write_text("torch.class('DefaultGreeter')\n"
                                          "function DefaultGreeter:hi() return 'hi' end\n")
    client.userlua.remember(elsewhere)
    assert client.load_lua_class(tmp_path / "Default.lua", "DefaultGreeter")().hi() == "hi"
    with pytest.raises(ValueError):
        client.load_lua_class(tmp_path / "Default.lua", "os.exit(1)")

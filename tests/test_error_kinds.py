"""Remote errors by kind, with messages and tracebacks that show the user's code only."""

from __future__ import annotations

import numpy as np
import pytest

import client


def test_size_errors(lua, nn, torch):
    with pytest.raises(client.SizeError) as info:
        nn.Linear(3, 4).forward(np.zeros((4, 5)))
    err = info.value
    assert isinstance(err, client.RemoteError) and isinstance(err, ValueError)
    assert str(err) == "size mismatch: nn.Linear(3 -> 4) got input of size 4x5 with 5 features, expected 3"
    assert "Linear.lua" in err.traceback  # every frame is still there for who wants it
    with pytest.raises(client.SizeError, match=r"\(2x3 and 4x5\)"):
        torch.mm(torch.Tensor(2, 3), torch.Tensor(4, 5))


def test_syntax_errors(lua):
    with pytest.raises(client.LuaSyntaxError, match="unexpected symbol near '<eof>'"):
        lua.execute("local x = ")


def test_type_errors(lua):
    with pytest.raises(client.LuaTypeError, match="attempt to perform arithmetic on a nil value"):
        lua.eval("nil + 1")
    with pytest.raises(TypeError):
        lua.eval("('x')()")


def test_missing_method(lua, nn):
    with pytest.raises(client.MissingMethod, match="nn.Linear has no method 'noSuch'") as info:
        nn.Linear(2, 2).call_method("noSuch")
    assert isinstance(info.value, AttributeError)


def test_traceback_shows_user_frames_and_no_internal_paths(lua):
    fail = lua.eval("""function(x)
      local function inner(v) return v.field.deeper end
      local result = inner(x)
      return result
    end""")
    with pytest.raises(client.LuaTypeError) as info:
        fail({})
    text = str(info.value)
    assert text.startswith("eval:2: attempt to index field 'field' (a nil value)")
    assert "eval:2: in function 'inner'" in text and "eval:3: in function" in text
    assert "lua_server" not in text and "dispatch.lua" not in text and "[C]" not in text
    assert info.value.lua_frames == [line for line in text.splitlines() if line.startswith("eval:")][1:]
    # the Python traceback starts at the call, with no client-internal frame left to show
    frames = [f for f in info.traceback if f.frame.f_globals.get("__name__", "").startswith("client")
              and not f.frame.f_locals.get("__tracebackhide__")]
    assert frames == []


def test_unknown_kinds_stay_remote_errors(lua):
    with pytest.raises(client.RemoteError) as info:
        lua.eval("error('plain failure', 0)")
    assert type(info.value) is client.RemoteError and str(info.value) == "plain failure"

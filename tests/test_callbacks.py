"""Python functions passed to Lua are called back, also re-entrantly."""

from __future__ import annotations

import numpy as np
import pytest

import client


def test_lua_calls_a_python_function(lua):
    twice = lua.eval("function(f, x) return f(x) * 2 end")
    assert twice(lambda v: v + 1, 20) == 42


def test_python_function_returns_several_values_and_proxies(lua, torch):
    t = torch.Tensor(3)
    pair = lua.eval("function(f, t) local a, b = f(t) return a, b:nElement() end")
    assert pair(lambda x: (1.5, x), t) == (1.5, 3)


def test_python_function_may_call_the_server(lua, nn):
    lin = nn.Linear(2, 1)

    def uses_server(x):
        return float(lin.forward(np.ones(2)).numpy()[0]) * 0 + x.sum()

    apply = lua.eval("function(f, t) return f(t) end")
    assert apply(uses_server, lua.eval("torch.ones(4)")) == 4


def test_python_exception_becomes_remote_error(lua):
    def fails(_):
        raise ValueError("no good")

    apply = lua.eval("function(f, x) return f(x) end")
    with pytest.raises(client.RemoteError) as info:
        apply(fails, 1)
    assert "Python function raised ValueError: no good" in info.value.evalue
    assert apply(lambda x: x, 5) == 5

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


def test_optim_sgd_with_a_python_feval(lua, nn):
    optim = lua.require("optim")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((32, 4))
    target = x @ np.array([[1.0], [-2.0], [0.5], [3.0]])
    lin = nn.Linear(4, 1)
    crit = nn.MSECriterion()
    params, grads = lin.getParameters()
    config = lua.ref("{learningRate = 0.05, momentum = 0.5}")  # state stays on the server
    calls = []

    def feval(p):
        grads.zero()
        out = lin.forward(x)
        loss = crit.forward(out, target)
        lin.backward(x, crit.backward(out, target))
        calls.append(loss)
        return loss, grads

    for _ in range(200):
        optim.sgd(feval, params, config)
    assert len(calls) == 200
    assert calls[-1] < calls[0] / 100
    assert config["dfdx"].size(1) == 5  # sgd kept its momentum buffer in the config table

"""Proxies: references are released, requests pipeline, output and warnings come back."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import client


def live_refs(lua) -> int:
    return lua.ping()["refs"]


def settle(lua) -> None:
    """Release whatever earlier tests left for the garbage collector."""
    gc.collect()
    lua.flush_releases()


def test_released_proxies_free_server_references(lua, torch):
    new_tensor = torch.Tensor
    settle(lua)
    before = live_refs(lua)
    tensors = [new_tensor(3) for _ in range(50)]
    assert live_refs(lua) == before + 50
    del tensors
    gc.collect()
    lua.flush_releases()
    assert live_refs(lua) == before


def test_same_object_is_one_proxy_and_receipts_add_up(lua, nn):
    lin = nn.Linear(2, 2)
    w1, w2 = lin.weight, lin.weight
    assert w1 is w2 and w1._receipts == 2
    settle(lua)
    before = live_refs(lua)
    del w1, w2
    gc.collect()
    lua.flush_releases()
    assert live_refs(lua) == before - 1
    assert lin.weight.size(1) == 2  # fetched again: a new reference


def test_released_reference_error_names_it(lua, torch):
    t = torch.Tensor(2)
    bogus = client.LuaObject(lua, 10**9, "torch.DoubleTensor")
    with pytest.raises(client.RemoteError) as info:
        bogus.size(1)
    assert info.value.ename == "ReleasedReference"
    object.__setattr__(bogus, "_conn", None)  # never released: it was never received
    assert t.size(1) == 2


def test_pipelined_requests_complete_out_of_order_waits(lua):
    results = [lua.submit("eval", code=f"{i} * 2") for i in range(20)]
    assert results[19].wait() == 38
    assert [r.wait() for r in results] == [i * 2 for i in range(20)]


def test_method_submit(lua, nn):
    lin = nn.Linear(3, 2)
    pending = lin.forward.submit(np.ones(3))
    assert pending.wait().size(1) == 2


def test_multiple_results_are_tuples(lua, torch):
    t = lua.eval("torch.Tensor{{1, 5}, {7, 2}}")
    values, indices = t.max(2)
    assert values.numpy().ravel().tolist() == [5, 7]
    assert indices.numpy().ravel().tolist() == [2, 1]  # Torch7's indices are 1-based


def test_plain_tables_come_by_value(lua):
    assert lua.eval("{1, 2, {a = 'x'}}") == [1, 2, {"a": "x"}]
    assert lua.eval("{}") == []


def test_print_goes_to_python_stdout(lua, capsys):
    lua.execute("print('hello from lua', 42)")
    assert capsys.readouterr().out == "hello from lua\t42\n"


def test_str_of_a_module_is_torch7s_printout(lua, nn):
    net = nn.Sequential()
    net.add(nn.Linear(3, 4))
    net.add(nn.Tanh())
    assert str(net) == ("nn.Sequential {\n  [input -> (1) -> (2) -> output]\n"
                        "  (1): nn.Linear(3 -> 4)\n  (2): nn.Tanh\n}")
    assert repr(net).startswith("<lua nn.Sequential #")


def test_globals_read_and_write(lua):
    lua.globals.answer = 41
    assert lua.eval("answer + 1") == 42
    assert lua.globals.answer == 41


def test_fields_read_and_write(lua, nn):
    lin = nn.Linear(2, 3)
    assert lin.weight.size(1) == 3
    lin.custom_field = "hello"
    assert lua.request("get", target=lin, key="custom_field") == "hello"


def test_private_server_stops_cleanly_on_close():
    lua = client.connect()
    lua.close()
    # close() waits 5 s for the server, then kills it (code -9): 0 means it exited by itself
    assert lua.server.process.returncode == 0


def test_fetch_converts_tables_holding_tensors(lua, nn):
    lin = nn.Linear(2, 3)
    params = lua.ref("{}")
    params["w"] = lin.weight
    data = lua.fetch(params)
    assert set(data) == {"w"} and data["w"].shape == (3, 2)
    pad = nn.Padding(1, 2, 1, -3.5)
    assert pad.value == -3.5  # Lua fields are never shadowed by proxy methods


def test_client_never_imports_torch():
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys, numpy as np, client\n"
            "lua = client.connect()\n"
            "nn = lua.require('nn')\n"
            "assert nn.Linear(2, 2).forward(np.ones(2)).numpy().shape == (2,)\n"
            "lua.close()\n"
            "assert 'torch' not in sys.modules, 'the client imported torch'\n")
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr

"""examples/tutorial.ipynb, executed headless by nbclient as a user's Jupyter would run it."""

from __future__ import annotations

import os
import re

import pytest
from conftest import ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")


@pytest.fixture(scope="module")
def executed():
    nb = nbformat.read(ROOT / "examples/tutorial.ipynb", as_version=4)
    runner = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT / "examples")}})
    # the kernel imports this checkout's client, whatever else is installed
    runner.execute(env={**os.environ, "PYTHONPATH": str(ROOT)})
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def cell(executed, first_line: str):
    return next(c for c in executed if c.source.startswith(first_line))


def shown(c) -> dict:
    (result,) = [o for o in c.outputs if o.output_type == "execute_result"]
    return result.data


def printed(c) -> str:
    return "".join(o.text for o in c.outputs if o.output_type == "stream" and o.name == "stdout")


def test_tensors_and_modules_display_as_torch7_prints_them(executed):
    a = shown(cell(executed, "a = torch.Tensor("))
    assert a["text/plain"] == " 1  2  3\n 4  5  6\n[torch.DoubleTensor of size 2x3]\n"
    assert a["text/html"].startswith("<pre> 1  2  3\n")
    assert shown(cell(executed, "b = np.ones"))["text/plain"] == \
        "  6   6\n 15  15\n[torch.DoubleTensor of size 2x2]\n"
    both_sides = cell(executed, "print((b.T * a.t())")
    assert printed(both_sides) == "[[ 6. 15.]\n [ 6. 15.]]\n"
    assert shown(both_sides)["text/plain"] == " 14  32\n 32  77\n[torch.DoubleTensor of size 2x2]\n"
    assert shown(cell(executed, "a < 3.5"))["text/plain"].endswith("[torch.ByteTensor of size 2x3]\n")
    net = shown(cell(executed, "X = np.array"))["text/plain"]
    assert net.startswith("nn.Sequential {\n  [input -> (1) -> (2) -> (3) -> (4) -> output]\n"
                          "  (1): nn.Linear(3 -> 4)\n")


def test_xor_loss_trace_is_torch7s_and_the_progress_bar_completes(executed, manifest):
    training = printed(cell(executed, "losses = {}"))
    assert "training: [" in training and "] 2400/2400" in training
    trace = {int(j): float(v) for j, v in re.findall(r"^\s*(\d+) Error:([\d.]+)$", training, re.M)}
    recorded = {e["iteration"]: e["loss"] for e in manifest["xor_training_float"]["losses"]}
    assert sorted(trace) == sorted(recorded)
    for j, loss in trace.items():
        assert loss == pytest.approx(recorded[j], abs=6e-7), f"loss at iteration {j}"
    final = shown(cell(executed, "net.forward(X)"))["text/plain"]
    assert final.endswith("[torch.FloatTensor of size 4x1]\n")


def test_custom_layer_from_a_local_file(executed):
    out = shown(cell(executed, "Swish = client.load_lua_class"))["text/plain"]
    assert out == "-0.2689\n 0.0000\n 0.7311\n 1.7616\n[torch.DoubleTensor of size 4]\n"
    error = float(re.search(r"max error (\S+)", printed(cell(executed, "jacobian = "))).group(1))
    assert error < 1e-6


def test_discovery_cell(executed):
    text = printed(cell(executed, "lin = net.get(1)"))
    assert text.splitlines() == [
        "['forward', 'weight', 'zeroGradParameters']",
        "Lua nn.Linear has no field or method 'wieght'; did you mean 'weight'?",
        "SizeError - size mismatch: nn.Linear(3 -> 4) got input of size 2x5 with 5 features, expected 3",
    ]

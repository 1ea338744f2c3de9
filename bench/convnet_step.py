"""One training step of a small conv net (batch 64, 1x28x28): luatorch server vs PyTorch.

    .venv/bin/python bench/convnet_step.py [steps]

Three timings in one run, each the median of `steps` steps after a warm-up:
  * server/closure - one request per step: a Lua closure runs forward, backward and
    optim.sgd on the server (the data travel with the request);
  * server/proxies - the same step driven call by call from Python through proxies;
  * pytorch        - the same network and SGD step in-process with PyTorch eager, once as
                     is and once also computing the input's gradient, as Torch7's nn does.
Both sides use one ATen thread.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import client  # noqa: E402

BATCH, LR = 64, 0.05

LUA_SETUP = """
require 'nn'; require 'optim'
torch.setnumthreads(1)
torch.setdefaulttensortype('torch.FloatTensor')
bench_net = nn.Sequential()
bench_net:add(nn.SpatialConvolution(1, 8, 5, 5)):add(nn.ReLU()):add(nn.SpatialMaxPooling(2, 2))
bench_net:add(nn.SpatialConvolution(8, 16, 5, 5)):add(nn.ReLU()):add(nn.SpatialMaxPooling(2, 2))
bench_net:add(nn.View(16 * 4 * 4)):add(nn.Linear(16 * 4 * 4, 10)):add(nn.LogSoftMax())
bench_crit = nn.ClassNLLCriterion()
local params, grads = bench_net:getParameters()
local config = { learningRate = LR }
function bench_step(input, target)
  local function feval(x)
    grads:zero()
    local out = bench_net:forward(input)
    local loss = bench_crit:forward(out, target)
    bench_net:backward(input, bench_crit:backward(out, target))
    return loss, grads
  end
  local _, fs = optim.sgd(feval, params, config)
  return fs[1]
end
""".replace("LR", repr(LR))


def timed(step, steps: int) -> float:
    for _ in range(3):
        step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def main() -> None:
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32)
    y = rng.integers(1, 11, size=BATCH).astype(np.int64)  # Torch7 classes are 1-based

    lua = client.connect()
    lua.execute(LUA_SETUP)
    step_fn = lua.eval("bench_step")
    closure_ms = timed(lambda: step_fn(x, y), steps)

    net, crit = lua.globals.bench_net, lua.globals.bench_crit

    def proxy_step() -> None:
        net.zeroGradParameters()
        out = net.forward(x)
        crit.forward(out, y)
        net.backward(x, crit.backward(out, y))
        net.updateParameters(LR)

    proxies_ms = timed(proxy_step, steps)
    lua.close()

    torch.set_num_threads(1)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(256, 10), torch.nn.LogSoftmax(dim=1))
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y - 1)

    def torch_step() -> None:
        opt.zero_grad()
        loss = torch.nn.functional.nll_loss(model(tx), ty)
        loss.backward()
        opt.step()

    torch_ms = timed(torch_step, steps)
    # Torch7's nn always computes the first layer's gradInput; PyTorch skips it unless the
    # input asks for a gradient. The second baseline does the same work as nn.
    tx.requires_grad_(True)
    torch_same_ms = timed(torch_step, steps)
    print(f"conv net training step, batch {BATCH}, 1x28x28, median of {steps} (ms)")
    for label, ms in (("server/closure", closure_ms), ("server/proxies", proxies_ms)):
        print(f"  {label:<16}{ms:8.2f}   ratio to pytorch {ms / torch_ms:5.2f}"
              f"   to pytorch+gradInput {ms / torch_same_ms:5.2f}")
    print(f"  {'pytorch':<16}{torch_ms:8.2f}")
    print(f"  {'pytorch+gradInput':<16}{torch_same_ms:8.2f}")


if __name__ == "__main__":
    main()

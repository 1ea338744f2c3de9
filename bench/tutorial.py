"""The XOR tutorial's training loop (examples/tutorial.py), 2400 iterations, three ways.

    .venv/bin/python bench/tutorial.py [rounds] [--sync]

- from Python in ``with lua.pipeline():`` (the tutorial's own loop: zeroGradParameters,
  forward, crit.forward, crit.backward, backward, updateParameters; the loss formatted every
  200 iterations, which waits for it);
- the same MLP in in-process PyTorch eager (torch.nn Linear/Sigmoid, MSELoss, SGD by hand,
  float32, same shapes): the reference;
- the same loop as Lua on the server, timed from Python (one request);
- with --sync, also from Python without a pipeline (every call waits for its reply).

Rounds interleave the cases, so a busy machine slows them alike; each row is the median
over rounds, and its ratio to PyTorch's median.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import client  # noqa: E402

ITERATIONS = 2400
X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.float32)
Y = np.array([[0], [1], [1], [0]], dtype=np.float32)

LUA_LOOP = """
local X = torch.FloatTensor({{0, 0, 1}, {0, 1, 1}, {1, 0, 1}, {1, 1, 1}})
local y = torch.FloatTensor({{0}, {1}, {1}, {0}})
torch.manualSeed(1)
local net = nn.Sequential()
net:add(nn.Linear(3, 4)); net:add(nn.Sigmoid()); net:add(nn.Linear(4, 1)); net:add(nn.Sigmoid())
net:float()
local crit = nn.MSECriterion()
local losses = {}
for j = 1, ITERATIONS do
  net:zeroGradParameters()
  local out = net:forward(X)
  local loss = crit:forward(out, y)
  net:backward(X, crit:backward(out, y))
  net:updateParameters(1)
  if j % 200 == 0 then losses[#losses + 1] = loss end
end
return losses
""".replace("ITERATIONS", str(ITERATIONS))


def python_loop(lua, pipelined: bool) -> list[str]:
    torch, nn = lua.require("torch"), lua.require("nn")
    torch.manualSeed(1)
    net = nn.Sequential()
    net.add(nn.Linear(3, 4))
    net.add(nn.Sigmoid())
    net.add(nn.Linear(4, 1))
    net.add(nn.Sigmoid())
    net.float()
    crit = nn.MSECriterion()
    lines = []

    def loop() -> None:
        for j in range(ITERATIONS):
            net.zeroGradParameters()
            out = net.forward(X)
            loss = crit.forward(out, Y)
            net.backward(X, crit.backward(out, Y))
            net.updateParameters(1)
            if (j + 1) % 200 == 0:
                lines.append(f"Error:{loss}")

    if pipelined:
        with lua.pipeline():
            loop()
    else:
        loop()
    return lines


def pytorch_loop() -> list[str]:
    import torch

    torch.manual_seed(1)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Sigmoid(), torch.nn.Linear(4, 1),
                              torch.nn.Sigmoid())
    crit = torch.nn.MSELoss()
    x, y = torch.from_numpy(X), torch.from_numpy(Y)
    params = list(net.parameters())
    lines = []
    for j in range(ITERATIONS):
        for p in params:
            p.grad = None
        loss = crit(net(x), y)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.sub_(p.grad, alpha=1.0)
        if (j + 1) % 200 == 0:
            lines.append(f"Error:{loss.item()}")
    return lines


def main() -> None:
    args = sys.argv[1:]
    sync = "--sync" in args
    args = [a for a in args if a != "--sync"]
    rounds = int(args[0]) if args else 5
    lua = client.connect()
    lua.require("nn")
    cases = {
        "PyTorch eager, in-process": pytorch_loop,
        "luatorch from Python, pipelined": lambda: python_loop(lua, True),
        "luatorch, the loop in Lua on the server": lambda: [f"Error:{x}" for x in lua.execute(LUA_LOOP)],
    }
    if sync:
        cases["luatorch from Python, sync"] = lambda: python_loop(lua, False)
    times: dict[str, list[float]] = {name: [] for name in cases}
    traces = {}
    try:
        for name, fn in cases.items():  # warm-up: imports, JIT, first allocations
            traces[name] = fn()
        for _ in range(rounds):
            for name, fn in cases.items():
                start = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - start)
    finally:
        lua.close()
    ref = statistics.median(times["PyTorch eager, in-process"])
    print(f"XOR tutorial, {ITERATIONS} iterations; medians of {rounds} interleaved rounds")
    for name, samples in times.items():
        med = statistics.median(samples)
        print(f"{name:<42} {med * 1e3:8.1f} ms  {med / ref:5.2f}x PyTorch")
    ours = traces["luatorch from Python, pipelined"]
    print("loss trace from Python (pipelined) equals the Lua loop's:",
          ours == traces["luatorch, the loop in Lua on the server"])
    print("last loss:", ours[-1], "(PyTorch:", traces["PyTorch eager, in-process"][-1] + ")")


if __name__ == "__main__":
    main()

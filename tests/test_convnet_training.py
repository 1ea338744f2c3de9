"""A conv net trains from Python with optim.sgd to high accuracy on a synthetic set."""

from __future__ import annotations

import numpy as np

TRAIN_STEP = """
require 'nn'; require 'optim'
return function(net, crit, params, grads, config)
  return function(input, target)
    local function feval(x)
      if x ~= params then params:copy(x) end
      grads:zero()
      local out = net:forward(input)
      local loss = crit:forward(out, target)
      net:backward(input, crit:backward(out, target))
      return loss, grads
    end
    local _, fs = optim.sgd(feval, params, config)
    return fs[1]
  end
end
"""


def synthetic_bars(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """16x16 images of one of four patterns (horizontal, vertical, diagonal, antidiagonal
    bar at a random position) plus noise; labels 1..4 as Torch7 expects."""
    x = rng.normal(0, 0.3, size=(n, 1, 16, 16)).astype(np.float32)
    labels = rng.integers(1, 5, size=n)
    for k in range(n):
        p = rng.integers(3, 13)
        if labels[k] == 1:
            x[k, 0, p, 2:14] += 1.5
        elif labels[k] == 2:
            x[k, 0, 2:14, p] += 1.5
        elif labels[k] == 3:
            idx = np.arange(2, 14)
            x[k, 0, idx, idx] += 1.5
        else:
            idx = np.arange(2, 14)
            x[k, 0, idx, 15 - idx] += 1.5
    return x, labels.astype(np.int64)


def test_convnet_trains_with_optim_sgd_from_python(lua, nn):
    rng = np.random.default_rng(7)
    x, y = synthetic_bars(256, rng)
    lua.require("torch").manualSeed(7)
    net = nn.Sequential()
    net.add(nn.SpatialConvolution(1, 8, 3, 3))
    net.add(nn.ReLU())
    net.add(nn.SpatialMaxPooling(2, 2))
    net.add(nn.SpatialConvolution(8, 16, 3, 3))
    net.add(nn.ReLU())
    net.add(nn.SpatialMaxPooling(2, 2))
    net.add(nn.View(16 * 2 * 2))
    net.add(nn.Linear(16 * 2 * 2, 4))
    net.add(nn.LogSoftMax())
    net.float()
    crit = nn.ClassNLLCriterion()
    params, grads = net.getParameters()
    assert params.type() == "torch.FloatTensor" and params.size(1) == grads.size(1)
    step = lua.execute(TRAIN_STEP)(net, crit, params, grads, {"learningRate": 0.1, "momentum": 0.9})
    losses = []
    for _epoch in range(15):
        order = rng.permutation(len(x))
        for start in range(0, len(x), 32):
            batch = order[start:start + 32]
            losses.append(step(x[batch], y[batch]))
    scores = net.forward(x).numpy()
    accuracy = float(np.mean(scores.argmax(axis=1) + 1 == y))
    assert losses[-1] < losses[0]
    assert accuracy >= 0.95, f"training accuracy {accuracy:.3f}"

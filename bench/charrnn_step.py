"""One char-rnn training step: our Lua runtime versus in-process PyTorch, same run.

    .venv/bin/python bench/charrnn_step.py [steps] [repeats]

The step is char-rnn's (2-layer LSTM, 128 units, batch 50, 50 time steps, vocabulary 65,
DoubleTensor): on our side an nngraph gModule cloned per time step, forward and backward
through time, ClassNLLCriterion, gradient clamp and optim.rmsprop (bench/charrnn_lua.lua);
on the other the same cell in PyTorch eager with autograd and torch.optim.RMSprop's
equivalent update. Each repeat runs the Lua side (a fresh process) then the Python side;
the ratio is the median over repeats of (median Lua step / median PyTorch step), in
process CPU time, one ATen thread on both sides.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
LAYERS, RNN, BATCH, SEQ, VOCAB = 2, 128, 50, 50, 65


def python_steps(steps: int) -> list[float]:
    torch.set_num_threads(1)
    torch.manual_seed(123)
    dt = torch.float64
    i2h = [torch.nn.Linear(VOCAB if layer == 0 else RNN, 4 * RNN).to(dt) for layer in range(LAYERS)]
    h2h = [torch.nn.Linear(RNN, 4 * RNN).to(dt) for _ in range(LAYERS)]
    out = torch.nn.Linear(RNN, VOCAB).to(dt)
    params = [p for m in (*i2h, *h2h, out) for p in m.parameters()]
    opt = torch.optim.RMSprop(params, lr=2e-3, alpha=0.95, eps=1e-8)
    xs = [torch.nn.functional.one_hot(torch.randint(VOCAB, (BATCH,)), VOCAB).to(dt) for _ in range(SEQ)]
    ys = [torch.randint(VOCAB, (BATCH,)) for _ in range(SEQ)]

    def step() -> None:
        opt.zero_grad()
        c = [torch.zeros(BATCH, RNN, dtype=dt) for _ in range(LAYERS)]
        h = [torch.zeros(BATCH, RNN, dtype=dt) for _ in range(LAYERS)]
        loss = 0.0
        for t in range(SEQ):
            x = xs[t]
            for layer in range(LAYERS):
                sums = (i2h[layer](x) + h2h[layer](h[layer])).view(BATCH, 4, RNN)
                in_gate, forget_gate = torch.sigmoid(sums[:, 0]), torch.sigmoid(sums[:, 1])
                out_gate, in_transform = torch.sigmoid(sums[:, 2]), torch.tanh(sums[:, 3])
                c[layer] = forget_gate * c[layer] + in_gate * in_transform
                h[layer] = out_gate * torch.tanh(c[layer])
                x = h[layer]
            logp = torch.log_softmax(out(x), dim=1)
            loss = loss + torch.nn.functional.nll_loss(logp, ys[t])
        loss.backward()
        for p in params:
            p.grad.clamp_(-5, 5)
        opt.step()

    step()
    times = []
    for _ in range(steps):
        t0 = time.process_time()
        step()
        times.append(time.process_time() - t0)
    return times


def lua_steps(steps: int) -> list[float]:
    proc = subprocess.run(
        [str(ROOT / "lua_server/bin/luajit-env"), str(ROOT / "bench/charrnn_lua.lua"), str(steps),
         str(LAYERS), str(RNN), str(BATCH), str(SEQ), str(VOCAB)],
        capture_output=True, text=True, env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})
    if proc.returncode != 0:
        raise RuntimeError(f"bench/charrnn_lua.lua exited with {proc.returncode}:\n{proc.stderr[-3000:]}")
    return [float(line) for line in proc.stdout.split()]


def main() -> None:
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    runs = [(statistics.median(lua_steps(steps)), statistics.median(python_steps(steps)))
            for _ in range(repeats)]
    lua_s = statistics.median(r[0] for r in runs)
    py_s = statistics.median(r[1] for r in runs)
    ratio = statistics.median(r[0] / r[1] for r in runs)
    print(f"char-rnn LSTM step ({LAYERS}x{RNN}, batch {BATCH}, seq {SEQ}), median of {repeats} "
          f"interleaved repeats x {steps} steps (CPU seconds)")
    print(f"luatorch {lua_s:.3f}s   pytorch {py_s:.3f}s   ratio {ratio:.2f}")


if __name__ == "__main__":
    main()

"""Per-op cost on small tensors: our Lua runtime versus Python torch eager, same run.

    .venv/bin/python bench/ops.py [iterations] [size] [repeats]

Each repeat runs the Lua side (a fresh LuaJIT process) and then the Python side, so load
from other processes hits both alike; a row's ratio is the median over repeats of
Lua time / PyTorch time (below 1 means we are cheaper). Times are process CPU time, both
sides single-threaded ATen. The last row fills 16M floats with uniform numbers (Torch7's
generator on our side, PyTorch's `uniform_` on the other).

Real Torch7 (TH calling C directly) measured 0.32-0.37x PyTorch eager on the small-tensor
rows on this machine, and 0.10 s for the 16M uniform fill: ratios at or below those
match or beat it.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
RNG_ELEMENTS = 16 * 1024 * 1024
TORCH7_RATIO = 0.35  # real Torch7 per-op cost / PyTorch eager, geo-mean measured here
TORCH7_UNIFORM_S = 0.10


def python_costs(n: int, size: int) -> dict[str, float]:
    torch.set_num_threads(1)
    a, b, c = (torch.rand(size, size, dtype=torch.float64) for _ in range(3))

    def write() -> None:
        a[1][2] = 0.5

    cases = {
        "add_inplace": lambda: a.add_(b),
        "add_new": lambda: a + b,
        "mul_scalar": lambda: a.mul_(1.0000001),
        "cmul": lambda: a.mul_(b),
        "mm": lambda: torch.mm(a, b, out=c),
        "addmm": lambda: c.addmm_(a, b),
        "sum": lambda: a.sum().item(),
        "sigmoid": lambda: torch.sigmoid(a, out=c),
        "narrow": lambda: a.narrow(0, 1, 3),
        "select": lambda: a.select(0, 1),
        "element_read": lambda: a[1][2].item(),
        "element_write": write,
        "clone": lambda: a.clone(),
        "copy": lambda: c.copy_(a),
        "size": lambda: a.size(0),
    }
    clock = time.process_time
    out = {}
    for name, f in cases.items():
        for _ in range(200):
            f()
        t0 = clock()
        for _ in range(n):
            f()
        out[name] = (clock() - t0) / n * 1e6
        a.uniform_()
        b.uniform_()
    r = torch.empty(RNG_ELEMENTS, dtype=torch.float32)
    r.uniform_()
    t0 = clock()
    r.uniform_()
    out["uniform_float"] = (clock() - t0) * 1e6
    return out


def lua_costs(n: int, size: int) -> dict[str, float]:
    proc = subprocess.run(
        [str(ROOT / "lua_server/bin/luajit-env"), str(ROOT / "bench/ops_lua.lua"), str(n), str(size),
         str(RNG_ELEMENTS)],
        capture_output=True, text=True, check=True, env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})
    return {name: float(us) for name, us in (line.split("\t") for line in proc.stdout.splitlines())}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    runs = [(lua_costs(n, size), python_costs(n, size)) for _ in range(repeats)]
    names = list(runs[0][0])
    print(f"per-op cost, {size}x{size} DoubleTensor, {n} iterations, median of {repeats} interleaved "
          f"repeats (CPU microseconds)")
    print(f"{'op':<15}{'luatorch':>11}{'pytorch':>11}{'ratio':>8}")
    small = []
    for name in names:
        lua_us = statistics.median(run[0][name] for run in runs)
        py_us = statistics.median(run[1][name] for run in runs)
        ratio = statistics.median(run[0][name] / run[1][name] for run in runs)
        if name == "uniform_float":
            print(f"{'uniform 16M f':<15}{lua_us / 1e6:>10.3f}s{py_us / 1e6:>10.3f}s{ratio:>8.2f}"
                  f"   (real Torch7: {TORCH7_UNIFORM_S:.2f} s)")
            continue
        small.append(ratio)
        flag = "" if ratio <= TORCH7_RATIO else "   above Torch7's"
        print(f"{name:<15}{lua_us:>11.2f}{py_us:>11.2f}{ratio:>8.2f}{flag}")
    geo = statistics.geometric_mean(small)
    print(f"geometric mean ratio (luatorch / pytorch), small ops: {geo:.2f}  "
          f"(real Torch7: 0.32-0.37)")


if __name__ == "__main__":
    main()

"""Per-op cost on small tensors: our Lua runtime versus Python torch eager, same run.

    .venv/bin/python bench/ops.py [iterations] [size]

Prints microseconds per op and the ratio (Lua / PyTorch; below 1 means we are cheaper).
Both sides run single-threaded ATen on the same machine, one after the other.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent


def python_costs(n: int, size: int) -> dict[str, float]:
    torch.set_num_threads(1)
    a, b, c = (torch.rand(size, size, dtype=torch.float64) for _ in range(3))
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
        "element_read": lambda: a[1][2].item(),
        "clone": lambda: a.clone(),
        "copy": lambda: c.copy_(a),
        "size": lambda: a.size(0),
    }
    out = {}
    for name, f in cases.items():
        for _ in range(200):
            f()
        t0 = time.perf_counter()
        for _ in range(n):
            f()
        out[name] = (time.perf_counter() - t0) / n * 1e6
        a.uniform_()
        b.uniform_()
    return out


def lua_costs(n: int, size: int) -> dict[str, float]:
    proc = subprocess.run(
        [str(ROOT / "lua_server/bin/luajit-env"), str(ROOT / "bench/ops_lua.lua"), str(n), str(size)],
        capture_output=True, text=True, check=True, env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})
    return {name: float(us) for name, us in (line.split("\t") for line in proc.stdout.splitlines())}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    lua = lua_costs(n, size)
    py = python_costs(n, size)
    print(f"per-op cost, {size}x{size} DoubleTensor, {n} iterations (microseconds)")
    print(f"{'op':<14}{'luatorch':>10}{'pytorch':>10}{'ratio':>8}")
    ratios = []
    for name, us in lua.items():
        ratio = us / py[name]
        ratios.append(ratio)
        print(f"{name:<14}{us:>10.2f}{py[name]:>10.2f}{ratio:>8.2f}")
    geo = 1.0
    for r in ratios:
        geo *= r
    print(f"geometric mean ratio (luatorch / pytorch): {geo ** (1 / len(ratios)):.2f}")


if __name__ == "__main__":
    main()

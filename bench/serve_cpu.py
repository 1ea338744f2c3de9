"""The server's own CPU per request (issue 10), this checkout against a base revision.

    .venv/bin/python bench/serve_cpu.py [requests] [rounds] [--base GIT_REV]

Runs bench/serve_cpu_lua.lua with this checkout's runtime and, with --base, with that
revision's (its lua_server extracted to a temporary folder, sharing this checkout's ATen shim
build), in interleaved rounds: typical requests as the client encodes them go through
serve.answer in process, so the row is the server's CPU per request without the client,
sockets or ZeroMQ's threads, far steadier on a busy machine than a round trip. Each cell is
the median over rounds (of each run's fastest repeat), in microseconds per request.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from revisions import extract, pop_base  # noqa: E402

SCRIPT = ROOT / "bench/serve_cpu_lua.lua"


def run(tree: Path, requests: int) -> dict[str, float]:
    out = subprocess.run([str(tree / "lua_server/bin/th"), str(SCRIPT), str(requests), "3"],
                         check=True, capture_output=True, text=True).stdout
    return {name: float(us) for name, us in (line.split("\t") for line in out.splitlines())}


def main() -> None:
    args = sys.argv[1:]
    base_rev = pop_base(args)
    requests = int(args[0]) if args else 10000
    rounds = int(args[1]) if len(args) > 1 else 5
    with tempfile.TemporaryDirectory(prefix="luatorch-bench-") as directory:
        trees = {"this checkout": ROOT}
        if base_rev:
            trees[f"base {base_rev}"] = extract(base_rev, directory)
        samples: dict[str, dict[str, list[float]]] = {name: {} for name in trees}
        for _ in range(rounds):
            for name, tree in trees.items():
                for case, us in run(tree, requests).items():
                    samples[name].setdefault(case, []).append(us)
    print(f"server CPU per request, in process (us; medians of {rounds} interleaved rounds)")
    columns = list(trees)
    print(f"{'request':<22}" + "".join(f"{c:>22}" for c in columns) + ("   ratio" if base_rev else ""))
    for case in samples[columns[0]]:
        meds = [statistics.median(samples[c][case]) for c in columns]
        row = f"{case:<22}" + "".join(f"{m:>22.2f}" for m in meds)
        if base_rev:
            row += f"   {meds[0] / meds[1]:.2f}x"
        print(row)


if __name__ == "__main__":
    main()

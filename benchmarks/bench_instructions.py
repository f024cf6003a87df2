"""The M/M/c ratio in machine instructions: a figure a shared machine's load cannot move.

Counts, with valgrind's callgrind, the instructions one replication of the M/M/c
reduction takes through township-sim's real code path (build, simulation, records,
metrics; as ``bench_engine.py`` part 1) and a textbook SimPy M/M/c (one process per
customer, ``simpy.Resource``), each in a fresh interpreter with counting switched on
only around that replication, and prints instructions per customer and their ratio.
Instructions are not seconds — a cache miss or a branch costs more than an addition —
but the same build, input and interpreter give the same count whatever else the
machine does, so before/after comparisons of the engine do not drown in noise.

    python benchmarks/bench_instructions.py [--customers 20000]

Needs valgrind (Debian's package); TSIM_PURE_PYTHON=1 counts the pure-Python modules.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve()


def _switch(on: bool) -> None:
    """Turn callgrind's counting on or off for this process."""
    flag = "on" if on else "off"
    subprocess.run(["callgrind_control", "-i", flag, str(os.getpid())], capture_output=True)


def child(which: str, customers: int) -> None:
    """Run one side (after a short warm-up run) with counting on around it."""
    sys.path.insert(0, str(HERE.parent))
    import bench_engine as b

    if which == "simpy":
        b.idiomatic_simpy(4.0, 1.0, 5, 2_000, seed=0)
        _switch(True)
        b.idiomatic_simpy(4.0, 1.0, 5, customers, seed=1)
        _switch(False)
        return
    s = b.mmc_scenario(4.0, 1.0, 5, customers)
    b.tsim_mmc(b.mmc_scenario(4.0, 1.0, 5, 2_000), 0)
    _switch(True)
    items, _ = b.tsim_mmc(s, 1)
    _switch(False)
    print(f"items {items}", file=sys.stderr)


def count(which: str, customers: int) -> tuple[int, int]:
    """(instructions, customers) of one side, in a fresh interpreter under callgrind."""
    done = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            str(HERE),
            "--child",
            which,
            "--customers",
            str(customers),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    collected = re.search(r"Collected : (\d+)", done.stderr)
    items = re.search(r"^items (\d+)", done.stderr, re.MULTILINE)
    if collected is None:
        raise SystemExit(f"callgrind reported no count:\n{done.stderr[-2000:]}")
    return int(collected.group(1)), int(items.group(1)) if items else customers


def main() -> None:
    """Count both sides and print instructions per customer and the ratio."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=20_000)
    ap.add_argument("--child", choices=("ours", "simpy"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(a.child, a.customers)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("bench_instructions: valgrind not found (Debian's package valgrind)")
    sides = {which: count(which, a.customers) for which in ("ours", "simpy")}
    per = {which: n / items for which, (n, items) in sides.items()}
    pure = " (TSIM_PURE_PYTHON: pure Python)" if os.environ.get("TSIM_PURE_PYTHON") else ""
    print(f"M/M/c λ=4/h μ=1/h c=5, about {a.customers:,} customers, callgrind instructions{pure}:")
    print(f"   township-sim (build, simulation, records, metrics): {per['ours']:9,.0f} a customer")
    print(f"   idiomatic SimPy (process + Resource):               {per['simpy']:9,.0f} a customer")
    print(f"   ratio: {per['simpy'] / per['ours']:.2f}x fewer instructions")


if __name__ == "__main__":
    main()

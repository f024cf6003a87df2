"""Start-up benchmark: how long each command takes to print its help or refuse bad input.

Runs each command as a user does, a fresh interpreter each time (``python -m …`` from
a scratch directory, importing this checkout's ``sim``), ``--repeat`` times, alternating
the cases, and prints per case the median wall time and the median CPU time (user +
system, less sensitive to other load) with the load average before and after: on a
shared machine the wall time says as much about the neighbours as about the command.

    python benchmarks/bench_startup.py [--repeat 5] [--command tsim-plan …]

Nothing is written: every case is answered before a run directory would be made.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CASES: dict[str, tuple[str, list[list[str]]]] = {  # command → module, argument lists
    "tsim": ("sim", [["--help"], ["--bogus"], ["run.replications=-1"]]),
    "tsim-report": ("sim.cli.report", [["--help"], ["--bogus", "x"]]),
    "tsim-plan": ("sim.cli.plan", [["--help"], ["plan=nosuch"]]),
    "tsim-size": ("sim.cli.size", [["--help"], ["--bogus"], ["run.replications=-1"]]),
    "tsim-calibrate": ("sim.cli.calibrate", [["--help"], []]),
    "tsim-sensitivity": ("sim.cli.sensitivity", [["--help"], ["--kpi", "county.nosuch"]]),
    "tsim-select": ("sim.cli.select", [["--help"], ["--bogus"]]),
}


def timed(module: str, argv: list[str], cwd: str) -> tuple[float, float, int]:
    """Wall and CPU seconds of one ``python -m module argv``, and its exit status."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", module, *argv],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs of each case (median)")
    ap.add_argument("--command", nargs="+", choices=list(CASES), help="only these commands")
    args = ap.parse_args()
    chosen = {c: CASES[c] for c in args.command or CASES}
    cases = [(c, m, argv) for c, (m, lists) in chosen.items() for argv in lists]
    walls: dict[int, list[float]] = {i: [] for i in range(len(cases))}
    cpus: dict[int, list[float]] = {i: [] for i in range(len(cases))}
    statuses: dict[int, int] = {}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as scratch:
        for _ in range(args.repeat):  # alternating: a burst of load hits every case alike
            for i, (_, module, argv) in enumerate(cases):
                wall, cpu, statuses[i] = timed(module, argv, scratch)
                walls[i].append(wall)
                cpus[i].append(cpu)
    load_after = os.getloadavg()
    print(f"start-up, median of {args.repeat} runs ({time.strftime('%Y-%m-%d %H:%M %Z')})")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    print(f"{'command':34} {'exit':>4} {'wall s':>7} {'cpu s':>6}")
    for i, (command, _, argv) in enumerate(cases):
        label = f"{command} {' '.join(argv)}".strip()
        wall, cpu = statistics.median(walls[i]), statistics.median(cpus[i])
        print(f"{label:34} {statuses[i]:>4} {wall:>7.2f} {cpu:>6.2f}")


if __name__ == "__main__":
    main()

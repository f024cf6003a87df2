"""Start-up benchmark: how long each command takes to print its help or refuse bad input.

Runs each command as a user does, a fresh interpreter each time (``python -m …`` from
a scratch directory, importing this checkout's ``sim``), ``--repeat`` times, alternating
the cases, and prints per case the median wall time and the median CPU time (user +
system, less sensitive to other load) with the load average before and after: on a
shared machine the wall time says as much about the neighbours as about the command.

    python benchmarks/bench_startup.py [--repeat 5] [--command tsim-plan …]
        [--root OTHER_CHECKOUT --root .]   # before and after, alternating, one session

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


def timed(root: Path, module: str, argv: list[str], cwd: str) -> tuple[float, float, int]:
    """Wall and CPU seconds of one ``python -m module argv`` importing the ``sim`` of
    the checkout ``root``, and its exit status.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", module, *argv],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(root)},
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
    ap.add_argument(
        "--root",
        type=Path,
        action="append",
        help="checkout whose sim to time (repeat it to compare; default: this one)",
    )
    args = ap.parse_args()
    roots = [r.resolve() for r in args.root or [ROOT]]
    chosen = {c: CASES[c] for c in args.command or CASES}
    cases = [(c, m, argv) for c, (m, lists) in chosen.items() for argv in lists]
    runs = [(root, case) for case in range(len(cases)) for root in range(len(roots))]
    walls: dict[tuple[int, int], list[float]] = {run: [] for run in runs}
    cpus: dict[tuple[int, int], list[float]] = {run: [] for run in runs}
    statuses: dict[tuple[int, int], int] = {}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as scratch:
        for _ in range(args.repeat):  # alternating: a burst of load hits every case alike
            for root, case in runs:
                _, module, argv = cases[case]
                wall, cpu, statuses[root, case] = timed(roots[root], module, argv, scratch)
                walls[root, case].append(wall)
                cpus[root, case].append(cpu)
    load_after = os.getloadavg()
    print(f"start-up, median of {args.repeat} runs ({time.strftime('%Y-%m-%d %H:%M %Z')})")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    for n, root in enumerate(roots):
        print(f"[{n}] {root}")
    heads = "".join(f" {f'[{n}] exit':>8} {'wall s':>7} {'cpu s':>6}" for n in range(len(roots)))
    print(f"{'command':40}{heads}")
    for case, (command, _, argv) in enumerate(cases):
        cells = "".join(
            f" {statuses[root, case]:>8} {statistics.median(walls[root, case]):>7.2f}"
            f" {statistics.median(cpus[root, case]):>6.2f}"
            for root in range(len(roots))
        )
        label = " ".join([command, *argv])
        print(f"{label:40}{cells}")


if __name__ == "__main__":
    main()

"""``tsim-report PATH… [--baseline NAME] [--out DIR] [--drivers] [--township ID]``: compare runs.

Writes what :func:`sim.report.compare.report` writes, then prints the comparison table,
the failed jobs and where the report and the backlog figure are; with ``--drivers`` also
the table of ``experiments/baseline_drivers`` (:mod:`sim.report.drivers`). With
``--township ID`` it writes one township's view instead (:mod:`sim.report.township`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from sim.cli.common import OneLineParser, plain, run_cli
from sim.report.jobs import Job, job_dirs, load
from sim.report.options import BASELINE_DEFAULT, DRIVERS_FILE, KPIS, REPORTS_DIR


def main(argv: list[str] | None = None) -> int:
    """``tsim-report`` on the command line."""
    return run_cli("tsim-report", _report, argv)


def _report(argv: list[str]) -> int:
    ap = OneLineParser(prog="tsim-report", description=plain(__doc__.splitlines()[0]))
    ap.add_argument("paths", nargs="+", type=Path, help="run or sweep directories")
    ap.add_argument(
        "--out",
        type=Path,
        help="directory to write into (default: the PATH when one is given, else a new "
        f"directory under {REPORTS_DIR}/)",
    )
    ap.add_argument(
        "--baseline",
        help=f"job to compare against (default: {BASELINE_DEFAULT}, else the first job)",
    )
    ap.add_argument(
        "--kpi",
        nargs="+",
        metavar="NAME",
        help="metrics to show in the figures and tables, e.g. county.services.backlog_mean "
        f"(default: the {len(KPIS)} headline KPIs)",
    )
    ap.add_argument(
        "--drivers",
        action="store_true",
        help=f"also write {DRIVERS_FILE}: each disruption of pre_reform switched off, alone "
        "and combined, against pre_reform (a sweep of experiments/baseline_drivers)",
    )
    ap.add_argument(
        "--township",
        metavar="ID",
        help="write only this township's view (its tables, and its backlog over time "
        "with dates) into PATH/township_ID/ (or --out)",
    )
    args = ap.parse_args(argv)
    try:  # a wrong PATH is one line before pandas and matplotlib load
        job_dirs(args.paths)
    except (FileNotFoundError, ValueError) as err:
        print(f"tsim-report: {err}", file=sys.stderr)
        return 2
    if args.township:
        return _township(args)
    from sim.report import drivers
    from sim.report.compare import NothingToReport, report
    from sim.report.console import console_table

    try:
        done = report(args.paths, args.out, args.baseline, args.kpi)
        table = drivers.write(done["jobs"], done["out"]) if args.drivers else None
    except NothingToReport as err:
        _print_problems(load(args.paths))
        print(f"tsim-report: {err}", file=sys.stderr)
        return 1
    except (FileNotFoundError, ValueError) as err:
        print(f"tsim-report: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # a read-only or full destination
        where = err.filename or args.out or args.paths[0]
        print(
            f"tsim-report: cannot write the report into {where} ({err.strerror or err}); "
            "give --out DIR",
            file=sys.stderr,
        )
        return 2
    jobs = done["jobs"]
    print(console_table(jobs, done["kpis"]))
    _print_problems(jobs)
    out = done["out"]
    if table:
        print(f"\n{table[1]}")
        print(f"drivers table: {table[0]}")
    print(
        f"report: {out / 'report.md'} (to mail: {out / 'report.html'})   "
        f"comparison: {out / 'comparison.csv'}"
    )
    backlog = out / "backlog_over_time.png"
    if backlog.is_file():
        print(f"backlog figure: {backlog}")
    return 0


def _township(args: Any) -> int:
    """``--township ID``: one township's view."""
    from sim.report import township
    from sim.report.compare import pick_baseline

    jobs = load(args.paths)
    if not any(j.ok for j in jobs):
        _print_problems(jobs)
        print(
            f"tsim-report: no finished job under {' '.join(map(str, args.paths))}", file=sys.stderr
        )
        return 1
    out = args.out or args.paths[0] / f"township_{args.township}"
    try:
        base = pick_baseline(jobs, args.baseline)
        done = township.township_report(jobs, args.township, out, base)
    except ValueError as err:
        print(f"tsim-report: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(
            f"tsim-report: cannot write into {err.filename or out} ({err.strerror or err})",
            file=sys.stderr,
        )
        return 2
    print(done["text"])
    print(f"\nreport: {out / 'report.md'}   comparison: {out / 'comparison.csv'}")
    if done["figure"] is not None:
        print(f"backlog figure: {done['figure']}")
    return 0


def _print_problems(jobs: list[Job]) -> None:
    for j in jobs:
        if j.stale:
            print(f"STALE {j.dir}: {j.stale} (not reported)")
        elif not j.ok:
            print(f"FAILED {j.name} ({j.dir}): {(j.error or {}).get('exception')}")


if __name__ == "__main__":
    sys.exit(main())

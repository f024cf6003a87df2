"""``tsim-select SWEEP --kpi NAME --delta D``: which policy of a sweep is best.

Runs the Kim–Nelson fully sequential procedure over the sweep's finished jobs: it starts
from ``--n0`` replications of each (the stored ones, simulating any missing), adds one
replication at a time to the policies still in play and drops the clearly worse, until
one is left. The selected policy is, with probability at least ``--pcs``, the best or
within ``--delta`` (the KPI's own units) of it. Replications it adds are simulated from
each job's own configuration under the same seeds (common random numbers) and kept in
``SWEEP/selection/``; the verdict goes to ``SWEEP/selection/<kpi>.md`` and ``.json``.
Which way is better comes from the metric glossary (``--larger`` overrides it).
"""

from __future__ import annotations

import sys
from pathlib import Path

from sim.cli.common import OneLineParser, plain, run_cli
from sim.report.jobs import job_dirs, load


def main(argv: list[str] | None = None) -> int:
    """``tsim-select`` on the command line."""
    return run_cli("tsim-select", _select, argv)


def _select(argv: list[str]) -> int:
    ap = OneLineParser(prog="tsim-select", description=plain(__doc__.splitlines()[0]))
    ap.add_argument("sweep", type=Path, help="a sweep (or run) directory")
    # --kpi and --delta are checked after parsing, so that an unknown flag is named
    # first (argparse reports missing required options before unknown ones).
    ap.add_argument("--kpi", help="required, e.g. county.services.wait_mean_h")
    ap.add_argument("--delta", type=float, help="required: indifference zone, in the KPI's units")
    ap.add_argument("--pcs", type=float, default=0.95, help="probability of correct selection")
    ap.add_argument("--n0", type=int, default=10, help="first-stage replications (≥ 2)")
    ap.add_argument(
        "--max-replications", type=int, default=100, help="replications one policy may use"
    )
    ap.add_argument("--larger", action="store_true", help="larger is better (default: glossary)")
    args = ap.parse_args(argv)
    missing = [f for f, v in (("--kpi", args.kpi), ("--delta", args.delta)) if v is None]
    if missing:
        print(
            f"tsim-select: {' and '.join(missing)} required (tsim-select --help)", file=sys.stderr
        )
        return 2
    try:  # a wrong SWEEP is one line before pandas and SimPy load
        job_dirs([args.sweep])
    except (FileNotFoundError, ValueError) as err:
        print(f"tsim-select: {err}", file=sys.stderr)
        return 2
    from sim.analysis.selection import SelectionRule
    from sim.select.contenders import contenders
    from sim.select.verdict import direction, lines, select, write

    try:
        field = contenders(load([args.sweep]), args.sweep, args.kpi)
        larger = args.larger or direction(args.kpi)
        rule = SelectionRule(args.delta, args.pcs, args.n0, args.max_replications, larger)
    except (FileNotFoundError, ValueError) as err:
        print(f"tsim-select: {err}", file=sys.stderr)
        return 2
    if len(field) < 2:
        print(
            f"tsim-select: {args.sweep}: {len(field)} finished job(s); selection needs 2",
            file=sys.stderr,
        )
        return 2
    verdict = select(field, args.kpi, rule)  # a job it cannot extend: ConfigError, one line
    md = write(verdict, args.sweep)
    print("\n".join(lines(verdict)[2:]))
    print(f"verdict: {md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

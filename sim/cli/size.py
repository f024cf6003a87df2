"""``tsim-size``: offered load and Erlang C staff needed per township and centre (no simulation)."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from sim.cli.common import OneLineParser, compose_scenario, run_cli
from sim.config import ConfigError
from sim.plan.sizing import (
    COUNTY_ENFORCEMENT,
    DEPARTMENTS,
    size,
    table,
    township_centres,
    write_csv,
)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = OneLineParser(
        prog="tsim-size",
        description="Offered load and Erlang C staff needed per township and centre "
        "(analytic; no simulation). Any tsim override selects the scenario.",
    )
    p.add_argument("overrides", nargs="*", help="tsim overrides, e.g. county=wuchuan")
    p.add_argument("--wait-h", type=float, default=1.0, help="wait target, working hours")
    p.add_argument(
        "--wait",
        action="append",
        default=[],
        metavar="CENTRE=H",
        help="wait target of one centre (service, enforcement, general, grid, "
        "departments, county_enforcement)",
    )
    p.add_argument("--out", type=Path, default=Path("results/sizing.csv"), help="CSV file")
    p.add_argument(
        "--check",
        action="store_true",
        help="also simulate the scenario briefly and print analytic and simulated waits",
    )
    p.add_argument(
        "--check-days", type=float, default=100.0, help="working days simulated after warm-up"
    )
    p.add_argument("--check-replications", type=int, default=2, help="replications simulated")
    return p.parse_intermixed_args(argv)  # overrides after --out too


def _targets(args: argparse.Namespace) -> dict[str, float]:
    centres = [*township_centres(), DEPARTMENTS, COUNTY_ENFORCEMENT]
    targets = dict.fromkeys(centres, args.wait_h)
    for item in args.wait:
        name, _, value = item.partition("=")
        if name not in centres:
            raise ConfigError(f"--wait {item}: centre must be one of {', '.join(centres)}")
        try:
            targets[name] = float(value)
        except ValueError:
            raise ConfigError(f"--wait {item}: the target must be a number of hours") from None
    for name, value in targets.items():
        if not (value > 0 and math.isfinite(value)):
            raise ConfigError(f"wait target of {name} = {value:g}: must be a number > 0")
    return targets


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``tsim-size``."""
    return run_cli("tsim-size", _size, argv)


def _size(argv: list[str]) -> int:
    args = _parse(argv)
    targets = _targets(args)
    scenario = compose_scenario(args.overrides)
    rows = size(scenario, targets)
    print(table(rows))
    write_csv(rows, args.out)
    print(f"sizing: {args.out}")
    if args.check:
        if not (args.check_days > 0 and args.check_replications >= 1):
            raise ConfigError("--check-days must be > 0 and --check-replications ≥ 1")
        from sim.plan import check  # pandas and SimPy: only to simulate

        metrics = check.simulate(scenario, args.check_days, args.check_replications)
        print(check.table(check.compare(rows, metrics)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

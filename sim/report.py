"""``tsim-report``: read finished run directories and print their summary tables."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import results
from .table import scope_table


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="tsim-report", description=__doc__)
    ap.add_argument("paths", nargs="+", type=Path, help="run directories")
    ap.add_argument("--scope", default="county", help="county or a township id")
    args = ap.parse_args(argv)
    for path in args.paths:
        if not results.is_complete(path):
            print(f"tsim-report: {path}: no summary.json — not a finished run", file=sys.stderr)
            return 2
        print(f"{path} ({args.scope}):")
        print(scope_table(results.read_summary(path)["metrics"], args.scope))
    return 0


if __name__ == "__main__":
    sys.exit(main())

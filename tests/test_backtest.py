"""Back-test: a small run reproduces the result stored when it was last checked.

The stored file is the simulator's own past output, so this test says nothing about
correctness (the theory tests do); it catches *unintended* change. A deliberate change
of behaviour regenerates the file — ``python -m tests.test_backtest`` — and names the
metrics that moved, and why, in the commit message and CHANGELOG.md.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from sim.run import engine

from .conftest import scenario

STORED = Path(__file__).parent / "data" / "backtest_small.json"
CASE = (
    "county=small",
    "policy=reform_2019",
    "run.replications=2",
    "run.horizon_days=40",
    "run.warmup_days=5",
    "run.timeseries=false",
)


def current() -> dict[str, list[float]]:
    t = engine.run(scenario(*CASE)).replications.drop(columns="replication")
    return {name: [None if math.isnan(v) else v for v in t[name]] for name in t.columns}


def test_small_run_matches_the_stored_result():
    stored = json.loads(STORED.read_text())
    now = current()
    assert sorted(now) == sorted(stored["metrics"]), "metric names changed"
    moved = [
        name
        for name, values in now.items()
        if any(
            (a is None) != (b is None)
            or (a is not None and not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9))
            for a, b in zip(values, stored["metrics"][name], strict=True)
        )
    ]
    assert moved == [], f"{len(moved)} metrics moved, e.g. {moved[:5]}"


if __name__ == "__main__":
    STORED.write_text(json.dumps({"case": list(CASE), "metrics": current()}, indent=0))
    print(f"wrote {STORED}", file=sys.stderr)

"""Issue 8's acceptance check: each reform lever alone against ``pre_reform``, paired.

Paired by replication (common random numbers), on a county's headline KPIs and on every
township's service wait under ``one_window``. Too slow for the suite; run it by hand::

    python -m tests.lever_check                      # Wuchuan, 10 replications
    python -m tests.lever_check --county yishui --replications 8 --seed 7

A line marked WORSE is a paired 95% CI above zero (a KPI where lower is better).
"""

from __future__ import annotations

import argparse

from sim.analysis.stats import paired_difference
from sim.run import engine

from .conftest import scenario

LEVERS = ("rebalancing", "one_window", "flexible_staff", "integrated_enforcement")
HEADLINE = (
    "county.services.wait_mean_h",
    "county.enforcement.lead_time_mean_h",
    "county.delegated.overdue_share",
)


def line(label: str, treatment, baseline) -> str:
    d = paired_difference(treatment, baseline)
    flag = "WORSE" if d["ci_low"] > 0 else ("better" if d["ci_high"] < 0 else "")
    return f"{label:58s} {d['mean']:+9.3f} [{d['ci_low']:+.3f}, {d['ci_high']:+.3f}] {flag}"


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--county", default="wuchuan")
    ap.add_argument("--replications", type=int, default=10)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--levers", default=",".join(LEVERS))
    a = ap.parse_args()
    run = [f"county={a.county}", f"run.replications={a.replications}", "run.timeseries=false"]
    if a.seed is not None:
        run.append(f"run.seed={a.seed}")
    base = engine.run(scenario("policy=pre_reform", *run)).replications
    waits = [c for c in base.columns if c.endswith(".services.wait_mean_h") and c[:7] != "county."]
    for lever in a.levers.split(","):
        t = engine.run(scenario(f"policy={lever}", *run)).replications
        for m in HEADLINE:
            print(line(f"{lever} {m}", t[m], base[m]))
        if lever == "one_window":
            for m in waits:
                print(line(f"  {m}", t[m], base[m]))


if __name__ == "__main__":
    main()

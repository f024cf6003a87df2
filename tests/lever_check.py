"""Each reform lever alone against ``pre_reform``: its gains and its costs, paired.

Every wait, lead time, overdue and answer metric of every stream and of the county's
side (:data:`MEASURES`, matched against the metric names, so a metric added later is
reported too), county-wide and per township, is compared paired by replication (common
random numbers) against ``pre_reform``. Each row's p-value is the paired t statistic's;
over all the rows of one lever they are corrected by Benjamini–Hochberg
(:func:`sim.analysis.stats.benjamini_hochberg` says why this correction), and a row whose
adjusted p (``q``) is at most :data:`FDR` is marked ``better`` or ``WORSE`` by the
glossary's better direction of the metric. Every county-wide row is printed; township
rows only when marked (``--all`` prints them all). Too slow for the suite; run it by
hand::

    python -m tests.lever_check                      # Wuchuan, 10 replications
    python -m tests.lever_check --county yishui --replications 8 --seed 7

A lever that stations more county officers than the county's pool
(``county.enforcement_officers``) holds — ``stationed_tengzhou`` on the presets'
counties — is compared on the same county with the pool enlarged by what it stations,
in both runs (its own ``pre_reform`` baseline): the officers left at the county are
then the configured pool, as under every other lever.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis import glossary
from sim.analysis.stats import benjamini_hochberg, paired_difference, paired_p_value
from sim.config.townships import township_ids
from sim.run import engine

from .conftest import scenario

LEVERS = (
    "rebalancing",
    "one_window",
    "village_proxy",
    "flexible_staff",
    "integrated_enforcement",
    "stationed_officers",
    "stationed_tengzhou",
)
MEASURES = re.compile(r"wait|lead_time|overdue|response|answer|on_time|in_limit")
"""A metric is reported when the last part of its name matches (``wait_mean_h``,
``lead_time_p90_h``, ``overdue_share``, ``response_mean_h``, ``answered_in_limit_share``
…) and the glossary says which way is better."""
FDR = 0.05
"""The false discovery rate at which a row is marked."""


@dataclass(frozen=True)
class Row:
    """One metric of one lever against its baseline."""

    metric: str
    base_mean: float
    diff: dict
    p: float
    q: float

    @property
    def flag(self) -> str:
        """``better``/``WORSE`` when significant after correction, else empty."""
        if not self.q <= FDR:
            return ""
        lower = glossary.better(self.metric) == "lower"
        return "better" if (self.diff["mean"] < 0) == lower else "WORSE"

    def line(self) -> str:
        """The row as printed: baseline mean, change [95% CI], relative change, p, q."""
        d, base = self.diff, self.base_mean
        rel = f"{d['mean'] / base:+7.0%}" if base else "      —"
        return (
            f"  {self.metric:48s} {base:10.4g} {d['mean']:+10.4g} "
            f"[{d['ci_low']:+.4g}, {d['ci_high']:+.4g}] {rel} "
            f"p={self.p:.2g} q={self.q:.2g} {self.flag}"
        )


def measured(columns: pd.Index) -> list[str]:
    """The wait, lead time, overdue and answer metrics among a run's columns."""
    return [
        c
        for c in columns
        if MEASURES.search(c.rsplit(".", 1)[-1]) and glossary.better(c) is not None
    ]


def rows(treatment: pd.DataFrame, baseline: pd.DataFrame) -> list[Row]:
    """Every measured metric of the treatment against its baseline, BH-corrected."""
    metrics = measured(baseline.columns)
    ps = [paired_p_value(treatment[m], baseline[m]) for m in metrics]
    qs = benjamini_hochberg(ps)
    return [
        Row(m, float(np.nanmean(baseline[m])), paired_difference(treatment[m], baseline[m]), p, q)
        for m, p, q in zip(metrics, ps, qs, strict=True)
    ]


def pool_overrides(lever: str, run: list[str]) -> list[str]:
    """``county.enforcement_officers`` enlarged by what the lever stations and holds on
    call, when the configured pool cannot supply them (else nothing).
    """
    roomy = scenario(f"policy={lever}", *run, "county.enforcement_officers=100000")
    pool = scenario("policy=pre_reform", *run).county.enforcement_officers
    e = roomy.policy.enforcement
    wanted = e.stationed_officers * len(township_ids(roomy)) + e.on_call_officers
    return [f"county.enforcement_officers={pool + wanted}"] if wanted > pool else []


def report(lever: str, treatment: pd.DataFrame, baseline: pd.DataFrame, everything: bool) -> None:
    """Print one lever's rows and a count of its gains and costs."""
    found = rows(treatment, baseline)
    marked = [r for r in found if r.flag]
    print(
        f"{lever}: {sum(r.flag == 'better' for r in found)} better, "
        f"{sum(r.flag == 'WORSE' for r in found)} WORSE of {len(found)} metrics "
        f"(BH q ≤ {FDR})"
    )
    for r in found:
        if everything or r.metric.startswith("county.") or r in marked:
            print(r.line())


def main() -> None:
    """Run the baseline and each lever, and print their paired comparisons."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--county", default="wuchuan")
    ap.add_argument("--replications", type=int, default=10)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--levers", default=",".join(LEVERS))
    ap.add_argument("--all", action="store_true", help="print every township row too")
    a = ap.parse_args()
    run = [f"county={a.county}", f"run.replications={a.replications}", "run.timeseries=false"]
    if a.seed is not None:
        run.append(f"run.seed={a.seed}")
    print(f"county={a.county} replications={a.replications} seed={a.seed or 'default'}")
    print(f"  {'metric':48s} {'baseline':>10s} {'change':>10s} [95% CI] relative p q")
    bases: dict[tuple[str, ...], pd.DataFrame] = {}
    for lever in a.levers.split(","):
        extra = tuple(pool_overrides(lever, run))
        if extra not in bases:
            bases[extra] = engine.run(scenario("policy=pre_reform", *run, *extra)).replications
        if extra:
            print(f"(both runs with {' '.join(extra)})")
        t = engine.run(scenario(f"policy={lever}", *run, *extra)).replications
        report(lever, t, bases[extra], a.all)


if __name__ == "__main__":
    main()

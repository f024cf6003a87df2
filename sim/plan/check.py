"""``tsim-size --check``: the analytic waits beside a short simulation of the same scenario.

Each sizing row is set beside the simulated mean wait of the streams its centre serves
(``<township>.<stream>.wait_mean_h``; the county's rows beside its own queues,
``county.own_work`` and ``county.enforcement_work``). The two measure slightly different
things — the row is a visit's wait, the simulation an item's wait for its first step —
so they agree within a factor, not exactly. A row is judged only where both sides are
finite and the simulated backlog is flat; otherwise the verdict gives the reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sim.analysis.county_queues import COUNTY_QUEUES
from sim.config import Scenario
from sim.core import registry
from sim.plan.reasons import reasons
from sim.plan.sizing import COUNTY, CentreSizing
from sim.run.engine import run
from sim.run.results import summarise

AGREE_FACTOR = 2.0
"""Analytic and simulated waits agree when neither is more than this times the other."""
NEGLIGIBLE_H = 0.05
"""Waits both under this many hours (3 minutes) agree, whatever their ratio."""
UNKNOWN = "reason unknown"
"""What an off row says when no named reason (:mod:`sim.plan.reasons`) applies."""
GROWTH_SHARE = 0.001
"""A backlog growing by less than this share of its mean a working day counts as flat
(the report's rule, :data:`sim.report.outputs.MATERIAL_GROWTH`)."""


@dataclass(frozen=True)
class CheckRow:
    """One sizing row beside its simulated wait."""

    row: CentreSizing
    simulated_h: float  # NaN when no stream of the centre was measured
    verdict: str


def queue_ids(row: CentreSizing) -> list[str]:
    """The metric prefixes (``<scope>.<id>``) of the queues a row's centre serves."""
    if row.scope == COUNTY:
        return [f"{COUNTY}.{q.id}" for q in COUNTY_QUEUES if q.pool == row.centre]
    return [f"{row.scope}.{spec.id}" for spec in registry.streams() if spec.centre == row.centre]


def grows(metrics: Mapping[str, Any], prefix: str) -> bool:
    """The queue's backlog grows: growth CI above 0 (or, with one replication, growth
    above 0) and material against the mean backlog.
    """
    growth = metrics.get(f"{prefix}.backlog_growth_per_day") or {}
    mean = growth.get("mean")
    if mean is None or not math.isfinite(mean) or mean <= 0:
        return False
    low = growth.get("ci_low")
    if low is not None and low <= 0:
        return False
    size = (metrics.get(f"{prefix}.backlog_mean") or {}).get("mean") or 0.0
    return mean >= GROWTH_SHARE * size


def verdict(analytic_h: float, simulated_h: float, unstable: bool) -> str:
    """Whether the two waits agree, or why the row is not judged."""
    if unstable:
        return "unstable in simulation"
    if math.isnan(simulated_h):
        return "not measured"
    if math.isinf(analytic_h):
        return "overloaded analytically"
    if max(analytic_h, simulated_h) < NEGLIGIBLE_H:
        return "agree"
    if min(analytic_h, simulated_h) <= 0:
        return f"off: beyond x{AGREE_FACTOR:g}"
    ratio = max(analytic_h, simulated_h) / min(analytic_h, simulated_h)
    return "agree" if ratio <= AGREE_FACTOR else f"off: x{ratio:.2g}"


def compare(rows: Sequence[CentreSizing], metrics: Mapping[str, Any]) -> list[CheckRow]:
    """Every row with offered load beside its simulated wait (``metrics``: a run's
    summary, :func:`sim.run.results.summarise`).
    """
    out = []
    for r in rows:
        if r.offered_load <= 0:
            continue
        prefixes = [p for p in queue_ids(r) if f"{p}.wait_mean_h" in metrics]
        waits = [metrics[f"{p}.wait_mean_h"]["mean"] for p in prefixes]
        waits = [w for w in waits if w is not None and not math.isnan(w)]
        simulated = max(waits) if waits else math.nan
        unstable = any(grows(metrics, p) for p in prefixes)
        said = verdict(r.wait_h, simulated, unstable)
        if said.startswith("off"):
            why = [str(reason) for reason in reasons(r)] or [UNKNOWN]
            said = " — ".join([said, *why])
        out.append(CheckRow(r, simulated, said))
    return out


def simulate(s: Scenario, days: float, replications: int) -> dict[str, Any]:
    """A short run of ``s``: ``days`` after its warm-up, ``replications`` replications."""
    short = replace(
        s,
        run=replace(
            s.run,
            horizon_days=s.run.warmup_days + days,
            replications=replications,
            timeseries=False,
        ),
    )
    return summarise(run(short))


def table(checked: Sequence[CheckRow]) -> str:
    """Analytic and simulated waits side by side, with the verdict and what each row rests on."""
    head = ("scope", "centre", "analytic_h", "simulated_h", "verdict")
    lines = ["  ".join(f"{h:>12}" for h in head[:4]) + "  verdict; rests on"]
    for c in checked:
        cells = (c.row.scope, c.row.centre, f"{c.row.wait_h:.3g}", f"{c.simulated_h:.3g}")
        lines.append(
            "  ".join(f"{x:>12}" for x in cells) + f"  {c.verdict}; {c.row.approximations}"
        )
    return "\n".join(lines)

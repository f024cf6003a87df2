"""Runs replications of a scenario and collects their metrics.

Replication ``k`` uses the random streams of ``(run.seed, k, source)``, so replication k
of any two scenarios shares its arrivals and item attributes (common random numbers) and
the paired differences across policies are the policy's, not the dice's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from .build import build
from .config import Scenario
from .metrics import Records, daily_series, lead_time_quantiles, replication_metrics


@dataclass
class RunOutput:
    replications: pd.DataFrame  # one row per replication, one column per metric
    timeseries: pd.DataFrame | None
    lead_times: pd.DataFrame  # lead-time percentiles per replication and stream
    meta: dict = field(default_factory=dict)


def run_replication(scenario: Scenario, k: int, with_series: bool = True):
    """Simulate replication ``k``; return (metrics, daily series or None, lead-time
    percentiles, counters)."""
    t0 = time.perf_counter()
    model = build(scenario, k)
    model.run()
    sim_seconds = time.perf_counter() - t0
    rec = Records.of(model)
    metrics = replication_metrics(model, rec)
    series = daily_series(model, rec, k) if with_series else None
    lead = lead_time_quantiles(model, rec, k)
    # Events: one per arrival plus one per step started (a crew's work or a delay).
    steps = sum(i.pos + (0 if i.t_done >= 0.0 else 1) for i in model.items)
    counters = {"events": len(model.items) + steps, "work_items": len(model.items),
                "sim_seconds": sim_seconds}
    return metrics, series, lead, counters


def run(scenario: Scenario, progress: Callable[[int, int], None] | None = None) -> RunOutput:
    rows, series, leads = [], [], []
    totals = {"events": 0, "work_items": 0, "sim_seconds": 0.0}
    n = scenario.run.replications
    for k in range(n):
        metrics, daily, lead, counters = run_replication(scenario, k, scenario.run.timeseries)
        rows.append({"replication": k, **metrics})
        leads.append(lead)
        if daily is not None:
            series.append(daily)
        for key, value in counters.items():
            totals[key] += value
        if progress:
            progress(k + 1, n)
    table = pd.DataFrame(rows)
    return RunOutput(table, pd.concat(series, ignore_index=True) if series else None,
                     pd.concat(leads, ignore_index=True), totals)

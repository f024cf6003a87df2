"""Runs replications of a scenario and collects their metrics.

Replication ``k`` uses the random streams of ``(run.seed, k, source)``, so replication k
of any two scenarios shares its arrivals and item attributes (common random numbers) and
the paired differences across policies are the policy's, not the dice's.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.metrics import (
    daily_backlog,
    daily_series,
    lead_time_quantiles,
    replication_metrics,
)
from sim.analysis.steady import steady_state
from sim.config import Scenario
from sim.core import registry
from sim.core.records import Records
from sim.model.build import build
from sim.run import parallel, precision
from sim.run.results import RunOutput


@dataclass
class Replication:
    """What one replication yields."""

    metrics: dict[str, float]
    series: pd.DataFrame | None
    lead_times: pd.DataFrame
    counters: dict[str, float]
    first_day: int  # of the backlog series: the first full working day after the warm-up
    backlog: dict[str, np.ndarray]  # stream → county-wide items in the system, day by day


def run_replication(scenario: Scenario, k: int, with_series: bool = True) -> Replication:
    """Simulate replication ``k`` and compute its metrics."""
    t0 = time.perf_counter()
    model = build(scenario, k)
    model.run()
    sim_seconds = time.perf_counter() - t0
    rec = Records.of(model.items)
    metrics = replication_metrics(model, rec)
    series = daily_series(model, rec, k) if with_series else None
    lead = lead_time_quantiles(model, rec, k)
    first_day, backlog = daily_backlog(model, rec)
    # Events: one per arrival plus one per step started (a crew's work or a delay).
    steps = sum(i.pos + (0 if i.t_done is not None else 1) for i in model.items)
    counters = {
        "events": len(model.items) + steps,
        "work_items": len(model.items),
        "sim_seconds": sim_seconds,
    }
    # The model is held in cycles that only the cyclic collector frees; its items are
    # not, so letting them go now frees most of its memory at once, by reference
    # counting, and leaves the collector little to trace (measured: 0.2 s against 2 s).
    model.items.clear()
    return Replication(metrics, series, lead, counters, first_day, backlog)


def replicate(scenario: Scenario, k: int, with_series: bool = True) -> Replication:
    """Replication ``k`` with its model freed: what a worker process simulates."""
    rep = run_replication(scenario, k, with_series)
    # The rest of a finished model is a web of cycles (centres ↔ model ↔ stations)
    # that the cyclic collector runs too rarely to free before the next model is
    # built: collect now, so peak memory is one replication's (a worker's), whatever n is.
    gc.collect()
    return rep


def replications(
    scenario: Scenario, start: int, end: int, certain: int, with_series: bool = True
) -> Generator[Replication, None, None]:
    """Replications ``start … end - 1`` of the scenario in order, spread over
    ``run.jobs`` processes (:mod:`sim.run.parallel`); the caller reads at least the
    first ``certain`` and may stop after any other (a round's later ones are dropped).
    """
    n = parallel.workers([scenario] * (end - start))
    return parallel.in_rounds(
        replicate, lambda k: (scenario, k, with_series), start, end, certain, n
    )


def each(tasks: Sequence[tuple[Scenario, int]], with_series: bool = True) -> Iterator[Replication]:
    """Replication ``k`` of each ``(scenario, k)``, in order, spread over the processes
    the first scenario's ``run.jobs`` allows (all are read).
    """
    n = parallel.workers([s for s, _ in tasks])
    return parallel.ordered(replicate, [(s, k, with_series) for s, k in tasks], n)


def run(scenario: Scenario, progress: Callable[[int, int], None] | None = None) -> RunOutput:
    """Simulate every replication of the scenario (over ``run.jobs`` processes, with
    the serial run's results: replications are gathered by their number).
    """
    rows: list[dict[str, Any]] = []
    series, leads = [], []
    backlogs: dict[str, list[np.ndarray]] = {}
    first_day = 0
    totals: dict[str, Any] = {"events": 0, "work_items": 0, "sim_seconds": 0.0}
    rule = precision.rule_of(scenario.run)  # a count, or replications=auto's rule
    n = rule if isinstance(rule, int) else rule["max"]
    certain = rule if isinstance(rule, int) else rule["min"]
    reps = replications(scenario, 0, n, certain, scenario.run.timeseries)
    while precision.more_needed(rows, rule):
        rep = next(reps)
        k = len(rows)
        rows.append({"replication": k, **rep.metrics})
        leads.append(rep.lead_times)
        if rep.series is not None:
            series.append(rep.series)
        first_day = rep.first_day
        for stream, days in rep.backlog.items():
            backlogs.setdefault(stream, []).append(days)
        for key, value in rep.counters.items():
            totals[key] += value
        del rep
        if progress:
            progress(k + 1, n)
    reps.close()  # replications=auto: those of the last round past the rule's stop
    totals["precision"] = precision.record(rows, rule)
    return RunOutput(
        pd.DataFrame(rows),
        pd.concat(series, ignore_index=True) if series else None,
        pd.concat(leads, ignore_index=True),
        totals,
        [spec.info() for spec in registry.streams()],
        {
            stream: steady_state(np.vstack(days), first_day).as_dict()
            for stream, days in backlogs.items()
        },
    )

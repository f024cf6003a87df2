"""Runs replications of a scenario and collects their metrics.

Replication ``k`` uses the random streams of ``(run.seed, k, source)``, so replication k
of any two scenarios shares its arrivals and item attributes (common random numbers) and
the paired differences across policies are the policy's, not the dice's.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable, Collection, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

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
    phases: dict[str, float] = field(default_factory=dict)  # CPU seconds by phase


class Phases:
    """CPU seconds spent in each named phase of a replication (``with phases("x"):``)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._name = ""
        self._t0 = 0.0

    def __call__(self, name: str) -> Phases:
        """Time the phase ``name`` (its seconds add up if it is entered again)."""
        self._name = name
        return self

    def __enter__(self) -> None:
        self._t0 = time.process_time()

    def __exit__(self, *exc: object) -> None:
        spent = time.process_time() - self._t0
        self.seconds[self._name] = self.seconds.get(self._name, 0.0) + spent


def run_replication(scenario: Scenario, k: int, with_series: bool = True) -> Replication:
    """Simulate replication ``k`` and compute its metrics (see :func:`_freed`)."""
    phases = Phases()
    rep = _freed(lambda: _simulate(scenario, k, with_series, phases), phases)
    rep.phases = phases.seconds
    return rep


def run_metrics(
    scenario: Scenario, k: int, names: Collection[str] | None = None
) -> dict[str, float]:
    """Replication ``k``'s metrics only (``names``: only those) — what a planner's
    candidate reads: no daily series, lead-time quantiles or steady-state series.
    """

    def metrics() -> dict[str, float]:
        model = build(scenario, k)
        model.run()
        rec = model.ledger.take_records()
        return replication_metrics(model, rec, names=names)

    return _freed(metrics)


T = TypeVar("T")


def _freed(replication: Callable[[], T], phases: Phases | None = None) -> T:
    """``replication()`` with the collector paused, its model freed after it.

    The collector is paused from build to the end and the finished model freed without
    a full collection: a replication makes millions of objects and keeps most of them
    to the end, and the collector would trace them again and again while they live
    (measured up to 2x slower), then once more when switched back on. Everything the
    model leaves behind (a web of cycles: centres ↔ model ↔ stations) was made while it
    was paused, so it is all in the youngest generation, and collecting that generation
    alone frees it without tracing the rest of the process's heap (pytest's, a sweep's)
    as ``gc.collect()`` does.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        out = replication()  # the model lives only inside this call
        with phases("free") if phases else contextlib.nullcontext():
            gc.collect(0)
    finally:
        if was_on:
            gc.enable()
    return out


def _simulate(scenario: Scenario, k: int, with_series: bool, phases: Phases) -> Replication:
    """Build and run replication ``k`` and read its results; the model dies with this
    call (its items first, by reference counting).
    """
    with phases("build"):
        model = build(scenario, k)
    with phases("simulate"):
        model.run()
    counters = {
        "events": len(model.ledger) + model.ledger.steps_started(),
        "work_items": len(model.ledger),
        "sim_seconds": phases.seconds["build"] + phases.seconds["simulate"],
    }
    with phases("records"):
        rec = model.ledger.take_records()  # and the ledger is empty
    with phases("metrics"):
        metrics = replication_metrics(model, rec)
    with phases("series"):
        series = daily_series(model, rec, k) if with_series else None
        lead = lead_time_quantiles(model, rec, k)
        first_day, backlog = daily_backlog(model, rec)
    return Replication(metrics, series, lead, counters, first_day, backlog)


def replications(
    scenario: Scenario, start: int, end: int, certain: int, with_series: bool = True
) -> Generator[Replication, None, None]:
    """Replications ``start … end - 1`` of the scenario in order, spread over
    ``run.jobs`` processes (:mod:`sim.run.parallel`); the caller reads at least the
    first ``certain`` and may stop after any other (a round's later ones are dropped).
    """
    n = parallel.workers([scenario] * (end - start))
    return parallel.in_rounds(
        run_replication, lambda k: (scenario, k, with_series), start, end, certain, n
    )


def each(tasks: Sequence[tuple[Scenario, int]], with_series: bool = True) -> Iterator[Replication]:
    """Replication ``k`` of each ``(scenario, k)``, in order, spread over the processes
    the first scenario's ``run.jobs`` allows (all are read).
    """
    n = parallel.workers([s for s, _ in tasks])
    return parallel.ordered(run_replication, [(s, k, with_series) for s, k in tasks], n)


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

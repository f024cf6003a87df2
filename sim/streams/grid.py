"""Grid reports (网格): grid workers' patrol reports, triaged and passed on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.core.records import Records
from sim.core.registry import MetricDoc, ParameterSource, StreamSpec, register_stream
from sim.core.settings import ConfigError, Dist, StreamSettings, dist, knob, share
from sim.core.sources import S000, A
from sim.core.workload import Batch, Effort, Source, Visit

DUPLICATE = 1
"""Item tag of a report that another, parallel grid also made."""


@dataclass
class GridWorkload(StreamSettings):
    """Grid (网格) reports triaged by grid workers."""

    reports_per_cell_per_day: float = knob(0.1, 0.0, 1e4)
    triage_effort: Dist = dist("exponential", 0.5)
    to_enforcement_share: float = share(0.05)
    to_delegated_share: float = share(0.2)
    """Reports that become a task for the general office (the rest are closed at triage)."""
    task_effort: Dist = dist("lognormal", 2.0, 1.0)
    task_deadline_days: float = knob(5.0, 0.0, 10_000.0)
    triage_deadline_days: float = knob(1.0, 0.0, 10_000.0)


def _extras(r: Records, w: float, h: float) -> dict[str, float]:
    return {"duplicates": float(((r.arr >= w) & (r.tag == DUPLICATE)).sum())}


def _check(cfg: GridWorkload, path: str) -> None:
    passed_on = cfg.to_enforcement_share + cfg.to_delegated_share
    if passed_on > 1.0 + 1e-9:
        raise ConfigError(
            f"{path}.to_enforcement_share + to_delegated_share = {passed_on:g}: must be ≤ 1"
        )


def _workload(s: Any) -> tuple[Source, ...]:
    """Patrol reports per grid cell, each triaged once; with parallel grids each other
    grid reports the same issue with ``duplicate_share``, and duplicates are triaged too.
    Enforcement and the general office declare the cases and tasks reports become.
    """
    cfg: GridWorkload = s.workload.grid
    lever = s.policy.grid
    k, p = lever.parallel_grids - 1, lever.duplicate_share
    items = Batch(1.0 + k * p, k * p * (1.0 - p) + (1.0 + k * p) ** 2)  # 1 + Binomial(k, p)
    return (
        Source(
            "reports",
            (Visit("grid", items.mean, Effort.of(cfg.triage_effort)),),
            "reports_per_cell_per_day",
            cfg.reports_per_cell_per_day,
            "grid_cells",
            "grid",
            items,
        ),
    )


GRID = register_stream(
    StreamSpec(
        id="grid",
        label="Grid reports",
        unit="reports",
        centre="grid",
        config=GridWorkload,
        workload=_workload,
        extra_metrics=_extras,
        check=_check,
        in_backlog_total=False,
        extra_docs=(
            MetricDoc(
                "duplicates",
                "reports that duplicate another grid's (parallel grids)",
                "reports",
                better="lower",
            ),
        ),
        sources=(
            ParameterSource(
                "reports_per_cell_per_day",
                "reports per grid cell per working day",
                A + "the grid of " + S000 + ": 网格化 (§3)",
            ),
            ParameterSource("to_*_share", "share of reports", A + "a report's outcome"),
            ParameterSource("*_effort.kind", "distribution", A + "variable reports"),
            ParameterSource("*_effort.mean_h", "hours", A + "minutes to hours per report"),
            ParameterSource("*_effort.cv", "coefficient of variation", A + "variable reports"),
            ParameterSource("*_deadline_days", "working days", A + "days to act on a report"),
        ),
    )
)

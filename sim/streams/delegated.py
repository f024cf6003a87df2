"""Delegated tasks (交办事项 / 属地管理) pushed by county departments to the general office."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.core.records import Records, late_share
from sim.core.registry import MetricDoc, ParameterSource, StreamSpec, register_stream
from sim.core.settings import Dist, StreamSettings, dist, knob
from sim.core.sources import S003, S004, A
from sim.core.workload import Batch, Effort, Feed, Source, Visit


@dataclass
class DelegatedWorkload(StreamSettings):
    """Delegated tasks (交办事项 / 属地管理) pushed by county departments."""

    routine_per_day: float = knob(1.0, 0.0, 1e4)
    routine_effort: Dist = dist("lognormal", 2.0, 1.0)
    routine_deadline_days: float = knob(10.0, 0.0, 10_000.0)
    lists_per_day: float = knob(0.02, 0.0, 1e4)
    """Rectification lists (整改清单) per township per working day."""
    list_items_mean: float = knob(10.0, 1.0, 10_000.0)
    """Mean items per list (1 + Poisson; one seed report names a 29-item list)."""
    list_item_effort: Dist = dist("lognormal", 3.0, 1.0)
    list_deadline_days: float = knob(15.0, 0.0, 10_000.0)
    assessments_per_day: float = knob(0.1, 0.0, 1e4)
    """Inspections, checks and assessments (督查检查考核) per township per working day."""
    assessment_effort: Dist = dist("lognormal", 6.0, 0.8)
    assessment_deadline_days: float = knob(5.0, 0.0, 10_000.0)


def _extras(r: Records, w: float, h: float) -> dict[str, float]:
    return {"overdue_share": late_share(r, w, h)}


def _admission(s: Any, cut: float = 0.0) -> tuple[float, float, float]:
    """Per task, with duty-admission control (职责准入): the share that enters the
    township's count, the share that takes office staff, and the share returned to the
    county (an assessment cut away does neither); without it, all enter and take staff.
    """
    lever = s.policy.admission
    if not lever.enabled:
        return 1.0, 1.0, 0.0
    kept = 1.0 - cut
    returned = kept * lever.off_list_share * (1.0 - lever.resourced_share)
    return kept - returned, kept * (1.0 - lever.off_list_share), returned


def _task(
    s: Any, kind: str, key: str, effort: Any, random: str, cut: float = 0.0, batch: float = 1.0
) -> Source:
    """One kind of task: office work when admitted, the department's when returned."""
    counted, staffed, returned = _admission(s, cut)
    hours = Effort.of(effort)
    items = Batch(batch * counted)
    if batch != 1.0:  # a list's size is 1 + Poisson(m − 1), each item admitted alone
        m, a = batch, counted
        items = Batch(m * a, a * m * (1.0 - a) + a * a * (m * m + m - 1.0))
    return Source(
        kind,
        (
            Visit("general", batch * staffed, hours),
            Visit("departments", batch * returned, hours, scope="county"),
        ),
        key,
        float(getattr(s.workload.delegated, key)),
        "township",
        random,
        items,
    )


def _workload(s: Any) -> tuple[Source, ...]:
    """Routine tasks, rectification lists (a batch of items each) and assessments per
    township, and office tasks from grid reports; admission control returns or clears
    some (:func:`_admission`).
    """
    cfg: DelegatedWorkload = s.workload.delegated
    lever = s.policy.admission
    cut = lever.assessment_cut_share if lever.enabled else 0.0
    grid = s.workload.grid
    return (
        _task(s, "routine", "routine_per_day", cfg.routine_effort, "delegated/routine"),
        _task(
            s,
            "lists",
            "lists_per_day",
            cfg.list_item_effort,
            "delegated/lists",
            batch=cfg.list_items_mean,
        ),
        _task(
            s,
            "assessments",
            "assessments_per_day",
            cfg.assessment_effort,
            "delegated/assessments",
            cut,
        ),
        Source(
            "from_grid",
            (Visit("general", 1.0, Effort.of(grid.task_effort)),),
            fed_by=Feed("grid", grid.to_delegated_share, "to_delegated_share"),
        ),
    )


DELEGATED = register_stream(
    StreamSpec(
        id="delegated",
        label="Delegated tasks",
        unit="tasks",
        centre="general",
        config=DelegatedWorkload,
        workload=_workload,
        extra_metrics=_extras,
        extra_docs=(
            MetricDoc(
                "overdue_share",
                "1 − on_time_share: tasks due in the window and not done by their deadline",
                "0–1",
                better="lower",
            ),
        ),
        sources=(
            ParameterSource(
                "list_items_mean",
                "items",
                S004 + ": a 29-item rectification "
                "list (29个问题整改清单); mean 10 is an assumption",
            ),
            ParameterSource(
                "routine_per_day",
                "tasks per township per working day",
                A + "routine reports and forms; " + S004 + ": 属地管理",
            ),
            ParameterSource(
                "lists_per_day",
                "lists per township per working day",
                A + "rectification lists; " + S004 + ": 整改清单",
            ),
            ParameterSource(
                "assessments_per_day",
                "assessments per township per working day",
                A + "inspections and assessments; " + S003 + ": 督查检查考核",
            ),
            ParameterSource("*_effort.kind", "distribution", A + "variable tasks"),
            ParameterSource("*_effort.mean_h", "hours", A + "hours of office work per item"),
            ParameterSource("*_effort.cv", "coefficient of variation", A + "variable tasks"),
            ParameterSource("*_deadline_days", "working days", A + "one to three weeks"),
        ),
    )
)

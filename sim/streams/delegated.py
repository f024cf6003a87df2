"""Delegated tasks (交办事项 / 属地管理) pushed by county departments to the general office."""

from __future__ import annotations

from dataclasses import dataclass

from ..records import Records, late_share
from ..registry import MetricDoc, ParameterSource, StreamSpec, register_stream
from ..settings import Dist, StreamSettings, dist, knob
from ..sources import S003, S004, A


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


DELEGATED = register_stream(
    StreamSpec(
        id="delegated",
        label="Delegated tasks",
        unit="tasks",
        centre="general",
        config=DelegatedWorkload,
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

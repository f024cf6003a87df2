"""General offices: delegated tasks (交办事项 / 属地管理) pushed by county departments.

Three kinds arrive: routine items (reports, forms), rectification lists (整改清单) that
arrive as a batch of items with one deadline, and inspections/assessments
(督查检查考核). Grid reports may also become tasks. Each task is one step of office work
with a deadline in working days.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..config import Dist, DelegatedWorkload, GridWorkload
from ..model import Model, Township
from ..streams import poisson_times, sample
from ..work import DELEGATED, ArrivalSource, draws


def _task_maker(model: Model, tw: Township, name: str, effort: Dist,
                deadline_days: float) -> Callable[[float], None]:
    office = tw.stations["general"]
    rows = draws(model.rng(f"{tw.id}/delegated/{name}/attributes"),
                  lambda rng, n: (sample(rng, effort, n),))

    def create(t: float) -> None:
        (hours,) = next(rows)
        model.new_item(tw.index, DELEGATED, t, deadline_days, [(office, hours, 1, 0)])
    return create


def build_general_office(model: Model, tw: Township, cfg: DelegatedWorkload,
                         grid: GridWorkload) -> Callable[[float], None]:
    """Wire the delegated-task sources; return ``spawn(t)`` for tasks from grid reports."""
    def poisson(name: str, per_day: float) -> np.ndarray:
        return poisson_times(model.rng(f"{tw.id}/delegated/{name}/arrivals"),
                             model.per_hour(per_day), model.horizon_h)

    routine = _task_maker(model, tw, "routine", cfg.routine_effort, cfg.routine_deadline_days)
    ArrivalSource(model.env, poisson("routine", cfg.routine_per_day), routine)

    lists = poisson("lists", cfg.lists_per_day)
    sizes = 1 + model.rng(f"{tw.id}/delegated/lists/sizes").poisson(
        cfg.list_items_mean - 1.0, len(lists))
    list_item = _task_maker(model, tw, "lists", cfg.list_item_effort, cfg.list_deadline_days)
    ArrivalSource(model.env, lists, list_item, sizes)

    assessment = _task_maker(model, tw, "assessments", cfg.assessment_effort,
                             cfg.assessment_deadline_days)
    ArrivalSource(model.env, poisson("assessments", cfg.assessments_per_day), assessment)

    return _task_maker(model, tw, "from_grid", grid.task_effort, grid.task_deadline_days)

"""General offices: delegated tasks (交办事项 / 属地管理) pushed by county departments.

Three kinds arrive: routine items (reports, forms), rectification lists (整改清单) that
arrive as a batch of items with one deadline, and inspections/assessments
(督查检查考核). Grid reports may also become tasks. Each task is one step of office work
with a deadline in working days.

With **duty-admission control** (职责准入) a task off the township's duty list is
returned to the department — entered in the returns ledger with its hours — unless it
comes with resources (人随事转); and assessments are cut by a share.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..config import AdmissionLever, DelegatedWorkload, Dist, GridWorkload
from ..model import Model, Township
from ..station import Desk
from ..streams import poisson_times, sample
from ..work import DELEGATED, ArrivalSource, draws


def _task_maker(model: Model, tw: Township, office: Desk, name: str, effort: Dist,
                deadline_days: float, admission: AdmissionLever | None,
                cut_share: float = 0.0) -> Callable[[float], None]:
    """``create(t)`` for one kind of task; ``admission`` None means always admitted."""
    rows = draws(model.rng(f"{tw.id}/delegated/{name}/attributes"),
                 lambda rng, n: (sample(rng, effort, n), rng.random(n), rng.random(n)))
    off_list = admission.off_list_share if admission else 0.0
    resourced = admission.resourced_share if admission else 0.0

    def create(t: float) -> None:
        hours, u_list, u_res = next(rows)
        if u_list < cut_share:  # an assessment the reform cleared away
            return
        if u_list < cut_share + off_list * (1 - cut_share) and u_res >= resourced:
            model.returned.append((tw.index, t, hours))
            return
        model.new_item(tw.index, DELEGATED, t, deadline_days, [(office, hours, 1, 0)])
    return create


def build_general_office(model: Model, tw: Township, cfg: DelegatedWorkload,
                         grid: GridWorkload, lever: AdmissionLever
                         ) -> tuple[Callable[[float], None], Callable]:
    """Wire the delegated-task sources; return ``open_task(t)`` for tasks from grid
    reports, and where a new member of the office goes."""
    office = Desk(model, f"{tw.id}/general")
    tw.stations["general"] = [office]
    admission = lever if lever.enabled else None

    def poisson(name: str, per_day: float) -> np.ndarray:
        return poisson_times(model.rng(f"{tw.id}/delegated/{name}/arrivals"),
                             model.per_hour(per_day), model.horizon_h)

    routine = _task_maker(model, tw, office, "routine", cfg.routine_effort,
                          cfg.routine_deadline_days, admission)
    ArrivalSource(model.env, poisson("routine", cfg.routine_per_day), routine)

    lists = poisson("lists", cfg.lists_per_day)
    sizes = 1 + model.rng(f"{tw.id}/delegated/lists/sizes").poisson(
        cfg.list_items_mean - 1.0, len(lists))
    list_item = _task_maker(model, tw, office, "lists", cfg.list_item_effort,
                            cfg.list_deadline_days, admission)
    ArrivalSource(model.env, lists, list_item, sizes)

    assessment = _task_maker(model, tw, office, "assessments", cfg.assessment_effort,
                             cfg.assessment_deadline_days, admission,
                             admission.assessment_cut_share if admission else 0.0)
    ArrivalSource(model.env, poisson("assessments", cfg.assessments_per_day), assessment)

    open_task = _task_maker(model, tw, office, "from_grid", grid.task_effort,
                            grid.task_deadline_days, None)
    return open_task, office.add

"""Grid (网格): grid workers' patrol reports, triaged and passed on.

Reports arrive per grid cell. Triage is a step of grid-worker time; a share of reports
then becomes an enforcement case, a share a task for the general office, and the rest is
closed at triage.
"""

from __future__ import annotations

from typing import Callable

from ..config import GridWorkload
from ..model import Model, Township
from ..streams import poisson_times, sample
from ..work import GRID, ArrivalSource, draws


def build_grid(model: Model, tw: Township, cfg: GridWorkload,
               open_case: Callable[[float], None], open_task: Callable[[float], None]) -> None:
    desk = tw.stations["grid"]
    to_case = cfg.to_enforcement_share
    to_task = to_case + cfg.to_delegated_share
    rows = draws(model.rng(f"{tw.id}/grid/attributes"),
                  lambda rng, n: (sample(rng, cfg.triage_effort, n), rng.random(n)))

    def to_enforcement(report) -> None:
        open_case(report.t_done)

    def to_general_office(report) -> None:
        open_task(report.t_done)

    def create(t: float) -> None:
        hours, u = next(rows)
        if u < to_case:
            then = to_enforcement
        elif u < to_task:
            then = to_general_office
        else:
            then = None
        model.new_item(tw.index, GRID, t, cfg.triage_deadline_days, [(desk, hours, 1, 0)],
                       then=then)

    rate = model.per_hour(cfg.reports_per_cell_per_day * tw.grid_cells)
    ArrivalSource(model.env, poisson_times(model.rng(f"{tw.id}/grid/arrivals"), rate,
                                           model.horizon_h), create)


"""Grid (网格): grid workers' patrol reports, triaged and passed on.

Reports arrive per grid cell. Triage is a step of grid-worker time; a share of reports
then becomes an enforcement case, a share a task for the general office, and the rest is
closed at triage. With several parallel grids (before 多网合一) each other grid also
reports the same issue with probability ``duplicate_share``: duplicates cost triage time
and are closed.
"""

from __future__ import annotations

from typing import Callable

from ..config import GridLever, GridWorkload
from ..model import Model, Township
from ..station import Desk
from ..streams import poisson_times, sample
from ..work import DUPLICATE, GRID, ArrivalSource, draws


def build_grid(model: Model, tw: Township, cfg: GridWorkload, lever: GridLever,
               open_case: Callable[[float], None], open_task: Callable[[float], None]
               ) -> Callable:
    """Wire the grid desk; return where a new grid worker goes."""
    desk = Desk(model, f"{tw.id}/grid")
    tw.stations["grid"] = [desk]
    to_case = cfg.to_enforcement_share
    to_task = to_case + cfg.to_delegated_share
    others = lever.parallel_grids - 1

    rows = draws(model.rng(f"{tw.id}/grid/attributes"),
                 lambda rng, n: (sample(rng, cfg.triage_effort, n), rng.random(n)))
    # Duplicates draw from streams of their own, so that the reports themselves are the
    # same whatever the number of grids (common random numbers across the lever).
    dup_counts = draws(model.rng(f"{tw.id}/grid/duplicates"),
                       lambda rng, n: (rng.binomial(others, lever.duplicate_share, n),))
    dup_efforts = draws(model.rng(f"{tw.id}/grid/duplicate_triage"),
                        lambda rng, n: (sample(rng, cfg.triage_effort, n),))

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
        (duplicates,) = next(dup_counts)
        for _ in range(duplicates):
            (dup_hours,) = next(dup_efforts)
            model.new_item(tw.index, GRID, t, cfg.triage_deadline_days,
                           [(desk, dup_hours, 1, 0)], tag=DUPLICATE)

    rate = model.per_hour(cfg.reports_per_cell_per_day * tw.grid_cells)
    ArrivalSource(model.env, poisson_times(model.rng(f"{tw.id}/grid/arrivals"), rate,
                                           model.horizon_h), create)
    return desk.add

"""Grid (网格): grid workers' patrol reports, triaged and passed on.

Reports arrive per grid cell. Triage is a step of grid-worker time; a share of reports
then becomes an enforcement case (the enforcement office's ``cases`` inlet), a share a
task for the general office (its ``tasks`` inlet), and the rest is closed at triage.
With several parallel grids (before 多网合一) each other grid also reports the same issue
with probability ``duplicate_share``: duplicates cost triage time and are closed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, ClassVar

from sim.core.registry import register_centre
from sim.core.rng import sample
from sim.model.centres.base import Centre, Reserve
from sim.model.station import Desk
from sim.model.work import WorkItem, draws, one_clerk
from sim.streams.grid import DUPLICATE, GRID

if TYPE_CHECKING:
    from sim.model.centre_settings import CentreSettings
    from sim.model.staff import Staff
    from sim.model.state import Model, Township


@register_centre("grid")
class Grid(Centre):
    """The grid desk; needs the enforcement office's cases and the office's tasks."""

    needs: ClassVar[Mapping[str, str]] = {"cases": "enforcement.cases", "tasks": "general.tasks"}

    def __init__(self, model: Model, township: Township | None, settings: CentreSettings):
        super().__init__(model, township, settings)
        assert township is not None
        self.desk = Desk(model, f"{township.id}/grid")
        self.stations = [self.desk]

    def place(self, s: Staff) -> None:
        """New grid workers triage at the grid desk."""
        self.desk.add(s)

    def start(self) -> None:
        """Start patrol reports, their duplicates and their hand-over."""
        model, tw, desk = self.model, self.township, self.desk
        assert tw is not None
        cfg = self.settings.workload(GRID)
        lever = self.settings.policy.grid
        to_case = cfg.to_enforcement_share
        to_task = to_case + cfg.to_delegated_share
        others = lever.parallel_grids - 1
        open_case, open_task = self.link("cases"), self.link("tasks")
        added = model.added_arrival

        rows = draws(
            self.rng("grid/attributes"),
            lambda rng, n: (sample(rng, cfg.triage_effort, n), rng.random(n)),
            added,
        )
        # Duplicates draw from streams of their own, so that the reports themselves are
        # the same whatever the number of grids (common random numbers across the lever).
        dup_counts = draws(
            self.rng("grid/duplicates"),
            lambda rng, n: (rng.binomial(others, lever.duplicate_share, n),),
            added,
        )
        dup_efforts = draws(
            self.rng("grid/duplicate_triage"),
            lambda rng, n: (sample(rng, cfg.triage_effort, n),),
            added,
        )

        def hand_over(reserve: Reserve) -> Callable[[WorkItem], None]:
            """Reserve the case or task now, open it when triage ends."""
            opener = reserve()
            return lambda report: opener(report.t_done, report.t_arr)

        def create(t: float) -> None:
            hours, u = next(rows)
            if u < to_case:
                then: Callable[[WorkItem], None] | None = hand_over(open_case)
            elif u < to_task:
                then = hand_over(open_task)
            else:
                then = None
            model.new_item(
                tw.index, GRID, t, cfg.triage_deadline_days, [one_clerk(desk, hours)], then=then
            )
            (duplicates,) = next(dup_counts)
            for _ in range(duplicates):
                (dup_hours,) = next(dup_efforts)
                model.new_item(
                    tw.index,
                    GRID,
                    t,
                    cfg.triage_deadline_days,
                    [one_clerk(desk, dup_hours)],
                    tag=DUPLICATE,
                )

        per_day = self.settings.rate_per_day(GRID.id, "grid", tw)
        self.arrive(GRID, self.poisson("grid", per_day), create)

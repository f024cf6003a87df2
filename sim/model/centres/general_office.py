"""General offices: delegated tasks (交办事项 / 属地管理) pushed by county departments.

Three kinds arrive: routine items (reports, forms), rectification lists (整改清单) that
arrive as a batch of items with one deadline, and inspections/assessments
(督查检查考核). Grid reports may also become tasks (the ``tasks`` inlet). Each task is
one step of office work with a deadline in working days.

With **duty-admission control** (职责准入) a task off the township's duty list is
returned to the department — entered in the returns ledger with its hours and put on
the departments' desk as their own work — unless it comes with resources (人随事转):
then it brings its staff-hours and is done without taking the office's staff. And
assessments are cut by a share.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from sim.config import AdmissionLever
from sim.core.registry import register_centre
from sim.core.rng import sample
from sim.core.settings import Dist
from sim.model.centres.base import Centre, Opener, Reserve
from sim.model.state import ReturnedTask
from sim.model.station import Desk
from sim.model.work import Step, draws, one_clerk
from sim.streams.delegated import DELEGATED
from sim.streams.grid import GRID

if TYPE_CHECKING:
    from sim.model.centre_settings import CentreSettings
    from sim.model.staff import Staff
    from sim.model.state import Model, Township


@register_centre("general")
class GeneralOffice(Centre):
    """One office desk for every delegated task; offers ``tasks``, needs the county's
    ``returns`` (admission control sends tasks back there).
    """

    needs: ClassVar[Mapping[str, str]] = {"returns": "departments.returns"}

    def __init__(self, model: Model, township: Township | None, settings: CentreSettings):
        super().__init__(model, township, settings)
        assert township is not None
        self.office = Desk(model, f"{township.id}/general")
        self.stations = [self.office]
        grid = settings.workload(GRID)
        # Attributes drawn when the grid report arrives (common random numbers).
        self.inlets["tasks"] = self._task_reserve(
            "from_grid", grid.task_effort, grid.task_deadline_days, None
        )

    def place(self, s: Staff) -> None:
        """New office staff work at the office desk."""
        self.office.add(s)

    def start(self) -> None:
        """Start routine tasks, rectification lists and assessments."""
        cfg = self.settings.workload(DELEGATED)
        lever = self.settings.policy.admission
        admission = lever if lever.enabled else None
        routine = self._task_maker(
            "routine", cfg.routine_effort, cfg.routine_deadline_days, admission
        )
        self.arrive(
            DELEGATED, self.poisson("delegated/routine", self._rate("delegated/routine")), routine
        )

        lists = self.poisson("delegated/lists", self._rate("delegated/lists"))
        sizes = 1 + self.rng("delegated/lists/sizes").poisson(cfg.list_items_mean - 1.0, len(lists))
        list_item = self._task_maker(
            "lists", cfg.list_item_effort, cfg.list_deadline_days, admission
        )
        self.arrive(DELEGATED, lists, list_item, sizes)

        assessment = self._task_maker(
            "assessments",
            cfg.assessment_effort,
            cfg.assessment_deadline_days,
            admission,
            admission.assessment_cut_share if admission else 0.0,
        )
        self.arrive(
            DELEGATED,
            self.poisson("delegated/assessments", self._rate("delegated/assessments")),
            assessment,
        )

    def _rate(self, source: str) -> float:
        """Base tasks a day of one source (:func:`sim.model.load.rate_per_day`)."""
        assert self.township is not None
        return self.settings.rate_per_day(DELEGATED.id, source, self.township)

    def _task_maker(
        self,
        name: str,
        effort: Dist,
        deadline_days: float,
        admission: AdmissionLever | None,
        cut_share: float = 0.0,
    ) -> Callable[[float], None]:
        """``create(t)`` for one kind of task; ``admission`` None means always admitted."""
        reserve = self._task_reserve(name, effort, deadline_days, admission, cut_share)
        return lambda t: reserve()(t)

    def _task_reserve(
        self,
        name: str,
        effort: Dist,
        deadline_days: float,
        admission: AdmissionLever | None,
        cut_share: float = 0.0,
    ) -> Reserve:
        """``reserve()``: draw a task's attributes now; returns ``open_task(t, origin)``."""
        model, office, tw = self.model, self.office, self.township
        assert tw is not None
        rows = draws(
            self.rng(f"delegated/{name}/attributes"),
            lambda rng, n: (sample(rng, effort, n), rng.random(n), rng.random(n)),
            self.model.added_arrival,
        )
        off_list = admission.off_list_share if admission else 0.0
        resourced = admission.resourced_share if admission else 0.0

        def create(row: tuple[Any, ...], t: float, origin: float | None) -> None:
            hours, u_list, u_res = row
            if u_list < cut_share:  # an assessment the reform cleared away
                return
            step = one_clerk(office, hours)
            if u_list < cut_share + off_list * (1 - cut_share):  # off the duty list
                if u_res >= resourced:  # returned: the department does it itself
                    model.returned.append(ReturnedTask(tw.index, t, hours))
                    self.link("returns")(t, hours)
                    return
                # 人随事转: the task brings its staff-hours, added township capacity for
                # as long as the task lasts — nobody of the office's staff is taken.
                step = Step(None, hours)
            model.new_item(tw.index, DELEGATED, t, deadline_days, [step], origin=origin)

        def reserve() -> Opener:
            row = next(rows)
            return lambda t, origin=None: create(row, t, origin)

        return reserve

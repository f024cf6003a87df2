"""Front and back office (受办分离) of the service centre: ``policy.windows.mode: front_back``.

Seed 002 (both drafts): "前台全科受理、后台分类办理、统一窗口出件". Generalist clerks at one
front desk accept every request (``front_intake``; an incomplete one gets the short
intake there and comes back), specialist clerks handle it in the back office of its
category — the categories split over the back desks by load, as dedicated windows are,
or, for the categories in ``back_at_county``, at the county departments' desk — and
the front desk hands the result out (``handout``) to an applicant who came in person;
online and proxy requests are delivered without that step. Visits and the statutory
clock count as for the other modes: the clock starts at acceptance (受理) of complete
materials.

A request whose back office is the county's is one of the townships' calls (stamped when
sent up and answered, ahead of the departments' own work under 乡呼县应), so it counts in
``county.county_side.response_*``; it does not wait for the inbox review, being the
department's ordinary business.

The back office does no counter work, so its effort is ``online_effort_factor`` of the
category's for every channel; the counter part is the front desk's (assumption).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.core.rng import sample
from sim.model.centres.teams import group_by_load, neediest
from sim.model.station import Desk, Handoff
from sim.model.work import Step, draws

if TYPE_CHECKING:
    from sim.config.schema import WindowsLever
    from sim.model.staff import Staff
    from sim.model.state import Model, Township


def front_count(clerks: int, share: float) -> int:
    """Clerks at the front desk of ``clerks``: ``share`` of them, at least one, and at
    least one left for the back offices when there are two or more.
    """
    want = max(1, round(share * clerks))
    return min(want, clerks - 1) if clerks >= 2 else want


class FrontBack:
    """The front desk and the back desks of one township's service centre."""

    def __init__(
        self,
        model: Model,
        township: Township,
        lever: WindowsLever,
        names: list[str],
        work: list[float],
        clerks: int,
        online_effort_factor: float,
    ):
        self.model = model
        self.lever = lever
        self.f = online_effort_factor
        self.handoff = Step(Handoff(model), 0.0, 0, 0)
        self.front = Desk(model, f"{township.id}/service/front")
        self.local = [c for c, name in enumerate(names) if name not in lever.back_at_county]
        back_clerks = max(1, clerks - front_count(clerks, lever.front_desk_share))
        groups = group_by_load([work[c] for c in self.local], min(len(self.local), back_clerks))
        self.back = [Desk(model, f"{township.id}/service/back/{i}") for i in range(len(groups))]
        self.back_of: list[Desk | None] = [None] * len(names)  # None: the county's desk
        for d, group in enumerate(groups):
            for i in group:
                self.back_of[self.local[i]] = self.back[d]
        self.back_load = [sum(work[self.local[i]] for i in group) for group in groups]
        self.at_county = len(self.local) < len(names)
        self.county: Any = None  # the departments' desk, once wired

    @property
    def stations(self) -> list[Desk]:
        """The front desk, then the back desks."""
        return [self.front, *self.back]

    def place(self, s: Staff) -> None:
        """A new clerk goes to the front desk while it has fewer than its share of the
        centre, else to the back desk with the most work per clerk.
        """
        clerks = sum(d.active for d in self.stations) + 1
        if not self.back or self.front.active < front_count(clerks, self.lever.front_desk_share):
            self.front.add(s)
        else:
            neediest(self.back, self.back_load).add(s)

    def handling(self, rng: np.random.Generator) -> Any:
        """Rows of (front-desk acceptance hours at the counter, hand-out hours) from
        their own random stream, so the other modes' draws are left as they were.
        """
        lever = self.lever

        def draw(rng: np.random.Generator, n: int) -> tuple[Any, ...]:
            return sample(rng, lever.front_intake, n), sample(rng, lever.handout, n)

        return draws(rng, draw, self.model.added_arrival)

    def route(
        self, cat: int, remote: bool, effort: float, front_h: float, handout_h: float
    ) -> list[Step]:
        """Steps after acceptance: the front desk's acceptance, the back office, the
        hand-out (in person). ``effort`` is the category's effort as the window would
        have it (times ``online_effort_factor`` for a remote request already).
        """
        f = self.f
        back_h = effort if remote else effort * f  # no counter work in the back office
        steps = [Step(self.front, front_h * f if remote else front_h)]
        desk = self.back_of[cat]
        if desk is None:  # a call to the county: stamped, as its answer will be
            steps += [self.handoff, Step(self.county, back_h)]
        else:
            steps.append(Step(desk, back_h))
        if not remote:
            steps.append(Step(self.front, handout_h))
        return steps

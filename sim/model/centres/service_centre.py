"""Service centre (便民服务中心): citizens' and businesses' requests (审批服务).

A request has a category (with its effort and statutory time limit) and a channel: in
person, online (网上办) or through a village proxy (代办) — only in-person requests cost
the applicant a visit, and remote ones take less staff effort
(``online_effort_factor``). A share arrives with incomplete materials: the first
handling is a short intake, the applicant comes back after ``return_delay_days`` and the
request is handled in full (a second visit if in person; "最多跑一次" counts these).

Windows are either **dedicated** — one desk per department, laid out as a hall manager
would (:mod:`~sim.model.centres.hall`: a busy department gets a second clerk, a quiet
one shares another's window), so a request waits for its own window even when another
is idle — or one
**pooled** front desk (一窗受理, 无差别受理) where any window takes any category, a little
slower (``pooled_effort_factor``) — or a generalist front desk with back offices by
category (受办分离, ``front_back``: :mod:`sim.model.centres.back_office`).

In a township whose kind has a dedicated approval body (``approval_body``: 专门的审批服务
机构, 一枚印章管审批) the centre is that body: its clerks stay at its windows (no
secondment, no lending to other offices, no covering them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from sim.core.registry import register_centre
from sim.core.rng import sample
from sim.model.centres.back_office import FrontBack
from sim.model.centres.base import Centre
from sim.model.centres.give_up import LineCheck
from sim.model.centres.hall import manager_layout
from sim.model.centres.helping import help_swamped
from sim.model.centres.teams import cover_gaps, neediest
from sim.model.station import Acceptance, Desk
from sim.model.work import Step, draws, one_clerk
from sim.streams.services import SERVICES, desk_work

if TYPE_CHECKING:
    from sim.model.centre_settings import CentreSettings
    from sim.model.staff import Staff
    from sim.model.state import Model, Township


@register_centre("service")
class ServiceCentre(Centre):
    """Windows for the services stream: dedicated per department, pooled, or a front
    desk with back offices.
    """

    needs: ClassVar[Mapping[str, str]] = {"county": "departments.calls"}
    """The county departments' desk: the back office of ``back_at_county`` categories."""

    def __init__(self, model: Model, township: Township | None, settings: CentreSettings):
        super().__init__(model, township, settings)
        assert township is not None
        cfg = settings.workload(SERVICES)
        lever = settings.policy.windows
        self.cats = cats = list(cfg.categories.values())
        work = desk_work(cfg)
        self.desk_of = [0] * len(cats)
        self.planned = [0]  # clerks the layout gives each window, placed there first
        self.front_back: FrontBack | None = None
        if lever.mode == "front_back":
            self.front_back = fb = FrontBack(
                model,
                township,
                lever,
                list(cfg.categories),
                work,
                township.present(self.name),
                cfg.online_effort_factor,
            )
            self.stations, self.factor = fb.stations, 1.0
            return
        if lever.mode == "pooled":
            self.stations = [Desk(model, f"{township.id}/service")]
            self.factor = lever.pooled_effort_factor
        else:
            self._lay_out(model, township, cfg, work)
            self.factor = 1.0
        self.desk_load = [
            sum(work[c] for c in range(len(cats)) if self.desk_of[c] == d)
            for d in range(len(self.stations))
        ]
        # A dedicated approval body (一枚印章管审批) keeps its staff at its windows.
        self.lends_staff = not settings.county.kinds[township.kind].approval_body

    def _lay_out(self, model: Model, tw: Township, cfg: Any, work: list[float]) -> None:
        """Dedicated windows as a hall manager sets them (:mod:`~sim.model.centres.hall`),
        from each category's offered load in clerks' worth of work.
        """
        remote = cfg.online_share + self.settings.policy.windows.proxy_share
        per_request = remote * cfg.online_effort_factor + (1.0 - remote)  # channel mix
        per_h = (
            self.settings.rate_per_day(SERVICES.id, "services", tw)
            * self.settings.demand("services").scale
            / model.clock.hours(1.0)
        )
        layout = manager_layout([per_h * per_request * w for w in work], tw.present(self.name))
        self.stations = [Desk(model, f"{tw.id}/service/{i}") for i in range(len(layout))]
        self.planned = [w.clerks for w in layout]
        for d, window in enumerate(layout):
            for c in window.categories:
                self.desk_of[c] = d

    def _line_checks(self, cfg: Any) -> list[Step]:
        """Per window, the look at its line before an in-person visit
        (:mod:`~sim.model.centres.give_up`); none when nobody gives up.
        """
        if cfg.give_up_line_per_clerk <= 0.0:
            return []
        back_h = self.model.clock.hours(cfg.give_up_return_days)
        return [
            Step(LineCheck(self.model, d, cfg.give_up_line_per_clerk, back_h), 0.0, 0, 0)
            for d in self.stations
        ]

    def place(self, s: Staff) -> None:
        """A new clerk goes to a window short of the clerks the layout gives it, else to
        the window with the most work per clerk.
        """
        if self.front_back is not None:
            self.front_back.place(s)
            return
        short = [d for d, n in enumerate(self.planned) if self.stations[d].active < n]
        if short:
            loads = [self.desk_load[d] for d in short]
            neediest([self.stations[d] for d in short], loads).add(s)
        else:
            neediest(self.stations, self.desk_load).add(s)

    def start(self) -> None:
        """Start request arrivals and the daily cover of unstaffed windows."""
        model, tw = self.model, self.township
        assert tw is not None
        cfg = self.settings.workload(SERVICES)
        cats, desks, desk_of = self.cats, self.stations, self.desk_of
        cum_share = np.cumsum([c.share for c in cats])
        limits = [c.time_limit_days for c in cats]
        # The clock restarts when the applicant returns with complete materials (受理).
        accept = [Step(Acceptance(model, c.time_limit_days), 0.0, 0, 0) for c in cats]
        away = Step(None, model.clock.hours(cfg.return_delay_days), 0, 0)  # fetching papers
        remote = cfg.online_share + self.settings.policy.windows.proxy_share
        factor = self.factor

        def draw(rng: np.random.Generator, n: int) -> tuple[Any, ...]:
            cat = np.minimum(np.searchsorted(cum_share, rng.random(n), side="right"), len(cats) - 1)
            channel = rng.random(n)
            incomplete = rng.random(n) < cfg.incomplete_share
            by_cat = np.stack([sample(rng, c.effort, n) for c in cats])
            channel_factor = np.where(channel < remote, cfg.online_effort_factor, 1.0) * factor
            effort = by_cat[cat, np.arange(n)] * channel_factor
            intake = sample(rng, cfg.incomplete_effort, n) * channel_factor
            return cat, channel, incomplete, effort, intake

        rows = draws(self.rng("services/attributes"), draw, self.model.added_arrival)
        fb = self.front_back
        if fb is not None:
            front_rows = fb.handling(self.rng("services/front_back"))
            if fb.at_county:
                fb.county = self.link("county")

        looks = self._line_checks(cfg)
        front_at = desks.index(fb.front) if fb is not None else 0

        def create(t: float) -> None:
            cat, channel, incomplete, effort, intake = next(rows)
            if fb is None:
                at = desk_of[cat]
                window = desks[at]
                handling = [one_clerk(window, effort)]
            else:
                at, window = front_at, fb.front
                handling = fb.route(cat, channel < remote, effort, *next(front_rows))
            # An applicant at the hall looks at the line before each visit to the window.
            look = (looks[at],) if looks and channel >= remote else ()
            if incomplete:
                route = [*look, one_clerk(window, intake), away, accept[cat], *look, *handling]
            else:
                route = [*look, *handling]
            visits = 0 if channel < remote else (2 if incomplete else 1)
            model.new_item(tw.index, SERVICES, t, limits[cat], route, visits)

        per_day = self.settings.rate_per_day(SERVICES.id, "services", tw)
        self.arrive(SERVICES, self.poisson("services", per_day), create)
        cover_gaps(model, self.settings.cover, desks, lambda d: d.active, lambda s: True)
        help_swamped(model, self.settings.cover, desks)

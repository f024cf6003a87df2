"""Service centre (便民服务中心): citizens' and businesses' requests (审批服务).

A request has a category (with its effort and statutory time limit) and a channel: in
person, online (网上办) or through a village proxy (代办) — only in-person requests cost
the applicant a visit, and remote ones take less staff effort
(``online_effort_factor``). A share arrives with incomplete materials: the first
handling is a short intake, the applicant comes back after ``return_delay_days`` and the
request is handled in full (a second visit if in person; "最多跑一次" counts these).

Windows are either **dedicated** — one desk per department (a clerk staffs the windows
of several departments when there are fewer clerks than departments), so a request
waits for its own window even when another is idle — or one
**pooled** front desk (一窗受理, 无差别受理) where any window takes any category, a little
slower (``pooled_effort_factor``).

In a township whose kind has a dedicated approval body (``approval_body``: 专门的审批服务
机构, 一枚印章管审批) the centre is that body: its clerks stay at its windows (no
secondment, no lending to other offices, no covering them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.core.registry import register_centre
from sim.core.rng import sample
from sim.model.centres.base import Centre
from sim.model.centres.teams import cover_gaps, dedicated_layout, neediest
from sim.model.station import Acceptance, Desk
from sim.model.work import Step, draws
from sim.streams.services import SERVICES, desk_work

if TYPE_CHECKING:
    from sim.model.centre_settings import CentreSettings
    from sim.model.staff import Staff
    from sim.model.state import Model, Township


@register_centre("service")
class ServiceCentre(Centre):
    """Windows for the services stream, dedicated per department or pooled."""

    def __init__(self, model: Model, township: Township | None, settings: CentreSettings):
        super().__init__(model, township, settings)
        assert township is not None
        cfg = settings.workload(SERVICES)
        lever = settings.policy.windows
        self.cats = cats = list(cfg.categories.values())
        work = desk_work(cfg)
        self.desk_of = [0] * len(cats)
        if lever.mode == "pooled":
            self.stations = [Desk(model, f"{township.id}/service")]
            self.factor = lever.pooled_effort_factor
        else:
            # One window per department; with fewer clerks than departments a clerk
            # staffs the windows of a group of departments, as before the reform.
            clerks = township.present(self.name)
            groups = dedicated_layout(work, clerks)
            self.stations = [Desk(model, f"{township.id}/service/{i}") for i in range(len(groups))]
            for d, group in enumerate(groups):
                for c in group:
                    self.desk_of[c] = d
            self.factor = 1.0
        self.desk_load = [
            sum(work[c] for c in range(len(cats)) if self.desk_of[c] == d)
            for d in range(len(self.stations))
        ]
        # A dedicated approval body (一枚印章管审批) keeps its staff at its windows.
        self.lends_staff = not settings.county.kinds[township.kind].approval_body

    def place(self, s: Staff) -> None:
        """A new clerk goes to the window with the most work per clerk."""
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

        def create(t: float) -> None:
            cat, channel, incomplete, effort, intake = next(rows)
            window = desks[desk_of[cat]]
            if incomplete:
                route = [Step(window, intake, 1, 0), away, accept[cat], Step(window, effort, 1, 0)]
            else:
                route = [Step(window, effort, 1, 0)]
            visits = 0 if channel < remote else (2 if incomplete else 1)
            model.new_item(tw.index, SERVICES, t, limits[cat], route, visits)

        per_day = self.settings.rate_per_day(SERVICES.id, "services", tw)
        self.arrive(SERVICES, self.poisson("services", per_day), create)
        cover_gaps(model, self.settings.cover, desks, lambda d: d.active, lambda s: True)

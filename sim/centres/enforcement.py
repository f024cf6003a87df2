"""Comprehensive enforcement office (综合行政执法办公室): cases through five stages.

Cases arrive from inspections (per village), complaints (per population), referrals down
from the county, and grid reports (the ``cases`` inlet), each in a law domain. Each goes
inspect → file → investigate → review → decide (检查、受立案、调查、审查、决定); every stage
takes a crew (field stages: two certified officers at once).

Before the reform the officers are split into department **teams**, each taking only its
own domains (as many teams of two as the certified posts allow, domains spread by load);
with **integration** (一支队伍管执法) one team takes every domain, joined by stationed
county officers. Cases beyond township powers are sent up after inspection and the
county takes them over; before the powers are delegated (``timing.powers_day``) that
share is larger. Without escalation a referral waits for the county to pick it up
(``pickup_days_mean``); a share of decisions also waits for the county's legal review.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..registry import register_centre
from ..rng import sample
from ..station import CrewStation, Handoff
from ..streams.enforcement import ENFORCEMENT, ENFORCEMENT_STAGES
from ..work import Step, draws
from .base import Centre, Opener, Reserve
from .teams import cover_gaps, group_by_load, neediest

if TYPE_CHECKING:
    from ..model import Model, Township
    from ..staff import Staff


@register_centre("enforcement")
class EnforcementOffice(Centre):
    """Department teams or one integrated team; offers ``cases``, needs the county."""

    needs: ClassVar[Mapping[str, str]] = {"county": "departments.calls"}

    def __init__(self, model: Model, township: Township | None):
        super().__init__(model, township)
        assert township is not None
        cfg = ENFORCEMENT.settings(model.scenario)
        domains = list(cfg.domains)
        self.shares = shares = [cfg.domains[d] for d in domains]  # same stages everywhere
        integrated = model.scenario.policy.enforcement.integrated
        certified = township.present(self.name, certified=True)
        n_teams = 1 if integrated else min(len(domains), max(1, certified // 2))
        groups = group_by_load(shares, n_teams)
        self.stations = [
            CrewStation(model, f"{township.id}/enforcement/{i}") for i in range(len(groups))
        ]
        self.team_of = [0] * len(domains)
        for t, group in enumerate(groups):
            for d in group:
                self.team_of[d] = t
        self.team_load = [sum(shares[d] for d in g) for g in groups]
        # Cases from grid reports draw their attributes when the report arrives, so two
        # runs that differ only in staff see the same case for the same report (CRN).
        self.inlets["cases"] = self._case_maker("enforcement/from_grid")

    def place(self, s: Staff) -> None:
        """Officers join the team shortest of officers, clerks the one shortest of clerks."""
        teams, load = self.stations, self.team_load
        if s.certified:  # officers go where officers are scarcest, clerks likewise
            neediest(teams, load, lambda st: st.certified_active).add(s)
        else:
            neediest(teams, load, lambda st: st.active - st.certified_active).add(s)

    def start(self) -> None:
        """Start case arrivals and the daily cover of teams short of officers."""
        model, tw = self.model, self.township
        assert tw is not None
        self.county = self.link("county")
        cfg = ENFORCEMENT.settings(model.scenario)
        per_day = (
            cfg.inspections_per_village_per_day * tw.villages
            + cfg.complaints_per_10k_pop_per_day * tw.population / 1e4
            + cfg.county_referrals_per_day
        )
        reserve = self._case_maker("enforcement/attributes")
        self.arrive(ENFORCEMENT, self.poisson("enforcement", per_day), lambda t: reserve()(t))
        # Field steps need two officers: a team left with fewer borrows one.
        cover_gaps(
            model,
            self.stations,
            lambda t: t.certified_active,
            lambda t: list(t.free_cert),
            minimum=2,
        )

    def _draws(self, source: str) -> Iterator[tuple[Any, ...]]:
        model = self.model
        cfg = ENFORCEMENT.settings(model.scenario)
        stages = [getattr(cfg.stages, name) for name in ENFORCEMENT_STAGES]
        cum_share = np.cumsum(self.shares)
        policy = model.scenario.policy
        pickup_days = 0.0 if policy.escalation.enabled else policy.escalation.pickup_days_mean
        hpd = model.clock.hours_per_day
        n_domains = len(self.shares)

        def draw(rng: np.random.Generator, n: int) -> tuple[Any, ...]:
            domain = np.minimum(
                np.searchsorted(cum_share, rng.random(n), side="right"), n_domains - 1
            )
            beyond = rng.random(n)  # compared with the refer-up share in force at arrival
            legal = rng.random(n) < cfg.legal_review_share
            efforts = [sample(rng, s.effort, n) for s in stages]
            pickup = rng.exponential(1.0, n) * pickup_days * hpd
            return (
                domain,
                beyond,
                legal,
                *efforts,
                sample(rng, cfg.referral_effort, n),
                sample(rng, cfg.legal_review_effort, n),
                pickup,
            )

        return draws(self.rng(source), draw)

    def _case_maker(self, source: str) -> Reserve:
        """``reserve()``: draw a case's attributes from the stream ``source`` now, and
        return ``open_case(t, origin=None)`` that opens it at ``t``.
        """
        model, tw = self.model, self.township
        assert tw is not None
        cfg = ENFORCEMENT.settings(model.scenario)
        stages = [getattr(cfg.stages, name) for name in ENFORCEMENT_STAGES]
        timing = model.scenario.policy.timing
        powers_h = timing.powers_day * model.clock.hours_per_day
        before_powers = timing.refer_up_before_powers_share
        teams, team_of = self.stations, self.team_of
        send_up = Step(Handoff(model), 0.0, 0, 0)  # stamps the moment a case goes up
        rows = self._draws(source)

        def reserve() -> Opener:
            row = next(rows)
            return lambda t, origin=None: create(row, t, origin)

        def create(row: tuple[Any, ...], t: float, origin: float | None) -> None:
            county = self.county
            domain, beyond, legal, *hours, referral_h, legal_h, pickup_h = row
            team = teams[team_of[domain]]
            steps = [Step(team, h, s.crew, s.certified) for s, h in zip(stages, hours, strict=True)]
            to_county = [send_up]
            if pickup_h > 0.0:
                to_county.append(Step(None, pickup_h, 0, 0))
            refer_up = before_powers if t < powers_h else cfg.refer_up_share
            if beyond < refer_up:
                route = [steps[0], *to_county, Step(county, referral_h)]
            elif legal:
                route = [*steps[:4], send_up, Step(county, legal_h), steps[4]]
            else:
                route = steps
            model.new_item(tw.index, ENFORCEMENT, t, cfg.time_limit_days, route, origin=origin)

        return reserve

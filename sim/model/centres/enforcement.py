"""Comprehensive enforcement office (综合行政执法办公室): cases through five stages.

Cases arrive from inspections (per village), complaints (per population), referrals down
from the county, and grid reports (the ``cases`` inlet), each in a law domain. Each goes
inspect → file → investigate → review → decide (检查、受立案、调查、审查、决定); every stage
takes a crew (field stages: two certified officers at once). A share of the township's
own officers hold management posts (``policy.enforcement.management_share``, rounded
down; Weicheng: 执法队伍管理岗位不超过20%): they take the desk stages first — filing,
review, decision — and never a field stage, and teams form around the field officers.

Before the reform the officers are split into department **teams**, each taking only its
own domains (as many teams of two as the certified posts allow, domains spread by load);
with **integration** (一支队伍管执法) one team takes every domain, joined by stationed
county officers. Cases beyond township powers are sent up after inspection and the
county takes them over; before the powers are delegated (``timing.powers_day``) that
share is larger. A share of decisions also waits for the county's legal review, and a
share of filed cases calls a county department's officer before its investigation (the
whistle, 吹哨报到; see :mod:`sim.model.centres.county_enforcement`). Without
escalation (乡呼县应) a call to the county waits for the departments' next review of
their inbox (``review_days``) and then queues behind their own work.

The decision limit counts from filing (立案). Between review and decision the party has
its statement period (陈述申辩) after the notice (告知), and a hearing (听证) when it asks
for one; after the decision, the payment period runs before the case closes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from sim.core.registry import register_centre
from sim.core.rng import sample
from sim.model.centres.base import Centre, Opener, Reserve
from sim.model.centres.teams import cover_gaps, group_by_load, neediest
from sim.model.station import Acceptance, CrewStation, Decision, Handoff, Inbox
from sim.model.work import Step, draws
from sim.streams.enforcement import (
    ENFORCEMENT,
    ENFORCEMENT_STAGES,
    FIELD_STAGES,
    EnforcementWorkload,
    whistle_listed,
)

if TYPE_CHECKING:
    from sim.model.centre_settings import CentreSettings
    from sim.model.staff import Staff
    from sim.model.state import Model, Township


@register_centre("enforcement")
class EnforcementOffice(Centre):
    """Department teams or one integrated team; offers ``cases``, needs the county."""

    needs: ClassVar[Mapping[str, str]] = {
        "county": "departments.calls",
        "whistle": "county_enforcement.whistle",
    }
    takes_cover = False  # its steps need certified officers; others cannot stand in

    def __init__(self, model: Model, township: Township | None, settings: CentreSettings):
        super().__init__(model, township, settings)
        assert township is not None
        cfg = settings.workload(ENFORCEMENT)
        domains = list(cfg.domains)
        self.shares = shares = [cfg.domains[d] for d in domains]  # same stages everywhere
        lever = settings.policy.enforcement
        self.management_share = lever.management_share
        certified = township.present(self.name, certified=True)
        own = sum(
            township.members_at_start[p.name]
            for p in township.pools
            if p.centre == self.name and p.certified and p.quota_type != "stationed"
        )
        field = certified - self._managers(own)  # teams form around the field officers
        n_teams = 1 if lever.integrated else min(len(domains), max(1, field // 2))
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

    def _managers(self, officers: int) -> int:
        """Management posts among ``officers`` of the township's own (rounded down:
        the share is a cap, 不超过20%).
        """
        return math.floor(self.management_share * officers + 1e-9)

    def place(self, s: Staff) -> None:
        """Officers join the team shortest of officers, clerks the one shortest of clerks;
        a township officer fills a management post when fewer are filled than the share
        allows (stationed officers are the county's and always go to the field).
        """
        teams, load = self.stations, self.team_load
        if not s.certified:
            neediest(teams, load, lambda st: st.active - st.certified_active).add(s)
            return
        s.manager = False
        if self._own(s):
            own = [m for t in teams for m in t.members if m.certified and self._own(m)]
            s.manager = sum(m.manager for m in own) < self._managers(len(own) + 1)
        if s.manager:  # managers spread over the teams, field officers likewise
            neediest(teams, load, lambda st: st.managers_active).add(s)
        else:
            neediest(teams, load, lambda st: st.field_active).add(s)

    def _own(self, s: Staff) -> bool:
        """An officer of the township's own (not stationed by a county department)."""
        return self.model.pools[s.pool].quota_type != "stationed"

    def team_size(self, certified: bool) -> int:
        """Field stages need this many certified officers at once (two, by default)."""
        stages = self.settings.workload(ENFORCEMENT).stages
        need = (getattr(stages, n).certified for n in ENFORCEMENT_STAGES)
        return max(1, *need) if certified else 1

    def start(self) -> None:
        """Start case arrivals and the daily cover of teams short of officers."""
        model, tw = self.model, self.township
        assert tw is not None
        self.county = self.link("county")
        self.whistle = self.link("whistle")
        per_day = self.settings.rate_per_day(ENFORCEMENT.id, "enforcement", tw)
        reserve = self._case_maker("enforcement/attributes")
        self.arrive(ENFORCEMENT, self.poisson("enforcement", per_day), lambda t: reserve()(t))
        # Field steps need two field officers: a team left with fewer borrows one.
        cover_gaps(
            model,
            self.settings.cover,
            self.stations,
            lambda t: t.field_active,
            lambda s: s.certified and not s.manager,
            minimum=self.team_size(certified=True),
        )

    def _draws(self, source: str) -> Iterator[tuple[Any, ...]]:
        cfg = self.settings.workload(ENFORCEMENT)
        stages = [getattr(cfg.stages, name) for name in ENFORCEMENT_STAGES]
        cum_share = np.cumsum(self.shares)
        n_domains = len(self.shares)

        def draw(rng: np.random.Generator, n: int) -> tuple[Any, ...]:
            domain = np.minimum(
                np.searchsorted(cum_share, rng.random(n), side="right"), n_domains - 1
            )
            beyond = rng.random(n)  # compared with the refer-up share in force at arrival
            legal = rng.random(n) < cfg.legal_review_share
            hearing = rng.random(n) < cfg.hearing_share
            efforts = [sample(rng, s.effort, n) for s in stages]
            return (
                domain,
                beyond,
                legal,
                hearing,
                *efforts,
                sample(rng, cfg.referral_effort, n),
                sample(rng, cfg.legal_review_effort, n),
            )

        return draws(self.rng(source), draw, self.model.added_arrival)

    def _whistle_draws(self, source: str, cfg: EnforcementWorkload) -> Iterator[tuple[Any, ...]]:
        def draw(rng: np.random.Generator, n: int) -> tuple[Any, ...]:
            return rng.random(n), sample(rng, cfg.whistle_effort, n)

        return draws(self.rng(f"{source}/whistle"), draw, self.model.added_arrival)

    def _case_maker(self, source: str) -> Reserve:
        """``reserve()``: draw a case's attributes from the stream ``source`` now, and
        return ``open_case(t, origin=None)`` that opens it at ``t``.
        """
        model, tw = self.model, self.township
        assert tw is not None
        settings = self.settings
        cfg = settings.workload(ENFORCEMENT)
        stages = [getattr(cfg.stages, name) for name in ENFORCEMENT_STAGES]
        timing = settings.policy.timing
        powers_h = timing.powers_day * model.clock.hours_per_day
        before_powers = timing.refer_up_before_powers_share
        teams, team_of = self.stations, self.team_of
        to_county = self._to_county()
        waits = self._statutory_waits(cfg)
        county_pool = settings.county.enforcement_officers > 0
        whistle_share = cfg.whistle_share if county_pool else 0.0
        listed = whistle_listed(list(cfg.domains), settings.policy.enforcement.whistle_domains)
        rows = self._draws(source)
        # Own stream: adding whistle calls leaves every other draw of a case unchanged.
        whistles = self._whistle_draws(source, cfg)

        def reserve() -> Opener:
            row = next(rows), next(whistles)
            return lambda t, origin=None: create(row, t, origin)

        def create(rows: tuple[Any, ...], t: float, origin: float | None) -> None:
            county = self.county
            row, (whistle_u, whistle_h) = rows
            domain, beyond, legal, hearing, *hours, referral_h, legal_h = row
            team = teams[team_of[domain]]
            inspect, file, investigate, review, decide = (
                Step(team, h, s.crew, s.certified, name in FIELD_STAGES)
                for name, s, h in zip(ENFORCEMENT_STAGES, stages, hours, strict=True)
            )
            refer_up = before_powers if t < powers_h else cfg.refer_up_share
            if beyond < refer_up:  # beyond township powers: the county takes it over
                route = [inspect, *to_county, Step(county, referral_h)]
            else:
                route = [inspect, file, waits.filed]
                # Another department's officer must come, if the whistle list allows.
                if whistle_u < whistle_share and listed[domain]:
                    route += self.whistle.steps(whistle_h)
                route += [investigate, review]
                if legal:
                    route += [*to_county, Step(county, legal_h)]
                route += waits.before_decision(hearing)
                route += [decide, waits.decided, *waits.after_decision]
            model.new_item(tw.index, ENFORCEMENT, t, cfg.time_limit_days, route, origin=origin)

        return reserve

    def _to_county(self) -> list[Step]:
        """Steps of a call to the county before its staff work on it: stamp the moment;
        without escalation (乡呼县应), wait for the departments' review of their inbox.
        """
        model = self.model
        escalation = self.settings.policy.escalation
        steps = [Step(Handoff(model), 0.0, 0, 0)]
        if not escalation.enabled and escalation.review_days > 0:
            steps.append(Step(Inbox(model, model.clock.hours(escalation.review_days)), 0.0, 0, 0))
        return steps

    def _statutory_waits(self, cfg: EnforcementWorkload) -> StatutoryWaits:
        hours = self.model.clock.hours
        return StatutoryWaits(
            filed=Step(Acceptance(self.model, cfg.time_limit_days), 0.0, 0, 0),
            statement=_delay(hours(cfg.statement_days)),
            hearing=_delay(hours(cfg.hearing_days)),
            decided=Step(Decision(self.model), 0.0, 0, 0),
            after_decision=_delay(hours(cfg.payment_days)),
        )


def _delay(hours: float) -> list[Step]:
    """A pure waiting period as route steps (none when it is zero)."""
    return [Step(None, hours, 0, 0)] if hours > 0 else []


@dataclass(frozen=True)
class StatutoryWaits:
    """The steps of a case's procedure that are waiting, not work: the clock starts at
    filing (立案); the party's statement period (陈述申辩) after the notice (告知) and a
    hearing (听证) when asked for come before the decision; the payment period after it.
    """

    filed: Step
    statement: list[Step]
    hearing: list[Step]
    decided: Step
    after_decision: list[Step]

    def before_decision(self, hearing: bool) -> list[Step]:
        """The waits between review and decision for a case with or without a hearing."""
        return [*self.statement, *self.hearing] if hearing else list(self.statement)

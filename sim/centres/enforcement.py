"""Comprehensive enforcement office (综合行政执法办公室): cases through five stages.

Cases arrive from inspections (per village), complaints (per population), referrals down
from the county, and grid reports, each in a law domain. Each goes inspect → file →
investigate → review → decide (检查、受立案、调查、审查、决定); every stage takes a crew
(field stages: two certified officers at once).

Before the reform the officers are split into department **teams**, each taking only its
own domains (as many teams of two as the certified posts allow, domains spread by load);
with **integration** (一支队伍管执法) one team takes every domain, joined by stationed
county officers. Cases beyond township powers are sent up after inspection and the
county takes them over; before the powers are delegated (``timing.powers_day``) that
share is larger. Without escalation a referral waits for the county to pick it up
(``pickup_days_mean``); a share of decisions also waits for the county's legal review.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..config import ENFORCEMENT_STAGES, EnforcementWorkload, PolicyConfig
from ..model import Model, Township
from ..station import CrewStation, CountyDesk, Handoff
from ..streams import poisson_times, sample
from ..work import ENFORCEMENT, ArrivalSource, draws
from .teams import cover_gaps, group_by_load, neediest


def build_enforcement(model: Model, tw: Township, cfg: EnforcementWorkload,
                      policy: PolicyConfig, county: CountyDesk, certified_posts: int
                      ) -> tuple[Callable[[float], None], Callable]:
    """Wire the office; return ``open_case(t)`` for cases from elsewhere, and where a
    new member of the office goes."""
    domains = list(cfg.domains)
    shares = [cfg.domains[d] for d in domains]  # every domain's case has the same stages
    n_teams = 1 if policy.enforcement.integrated else min(len(domains), max(1, certified_posts // 2))
    groups = group_by_load(shares, n_teams)
    teams = [CrewStation(model, f"{tw.id}/enforcement/{i}") for i in range(len(groups))]
    team_of = [0] * len(domains)
    for t, group in enumerate(groups):
        for d in group:
            team_of[d] = t
    team_load = [sum(shares[d] for d in g) for g in groups]
    tw.stations["enforcement"] = teams
    stages = [getattr(cfg.stages, name) for name in ENFORCEMENT_STAGES]
    cum_share = np.cumsum(shares)
    handoff = Handoff(model)
    hpd = model.clock.hours_per_day
    powers_h = policy.timing.powers_day * hpd
    before_powers = policy.timing.refer_up_before_powers_share
    pickup_days = 0.0 if policy.escalation.enabled else policy.escalation.pickup_days_mean

    def draw(rng, n):
        domain = np.minimum(np.searchsorted(cum_share, rng.random(n), side="right"),
                            len(domains) - 1)
        beyond = rng.random(n)  # compared with the refer-up share in force at arrival
        legal = rng.random(n) < cfg.legal_review_share
        efforts = [sample(rng, s.effort, n) for s in stages]
        pickup = rng.exponential(1.0, n) * pickup_days * hpd
        return (domain, beyond, legal, *efforts, sample(rng, cfg.referral_effort, n),
                sample(rng, cfg.legal_review_effort, n), pickup)

    def case_maker(rows) -> Callable[[float], None]:
        def create(t: float) -> None:
            domain, beyond, legal, *hours, referral_h, legal_h, pickup_h = next(rows)
            team = teams[team_of[domain]]
            steps = [(team, h, s.crew, s.certified) for s, h in zip(stages, hours)]
            to_county = [(handoff, 0.0, 0, 0)]
            if pickup_h > 0.0:
                to_county.append((None, pickup_h, 0, 0))
            refer_up = before_powers if t < powers_h else cfg.refer_up_share
            if beyond < refer_up:
                route = [steps[0], *to_county, (county, referral_h, 1, 0)]
            elif legal:
                route = steps[:4] + [(handoff, 0.0, 0, 0), (county, legal_h, 1, 0), steps[4]]
            else:
                route = steps
            model.new_item(tw.index, ENFORCEMENT, t, cfg.time_limit_days, route)
        return create

    create = case_maker(draws(model.rng(f"{tw.id}/enforcement/attributes"), draw))
    rate_per_day = (cfg.inspections_per_village_per_day * tw.villages
                    + cfg.complaints_per_10k_pop_per_day * tw.population / 1e4
                    + cfg.county_referrals_per_day)
    times = poisson_times(model.rng(f"{tw.id}/enforcement/arrivals"),
                          model.per_hour(rate_per_day), model.horizon_h)
    ArrivalSource(model.env, times, create)

    # Field steps need two officers: a team left with fewer borrows one.
    cover_gaps(model, teams, lambda t: t.certified_active, lambda t: list(t.free_cert),
               minimum=2)

    def place(s) -> None:
        if s.certified:  # officers go where officers are scarcest, clerks likewise
            neediest(teams, team_load, lambda st: st.certified_active).add(s)
        else:
            neediest(teams, team_load, lambda st: st.active - st.certified_active).add(s)

    open_case = case_maker(draws(model.rng(f"{tw.id}/enforcement/from_grid"), draw))
    return open_case, place

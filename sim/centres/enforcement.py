"""Comprehensive enforcement office (综合行政执法办公室): cases through five stages.

Cases arrive from inspections (per village), complaints (per population), referrals down
from the county, and grid reports. Each goes inspect → file → investigate → review →
decide (检查、受立案、调查、审查、决定); every stage takes a crew from the office's staff
(field stages: two certified officers at once). A share of cases is beyond township
powers: after inspection it is referred up and waits for county staff. A share of
decisions is major and waits for the county's legal review before the decision.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..config import ENFORCEMENT_STAGES, EnforcementWorkload
from ..model import Model, Township
from ..station import Desk
from ..streams import poisson_times, sample
from ..work import ENFORCEMENT, ArrivalSource, draws


def build_enforcement(model: Model, tw: Township, cfg: EnforcementWorkload,
                      county: Desk) -> Callable[[float], None]:
    """Wire the office's sources; return ``spawn(t)`` that opens a case from elsewhere."""
    office = tw.stations["enforcement"]
    stages = [getattr(cfg.stages, name) for name in ENFORCEMENT_STAGES]

    def draw(rng, n):
        refer_up = rng.random(n) < cfg.refer_up_share
        legal = rng.random(n) < cfg.legal_review_share
        efforts = [sample(rng, s.effort, n) for s in stages]
        return (refer_up, legal, *efforts, sample(rng, cfg.referral_effort, n),
                sample(rng, cfg.legal_review_effort, n))

    def case_maker(rows) -> Callable[[float], None]:
        def create(t: float) -> None:
            refer_up, legal, *hours, referral_h, legal_h = next(rows)
            steps = [(office, h, s.crew, s.certified) for s, h in zip(stages, hours)]
            if refer_up:
                route = [steps[0], (county, referral_h, 1, 0)]
            elif legal:
                route = steps[:4] + [(county, legal_h, 1, 0), steps[4]]
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
    return case_maker(draws(model.rng(f"{tw.id}/enforcement/from_grid"), draw))

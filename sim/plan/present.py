"""Staff expected present at a centre in the long run: posts less vacancies and secondment.

The simulation starts with every post of a pool filled; then staff leave
(``policy.workforce.attrition_per_year``), a vacated post waits for the next recruitment
round (every ``hiring_round_days``, so half of that on average) and the new hire starts
``hiring_lag_days`` later, at ``training_speed`` for ``training_days``. Read as an
alternating renewal process, a post is filled for ``1/a`` working days (``a`` the daily
attrition rate) and then vacant for ``D``, so the share of the time it is vacant is
``a·D / (1 + a·D)``; training counts as ``(1 − speed)·training_days`` more of ``D``.
Rounds are assumed large enough to fill every vacancy (``hires_per_round`` ignored).

The county borrows township staff (``policy.secondment``): requests arrive at ``r`` a
working day and last an exponential ``d`` days (cut at ``max_days`` under the capped
rules), so ``r·E[d]`` staff are away on average (Little's law), taken from the
borrowable pools in proportion to their headcount; the cap on staff away at once is
ignored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.config.schema import Scenario, SecondmentLever, WorkforceLever
from sim.config.townships import kind_of
from sim.model.quota import centre_posts, township_staff
from sim.model.staff import WEEKS_PER_YEAR

PERMANENT = ("administrative", "institutional")
"""Quota types the county borrows from when ``policy.secondment.pools`` is None
(as :func:`sim.model.secondment.borrowable`)."""


def vacancy_share(lever: WorkforceLever, days_per_week: int) -> float:
    """Long-run share of a pool's posts vacant (or lost to training) by attrition."""
    rate = lever.attrition_per_year * (
        1 - lever.incentive_attrition_cut_share if lever.incentives else 1.0
    )
    per_day = rate / (WEEKS_PER_YEAR * days_per_week)
    vacant_days = (
        lever.hiring_round_days / 2
        + lever.hiring_lag_days
        + (1 - lever.training_speed) * lever.training_days
    )
    return per_day * vacant_days / (1 + per_day * vacant_days)


def mean_secondment_days(lever: SecondmentLever) -> float:
    """Mean length of a secondment: exponential, cut at ``max_days`` when capped."""
    d = lever.duration_mean_days
    if not lever.capped or d <= 0:
        return d
    return d * (1 - math.exp(-lever.max_days / d))


def seconded_share(s: Scenario, tid: str) -> float:
    """Share of the township's borrowable staff away on secondment on average."""
    lever = s.policy.secondment
    pools = township_staff(s, tid)
    approval_body = s.county.kinds[kind_of(tid)].approval_body
    borrowable = sum(
        p.headcount
        for name, p in pools.items()
        if (p.quota_type in PERMANENT if lever.pools is None else name in lever.pools)
        and not (approval_body and p.centre == "service")
    )
    if borrowable <= 0:
        return 0.0
    away = lever.requests_per_township_per_day * mean_secondment_days(lever)
    return min(1.0, away / borrowable)


@dataclass(frozen=True)
class Present:
    """Staff a centre can count on in the long run."""

    staff: float
    certified: float
    notes: tuple[str, ...]


def expected_present(s: Scenario, tid: str, centre: str) -> Present:
    """Posts of ``centre`` after the quota lever, less expected vacancies and, for a
    centre that lends staff, the expected share away on secondment.
    """
    posts = centre_posts(s, tid, centre)
    vacant = vacancy_share(s.policy.workforce, s.calendar.days_per_week)
    notes = [f"vacancies {vacant:.1%} (renewal)"] if vacant > 0 else []
    keep = 1 - vacant
    approval_body = s.county.kinds[kind_of(tid)].approval_body
    if not (approval_body and centre == "service"):
        away = seconded_share(s, tid)
        if away > 0:
            keep *= 1 - away
            notes.append(f"secondment {away:.1%} away (Little)")
    certified_share = posts.certified / posts.present if posts.present else 0.0
    return Present(posts.quota * keep, posts.quota * certified_share * keep, tuple(notes))

"""Secondment upward (借调): the county borrows township staff.

Requests arrive per township (Poisson), each for a length drawn at arrival. A seconded
member does no township work until they return (a busy one leaves when the current step
ends). Without caps every request is granted. With the reform rules (``capped``) a
request is refused when the township already has ``max_per_township`` away, is cut to
``max_days``, and newly recruited civil servants (administrative quota) within
``min_service_days`` cannot be chosen; refusals are counted. A request with nobody
eligible left to send is counted as unfilled.
"""

from __future__ import annotations

from typing import Any

from sim.config import SecondmentLever
from sim.core.rng import poisson_times
from sim.model.staff import Pool, Staff, Workforce
from sim.model.state import Model, Secondment, Township, TownshipEvent
from sim.model.work import ArrivalSource, draws

PERMANENT = ("administrative", "institutional")  # 在编: on the township's quota
CIVIL_SERVANTS = "administrative"
"""The quota type of civil servants (公务员): Wuchuan's rule shields only newly recruited
civil servants (seed 001: 新录用公务员在服务期限内不得…以借用…方式抽调), not institutional staff."""


def shielded(pool: Pool, member: Staff, lever: SecondmentLever, now_h: float, min_h: float) -> bool:
    """Whether the capped rules forbid borrowing ``member``: a civil servant hired less
    than ``min_h`` working hours before ``now_h``.
    """
    return lever.capped and pool.quota_type == CIVIL_SERVANTS and now_h - member.hired_at < min_h


def borrowable(pool: Pool, lever: SecondmentLever) -> bool:
    """A pool the county may borrow from: those named, or any of permanent staff."""
    if lever.pools is None:
        return pool.quota_type in PERMANENT
    return pool.name in lever.pools


def build_secondment(
    model: Model, tw: Township, lever: SecondmentLever, workforce: Workforce
) -> None:
    """Wire the county's secondment requests to one township."""
    pools = [p for p in tw.pools if borrowable(p, lever) and tw.centres[p.centre].lends_staff]
    hours = model.clock.hours
    rows = draws(
        model.rng(f"{tw.id}/secondment/attributes"),
        lambda rng, n: (rng.exponential(lever.duration_mean_days, n), rng.random(n)),
        model.added_arrival,
    )
    away: list[Staff] = []

    def request(t: float) -> None:
        days, pick = next(rows)
        if lever.capped:
            days = min(days, lever.max_days)
            if len(away) >= lever.max_per_township:
                model.secondment_refused.append(TownshipEvent(tw.index, t))
                return
        eligible = [
            s
            for p in pools
            for s in p.members
            if not s.seconded
            and s.on_release is None
            and not shielded(p, s, lever, t, hours(lever.min_service_days))
        ]
        if not eligible:
            model.secondment_unfilled.append(TownshipEvent(tw.index, t))
            return
        s = eligible[int(pick * len(eligible))]
        s.seconded = True
        away.append(s)

        def depart(s: Staff) -> None:  # now, or when the member's current step ends
            record = Secondment(tw.index, model.env.now)
            model.secondments.append(record)
            model.log_staff(s.pool, d_active=-1)
            model.after(hours(days), come_back, (s, record))

        s.station.remove(s, depart)

    def come_back(value: Any) -> None:
        s, record = value
        record.end = model.env.now
        s.seconded = False
        away.remove(s)
        if s.employed:
            model.log_staff(s.pool, d_active=1)
            workforce.place[s.pool](s)

    times = poisson_times(
        model.rng(f"{tw.id}/secondment/arrivals"),
        model.per_hour(lever.requests_per_township_per_day),
        model.horizon_h,
    )
    ArrivalSource(model.calendar, times, request)

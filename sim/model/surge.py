"""Surge staff: temporary members who clear a backlog.

``policy.surge`` adds ``staff`` members to a pool of each township it names from working
day ``start_day`` for ``days`` working days. They hold no post, so the quota, vacancies,
hiring and secondment never see them; they are logged as *active* staff only (the
headcount of filled posts does not change), so available hours and utilisation count
them while they are there. A member busy when the surge ends finishes the current step
and then leaves, as a seconded member does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.config.townships import surge_townships
from sim.model.staff import Pool, Staff

if TYPE_CHECKING:
    from sim.config.schema import Scenario
    from sim.model.state import Model


def build_surge(model: Model) -> None:
    """Schedule the surge's arrivals and departures (nothing without staff or days)."""
    surge = model.scenario.policy.surge
    if not (surge.staff and surge.days):
        return
    reached = set(surge_townships(model.scenario))
    pools = [
        p for tw in model.townships if tw.id in reached for p in tw.pools if p.name == surge.pool
    ]
    arrive = model.clock.hours(surge.start_day)
    stay = model.clock.hours(surge.days)
    for pool in pools:
        # One step later at the same instant, so that work placed at that instant (today's
        # backlog, at the end of the warm-up) is in the lines the surge looks at.
        model.after(arrive, _one_step_later, (model, pool, surge.staff, stay))


def _one_step_later(args: tuple[Model, Pool, int, float]) -> None:
    args[0].after(0.0, lambda a: _arrive(*a), args)


def _arrive(model: Model, pool: Pool, count: int, stay: float) -> None:
    team = []
    assert pool.township is not None  # a surge reaches township pools only
    stations = model.townships[pool.township].stations(pool.centre)
    for _ in range(count):
        s = Staff(pool.index, pool.certified, hired_at=model.env.now)
        model.log_staff(pool.index, d_active=1)
        _place(model, pool, stations, s)
        team.append(s)
    model.after(stay, lambda _e: _leave(model, team))


def _place(model: Model, pool: Pool, stations: list[Any], s: Staff) -> None:
    """Where the line is: a surge clerk is sent to clear a backlog, so it joins the
    station with the most items waiting per member after it joins (the centre's own
    rule, by expected load, only when no line is waiting).
    """
    lines = [(st, st.waiting() / (st.active + 1)) for st in stations]
    longest = max(lines, key=lambda sl: sl[1], default=None)
    if longest is not None and longest[1] > 0:
        longest[0].add(s)
    else:
        model.workforce.place[pool.index](s)


def _leave(model: Model, team: list[Staff]) -> None:
    def gone(s: Staff) -> None:
        model.log_staff(s.pool, d_active=-1)

    for s in team:
        s.employed = False  # nothing calls it back to work
        if s.on_release is not None:  # already leaving its station (a move on hold)
            s.on_release = gone
        else:
            s.station.remove(s, gone)


def surge_cost(scenario: Scenario) -> float:
    """A scenario's surge cost, thousand yuan (known before any run)."""
    surge = scenario.policy.surge
    if not (surge.staff and surge.days):
        return 0.0
    townships = len(surge_townships(scenario))
    return surge.staff * surge.days * surge.day_rate * townships

"""Overtime when work is overdue (``county.overtime``).

The model's clock holds working hours only, so an evening's extra hours cannot be
placed after closing time; they are worked as pace instead. On a working day that
starts with an overdue item waiting at a station (past its deadline), each member there
works ``hours_per_day`` more — at most ``hours_per_week`` in the working week — which
the day's 8 hours (``calendar.hours_per_day``) carry as a speed of (8 + h) / 8 for the
steps started that day. A step started late in the day keeps that pace to its end: a
slight overstatement of the evening's reach, where the evening is short and the step
long. The hours worked inside the measurement window are added up per pool
(``model.pool_overtime``), from which :mod:`sim.analysis.metrics` reports
``staff.<pool>.overtime_h_per_week``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sim.model.station import CrewStation

if TYPE_CHECKING:
    from sim.config.schema import OvertimeRule
    from sim.model.staff import Staff
    from sim.model.state import Model, Township
    from sim.model.work import WorkItem


def work_overtime(model: Model, rule: OvertimeRule, tw: Township) -> None:
    """Review every working day which of ``tw``'s stations have overdue work waiting and
    speed their members up for the day, within each member's weekly cap.
    """
    if rule.hours_per_week <= 0.0 or rule.hours_per_day <= 0.0:
        return
    hpd = model.clock.hours_per_day
    used: dict[Staff, tuple[int, float]] = {}  # member → (week, overtime hours in it)

    def review() -> None:
        now = model.env.now
        week = int(now // hpd) // model.clock.days_per_week
        for centre in tw.centres.values():
            for station in centre.stations:
                if not any(item.due < now for item in waiting(station)):
                    continue
                for s in station.members:
                    so_far = _this_week(used, s, week)
                    extra = min(rule.hours_per_day, rule.hours_per_week - so_far)
                    if extra <= 0.0 or s.overtime != 1.0:  # capped, or already today
                        continue
                    used[s] = (week, so_far + extra)
                    _speed_up(model, s, 1.0 + extra / hpd)
                    if now >= model.warmup_h:
                        model.pool_overtime[s.pool] += extra

    model.every(1.0, review)


def _this_week(used: dict[Staff, tuple[int, float]], s: Staff, week: int) -> float:
    """Overtime hours ``s`` has worked in working week ``week`` so far."""
    last_week, hours = used.get(s, (week, 0.0))
    return hours if last_week == week else 0.0


def waiting(station: Any) -> Iterable[WorkItem]:
    """The items waiting at a station (every crew line of a crew station)."""
    if isinstance(station, CrewStation):
        return (item for line in station.lines.values() for item in line)
    return iter(station.line)


def _speed_up(model: Model, s: Staff, pace: float) -> None:
    """``s`` works at ``pace`` times their speed until the end of the working day (the
    end comes before the next day's review: it was scheduled first).
    """
    s.overtime = pace
    s.speed *= pace
    model.after(model.clock.hours_per_day, _day_over, s)


def _day_over(s: Staff) -> None:
    """Back to the ordinary pace."""
    s.speed /= s.overtime
    s.overtime = 1.0

"""Working-time clock (工作日历): simulation time ↔ working days ↔ calendar dates.

The simulation clock counts **working hours only**: one working day is
``hours_per_day`` units of simulation time, and evenings and weekends do not exist in it.
Work arriving outside office hours (online requests at night, a list sent on Saturday)
is therefore treated as arriving at the start of the next working period, and every
rate in the config is "per working day". Waiting and lead times (``_h`` metrics) are in
working hours; ``_d`` metrics are in working days. Calendar dates are used only for
labelling output: working day ``d`` is the ``d``-th weekday on or after ``start_date``
(no public holidays are modelled).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class WorkingClock:
    """Working hours ↔ working days ↔ calendar dates."""

    hours_per_day: float = 8.0
    days_per_week: int = 5
    start_date: str = "2020-01-06"

    def hours(self, days: float) -> float:
        """Working days → simulation time."""
        return days * self.hours_per_day

    def due(self, t_arrival: float, limit_days: float) -> float:
        """Deadline of an item that arrives at ``t_arrival`` with a limit of
        ``limit_days`` working days: the end of the ``limit_days``-th working day after
        the arrival day (a limit of 0 means by the end of the same day).
        """
        day = t_arrival // self.hours_per_day
        return (day + 1 + limit_days) * self.hours_per_day

    def date_of_day(self, day: int) -> dt.date:
        """Working-day index → calendar date, skipping non-working weekdays."""
        start = dt.date.fromisoformat(self.start_date)
        while start.weekday() >= self.days_per_week:
            start += dt.timedelta(days=1)
        weeks, rest = divmod(int(day), self.days_per_week)
        date = start + dt.timedelta(weeks=weeks)
        for _ in range(rest):
            date += dt.timedelta(days=1)
            while date.weekday() >= self.days_per_week:
                date += dt.timedelta(days=1)
        return date

    def day_of_date(self, date: dt.date) -> int:
        """Calendar date → working-day index (negative before the start); a date off work
        counts as the next working day, as work arriving then is handled then.
        """
        start = self.date_of_day(0)
        while date.weekday() >= self.days_per_week:
            date += dt.timedelta(days=1)
        sign = 1 if date >= start else -1
        lo, hi = sorted((start, date))
        weeks, rest = divmod((hi - lo).days, 7)
        days = weeks * self.days_per_week
        for i in range(rest):  # the weekdays of the partial week from lo on
            if (lo + dt.timedelta(days=i)).weekday() < self.days_per_week:
                days += 1
        return sign * days

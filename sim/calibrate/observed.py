"""Observed counts: the CSV file ``tsim-calibrate`` reads, checked row by row.

One row per township, stream and period::

    township,stream,period_start,period_end,arrivals[,completions][,kind]
    town_1,services,2020-01-06,2020-01-31,1712,1650,

Dates are ISO (``YYYY-MM-DD``), both ends inclusive; a period counts the working days it
spans on the model's calendar (``calendar.*``) and must start on or after
``calendar.start_date``, the first simulated day, and end within :data:`MAX_YEARS` of it
(the fit check simulates every working day up to the last period's end). ``kind``
(optional) names one source of the stream (:func:`sim.calibrate.drivers.components`,
e.g. ``inspections``); without it a row counts the whole stream, cases and tasks from
grid reports included. A stream uses one layout: all rows with kinds or all without.
``completions`` (optional) are checked and kept, but they depend on staffing, not on
arrival rates. Periods of the same township, stream and kind must not overlap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sim.calibrate.drivers import components, streams
from sim.config.datafiles import Row, read_rows
from sim.core.calendar import WorkingClock
from sim.model.quota import township_ids

COLUMNS = ("township", "stream", "period_start", "period_end", "arrivals")
MAX_YEARS = 30
"""Periods end at most this many years after ``calendar.start_date``: the fit check
simulates every day in between (a period in 2150 would be 130 years of simulation)."""


@dataclass(frozen=True)
class Period:
    """One row of observed counts."""

    row: int
    township: str
    stream: str
    kind: str
    """A component's name, or "" for the stream's total."""
    start: dt.date
    end: dt.date
    first_day: int
    """Working-day index of the first working day in the period."""
    days: int
    """Working days in the period."""
    arrivals: int
    completions: int | None

    @property
    def last_day(self) -> int:
        """Index one past the period's last working day."""
        return self.first_day + self.days


def read_counts(path: str, scenario: Any) -> list[Period]:
    """The periods of the file ``path``, each checked against the scenario."""
    rows = read_rows(path, COLUMNS)
    cal = scenario.calendar
    clock = WorkingClock(cal.hours_per_day, cal.days_per_week, cal.start_date)
    periods = [_period(row, scenario, clock) for row in rows]
    _check_layout(rows, periods)
    _check_overlaps(rows, periods)
    return periods


def _period(row: Row, s: Any, clock: WorkingClock) -> Period:
    township, stream = row.text("township"), row.text("stream")
    known = township_ids(s)
    if township not in known:
        listed = ", ".join(known[:6]) + (" …" if len(known) > 6 else "")
        row.fail("township", f"{township!r} is not a township of the county ({listed})")
    if stream not in streams():
        row.fail("stream", f"{stream!r} is not a stream ({', '.join(streams())})")
    kind = row.cells.get("kind", "").strip()
    kinds = [c.kind for c in components(s, stream)]
    if kind and kind not in kinds:
        row.fail("kind", f"{kind!r} is not a kind of {stream} ({', '.join(kinds)})")
    start, end = row.date("period_start"), row.date("period_end")
    if start < dt.date.fromisoformat(s.calendar.start_date):
        row.fail(
            "period_start",
            f"{start} is outside the calendar: it starts on calendar.start_date = "
            f"{s.calendar.start_date} (set calendar.start_date to the first day of the data)",
        )
    if end < start:
        row.fail("period_end", f"{end} is before period_start {start}")
    _check_reach(row, end, s.calendar.start_date)
    first_day = clock.day_of_date(start)
    last_day = clock.day_of_date(end + dt.timedelta(days=1))
    if last_day == first_day:
        row.fail("period_end", f"{start} … {end} holds no working day")
    arrivals = row.count("arrivals")
    completions = row.count("completions") if row.has("completions") else None
    return Period(
        row.number,
        township,
        stream,
        kind,
        start,
        end,
        first_day,
        last_day - first_day,
        arrivals,
        completions,
    )


def _check_reach(row: Row, end: dt.date, start_date: str) -> None:
    """The period ends within :data:`MAX_YEARS` of the first simulated day."""
    first = dt.date.fromisoformat(start_date)
    if end > first + dt.timedelta(days=round(365.25 * MAX_YEARS)):
        row.fail(
            "period_end",
            f"{end} is more than {MAX_YEARS} years after calendar.start_date = {start_date} "
            f"(periods may end from {first} to {MAX_YEARS} years later: the fit check "
            "simulates every day in between; set calendar.start_date near the data)",
        )


def _check_layout(rows: list[Row], periods: list[Period]) -> None:
    """A stream's rows are all totals or all split by kind."""
    split: dict[str, bool] = {}
    for row, p in zip(rows, periods, strict=True):
        has_kind = bool(p.kind)
        if split.setdefault(p.stream, has_kind) != has_kind:
            row.fail(
                "kind",
                f"{p.stream} has rows with and without a kind; use one layout per stream",
            )


def _check_overlaps(rows: list[Row], periods: list[Period]) -> None:
    """Periods of one township, stream and kind are disjoint."""
    seen: dict[tuple[str, str, str], list[tuple[Period, Row]]] = {}
    for row, p in zip(rows, periods, strict=True):
        for other, _ in seen.get((p.township, p.stream, p.kind), []):
            if p.start <= other.end and other.start <= p.end:
                row.fail(
                    "period_start",
                    f"{p.start} … {p.end} overlaps row {other.row} "
                    f"({other.start} … {other.end}) of {p.township} {p.stream}",
                )
        seen.setdefault((p.township, p.stream, p.kind), []).append((p, row))

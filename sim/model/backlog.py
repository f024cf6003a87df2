"""Today's backlog as the starting state (在办件): open items in the system at time zero.

``run.initial_backlog=FILE`` names a CSV file in one of two layouts:

* **counts** — ``township,stream,open_items``: that many open items of the stream in the
  township, taken to have arrived on the last working day before the start;
* **items** — ``township,stream,arrival_date``: one row per open item with the date it
  arrived (before ``calendar.start_date``).

A file holds one layout, not both (a dated file's dates would otherwise be ignored), and
names each township and stream once in the counts layout (a repeated row would otherwise
be summed without a word). Counts stay counts until the model places them: the run-size
guard (:mod:`sim.run.guard`) weighs :func:`open_items` before a million items exist.

**Warm start.** The file is today's state of the (township, stream) pairs it names; the
others would start empty and fill during the run, and the report would flag them as
growing. So the file's items are placed when ``run.warmup_days`` ends: every pair the file
does not name warms up from empty meanwhile, as any run does, while the pairs it names
have no arrivals before (:meth:`sim.model.centres.base.Centre.arrive`). Simulating the
warm-up, rather than starting those streams at a formula's steady-state queue, gives the
joint state of shared staff, multi-step routes and the county's desks, which no
per-station formula does (and the model layer has no queueing formulas: they are the
planner's). Items one stream passes to another during the warm-up still arrive. With
``run.warmup_days=0`` nothing warms up and the items are placed at time zero, as before.

Each open item is created when placed by the same centre code that creates the
stream's new arrivals (:meth:`sim.model.centres.base.Centre.arrive` records it), but with its
arrival time set ``age`` working days in the past: deadlines count from that arrival
and its lead time includes its age. The metrics' window opens as they are placed, so
``backlog_start`` counts them (with the warmed-up streams' open items), and
conservation (``backlog_start + arrivals = completions + backlog_end``) still holds.
An open item passes the intake every new item passes: under admission control (职责准入)
a delegated task may be returned, and before 多网合一 an open grid report brings its
duplicates. Open items draw their attributes
(category, effort …) first from the stream's attribute stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.config.datafiles import DataError, Row, read_rows
from sim.core import registry
from sim.core.calendar import WorkingClock
from sim.model.quota import township_ids

if TYPE_CHECKING:
    from sim.model.state import Model


@dataclass(frozen=True)
class OpenItems:
    """Open items at the start of one row: where, which stream, arrived how many working
    days ago, and how many.
    """

    township: str
    stream: str
    age_days: int
    count: int = 1


def read_backlog(path: str, scenario: Any) -> list[OpenItems]:
    """The open items of the file ``path`` (either layout), checked against the scenario."""
    rows = read_rows(path, ("township", "stream"))
    header = rows[0].cells.keys()
    if "open_items" in header and "arrival_date" in header:
        raise DataError(
            f"{path}, row 1: both columns open_items and arrival_date; keep one "
            "(township,stream,open_items or township,stream,arrival_date)"
        )
    if "open_items" in header:
        groups = [_counted(row, scenario) for row in rows]
        _check_repeats(rows, groups)
        return groups
    if "arrival_date" in header:
        return [_dated(row, scenario) for row in rows]
    raise DataError(
        f"{path}, row 1: missing column open_items or arrival_date "
        "(township,stream,open_items or township,stream,arrival_date)"
    )


def open_items(path: str, scenario: Any) -> float:
    """How many items the file ``path`` opens with (checked as :func:`read_backlog` does):
    a float, so that absurd counts sum to a huge number or ``inf`` rather than overflow.
    """
    return sum(float(group.count) for group in read_backlog(path, scenario))


def _check_repeats(rows: list[Row], groups: list[OpenItems]) -> None:
    """Each township and stream has one count."""
    first: dict[tuple[str, str], int] = {}
    for row, group in zip(rows, groups, strict=True):
        key = (group.township, group.stream)
        if key in first:
            row.fail(
                "township",
                f"{key[0]} {key[1]} is counted again (first on row {first[key]}); "
                "give one row per township and stream",
            )
        first[key] = row.number


def _where(row: Row, scenario: Any) -> tuple[str, str]:
    township, stream = row.text("township"), row.text("stream")
    known = township_ids(scenario)
    if township not in known:
        row.fail("township", f"{township!r} is not a township of the county ({_some(known)})")
    streams = [s.id for s in registry.streams()]
    if stream not in streams:
        row.fail("stream", f"{stream!r} is not a stream ({', '.join(streams)})")
    return township, stream


def _some(ids: list[str]) -> str:
    return ", ".join(ids[:6]) + (" …" if len(ids) > 6 else "")


def _counted(row: Row, scenario: Any) -> OpenItems:
    township, stream = _where(row, scenario)
    return OpenItems(township, stream, 1, row.count("open_items"))


def _dated(row: Row, scenario: Any) -> OpenItems:
    township, stream = _where(row, scenario)
    cal = scenario.calendar
    clock = WorkingClock(cal.hours_per_day, cal.days_per_week, cal.start_date)
    arrived = row.date("arrival_date")
    day = clock.day_of_date(arrived)
    if day >= 0:
        row.fail(
            "arrival_date",
            f"{arrived} is not before calendar.start_date = {cal.start_date} "
            "(an open item arrived before the start)",
        )
    return OpenItems(township, stream, -day)


def place_backlog(model: Model, groups: list[OpenItems]) -> None:
    """Create the open items (of ``run.initial_backlog``) in their townships' centres, in
    the file's order, now (the warm-up's end), each ``age_days`` old.
    """
    by_id = {tw.id: tw for tw in model.townships}
    hpd, now = model.clock.hours_per_day, model.env.now
    for group in groups:
        create = _creator(by_id[group.township].centres, group.stream)
        for _ in range(group.count):
            create(now - group.age_days * hpd)


def _creator(centres: dict[str, Any], stream: str) -> Any:
    for centre in centres.values():
        if stream in centre.creators:
            return centre.creators[stream]
    raise DataError(f"no centre of a township creates {stream!r} items on its own")

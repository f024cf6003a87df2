"""Today's backlog as the starting state (在办件): open items in the system at time zero.

``run.initial_backlog=FILE`` names a CSV file in one of two layouts:

* **counts** — ``township,stream,open_items``: that many open items of the stream in the
  township, taken to have arrived on the last working day before the start;
* **items** — ``township,stream,arrival_date``: one row per open item with the date it
  arrived (before ``calendar.start_date``).

Each open item is created at time zero by the same centre code that creates the
stream's new arrivals (:meth:`sim.model.centres.base.Centre.arrive` records it), but with its
arrival time set ``age`` working hours in the past: deadlines count from that arrival
and its lead time includes its age. With ``run.warmup_days=0`` the metrics show
``backlog_start`` = the open items, and conservation (``backlog_start + arrivals =
completions + backlog_end``) still holds. An open item passes the intake every new item
passes: under admission control (职责准入) a delegated task may be returned, and before
多网合一 an open grid report brings its duplicates. Open items draw their attributes
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
class OpenItem:
    """One open item at the start: where, which stream, arrived how many working days ago."""

    township: str
    stream: str
    age_days: int


def read_backlog(path: str, scenario: Any) -> list[OpenItem]:
    """The open items of the file ``path`` (either layout), checked against the scenario."""
    rows = read_rows(path, ("township", "stream"))
    header = rows[0].cells.keys()
    if "open_items" in header:
        return [item for row in rows for item in _counted(row, scenario)]
    if "arrival_date" in header:
        return [_dated(row, scenario) for row in rows]
    raise DataError(
        f"{path}, row 1: missing column open_items or arrival_date "
        "(township,stream,open_items or township,stream,arrival_date)"
    )


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


def _counted(row: Row, scenario: Any) -> list[OpenItem]:
    township, stream = _where(row, scenario)
    return [OpenItem(township, stream, 1)] * row.count("open_items")


def _dated(row: Row, scenario: Any) -> OpenItem:
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
    return OpenItem(township, stream, -day)


def place_backlog(model: Model, items: list[OpenItem]) -> None:
    """Create the open items (of ``run.initial_backlog``) in their townships' centres."""
    by_id = {tw.id: tw for tw in model.townships}
    hpd = model.clock.hours_per_day
    for item in items:
        create = _creator(by_id[item.township].centres, item.stream)
        create(-item.age_days * hpd)


def _creator(centres: dict[str, Any], stream: str) -> Any:
    for centre in centres.values():
        if stream in centre.creators:
            return centre.creators[stream]
    raise DataError(f"no centre of a township creates {stream!r} items on its own")

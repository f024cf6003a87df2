"""The runtime state of one replication: clock, centres, staff pools and items.

:class:`Model` is what the centres are wired into (by :mod:`sim.model.build`) and what moves an
item from one step of its route to the next. It knows nothing of Hydra or of metrics: it
keeps every township item (arrival, first start, completion, county hand-off and answer),
the busy hours of every staff pool, and the logs of staff changes, secondments and
returned tasks — named records from which :mod:`sim.analysis.metrics` computes everything.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import simpy

from sim.config import Scenario
from sim.core.calendar import WorkingClock
from sim.core.rng import stream
from sim.core.timer import Calendar
from sim.model.ledger import Ledger
from sim.model.staff import Pool, Staff
from sim.model.work import AddedArrival, Step, WorkItem

if TYPE_CHECKING:
    from sim.core.registry import StreamSpec
    from sim.model.centres.base import Centre
    from sim.model.staff import Workforce


class StaffChange(NamedTuple):
    """One change to a pool at time ``t``: posts, filled posts, members present."""

    t: float
    pool: int
    d_quota: int = 0
    d_filled: int = 0
    d_active: int = 0


@dataclass
class Secondment:
    """A member of a township's staff away at the county, from ``start`` to ``end``."""

    township: int
    start: float
    end: float = math.inf  # until they come back


class TownshipEvent(NamedTuple):
    """Something that happened to a township at ``t`` (a refused secondment …)."""

    township: int
    t: float


class ReturnedTask(NamedTuple):
    """A delegated task returned to its department by admission control (职责准入)."""

    township: int
    t: float
    hours: float


@dataclass
class Township:
    """A township (乡镇/街道) as wired into one replication."""

    index: int
    id: str
    kind: str
    population: int
    villages: int
    grid_cells: int
    centres: dict[str, Centre] = field(default_factory=dict)
    pools: list[Pool] = field(default_factory=list)
    members_at_start: dict[str, int] = field(default_factory=dict)  # pool name → staff

    def present(self, centre: str, certified: bool | None = None) -> int:
        """Staff present at the start in a centre's pools (optionally only certified
        or only uncertified ones): desks and teams are organised around them, not
        around vacant posts.
        """
        return sum(
            self.members_at_start[p.name]
            for p in self.pools
            if p.centre == centre and (certified is None or p.certified == certified)
        )

    def stations(self, centre: str) -> list[Any]:
        """The stations of one of the township's centres."""
        return self.centres[centre].stations


class Model:
    """One replication's simulation state."""

    def __init__(self, scenario: Scenario, replication: int, keep_items: bool = False):
        self.scenario = scenario
        self.replication = replication
        self.env = simpy.Environment()
        self.calendar = Calendar(self.env)  # its after(delay, callback, value): every timer
        self.added_arrival = AddedArrival()  # read by every stream of item attributes
        cal = scenario.calendar
        self.clock = WorkingClock(cal.hours_per_day, cal.days_per_week, cal.start_date)
        self.warmup_h = self.clock.hours(scenario.run.warmup_days)
        self.horizon_h = self.clock.hours(scenario.run.horizon_days)
        self.townships: list[Township] = []
        self.county_centres: dict[str, Centre] = {}
        self.pools: list[Pool] = []
        self.pool_busy: list[float] = []
        self.pool_overtime: list[float] = []  # overtime hours worked inside the window
        self.all_staff: list[Staff] = []
        self.staff_log: list[StaffChange] = []
        self.ledger = Ledger(keep_items)  # every township item: open, or its row once done
        self.secondments: list[Secondment] = []
        self.secondment_refused: list[TownshipEvent] = []  # by the caps
        self.secondment_unfilled: list[TownshipEvent] = []  # nobody eligible left
        self.returned: list[ReturnedTask] = []
        self.workforce: Workforce
        self.backlog_named: set[tuple[str, str]] = set()
        """(township id, stream) that ``run.initial_backlog`` names: today's open items
        are their state, so they sit out the warm-up (sim.model.backlog)."""

    def rng(self, name: str) -> np.random.Generator:
        """The random stream of the named source in this replication."""
        return stream(self.scenario.run.seed, self.replication, name)

    def per_hour(self, per_day: float) -> float:
        """A rate per working day as a rate per simulated hour."""
        return per_day / self.clock.hours_per_day

    def after(self, delay: float, callback: Callable[[Any], None], value: Any = None) -> None:
        """Call ``callback(value)`` once ``delay`` working hours have passed."""
        self.calendar.after(delay, callback, value)

    def every(self, days: float, action: Callable[[], None]) -> None:
        """Call ``action`` every ``days`` working days from now on."""
        period = self.clock.hours(days)

        def tick(_value: Any) -> None:
            action()
            self.after(period, tick)

        self.after(period, tick)

    def add_pool(
        self,
        scope: str,
        township: int | None,
        name: str,
        quota_type: str,
        centre: str,
        certified: bool,
        quota: int,
    ) -> Pool:
        """A new staff pool with ``quota`` posts (members join through the workforce)."""
        pool = Pool(len(self.pools), scope, township, name, quota_type, centre, certified, 0)
        self.pools.append(pool)
        self.pool_busy.append(0.0)
        self.pool_overtime.append(0.0)
        pool.quota = quota
        self.log_staff(pool.index, d_quota=quota)
        return pool

    def log_staff(self, pool: int, d_quota: int = 0, d_filled: int = 0, d_active: int = 0) -> None:
        """Record a change to a pool now."""
        self.staff_log.append(StaffChange(self.calendar.now, pool, d_quota, d_filled, d_active))

    def new_item(
        self,
        township: int,
        stream_: StreamSpec[Any],
        t: float,
        limit_days: float,
        route: list[Step],
        visits: int = 0,
        then: Callable[[WorkItem], None] | None = None,
        tag: int = 0,
        origin: float | None = None,
    ) -> None:
        """Create a township item arriving now and send it down its route."""
        hpd = self.clock.hours_per_day  # deadline as in WorkingClock.due, inlined: hot path
        item = WorkItem(
            township,
            stream_,
            t,
            (t // hpd + 1 + limit_days) * hpd,
            route,
            visits,
            then,
            tag,
            origin,
        )
        self.ledger.enter(item)
        first = route[0].station
        if first is None:
            self.advance(item)
        else:  # the common case, without advance()'s checks: routes are never empty
            first.request(item)

    def advance(self, item: WorkItem) -> None:
        """Start the item's current step, or finish it if the route is done."""
        route = item.route
        if item.pos < len(route):
            step = route[item.pos]
            if step.station is None:
                self.calendar.after(step.hours, self._resume, item)
            else:
                step.station.request(item)
        else:
            item.t_done = self.calendar.now
            self.ledger.close(item)
            if item.then is not None:
                item.then(item)

    def _resume(self, item: WorkItem) -> None:
        item.pos += 1
        self.advance(item)

    def run(self) -> None:
        """Simulate to the horizon."""
        # A run keeps every open item, station and member of staff alive and makes many
        # short-lived objects; the cyclic garbage collector would rescan them again and
        # again (measured up to 2x slower). All per-step garbage is acyclic (events drop
        # their callbacks once fired; routes point at stations, not back), so reference
        # counting frees it and the collector can pause for the run.
        paused = gc.isenabled()
        gc.disable()
        try:
            self.run_until(self.horizon_h)
        finally:
            if paused:
                gc.enable()
        self._close_busy_periods()

    def run_until(self, t: float) -> None:
        """Simulate up to (not including) time ``t`` working hours; a test's window
        into a run.
        """
        self.calendar.run_until(t)

    def _close_busy_periods(self) -> None:
        """Count busy time of steps still running at the horizon (after warm-up only)."""
        for s in self.all_staff:
            if s.since is not None:
                self.pool_busy[s.pool] += self.horizon_h - max(s.since, self.warmup_h)

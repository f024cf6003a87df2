"""The runtime state of one replication: clock, stations, staff pools and items.

:class:`Model` is what the centres are wired into (by :mod:`sim.build`) and what moves an
item from one step of its route to the next. It knows nothing of Hydra or of metrics:
it keeps every item (arrival, first start, completion, county hand-off and answer), the
busy hours of every staff pool, the log of staff changes, secondments and returned
tasks, from which :mod:`sim.metrics` computes everything.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field

import numpy as np
import simpy

from .calendar import WorkingClock
from .config import Scenario
from .staff import Pool, Staff
from .streams import stream
from .work import WorkItem


@dataclass
class Township:
    """A township (乡镇/街道) as wired into one replication."""

    index: int
    id: str
    kind: str
    population: int
    villages: int
    grid_cells: int
    stations: dict[str, list] = field(default_factory=dict)  # centre → its desks/teams
    pools: list[Pool] = field(default_factory=list)
    place: dict[str, object] = field(default_factory=dict)  # centre → put a member to work


class Model:
    def __init__(self, scenario: Scenario, replication: int):
        self.scenario = scenario
        self.replication = replication
        self.env = simpy.Environment()
        cal = scenario.calendar
        self.clock = WorkingClock(cal.hours_per_day, cal.days_per_week, cal.start_date)
        self.warmup_h = self.clock.hours(scenario.run.warmup_days)
        self.horizon_h = self.clock.hours(scenario.run.horizon_days)
        self.townships: list[Township] = []
        self.pools: list[Pool] = []
        self.pool_busy: list[float] = []
        self.all_staff: list[Staff] = []
        self.staff_log: list[tuple[float, int, int, int, int]] = []
        self.items: list[WorkItem] = []
        self.secondments: list[list] = []  # [township, start, end (inf while away)]
        self.secondment_refused: list[tuple[int, float]] = []  # by the caps
        self.secondment_unfilled: list[tuple[int, float]] = []  # nobody eligible left
        self.returned: list[tuple[int, float, float]] = []  # (township, t, hours)
        self.county_staff = 0
        self.county_desk = None

    def rng(self, name: str) -> np.random.Generator:
        return stream(self.scenario.run.seed, self.replication, name)

    def per_hour(self, per_day: float) -> float:
        return per_day / self.clock.hours_per_day

    def add_pool(self, scope: str, township: int, name: str, quota_type: str, centre: str,
                 certified: bool, quota: int) -> Pool:
        pool = Pool(len(self.pools), scope, township, name, quota_type, centre, certified, 0)
        self.pools.append(pool)
        self.pool_busy.append(0.0)
        pool.quota = quota
        self.log_staff(pool.index, d_quota=quota)
        return pool

    def log_staff(self, pool: int, d_quota: int = 0, d_filled: int = 0,
                  d_active: int = 0) -> None:
        self.staff_log.append((self.env.now, pool, d_quota, d_filled, d_active))

    def new_item(self, township: int, stream_: int, t: float, limit_days: float,
                 route: list, visits: int = 0, then=None, tag: int = 0) -> None:
        """Create an item arriving now and send it down its route."""
        hpd = self.clock.hours_per_day  # deadline as in WorkingClock.due, inlined: hot path
        item = WorkItem(township, stream_, t, (t // hpd + 1 + limit_days) * hpd, route,
                        visits, then, tag)
        self.items.append(item)
        first = route[0][0]
        if first is None:
            self.advance(item)
        else:  # the common case, without advance()'s checks: routes are never empty
            first.request(item)

    def advance(self, item: WorkItem) -> None:
        """Start the item's current step, or finish it if the route is done."""
        route = item.route
        if item.pos < len(route):
            station, hours, _, _ = route[item.pos]
            if station is None:
                self.env.timeout(hours, item).callbacks.append(self._resume)
            else:
                station.request(item)
        else:
            item.t_done = self.env.now
            if item.then is not None:
                item.then(item)

    def _resume(self, event) -> None:
        item = event._value
        item.pos += 1
        self.advance(item)

    def run(self) -> None:
        # A run keeps every item alive and makes many short-lived objects; the cyclic
        # garbage collector would rescan the growing item list again and again (measured
        # up to 2x slower). All per-step garbage is acyclic (events drop their callbacks
        # once fired; routes point at stations, not back), so reference counting frees it
        # and the collector can pause for the run.
        paused = gc.isenabled()
        gc.disable()
        try:
            self.env.run(until=self.horizon_h)
        finally:
            if paused:
                gc.enable()
        self._close_busy_periods()

    def _close_busy_periods(self) -> None:
        """Count busy time of steps still running at the horizon (after warm-up only)."""
        for s in self.all_staff:
            if s.since >= 0.0:
                self.pool_busy[s.pool] += self.horizon_h - max(s.since, self.warmup_h)

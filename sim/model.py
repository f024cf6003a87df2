"""The runtime state of one replication: clock, stations, staff pools and items.

:class:`Model` is what the centres are wired into (by :mod:`sim.build`) and what moves an
item from one step of its route to the next. It knows nothing of Hydra or of metrics:
it only keeps every item (with its arrival, first-start and completion times) and the
busy hours of every staff pool, from which :mod:`sim.metrics` computes everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import simpy

from .calendar import WorkingClock
from .config import Scenario
from .station import CrewStation, Desk, Staff

Station = Desk | CrewStation
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
    stations: dict[str, Station] = field(default_factory=dict)


@dataclass
class Pool:
    scope: str  # township id, or "county" for the county departments' own staff
    name: str
    quota_type: str
    headcount: int


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
        self.items: list[WorkItem] = []
        self.stations: list[Station] = []  # every station registers itself here

    def rng(self, name: str) -> np.random.Generator:
        return stream(self.scenario.run.seed, self.replication, name)

    def per_hour(self, per_day: float) -> float:
        return per_day / self.clock.hours_per_day

    def add_pool(self, scope: str, name: str, quota_type: str, headcount: int,
                 certified: bool) -> list[Staff]:
        self.pools.append(Pool(scope, name, quota_type, headcount))
        self.pool_busy.append(0.0)
        return [Staff(len(self.pools) - 1, certified) for _ in range(headcount)]

    def new_item(self, township: int, stream_: int, t: float, limit_days: float,
                 route: list, visits: int = 0, then=None) -> None:
        """Create an item arriving now and send it down its route."""
        hpd = self.clock.hours_per_day  # deadline as in WorkingClock.due, inlined: hot path
        item = WorkItem(township, stream_, t, (t // hpd + 1 + limit_days) * hpd, route,
                        visits, then)
        self.items.append(item)
        self.advance(item)

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
        self.env.run(until=self.horizon_h)
        self._close_busy_periods()

    def _close_busy_periods(self) -> None:
        """Count busy time of steps still running at the horizon (after warm-up only)."""
        for st in self.stations:
            for s in st.staff:
                if s.since >= 0.0:
                    self.pool_busy[s.pool] += self.horizon_h - max(s.since, self.warmup_h)

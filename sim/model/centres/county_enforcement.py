"""The county's enforcement officers (县直部门执法力量): stationed, on call, or at home.

Tengzhou's "1+x+y" (seed 004): the township's own team ("1"), officers of county
departments stationed in the township ("x", 常驻镇街), and officers of further
departments on call for the townships' whistle (吹哨报到; "y", 随时听候镇街吹哨). All of
them come out of one county pool, ``county.enforcement_officers``: the
``policy.enforcement.stationed_officers`` per township leave it for the townships' teams
(they join them as a ``stationed`` pool, see :mod:`sim.model.build`), the
``policy.enforcement.on_call_officers`` form a desk shared by every township that does
nothing but answer whistle calls, and the rest stay at their departments doing the
county's own enforcement work (``county.enforcement_work_per_day``) — so stationing
costs the county capacity it would otherwise have.

A **whistle call** is a township case that needs another department's officer at its
investigation (assumption: ``workload.enforcement.whistle_share`` of filed cases). It is
answered by the on-call desk when there is one, otherwise by the officers at home: with
吹哨报到 (``policy.escalation.enabled``) ahead of their own work, without it only after
the departments' next review of their inbox and then in line with their own work. The
answer time is from the call to the moment an officer starts on it (报到).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from sim.core.records import in_window, mean_or_nan
from sim.core.registry import register_centre
from sim.model.centres.base import Centre
from sim.model.station import Desk, Inbox
from sim.model.work import Step, WorkItem

if TYPE_CHECKING:
    from sim.core.records import Records
    from sim.model.centre_settings import CentreSettings
    from sim.model.staff import Staff
    from sim.model.state import Model, Township

COUNTY = "county"
NAME = "county_enforcement"
ON_CALL = "on_call"


class Whistle:
    """A zero-time step: the township blows the whistle; the answer time starts now."""

    def __init__(self, model: Model, desk: AnsweringDesk):
        self.model = model
        self.desk = desk

    def request(self, item: WorkItem) -> None:
        """Note the moment of the call and pass the case on at once."""
        now = self.model.env.now
        self.desk.called[id(item)] = now
        self.desk.calls.append(now)
        item.pos += 1
        self.model.advance(item)


@dataclass(frozen=True)
class WhistleInlet:
    """What a township's enforcement office calls: the steps of one whistle call."""

    whistle: Whistle
    desk: AnsweringDesk
    inbox: Inbox | None
    """Without 吹哨报到 (no escalation, no on-call officers) a call waits for the
    departments' next review of their inbox, as other calls to the county do."""

    def steps(self, hours: float) -> list[Step]:
        """The route steps of a call whose answer takes ``hours`` of an officer."""
        wait = [Step(self.inbox, 0.0, 0, 0)] if self.inbox else []
        return [Step(self.whistle, 0.0, 0, 0), *wait, Step(self.desk, hours)]


class WhistleAnswer(NamedTuple):
    """One whistle call: which township called, when, and when an officer started."""

    township: int
    called: float
    answered: float


class AnsweringDesk(Desk):
    """A desk that records when it started on each township's call (its answer time);
    with ``townships_first`` the calls queue ahead of the county's own work.
    """

    def __init__(self, model: Model, name: str, townships_first: bool):
        super().__init__(model, name)
        self.townships_first = townships_first
        self.answers: list[WhistleAnswer] = []
        self.calls: list[float] = []  # when each call came, answered or not
        self.called: dict[int, float] = {}  # calls not yet answered, by item

    def request(self, item: WorkItem) -> None:
        """Serve the call now if an officer is free, else queue it (ahead of own work
        when townships come first).
        """
        if self.free or not self.townships_first or item.township is None:
            super().request(item)
            return
        line, i = self.line, 0
        while i < len(line) and line[i].township is not None:  # behind earlier calls
            i += 1
        line.insert(i, item)

    def _start(self, item: WorkItem, s: Staff) -> None:
        called = self.called.pop(id(item), None)
        if called is not None and item.township is not None:
            self.answers.append(WhistleAnswer(item.township, called, self.calendar.now))
        super()._start(item, s)


@register_centre(NAME, scope="county")
class CountyEnforcement(Centre):
    """The county's enforcement pool: officers at home, the on-call desk; offers
    ``whistle`` to every township.
    """

    def __init__(self, model: Model, township: Township | None, settings: CentreSettings):
        super().__init__(model, township, settings)
        escalation = settings.policy.escalation
        self.home = AnsweringDesk(model, f"{COUNTY}/{NAME}", escalation.enabled)
        self.at_home = max(0, settings.officers_at_home)
        self.on_call = settings.policy.enforcement.on_call_officers
        self.stationed = settings.stationed_total
        self.stations = [self.home]
        self._staff(self.home, NAME, self.at_home)
        self.answering = self.home
        if self.on_call:
            self.answering = AnsweringDesk(model, f"{COUNTY}/{ON_CALL}", True)
            self.stations.append(self.answering)
            self._staff(self.answering, ON_CALL, self.on_call)
        ad_hoc = not (self.on_call or escalation.enabled) and escalation.review_days > 0
        inbox = Inbox(model, model.clock.hours(escalation.review_days)) if ad_hoc else None
        self.inlets["whistle"] = WhistleInlet(Whistle(model, self.answering), self.answering, inbox)

    def _staff(self, desk: Desk, name: str, count: int) -> None:
        model = self.model
        pool = model.add_pool(COUNTY, None, name, "administrative", NAME, True, count)
        model.workforce.place[pool.index] = desk.add
        for _ in range(count):
            model.workforce.join(pool, hired_at=float("-inf"), attrition=False)

    def place(self, s: Staff) -> None:
        """A returning officer works at home (the on-call desk is fixed in size)."""
        self.home.add(s)

    def start(self) -> None:
        """Start the officers' own enforcement work at the county."""
        cfg = self.settings.county
        per_day, effort = cfg.enforcement_work_per_day, cfg.enforcement_work_effort
        self.own_work("enforcement_work", per_day, effort, self.home)

    def staff_at_county(self) -> int:
        """Officers who stay at the county (at home and on call)."""
        return self.at_home + self.on_call

    def metrics(self, records: Records, w: float, h: float) -> dict[str, float]:
        """Officers stationed and on call; how fast whistle calls were answered."""
        answers = [a for desk in self.stations for a in desk.answers]
        called = np.array([a.called for a in answers], dtype=float)
        answered = np.array([a.answered for a in answers], dtype=float)
        inside = in_window(called, w, h)
        response = answered[inside] - called[inside]
        calls = np.array([t for desk in self.stations for t in desk.calls], dtype=float)
        waiting = sum(len(desk.called) for desk in self.stations)
        model = self.model
        limit = model.clock.hours(self.settings.policy.enforcement.whistle_limit_days)
        p90 = float(np.percentile(response, 90)) if response.size else math.nan
        side = f"{COUNTY}.county_side"
        out: dict[str, Any] = {
            f"{side}.stationed": float(self.stationed),
            f"{side}.on_call": float(self.on_call),
            f"{side}.whistle_calls": float(in_window(calls, w, h).sum()),
            f"{side}.whistle_waiting_end": float(waiting),
            f"{side}.whistle_response_mean_h": mean_or_nan(response),
            f"{side}.whistle_response_p90_h": p90,
            f"{side}.whistle_in_limit_share": mean_or_nan((response <= limit).astype(float)),
        }
        return out

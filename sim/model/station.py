"""Stations: a work centre's queue and the staff who serve it.

A :class:`Desk` serves each step with one member of staff, first come first served
(service windows, offices, grid triage, the county). A :class:`CrewStation` serves steps
that need a **crew**: items wait first-come-first-served for ``crew`` free staff of whom
at least ``certified`` hold an enforcement certificate (two certified officers for every
field step of a case; officers in management posts take desk steps only, never a field
step). Items with different crew needs wait in separate FIFO lines, and
a freed crew goes to the oldest waiting item it can serve — so a paperwork step is not
held up behind an inspection that waits for a second officer, while items of the same
kind never overtake each other.

Staff join (:meth:`Station.add`) and leave (:meth:`Station.remove`) during a run —
hiring, attrition, secondment, flexible deployment; a member who is busy leaves when the
current step ends. A step takes ``hours / speed`` (trainees are slower; a crew goes at
its slowest member's pace).

Both are callback-driven: starting a step schedules one SimPy ``Timeout`` whose callback
releases the staff and moves the item on. No SimPy process is created per item; this is
where the engine saves the per-item overhead of idiomatic SimPy.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sim.model.staff import Staff
from sim.model.work import WorkItem

if TYPE_CHECKING:
    from sim.model.state import Model

Release = Callable[[Staff], None]


class Station:
    """What every station shares: membership, leaving, and busy-time bookkeeping."""

    def __init__(self, model: Model, name: str):
        self.model = model
        self.calendar = model.calendar  # its clock (``now``) and timers (``after``)
        self.name = name
        self.active = 0  # members, busy or free
        self.members: list[Staff] = []  # busy or free; changes only when staff move

    def waiting(self) -> int:
        """Items waiting (not being handled)."""
        raise NotImplementedError

    def add(self, s: Staff) -> None:
        """A member starts working here."""
        raise NotImplementedError

    def request(self, item: WorkItem) -> None:
        """Serve the item's current step."""
        raise NotImplementedError

    def _drop_free(self, s: Staff) -> None:
        raise NotImplementedError

    def remove(self, s: Staff, then: Release) -> None:
        """Take ``s`` off this station now if free, else when the current step ends;
        ``then(s)`` is called at that moment.
        """
        self.active -= 1
        self.members.remove(s)
        if s.since is None:
            self._drop_free(s)
            then(s)
        else:
            s.on_release = then

    def _account(self, s: Staff, now: float) -> None:
        """Add the member's busy time since the step started, inside the window only."""
        warmup, started = self.model.warmup_h, s.since
        assert started is not None, "only a busy member's time is accounted"
        since = started if started > warmup else warmup
        if now > since:
            self.model.pool_busy[s.pool] += now - since


class Desk(Station):
    """One line, one clerk per step; a freed clerk takes the next waiting item at once."""

    def __init__(self, model: Model, name: str):
        super().__init__(model, name)
        self.free: list[Staff] = []
        self.line: deque[WorkItem] = deque()  # never non-empty while someone is free
        self._on_finish = self._finish  # bound once: one allocation less per step

    def waiting(self) -> int:
        """Items waiting in the line."""
        return len(self.line)

    def add(self, s: Staff) -> None:
        """A member starts here: takes the next waiting item, or waits free."""
        s.station = self
        self.active += 1
        self.members.append(s)
        if self.line:
            self._start(self.line.popleft(), s)
        else:
            self.free.append(s)

    def _drop_free(self, s: Staff) -> None:
        self.free.remove(s)

    def request(self, item: WorkItem) -> None:
        """Serve the item's current step now if a clerk is free, else queue it."""
        if item.route[item.pos].hours <= 0.0:  # a stage switched off: nothing to wait for
            self._pass(item)
            return
        if self.free:
            self._start(item, self.free.pop())
        else:
            self.line.append(item)

    def _start(self, item: WorkItem, s: Staff) -> None:
        now = self.calendar.now
        s.since = now
        if item.t_start is None:
            item.t_start = now
        hours = item.route[item.pos].hours / s.speed
        s.busy_until = now + hours  # when the head may count on the member again
        self.calendar.after(hours, self._on_finish, (item, s))

    def _finish(self, value: Any) -> None:
        item, s = value
        model = self.model
        now = self.calendar.now
        # Station._account, inlined: this is the hot path of every single-clerk step.
        since = s.since if s.since > model.warmup_h else model.warmup_h
        if now > since:
            model.pool_busy[s.pool] += now - since
        if s.on_release is not None:
            release, s.on_release, s.since = s.on_release, None, None
            release(s)
        elif self.line:
            self._start(self.line.popleft(), s)
        else:
            s.since = None
            self.free.append(s)
        self._done(item, now)

    def _pass(self, item: WorkItem) -> None:
        """A zero-hour step: done at once, without staff."""
        if item.t_start is None:
            item.t_start = self.calendar.now
        self._done(item, self.calendar.now)

    def _done(self, item: WorkItem, now: float) -> None:
        item.pos = pos = item.pos + 1
        if pos == len(item.route) and item.then is None:
            item.t_done = now  # what model.advance would do, without the call
            self.model.ledger.close(item)
        else:
            self.model.advance(item)


class CountyDesk(Desk):
    """The county departments' desk: townships' calls (referrals, legal reviews) and the
    departments' own work, in one line. With escalation (乡呼县应) a township's call is
    queued ahead of all own work; the time of the county's answer is stamped on it.
    """

    def __init__(self, model: Model, name: str, townships_first: bool):
        super().__init__(model, name)
        self.townships_first = townships_first

    def request(self, item: WorkItem) -> None:
        """Townships' calls queue ahead of the departments' own work under escalation."""
        if item.route[item.pos].hours <= 0.0:
            self._pass(item)
            return
        if self.free:
            self._start(item, self.free.pop())
        elif self.townships_first and item.township is not None:
            line, i = self.line, 0
            while i < len(line) and line[i].township is not None:  # behind earlier calls
                i += 1
            line.insert(i, item)
        else:
            self.line.append(item)

    def _done(self, item: WorkItem, now: float) -> None:
        if item.township is not None:
            item.t_answer = now
        super()._done(item, now)


class Stamp:
    """A zero-time step that records the moment on the item (attribute ``attr``) and
    passes it on at once.
    """

    def __init__(self, model: Model, attr: str):
        self.model = model
        self.attr = attr

    def request(self, item: WorkItem) -> None:
        """Stamp the moment and pass the item on at once."""
        setattr(item, self.attr, self.model.calendar.now)
        item.pos += 1
        self.model.advance(item)


class Handoff(Stamp):
    """Stamps the moment a case is sent up to the county (``t_up``)."""

    def __init__(self, model: Model):
        super().__init__(model, "t_up")


class Decision(Stamp):
    """Stamps a case's decision (``t_decided``): the act its time limit is for (the
    payment period after it does not count against the limit).
    """

    def __init__(self, model: Model):
        super().__init__(model, "t_decided")


class Inbox:
    """Where a township's call to the county waits without 乡呼县应: the departments go
    through their inbox every ``period_h`` working hours (their own rhythm) and only
    then put the calls in their ordinary line.
    """

    def __init__(self, model: Model, period_h: float):
        self.model = model
        self.period_h = period_h

    def request(self, item: WorkItem) -> None:
        """Hold the call until the departments' next review of their inbox (a delay that
        ends as any other delay step does).
        """
        now, period = self.model.calendar.now, self.period_h
        self.model.after((now // period + 1) * period - now, self.model._resume, item)


class Acceptance:
    """A zero-time step that starts the statutory clock: a request's deadline counts
    from acceptance of complete materials (受理) — not from a first visit whose papers
    were incomplete — and a case's from its filing (立案), ``limit_days`` working days
    after the day of acceptance.
    """

    def __init__(self, model: Model, limit_days: float):
        self.model = model
        self.limit_days = limit_days

    def request(self, item: WorkItem) -> None:
        """Restart the item's deadline now and pass it on."""
        model = self.model
        item.due = model.clock.due(model.calendar.now, self.limit_days)
        item.pos += 1
        model.advance(item)


class CrewStation(Station):
    """Steps served by crews, with a FIFO line per crew need (see the module text)."""

    def __init__(self, model: Model, name: str):
        super().__init__(model, name)
        self.free_cert: list[Staff] = []  # officers who go to the field
        self.free_mgr: list[Staff] = []  # officers in management posts
        self.free_plain: list[Staff] = []
        self.lines: dict[tuple[int, int, bool], deque[WorkItem]] = {}
        self.certified_active = 0
        self.managers_active = 0

    @property
    def field_active(self) -> int:
        """Certified members who go to the field (not in management posts)."""
        return self.certified_active - self.managers_active

    def waiting(self) -> int:
        """Items waiting in every crew line."""
        return sum(len(q) for q in self.lines.values())

    def _free_list(self, s: Staff) -> list[Staff]:
        if not s.certified:
            return self.free_plain
        return self.free_mgr if s.manager else self.free_cert

    def add(self, s: Staff) -> None:
        """A member joins; whatever can start starts."""
        s.station = self
        self.active += 1
        self.members.append(s)
        self.certified_active += s.certified
        self.managers_active += s.manager
        self._free_list(s).append(s)
        self._dispatch()

    def remove(self, s: Staff, then: Release) -> None:
        """Leave now if free, else after the current step (see :meth:`Station.remove`)."""
        self.certified_active -= s.certified
        self.managers_active -= s.manager
        super().remove(s, then)

    def _drop_free(self, s: Staff) -> None:
        self._free_list(s).remove(s)

    def request(self, item: WorkItem) -> None:
        """Queue ``item`` for its current step and start whatever can start."""
        step = item.route[item.pos]
        if step.hours <= 0.0:  # a stage switched off: no crew to wait for
            if item.t_start is None:
                item.t_start = self.calendar.now
            item.pos += 1
            self.model.advance(item)
            return
        item.t_enq = self.calendar.now
        key = (step.crew, step.certified, step.field)
        line = self.lines.get(key)
        if line is None:
            line = self.lines[key] = deque()
        line.append(item)
        self._dispatch()

    def _dispatch(self) -> None:
        lines = self.lines
        while self.free_cert or self.free_plain or self.free_mgr:
            best: deque[WorkItem] | None = None
            best_key, best_t = (0, 0, False), 0.0
            for key, line in lines.items():
                if line and self._can_take(*key) and (best is None or line[0].t_enq < best_t):
                    best, best_key, best_t = line, key, line[0].t_enq
            if best is None:
                return
            self._start(best.popleft(), *best_key)

    def _can_take(self, crew: int, cert: int, field: bool) -> bool:
        n_cert = len(self.free_cert) + (0 if field else len(self.free_mgr))
        return n_cert >= cert and n_cert + len(self.free_plain) >= crew

    def _take_crew(self, crew: int, cert: int, field: bool) -> list[Staff]:
        plain, certified = self.free_plain, self.free_cert
        managers = [] if field else self.free_mgr  # managers take the desk steps first
        team = [(managers or certified).pop() for _ in range(cert)]
        while len(team) < crew:  # keep certified officers free while clerks are idle
            team.append((plain or managers or certified).pop())
        return team

    def _start(self, item: WorkItem, crew: int, cert: int, field: bool) -> None:
        now = self.calendar.now
        team = self._take_crew(crew, cert, field)
        for s in team:
            s.since = now
        if item.t_start is None:
            item.t_start = now
        speed = min(s.speed for s in team)
        self.calendar.after(item.route[item.pos].hours / speed, self._finish, (item, team))

    def _finish(self, value: Any) -> None:
        item, team = value
        now = self.calendar.now
        for s in team:
            self._account(s, now)
            s.since = None
            if s.on_release is not None:
                release, s.on_release = s.on_release, None
                release(s)
            else:
                self._free_list(s).append(s)
        item.pos += 1
        self.model.advance(item)
        self._dispatch()

"""Stations: a work centre's queue and the staff who serve it.

A :class:`Desk` serves each step with one member of staff, first come first served
(service windows, offices, grid triage, the county). A :class:`CrewStation` serves
steps that need a **crew**: items wait first-come-first-served for: ``crew`` free staff of whom at least
``certified`` hold an enforcement certificate (two certified officers for every field
step of a case; one plain clerk for a service window). Items with different crew needs
wait in separate FIFO lines, and a freed crew goes to the oldest waiting item it can
serve — so a paperwork step is not held up behind an inspection that waits for a second
officer, while items of the same kind never overtake each other.

Both are callback-driven: starting a step schedules one SimPy ``Timeout`` whose callback
releases the staff and moves the item on. No SimPy process is created per item; this is
where the engine saves the per-item overhead of idiomatic SimPy.
"""

from __future__ import annotations

from collections import deque

from .work import WorkItem


class Staff:
    """One member of staff. ``pool`` indexes the model's pool table."""

    __slots__ = ("pool", "certified", "since")

    def __init__(self, pool: int, certified: bool):
        self.pool = pool
        self.certified = certified
        self.since = -1.0  # start of the current step, -1 when free


def _add_busy(model, s: Staff, now: float) -> None:
    """Book ``s``'s busy time since the start of its step, clipped to the warm-up."""
    since = s.since if s.since > model.warmup_h else model.warmup_h
    if now > since:
        model.pool_busy[s.pool] += now - since


class Desk:
    """One line, one clerk per step; a freed clerk takes the next waiting item at once."""

    def __init__(self, model, name: str, staff: list[Staff]):
        self.model = model
        self.env = model.env
        self.name = name
        self.staff = staff
        self.free = list(staff)
        self.line: deque = deque()  # never non-empty while someone is free
        model.stations.append(self)

    def waiting(self) -> int:
        return len(self.line)

    def request(self, item: WorkItem) -> None:
        if self.free:
            self._start(item, self.free.pop())
        else:
            self.line.append(item)

    def _start(self, item: WorkItem, s: Staff) -> None:
        now = self.env.now
        s.since = now
        if item.t_start < 0.0:
            item.t_start = now
        self.env.timeout(item.route[item.pos][1], (item, s)).callbacks.append(self._finish)

    def _finish(self, event) -> None:
        item, s = event._value
        model = self.model
        now = self.env.now
        since = s.since if s.since > model.warmup_h else model.warmup_h  # _add_busy, inlined
        if now > since:
            model.pool_busy[s.pool] += now - since
        if self.line:
            self._start(self.line.popleft(), s)
        else:
            s.since = -1.0
            self.free.append(s)
        item.pos += 1
        model.advance(item)


class CrewStation:
    def __init__(self, model, name: str, staff: list[Staff]):
        self.model = model
        self.env = model.env
        self.name = name
        self.staff = staff
        self.free_cert = [s for s in staff if s.certified]
        self.free_plain = [s for s in staff if not s.certified]
        self.lines: dict[tuple[int, int], deque] = {}
        model.stations.append(self)

    def waiting(self) -> int:
        return sum(len(q) for q in self.lines.values())

    def request(self, item: WorkItem) -> None:
        """Queue ``item`` for its current step and start whatever can start."""
        _, _, crew, cert = item.route[item.pos]
        item.t_enq = self.env.now
        line = self.lines.get((crew, cert))
        if line is None:
            line = self.lines[(crew, cert)] = deque()
        line.append(item)
        self._dispatch()

    def _dispatch(self) -> None:
        lines = self.lines
        if len(lines) == 1:  # one kind of step (a service window): plain FIFO
            ((crew, cert), line), = lines.items()
            while line and self._can_take(crew, cert):
                self._start(line.popleft(), crew, cert)
            return
        while self.free_cert or self.free_plain:
            best, best_key, best_t = None, None, 0.0
            for key, line in lines.items():
                if line and self._can_take(*key) and (best is None or line[0].t_enq < best_t):
                    best, best_key, best_t = line, key, line[0].t_enq
            if best is None:
                return
            self._start(best.popleft(), *best_key)

    def _can_take(self, crew: int, cert: int) -> bool:
        n_cert = len(self.free_cert)
        return n_cert >= cert and n_cert + len(self.free_plain) >= crew

    def _take_crew(self, crew: int, cert: int) -> list[Staff]:
        plain, certified = self.free_plain, self.free_cert
        if crew == 1 and cert == 0:
            return [plain.pop() if plain else certified.pop()]
        team = [certified.pop() for _ in range(cert)]
        while len(team) < crew:  # keep certified officers free while clerks are idle
            team.append(plain.pop() if plain else certified.pop())
        return team

    def _start(self, item: WorkItem, crew: int, cert: int) -> None:
        now = self.env.now
        team = self._take_crew(crew, cert)
        for s in team:
            s.since = now
        if item.t_start < 0.0:
            item.t_start = now
        self.env.timeout(item.route[item.pos][1], (item, team)).callbacks.append(self._finish)

    def _finish(self, event) -> None:
        item, team = event._value
        now = self.env.now
        for s in team:
            _add_busy(self.model, s, now)
            s.since = -1.0
            (self.free_cert if s.certified else self.free_plain).append(s)
        item.pos += 1
        self.model.advance(item)
        self._dispatch()

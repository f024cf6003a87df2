"""The engine's timing primitive and its event loop, on SimPy's event queue.

Every scheduled thing in the model — a step finishing, the next arrival, a member of
staff leaving, a periodic review — is a callback after a delay; nothing waits in a SimPy
process. :class:`Calendar` keeps those callbacks on the SimPy environment's own event
queue, keyed as SimPy keys its events (time, priority, sequence number), and
:meth:`Calendar.run_until` pops them in that order and calls them: SimPy's
``Environment.run`` does the same through a general ``Event`` per timer, a list of
callbacks per event and a stop event, which cost more than the model's own work per item
(measured in ``benchmarks/bench_engine.py``). Any ordinary SimPy event scheduled on the
environment (a process, a timeout) is still processed exactly as SimPy would.

This is the only module that knows SimPy's private side (its queue, clock and sequence
counter); ``tests/test_architecture.py`` fails if they appear anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.events import NORMAL

Callback = Callable[[Any], None]
After = Callable[..., None]

COMPILED = not __file__.endswith(".py")
"""Whether this module runs compiled (sim/core/timer.pxd): a compiled module's file is
the extension it was loaded from."""


class Timer:
    """A callback due at time ``at``, ``eid`` its place in SimPy's scheduling order.

    Compiled, a timer is itself the entry on SimPy's queue: it orders as SimPy's
    ``(time, priority, sequence, event)`` tuple would (its priority is SimPy's
    ``NORMAL``), by a comparison in C, against another timer or a SimPy entry, and
    indexes as that tuple does (SimPy's ``Environment.peek`` reads its time). That
    comparison is most of what the heap does (a fifth of a county-year's instructions
    when the entries were tuples). Interpreted, a Python-level comparison would cost
    more than a tuple's, so the queue holds SimPy's tuple with ``(callback, value)`` in
    the place of its event.
    """

    __slots__ = ("at", "callback", "eid", "value")

    def __init__(self, at: float, eid: int, callback: Callback, value: Any):
        self.at = at
        self.eid = eid
        self.callback = callback
        self.value = value

    def __lt__(self, other: Any) -> bool:
        if type(other) is Timer:
            return _before(self, other)
        return (self.at, NORMAL, self.eid) < other[:3]

    def __gt__(self, other: Any) -> bool:
        if type(other) is Timer:
            return _before(other, self)
        return (self.at, NORMAL, self.eid) > other[:3]

    def __getitem__(self, index: Any) -> Any:
        """The timer read as SimPy's ``(time, priority, sequence, event)`` entry: SimPy
        reads its queue's entries so (``Environment.peek`` the first one's time).
        """
        return (self.at, NORMAL, self.eid, self)[index]


def _timer(at: float, eid: int, callback: Callback, value: Any) -> Timer:
    """``Timer(at, eid, callback, value)``, made without calling ``__init__``: compiled,
    a direct allocation instead of a Python-level call with its arguments parsed.
    """
    timer = Timer.__new__(Timer)
    timer.at, timer.eid, timer.callback, timer.value = at, eid, callback, value
    return timer


def _before(a: Timer, b: Timer) -> bool:
    """Whether timer ``a`` comes before ``b`` (SimPy's order: time, then sequence)."""
    return a.at < b.at or (a.at == b.at and a.eid < b.eid)


class Calendar:
    """Timers on a SimPy environment's event queue: :meth:`after` schedules one and
    :meth:`run_until` processes them (and any SimPy event) in SimPy's order.

    A :class:`Timer` costs a fraction of an ``Event`` and needs no callback list.
    """

    def __init__(self, env: simpy.Environment):
        self.env = env
        self.now: float = env._now  # kept equal to SimPy's clock; a plain attribute is read faster
        self._queue: list[Any] = env._queue
        self._eid = env._eid

    def after(self, delay: float, callback: Callback, value: Any = None) -> None:
        """Call ``callback(value)`` once ``delay`` has passed."""
        if COMPILED:
            heappush(self._queue, _timer(self.now + delay, next(self._eid), callback, value))
        else:
            heappush(self._queue, (self.now + delay, NORMAL, next(self._eid), (callback, value)))

    def run_until(self, at: float) -> None:
        """Process every event before time ``at`` (as ``env.run(until=at)`` does: an
        event exactly at ``at`` is left for later) and leave the clock at ``at``.
        """
        env = self.env
        if at <= env._now:
            raise ValueError(f"until ({at}) must be greater than the current simulation time")
        queue = self._queue
        while queue:
            entry = queue[0]
            if type(entry) is Timer:  # compiled: the timer is the entry
                timer = entry
                if timer.at >= at:
                    break
                heappop(queue)
                self.now = env._now = timer.at
                timer.callback(timer.value)
                continue
            now, _, _, event = entry  # SimPy's (time, priority, sequence, event)
            if now >= at:
                break
            heappop(queue)
            self.now = env._now = now
            if type(event) is tuple:  # interpreted: a timer's (callback, value)
                event[0](event[1])
            else:  # an ordinary SimPy event
                _process(event)
        self.now = env._now = at


def _process(event: Any) -> None:
    """What ``Environment.step`` does with an event it has popped."""
    callbacks, event.callbacks = event.callbacks, None
    for callback in callbacks:
        callback(event)
    if not event._ok and not hasattr(event, "_defused"):
        exc = type(event._value)(*event._value.args)
        exc.__cause__ = event._value
        raise exc

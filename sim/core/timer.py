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


class Calendar:
    """Timers on a SimPy environment's event queue: :meth:`after` schedules one and
    :meth:`run_until` processes them (and any SimPy event) in SimPy's order.

    A timer is the tuple ``(callback, value)`` in the place of SimPy's event: the loop
    calls ``callback(value)``. A tuple costs a fraction of an ``Event`` and needs no
    callback list, and the heap never compares it (SimPy's sequence number before it is
    unique).
    """

    def __init__(self, env: simpy.Environment):
        self.env = env
        self.now: float = env._now  # kept equal to SimPy's clock; a plain attribute is read faster
        self._queue: list[tuple[Any, ...]] = env._queue
        self._eid = env._eid

    def after(self, delay: float, callback: Callback, value: Any = None) -> None:
        """Call ``callback(value)`` once ``delay`` has passed."""
        heappush(self._queue, (self.now + delay, NORMAL, next(self._eid), (callback, value)))

    def run_until(self, at: float) -> None:
        """Process every event before time ``at`` (as ``env.run(until=at)`` does: an
        event exactly at ``at`` is left for later) and leave the clock at ``at``.
        """
        env = self.env
        if at <= env._now:
            raise ValueError(f"until ({at}) must be greater than the current simulation time")
        queue = self._queue
        while queue and queue[0][0] < at:
            now, _, _, event = heappop(queue)
            self.now = env._now = now
            if type(event) is tuple:
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

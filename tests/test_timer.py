"""The calendar's loop processes timers exactly as SimPy's ``Environment.run`` would."""

from __future__ import annotations

import numpy as np
import pytest
import simpy
from simpy.events import NORMAL, URGENT

from sim.core.timer import Calendar, Timer


def _fire_order(delays: list[float], use_calendar: bool, until: float) -> list[tuple[int, float]]:
    """Schedule a timer per delay (each re-schedules once, half a delay later) and
    return (timer, time) in the order they fire before ``until``.
    """
    env = simpy.Environment()
    fired: list[tuple[int, float]] = []
    if use_calendar:
        cal = Calendar(env)

        def hit(i: int) -> None:
            fired.append((i, cal.now))
            if i < len(delays):
                cal.after(delays[i] / 2, hit, i + len(delays))

        for i, d in enumerate(delays):
            cal.after(d, hit, i)
        cal.run_until(until)
    else:

        def hit_event(event: simpy.Event) -> None:
            i = event.value
            fired.append((i, env.now))
            if i < len(delays):
                env.timeout(delays[i] / 2, i + len(delays)).callbacks.append(hit_event)

        for i, d in enumerate(delays):
            env.timeout(d, i).callbacks.append(hit_event)
        env.run(until=until)
    return fired


def test_timers_fire_in_simpys_order_ties_included():
    rng = np.random.default_rng(3)
    # Whole-hour delays make many ties, which SimPy breaks by scheduling order.
    delays = [float(d) for d in rng.integers(1, 6, 200)]
    ours = _fire_order(delays, True, 4.0)
    theirs = _fire_order(delays, False, 4.0)
    assert ours == theirs
    assert len(ours) > 100 and max(t for _, t in ours) < 4.0  # nothing at exactly `until`


def test_the_clock_stops_at_until_and_resumes_from_there():
    env = simpy.Environment()
    cal = Calendar(env)
    seen: list[float] = []
    cal.after(1.0, lambda _: seen.append(cal.now))
    cal.after(2.0, lambda _: seen.append(cal.now))
    cal.run_until(2.0)
    assert seen == [1.0] and cal.now == env.now == 2.0  # the timer at 2.0 waits
    cal.run_until(5.0)
    assert seen == [1.0, 2.0] and env.now == 5.0
    with pytest.raises(ValueError, match="greater than the current"):
        cal.run_until(5.0)


def test_an_ordinary_simpy_process_runs_under_the_calendar():
    env = simpy.Environment()
    cal = Calendar(env)
    log: list[tuple[str, float]] = []

    def proc(env: simpy.Environment):
        yield env.timeout(1.5)
        log.append(("process", env.now))

    env.process(proc(env))
    cal.after(1.0, lambda _: log.append(("timer", cal.now)))
    cal.run_until(3.0)
    assert log == [("timer", 1.0), ("process", 1.5)]


def test_timers_and_simpy_events_share_one_order():
    """Timers and ordinary SimPy timeouts on one queue, ties included, fire in the
    order SimPy alone gives them (compiled, a timer is compared with SimPy's entries).
    """
    delays = [float(d) for d in np.random.default_rng(5).integers(1, 4, 120)]

    def fire(as_timer: list[bool]) -> list[tuple[int, float]]:
        env = simpy.Environment()
        cal = Calendar(env)
        fired: list[tuple[int, float]] = []
        for i, d in enumerate(delays):
            if as_timer[i]:
                cal.after(d, lambda i: fired.append((i, cal.now)), i)
            else:
                env.timeout(d, i).callbacks.append(lambda e: fired.append((e.value, env.now)))
        cal.run_until(10.0)
        return fired

    mixed = fire([i % 3 == 0 for i in range(len(delays))])
    assert mixed == fire([False] * len(delays)) == fire([True] * len(delays))
    assert len(mixed) == len(delays)


@pytest.mark.parametrize(
    "entry",
    [(1.0, NORMAL, 9), (2.0, URGENT, 9), (2.0, NORMAL, 4), (2.0, NORMAL, 6), (3.0, URGENT, 0)],
)
def test_a_timer_compares_as_simpys_entry_would(entry):
    timer, key = Timer(2.0, 5, print, None), (2.0, NORMAL, 5)
    other = (*entry, "an event")
    assert (timer < other) == (key < entry) and (other < timer) == (entry < key)
    assert (timer > other) == (key > entry) and (other > timer) == (entry > key)
    twin = Timer(*entry[::2], print, None)  # a timer at the same time and place
    assert (timer < twin) == (key < (entry[0], NORMAL, entry[2]))
    assert (twin < timer) == ((entry[0], NORMAL, entry[2]) < key)


def test_simpy_reads_a_timer_on_its_queue_as_its_entry():
    """SimPy's own reader of its queue (``peek``) sees a timer's time, compiled (where
    the timer is the entry) as interpreted.
    """
    env = simpy.Environment()
    cal = Calendar(env)
    env.timeout(3.0)
    cal.after(2.0, print)
    assert env.peek() == 2.0
    timer = Timer(2.0, 5, print, None)
    assert timer[:3] == (2.0, NORMAL, 5) and timer[3] is timer

"""The calendar's loop processes timers exactly as SimPy's ``Environment.run`` would."""

from __future__ import annotations

import numpy as np
import pytest
import simpy

from sim.core.timer import Calendar


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

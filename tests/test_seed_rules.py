"""Rules the presets take from the seeds, as the seeds word them (issue 18 item 6)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sim.config import SecondmentLever
from sim.core.calendar import WorkingClock
from sim.model.secondment import shielded
from sim.model.staff import Pool, Staff

from .conftest import scenario


def _pool(quota_type: str) -> Pool:
    return Pool(0, "town_1", 0, "p", quota_type, "service", False, 1)


def test_only_newly_recruited_civil_servants_are_shielded_from_secondment():
    # Seed 001: 新录用公务员在服务期限内不得…以借用…方式抽调 — civil servants, on
    # administrative quota; institutional (事业编制) recruits may be borrowed.
    capped = SecondmentLever(capped=True)
    recruit = Staff(0, False, hired_at=100.0)
    assert shielded(_pool("administrative"), recruit, capped, now_h=150.0, min_h=80.0)
    assert not shielded(_pool("institutional"), recruit, capped, now_h=150.0, min_h=80.0)
    # After the service period, or without the reform's caps, nobody is shielded.
    assert not shielded(_pool("administrative"), recruit, capped, now_h=190.0, min_h=80.0)
    uncapped = dataclasses.replace(capped, capped=False)
    assert not shielded(_pool("administrative"), recruit, uncapped, now_h=150.0, min_h=80.0)


def test_reform_2019_delegates_powers_at_the_end_of_the_seeds_reform_period():
    # Seed 001: 本次乡镇改革从2019年11月中旬开始到2020年6月底结束.
    s = scenario("policy=reform_2019")
    cal = s.calendar
    clock = WorkingClock(cal.hours_per_day, cal.days_per_week, cal.start_date)
    day = clock.date_of_day(int(s.policy.timing.powers_day))
    assert dt.date(2020, 6, 22) <= day <= dt.date(2020, 6, 30)
    assert s.policy.timing.powers_day > scenario("policy=pre_reform").policy.timing.powers_day

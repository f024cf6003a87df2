"""The report's cost over the years: the steady-state bill and the cost per hour saved.

Numbers are worked by hand from made-up metrics, not taken from the simulator.
"""

from __future__ import annotations

import pandas as pd
import pytest

from sim.report import conclusion
from sim.report.jobs import Job


def job(tmp_path, name, cost, filled, vacant, calendar="") -> Job:
    d = tmp_path / name
    (d / ".hydra").mkdir(parents=True)
    (d / ".hydra" / "config.yaml").write_text(calendar or "calendar: {}\n")
    metrics = {
        "county.staff.cost": {"mean": cost},
        "county.staff.headcount_mean": {"mean": filled},
        "county.staff.vacancies_mean": {"mean": vacant},
    }
    return Job(d, [], {"metrics": metrics}, name=name)


def test_steady_state_counts_every_post_filled_at_the_filled_posts_mean_pay(tmp_path):
    # 20 filled posts cost 1,000 (50 each); 5 vacant at 50 each: 1,250 when all filled.
    assert conclusion.steady_cost(job(tmp_path, "a", 1000.0, 20.0, 5.0)) == pytest.approx(1250)
    assert conclusion.steady_cost(job(tmp_path, "b", 1000.0, 0.0, 5.0)) is None


def test_cost_per_hour_saved_is_extra_pay_over_item_hours_saved(tmp_path, monkeypatch):
    base = job(tmp_path, "base", 1000.0, 20.0, 0.0)
    lever = job(tmp_path, "lever", 1100.0, 20.0, 2.0, "calendar: {hours_per_day: 7.5}\n")
    backlog = {"base": 10.0, "lever": 8.0}
    monkeypatch.setattr(conclusion, "backlog_total", lambda j: pd.Series([backlog[j.name]]))
    # 100 thousand yuan a year more; 2 items fewer in the system over 50 × 5 × 7.5 hours.
    assert conclusion.hours_a_year(lever) == 1875.0
    per_hour = conclusion.cost_per_hour_saved(lever, base)
    assert per_hour == pytest.approx(100_000 / (2 * 1875))
    backlog["lever"] = 11.0  # more items in the system: no hours saved, no ratio
    assert conclusion.cost_per_hour_saved(lever, base) is None
    backlog["lever"] = 8.0
    lines = conclusion._cost_over_years([base, lever], base)
    row = next(line for line in lines if line.startswith("| lever |"))
    assert row == "| lever | 1,100 | 1,210 | 20.0 / 22.0 | — | 27 |"


def test_fill_curve_is_the_share_of_township_posts_filled_over_the_run(tmp_path, monkeypatch):
    j = job(tmp_path, "lever", 1100.0, 20.0, 2.0)
    # Two replications, 9 days: 10 posts; filled rise from 6 (rep 0) / 8 (rep 1) by one
    # a day (capped at 10); another township's rows and other streams are ignored.
    rows = []
    for rep, start in ((0, 6), (1, 8)):
        for day in range(9):
            filled = min(10, start + day)
            rows += [
                (rep, day, "county", "staff", "headcount", filled),
                (rep, day, "county", "staff", "vacancies", 10 - filled),
                (rep, day, "town_1", "staff", "headcount", 1),
                (rep, day, "county", "services", "backlog", 99),
            ]
    ts = pd.DataFrame(rows, columns=["replication", "day", "township", "stream", "metric", "value"])
    monkeypatch.setattr(Job, "timeseries", lambda self: ts)
    # day 0: (6 + 8) / 2 = 7 of 10; day 2: 9; day 4: (10 + 10) / 2 = 10.
    assert conclusion.fill_curve(j) == [(0, 0.7), (2, 0.9), (4, 1.0), (6, 1.0), (8, 1.0)]

"""The county's own queues (issue 18, item 4): the departments' and the county officers'
own work measured as a township stream is — arrivals at the declared rate, every item
counted once — and a county desk that is overloaded flagged as an unstable stream is.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from sim.analysis.county_queues import COUNTY_QUEUES
from sim.model.load import county_flows
from sim.report.console import console_table
from sim.report.jobs import Job
from sim.report.markdown import _county_queue_rows
from sim.report.outputs import BUSY_LIMIT, overloaded_desks
from sim.report.table import scope_table
from sim.run import engine, results

from .conftest import scenario

pytestmark = pytest.mark.slow  # simulated county queues: the full tier

HORIZON, WARMUP = 120, 20
SHORT = (
    "county=small",
    "run.replications=2",
    f"run.horizon_days={HORIZON}",
    f"run.warmup_days={WARMUP}",
)
OVERLOADED = ("county.own_work_per_day=30",)
"""Five times small's own work: the departments' desk (~70% busy at 6 a day) cannot
keep up, whatever the townships ask of it."""


@pytest.fixture(scope="module")
def calm() -> results.RunOutput:
    return engine.run(scenario(*SHORT, "policy=pre_reform"))


@pytest.fixture(scope="module")
def overloaded() -> results.RunOutput:
    return engine.run(scenario(*SHORT, "policy=pre_reform", *OVERLOADED))


def test_the_county_queues_are_the_county_sources():
    s = scenario(*SHORT)
    assert [f.source.kind for f in county_flows(s)] == [q.id for q in COUNTY_QUEUES]


def test_own_work_arrives_at_the_declared_rate(calm):
    s = scenario(*SHORT, "policy=pre_reform")
    reps = calm.replications
    for flow in county_flows(s):
        expected = flow.arrivals_per_day * (HORIZON - WARMUP) * len(reps)
        counted = reps[f"county.{flow.source.kind}.arrivals"].sum()
        # A Poisson count: within 3.3 standard deviations (two-sided 99.9%).
        assert abs(counted - expected) < 3.3 * math.sqrt(expected), flow.source.kind


def test_every_own_work_item_is_counted_once(calm):
    series = calm.timeseries
    assert series is not None
    for _, rep in calm.replications.iterrows():
        for q in COUNTY_QUEUES:
            m = {k.split(".")[-1]: v for k, v in rep.items() if k.startswith(f"county.{q.id}.")}
            assert m["arrivals"] > 0
            assert m["backlog_start"] + m["arrivals"] == m["completions"] + m["backlog_end"]
            # The daily series, counted its own way, agrees with the window's totals.
            mine = series[
                (series.replication == rep.replication)
                & (series.township == "county")
                & (series.stream == q.id)
            ]
            by_metric = {k: g.sort_values("day").value for k, g in mine.groupby("metric")}
            assert by_metric["arrivals"].sum() == m["arrivals"]
            assert by_metric["completions"].sum() == m["completions"]
            assert by_metric["backlog"].iloc[-1] == m["backlog_end"]


def test_a_calm_county_is_not_flagged(calm):
    summary = results.summarise(calm)
    assert summary["county.staff.departments.utilisation_share"]["mean"] < BUSY_LIMIT
    assert overloaded_desks(summary) == []


def test_an_overloaded_county_desk_is_flagged_busy_and_growing(overloaded):
    summary = results.summarise(overloaded)
    assert summary["county.own_work.backlog_growth_per_day"]["ci_low"] > 0
    assert overloaded_desks(summary) == [
        f"own_work (busy {summary['county.staff.departments.utilisation_share']['mean']:.0%}, "
        "growing)"
    ]
    # Flagged wherever an unstable stream is: tsim's table, tsim-report's, report.md.
    streams = [{"id": "services", "label": "Services", "unit": "requests", "in_backlog_total": 1}]
    run = {"metrics": summary, "streams": streams}
    assert "COUNTY DESK FLAGGED" in scope_table(run)
    assert "own_work" in scope_table(run)
    job = Job(Path("overloaded"), [], summary=run, name="overloaded")
    assert "county own_work (busy" in console_table([job])
    section = "\n".join(_county_queue_rows([job]))
    assert "| overloaded | Departments' own work |" in section
    assert "⚠ unstable (busy" in section


def _metrics(busy: float, growth_low: float | None = None) -> dict[str, dict[str, float | None]]:
    """A summary's entries for the departments' queue: its desk's busy share and growth."""
    return {
        "county.own_work.backlog_mean": {"mean": 10.0},
        "county.own_work.backlog_growth_per_day": {"mean": 1.0, "ci_low": growth_low},
        "county.staff.departments.utilisation_share": {"mean": busy},
    }


def test_a_desk_over_95_percent_busy_is_flagged_growing_or_not():
    assert overloaded_desks(_metrics(0.96)) == ["own_work (busy 96%)"]
    assert overloaded_desks(_metrics(0.95)) == []
    assert overloaded_desks(_metrics(0.50, growth_low=0.2)) == ["own_work (growing)"]
    assert overloaded_desks(_metrics(0.50, growth_low=-0.2)) == []
    # A run made before the county queues were measured: nothing to flag.
    assert overloaded_desks({"county.staff.departments.utilisation_share": {"mean": 0.99}}) == []

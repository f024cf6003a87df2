"""Behaviour of the model: repeatability, common random numbers, extreme cases."""

from __future__ import annotations

import copy
import dataclasses
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model.build import build
from sim.model.quota import township_ids
from sim.run import engine

from .conftest import scenario, stream_ids

SHORT = ("run.replications=2", "run.horizon_days=40", "run.warmup_days=5", "run.timeseries=false")


def arrivals(s, k=0):
    """Every item's (township, stream, arrival time, route efforts) of replication k (the
    deadline of a service request with missing papers starts at its acceptance, which
    depends on staffing).
    """
    model = build(s, k, keep_items=True)
    model.run()
    return [
        (i.township, i.stream.id, i.t_arr, tuple(step.hours for step in i.route))
        for i in model.ledger.items
    ]


def test_same_seed_gives_identical_metrics():
    a = engine.run(scenario("county=single", *SHORT)).replications
    b = engine.run(scenario("county=single", *SHORT)).replications
    assert a.equals(b)
    c = engine.run(scenario("county=single", *SHORT, "run.seed=7")).replications
    assert not a.equals(c)


def test_staffing_changes_do_not_change_arrivals():
    base = scenario("county=wuchuan", *SHORT)
    more = scenario(
        "county=wuchuan",
        *SHORT,
        "county.kinds.town.staff.window_staff.headcount=9",
        "county.kinds.rural.staff.enforcement_officers.headcount=5",
        "county.kinds.town.staff.office_staff.headcount=1",
        "county.department_staff=1",
    )
    a, b = arrivals(base), arrivals(more)
    assert len(a) > 1000 and {x[1] for x in a} == set(stream_ids())
    assert sorted(a) == sorted(b)
    # ...while the outcomes do differ: the comparison is about staffing only.
    ra, rb = engine.run(base).replications, engine.run(more).replications
    assert not ra["county.services.wait_mean_h"].equals(rb["county.services.wait_mean_h"])


def test_replications_draw_different_arrivals():
    s = scenario("county=single", *SHORT)
    assert arrivals(s, 0) != arrivals(s, 1)


def test_run_does_not_mutate_the_scenario():
    s = scenario("county=single", *SHORT)
    before = copy.deepcopy(dataclasses.asdict(s))
    engine.run(s)
    assert dataclasses.asdict(s) == before


def test_zero_arrivals_give_zero_counts_and_idle_staff():
    t = engine.run(scenario("county=single", "workload=quiet", *SHORT)).replications
    for stream in stream_ids():
        assert (t[f"county.{stream}.arrivals"] == 0).all()
        assert (t[f"county.{stream}.backlog_mean"] == 0).all()
    assert (t["county.staff.window_staff.utilisation_share"] == 0).all()


def test_ample_staff_and_fixed_effort_give_hand_computed_times():
    """Unlimited windows, deterministic 0.5 h effort, no rework: nobody waits and
    every request takes exactly 0.5 h, so L = λ × 0.5 h exactly in expectation.
    """
    s = scenario(
        "+validation=mmc",
        "mmc.servers=500",
        "mmc.lam_per_h=3",
        "workload.services.categories.any.effort.kind=deterministic",
        "workload.services.categories.any.effort.mean_h=0.5",
        *SHORT,
    )
    t = engine.run(s).replications
    assert (t["county.services.wait_mean_h"] == 0).all()
    assert (t["county.services.lead_time_mean_h"] - 0.5).abs().max() < 1e-9
    assert (t["county.services.lead_time_p90_h"] - 0.5).abs().max() < 1e-9
    assert (t["county.services.on_time_share"] == 1).all()


def test_cases_needing_two_officers_wait_forever_with_one():
    s = scenario(
        "county=single",
        *SHORT,
        "workload.grid.to_enforcement_share=0",
        "county.kinds.town.staff.enforcement_officers.headcount=1",
    )
    t = engine.run(s).replications
    assert (t["county.enforcement.completions"] == 0).all()
    assert (
        t["county.enforcement.backlog_end"]
        == t["county.enforcement.arrivals"] + t["county.enforcement.backlog_start"]
    ).all()
    assert (t["county.staff.enforcement_officers.utilisation_share"] == 0).all()


def test_mmc_reduction_runs_nothing_but_the_window_queue():
    s = scenario("+validation=mmc", *SHORT)
    model = build(s, 0, keep_items=True)
    model.run()
    assert model.ledger.items and {i.stream.id for i in model.ledger.items} == {"services"}
    assert all(len(i.route) == 1 for i in model.ledger.items)  # no rework, one window step
    busy = {model.pools[i].name for i, h in enumerate(model.pool_busy) if h > 0}
    assert busy == {"window_staff"}
    assert len(model.townships[0].stations("service")) == 1  # pooled
    others = [
        st
        for c, centre in model.townships[0].centres.items()
        if c != "service"
        for st in centre.stations
    ] + model.county_centres["departments"].stations
    assert not any(st.waiting() for st in others)  # no work reached anyone else
    assert (
        model.county_centres["departments"].staff == 0
        and not model.secondments
        and not model.returned
    )


def test_every_metric_exists_for_county_and_each_township():
    s = scenario("county=wuchuan", *SHORT)
    t = engine.run(s).replications
    for scope in ["county", *township_ids(s)]:
        for stream in ("services", "enforcement", "delegated"):
            for metric in (
                "arrivals",
                "completions",
                "backlog_mean",
                "backlog_end",
                "wait_mean_h",
                "lead_time_mean_h",
                "lead_time_p90_h",
                "on_time_share",
            ):
                assert f"{scope}.{stream}.{metric}" in t.columns
        assert f"{scope}.services.visits_mean" in t.columns
        assert f"{scope}.staff.window_staff.utilisation_share" in t.columns
    assert "county.staff.departments.utilisation_share" in t.columns


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    windows=st.integers(0, 6),
    officers=st.integers(0, 5),
    office=st.integers(0, 3),
    rate=st.floats(0.0, 40.0),
    online=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**31),
)
@pytest.mark.slow
def test_invariants_hold_for_any_small_township(windows, officers, office, rate, online, seed):
    s = scenario(
        "county=single",
        "run.replications=1",
        "run.horizon_days=15",
        "run.warmup_days=3",
        "run.timeseries=false",
        f"run.seed={seed}",
        f"county.kinds.town.staff.window_staff.headcount={windows}",
        f"county.kinds.town.staff.enforcement_officers.headcount={officers}",
        f"county.kinds.town.staff.office_staff.headcount={office}",
        f"workload.services.requests_per_10k_pop_per_day={rate}",
        f"workload.services.online_share={online}",
    )
    row = engine.run(s).replications.iloc[0]
    for stream in stream_ids():
        p = f"county.{stream}."
        assert (
            row[p + "backlog_start"] + row[p + "arrivals"]
            == row[p + "completions"] + row[p + "backlog_end"]
        )
        for m in ("wait_mean_h", "lead_time_mean_h"):
            assert math.isnan(row[p + m]) or row[p + m] >= 0
        assert math.isnan(row[p + "on_time_share"]) or 0 <= row[p + "on_time_share"] <= 1
    for name, value in row.items():
        if name.endswith("utilisation_share"):
            assert math.isnan(value) or 0 <= value <= 1 + 1e-9, name
    assert 0 <= row["county.services.visits_mean"] <= 2 or math.isnan(
        row["county.services.visits_mean"]
    )

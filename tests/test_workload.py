"""One declaration of each stream's workload, read by every tool (issue 17, point 1).

The drift cases are the ones a review found by trying the tools as a new user would:
each failed while the run-size guard, the unserved-work warning, ``tsim-size`` and
``tsim-calibrate`` kept copies of the arrival arithmetic.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.calibrate.drivers import components, per_unit
from sim.calibrate.observed import read_counts
from sim.calibrate.rates import estimate
from sim.config import ConfigError
from sim.core.rng import sample
from sim.core.settings import Dist
from sim.core.workload import Effort
from sim.model import load
from sim.model.build import build
from sim.plan import sizing
from sim.run import engine, guard

from .conftest import checked_scenario, scenario

TEN_TIMES = "+county.township_size.town_1.population=350000"  # a town of Wuchuan has 35,000


def test_a_townships_own_population_reaches_the_guard_and_calibration():
    s, big = scenario("county=wuchuan"), scenario("county=wuchuan", TEN_TIMES)
    extra_10k = (350_000 - 35_000) / 1e4
    services, enforcement = s.workload.services, s.workload.enforcement
    per_day = extra_10k * (
        services.requests_per_10k_pop_per_day + enforcement.complaints_per_10k_pop_per_day
    )
    grown = guard.estimate(big).per_replication - guard.estimate(s).per_replication
    assert grown == pytest.approx(per_day * s.run.horizon_days)
    (requests,) = components(big, "services")
    assert per_unit(big, requests, "town_1") == pytest.approx(35.0)  # 350,000 people
    assert per_unit(big, requests, "town_2") == pytest.approx(3.5)


def test_a_township_left_without_window_staff_is_warned_about_by_name():
    none_here = (
        "+county.township_staff.town_1.window_staff=0",
        "+county.township_staff.town_1.window_aux=0",
    )
    (line,) = guard.unserved_work(scenario("county=wuchuan", *none_here))
    assert line.startswith("county.township_staff.town_1: no staff and no posts in the 'service'")
    assert guard.unserved_work(scenario("county=wuchuan", none_here[0])) == []  # aux serve


@pytest.mark.parametrize("share", ["0", "0.5", "1"])
def test_sizing_counts_the_county_staff_the_model_keeps(share):
    s = scenario(
        "county=wuchuan", "policy=staff_plus25", f"policy.quota.working_staff_share={share}"
    )
    (row,) = [r for r in sizing.size(s) if r.centre == sizing.DEPARTMENTS]
    model = build(s, 0)
    departments = next(c for c in model.county_centres.values() if c.name == "departments")
    assert row.quota == departments.staff_at_county()


def test_county_own_enforcement_work_counts_toward_the_run_size():
    with pytest.raises(ConfigError, match="run too large"):
        checked_scenario("county=wuchuan", "county.enforcement_work_per_day=1e6")


def test_tasks_admission_control_returns_load_the_county_not_the_office():
    on = (
        "county=small",
        "policy.admission.enabled=true",
        "policy.admission.off_list_share=0.5",
        "policy.admission.resourced_share=0.5",
        "policy.admission.assessment_cut_share=0",
    )
    off, s = scenario("county=small"), scenario(*on)
    office = {r.scope: r for r in sizing.size(s) if r.centre == "general"}
    before = {r.scope: r for r in sizing.size(off) if r.centre == "general"}
    d = s.workload.delegated
    own = d.routine_per_day + d.lists_per_day * d.list_items_mean + d.assessments_per_day
    hours = s.calendar.hours_per_day
    # Half the tasks are off the list; of those, half come with resources (no office
    # staff) and half go back: the office sees half of its own tasks less.
    for tid, row in office.items():
        assert before[tid].visits_per_h - row.visits_per_h == pytest.approx(0.5 * own / hours)
    county = sizing.departments_work(s).visits_per_h - sizing.departments_work(off).visits_per_h
    townships = len(office)
    assert county == pytest.approx(townships * 0.25 * own / hours)


@pytest.mark.parametrize(
    "dist",
    [
        Dist("exponential", 2.0, 0.3),
        Dist("lognormal", 3.0, 0.7),
        Dist("gamma", 1.5, 1.4),
        Dist("deterministic", 4.0, 2.0),
    ],
    ids=lambda d: d.kind,
)
def test_an_effort_knows_the_mean_and_variance_the_sampler_draws(dist):
    draws = sample(np.random.default_rng(3), dist, 400_000)
    assert draws.mean() == pytest.approx(dist.mean, rel=0.01)
    assert draws.var() == pytest.approx(dist.variance, rel=0.05, abs=1e-12)


def test_a_mixture_of_efforts_has_the_moments_of_the_mixture():
    a, b = Dist("exponential", 1.0), Dist("lognormal", 4.0, 0.5)
    rng = np.random.default_rng(5)
    pick = rng.random(400_000) < 0.3
    draws = np.where(pick, sample(rng, a, pick.size), 2.0 * sample(rng, b, pick.size))
    mix = Effort.mix([(0.3, Effort.of(a)), (0.7, Effort.of(b, 2.0))])
    assert draws.mean() == pytest.approx(mix.mean, rel=0.01)
    assert draws.var() == pytest.approx(mix.variance, rel=0.03)


@pytest.mark.slow
def test_the_simulation_draws_what_the_declarations_expect():
    """Arrivals of every stream in a run against the declared expectation: the centres and
    the tools read one declaration, so the counts agree within Poisson noise (batches and
    duplicates widen it by their dispersion).
    """
    s = scenario(
        "county=wuchuan",
        "run.replications=1",
        "run.horizon_days=120",
        "run.warmup_days=0",
        "policy=reform_2019",
    )
    counts = engine.run(s).replications.iloc[0]
    flows = [f for f in load.all_flows(s) if f.stream]
    days = s.run.horizon_days
    for stream in {f.stream for f in flows}:
        mine = [f for f in flows if f.stream == stream]
        expected = days * sum(f.items_per_day for f in mine)
        variance = days * sum(f.items_per_day * f.source.items.dispersion for f in mine)
        observed = counts[f"county.{stream}.arrivals"]
        assert abs(observed - expected) < 4 * math.sqrt(variance), (stream, observed, expected)


def test_calibration_reads_a_townships_own_size(tmp_path):
    s = scenario("county=wuchuan", TEN_TIMES)
    path = tmp_path / "counts.csv"
    # 2020-01-06 … 2020-01-31: 20 working days.
    path.write_text(
        "township,stream,period_start,period_end,arrivals\n"
        "town_1,services,2020-01-06,2020-01-31,1400\n"
    )
    est = estimate(s, read_counts(str(path), s))
    (rate,) = [r for r in est.rates if r.key.endswith("requests_per_10k_pop_per_day")]
    scale = s.workload.demand_scale * s.workload.services.demand_scale
    assert rate.value == pytest.approx(1400 / (20 * 35.0 * scale))

"""What a township head does when a window is swamped (issue 18, item 3): applicants who
give up and come back another day, overtime on overdue work, help from a quiet window.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.build import build
from sim.model.overtime import _day_over, _speed_up
from sim.model.staff import Staff, _trained
from sim.run import engine

from .conftest import scenario

pytestmark = pytest.mark.slow  # M/M/c simulations of each mechanism: the full tier

# One town, services only, a busy hall: three clerks, nobody leaves or is seconded.
HALL = (
    "county=single",
    "workload.streams=[services]",
    "run.replications=1",
    "run.horizon_days=60",
    "run.warmup_days=0",
    "run.timeseries=false",
    "county.kinds.town.staff.window_staff.headcount=3",
    "county.kinds.town.staff.window_aux.headcount=0",
    "policy.workforce.attrition_per_year=0",
    "policy.secondment.requests_per_township_per_day=0",
)


def services(*extra: str) -> dict[str, float]:
    """County-wide services metrics of one replication of the busy hall."""
    out = engine.run_replication(scenario(*HALL, *extra), 0, with_series=False).metrics
    return {k.removeprefix("county.services."): v for k, v in out.items()}


# ---- (c) applicants who give up and come back another day
def test_nobody_gives_up_by_default():
    m = services()
    assert m["give_ups_mean"] == 0.0 and m["gave_up_share"] == 0.0


def test_a_give_up_is_one_more_visit_and_nothing_else_changes_in_the_visits():
    off = services()
    on = services("workload.services.give_up_line_per_clerk=1")
    assert on["give_ups_mean"] > 0.0 and 0.0 < on["gave_up_share"] < 1.0
    assert on["gave_up_share"] <= on["give_ups_mean"]  # some give up more than once
    # Common random numbers: the same requests, channels and incomplete papers arrive,
    # so the visits they would make anyway are the same; giving up adds one visit each.
    assert on["visits_mean"] - on["give_ups_mean"] == pytest.approx(off["visits_mean"])
    assert on["one_visit_share"] < off["one_visit_share"]  # counted against 最多跑一次


def test_an_applicant_who_gave_up_k_times_lost_k_days_and_nobody_is_lost():
    s = scenario(*HALL, "workload.services.give_up_line_per_clerk=1")
    model = build(s, 0, keep_items=True)
    model.run()
    r = model.ledger.records()
    back_h = model.clock.hours(s.workload.services.give_up_return_days)
    done = ~np.isnan(r.done)
    assert (r.tag > 0).any()
    # Each give-up sends the applicant home for back_h before they look again.
    assert (r.done[done] - r.arr[done] >= r.tag[done] * back_h - 1e-9).all()
    # Conservation: every request is finished or still open (waiting, away or served).
    open_ = model.ledger.open_items()
    assert done.sum() + len(open_) == len(model.ledger.items) == len(r.arr)
    assert all(i.pos < len(i.route) for i in open_)
    # Only applicants at the hall give up: remote requests have no visit to lose.
    assert (r.visits[r.tag > 0] >= 1 + r.tag[r.tag > 0]).all()


# ---- (b) overtime when work is overdue
def overtime(*extra: str) -> tuple[dict[str, float], dict[str, float]]:
    """Overtime hours a week per pool (county-wide), and the services metrics."""
    out = engine.run_replication(scenario(*HALL, *extra), 0, with_series=False).metrics
    hours = {k.split(".")[2]: v for k, v in out.items() if k.endswith(".overtime_h_per_week")}
    return hours, {k.removeprefix("county.services."): v for k, v in out.items()}


def test_nobody_works_overtime_by_default():
    hours, _ = overtime()
    assert hours["window_staff"] == 0.0
    assert not any(h > 0.0 for h in hours.values())  # NaN: a pool nobody filled


@pytest.mark.parametrize("per_day, per_week", [(2.0, 4.0), (1.0, 10.0)])
def test_overtime_on_overdue_work_stays_within_its_caps_and_shortens_waits(per_day, per_week):
    _, base = overtime()
    hours, on = overtime(
        f"county.overtime.hours_per_day={per_day}", f"county.overtime.hours_per_week={per_week}"
    )
    # The hall's three clerks are overloaded: work is overdue at some windows.
    assert 0.0 < hours["window_staff"] <= min(per_week, 5 * per_day) + 1e-9
    assert on["wait_mean_h"] < base["wait_mean_h"]
    assert on["arrivals"] == base["arrivals"]  # the same requests arrive


def test_no_overtime_when_nothing_is_overdue():
    quiet = ("county.kinds.town.staff.window_staff.headcount=20",)
    hours, m = overtime(*quiet, "county.overtime.hours_per_week=10")
    # Waits of a minute: no request is still waiting past its limit when a day starts
    # (a few finish late, in the hands of a clerk: no reason to stay late).
    assert m["wait_mean_h"] < 0.1
    assert hours["window_staff"] == 0.0


def test_a_trainee_trained_on_an_overtime_day_ends_it_at_full_speed():
    model = build(scenario(*HALL), 0)
    s = Staff(0, False, speed=0.6)
    _speed_up(model, s, 1.25)
    assert s.speed == pytest.approx(0.75)
    _trained(s)  # training ends in the evening's extra hours
    assert s.speed == pytest.approx(1.25)
    _day_over(s)
    assert (s.speed, s.overtime) == (1.0, 1.0)


# ---- (a) help from a quiet window to a swamped one
TWO_WINDOWS = (
    *HALL,
    "run.horizon_days=250",
    "county.kinds.town.population=10000",
    "county.kinds.town.staff.window_staff.headcount=2",
    "workload.services.requests_per_10k_pop_per_day=8",  # one request an hour
    "workload.services.online_share=0",
    "workload.services.incomplete_share=0",
    # Half the requests take 1.8 h, half 1 h: windows at ρ 0.9 and 0.5, a clerk each.
    *(
        f"workload.services.categories.{c}.share=0"
        for c in ("civil_affairs", "household_registration", "medical_insurance")
    ),
    "workload.services.categories.social_security.share=0.5",
    "workload.services.categories.real_estate.share=0.5",
    "workload.services.categories.social_security.effort.kind=exponential",
    "workload.services.categories.social_security.effort.mean_h=1.0",
    "workload.services.categories.real_estate.effort.kind=exponential",
    "workload.services.categories.real_estate.effort.mean_h=1.8",
)


def window_waits(*extra: str) -> tuple[float, float]:
    """Mean wait (hours) at the social-security window and at the real-estate one."""
    model = build(scenario(*TWO_WINDOWS, *extra), 0, keep_items=True)
    centre = model.townships[0].centres["service"]
    assert [d.active for d in centre.stations] == [1, 1]  # one window per category
    model.run()
    waits: list[list[float]] = [[] for _ in centre.stations]
    for item in model.ledger.items:
        if item.t_start is not None:
            waits[centre.stations.index(item.route[0].station)].append(item.t_start - item.t_arr)
    social_security, real_estate = centre.desk_of[0], centre.desk_of[3]
    return float(np.mean(waits[social_security])), float(np.mean(waits[real_estate]))


def test_a_quiet_window_helps_a_swamped_one_and_its_own_applicants_wait_longer():
    quiet, busy = window_waits()  # social security (ρ 0.5), real estate (ρ 0.9)
    helped_quiet, helped_busy = window_waits("county.cover.help_line_per_clerk=2")
    # M/M/1 at ρ 0.9 and 1.8 h: Wq = ρ/(1-ρ)·1.8 = 16 h; at ρ 0.5 and 1 h: 1 h.
    assert quiet == pytest.approx(1.0, rel=0.3)
    assert busy > 5 * quiet
    assert helped_busy < 0.8 * busy  # the swamped window's line is shorter
    assert helped_quiet > quiet  # the helper's own applicants wait for their return


def test_the_share_who_give_up_is_the_share_of_time_the_line_is_too_long():
    # Poisson arrivals see time averages (PASTA): on the M/M/c hall every request is in
    # person with complete papers, so it gave up at least once exactly when its first
    # look found the line too long — as often as the line is that long over time.
    s = scenario(
        "+validation=mmc",
        "mmc.lam_per_h=4.5",
        "mmc.servers=5",
        "run.horizon_days=400",
        "run.warmup_days=0",
        "workload.services.give_up_line_per_clerk=1",
    )
    model = build(s, 0)
    (desk,) = model.townships[0].centres["service"].stations
    too_long: list[bool] = []

    def sample(_event: object) -> None:
        too_long.append(desk.waiting() >= desk.active)
        model.after(0.25, sample)

    model.after(0.25, sample)
    model.run()
    r = model.ledger.records()
    gave_up = (r.tag > 0).mean()
    n = len(r.tag)
    half_width = 1.96 * np.sqrt(gave_up * (1 - gave_up) / n)
    assert 0.02 < gave_up < 0.98  # the line is sometimes too long, not always
    assert abs(gave_up - np.mean(too_long)) < half_width  # within the 95% CI

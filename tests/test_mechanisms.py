"""Mechanisms behave as in a township, not as the code happens to be arranged
(issue 8): each test failed on the code before the fix it names.
"""

from __future__ import annotations

import pytest

from sim.model.build import build
from sim.model.reallocation import deploy
from sim.model.work import Step, WorkItem
from sim.run import engine

from .conftest import scenario

SHORT = ("run.replications=2", "run.horizon_days=40", "run.warmup_days=5", "run.timeseries=false")


def test_a_zero_hour_step_passes_through_without_staff():
    # No window clerk at all, but the only category takes no time: nothing waits.
    t = engine.run(
        scenario(
            "county=single",
            "workload=quiet",
            "workload.streams=[services]",
            *SHORT,
            "workload.services.requests_per_10k_pop_per_day=20",
            "workload.services.categories.any.effort.kind=deterministic",
            "workload.services.categories.any.effort.mean_h=0",
            "county.kinds.town.staff.window_staff.headcount=0",
            "county.kinds.town.staff.window_aux.headcount=0",
        )
    ).replications
    assert (t["county.services.arrivals"] > 100).all()
    assert (t["county.services.backlog_end"] == 0).all()
    assert (t["county.services.wait_mean_h"] == 0).all()


def test_a_switched_off_stage_needs_no_crew():
    # Cases whose every stage takes no time finish with no officer in the township.
    stages = [
        f"workload.enforcement.stages.{s}.effort.mean_h=0"
        for s in ("inspect", "file", "investigate", "review", "decide")
    ]
    t = engine.run(
        scenario(
            "county=single",
            "workload=quiet",
            "workload.streams=[enforcement]",
            *SHORT,
            *stages,
            "workload.enforcement.complaints_per_10k_pop_per_day=2",
            "workload.enforcement.refer_up_share=0",
            "workload.enforcement.legal_review_share=0",
            "workload.enforcement.whistle_share=0",
            "workload.enforcement.statement_days=0",
            "workload.enforcement.hearing_share=0",
            "workload.enforcement.payment_days=0",
            "county.kinds.town.staff.enforcement_officers.headcount=0",
        )
    ).replications
    assert (t["county.enforcement.arrivals"] > 10).all()
    assert (t["county.enforcement.backlog_end"] == 0).all()


def test_filled_posts_keep_the_open_vacancies_and_their_dates():
    model = build(scenario("county=single", *SHORT), 0)
    pool = model.townships[0].pools[0]
    model.workforce.change_quota(pool, +3)
    model.workforce.change_quota(pool, +2, filled=True)
    assert len(pool.vacant_since) == 3
    model.workforce.change_quota(pool, -1)
    assert len(pool.vacant_since) == 2


def test_posts_added_by_the_quota_lever_are_vacant_from_day_zero():
    model = build(scenario("county=small", "policy=staff_plus25", *SHORT), 0)
    added = [
        p
        for tw in model.townships
        for p in tw.pools
        if p.quota > model.townships[p.township].members_at_start[p.name]
    ]
    assert added
    for p in added:
        assert p.vacant_since == [0.0] * (
            p.quota - model.townships[p.township].members_at_start[p.name]
        )


@pytest.mark.parametrize("days", [5, 6])
def test_attrition_per_calendar_year_does_not_depend_on_the_working_week(days):
    model = build(scenario("county=single", *SHORT, f"calendar.days_per_week={days}"), 0)
    per_year = model.workforce.leave_rate_per_h * model.clock.hours(50 * days)
    lever = model.scenario.policy.workforce
    assert per_year == pytest.approx(lever.attrition_per_year)


def grid_born(s, stream):
    """(report arrival, attributes) of every item a grid report turned into."""
    model = build(s, 0, keep_items=True)
    model.run()
    return sorted(
        (i.origin, tuple(step.hours for step in i.route))
        for i in model.ledger.items
        if i.stream.id == stream and i.origin is not None
    )


@pytest.mark.parametrize("stream", ["enforcement", "delegated"])
def test_items_from_grid_reports_are_the_same_whatever_the_grid_staff(stream):
    common = ("county=single", *SHORT, "workload.grid.to_enforcement_share=0.3")
    few = scenario(*common, "county.kinds.town.staff.grid_workers.headcount=1")
    many = scenario(*common, "county.kinds.town.staff.grid_workers.headcount=6")
    a, b = grid_born(few, stream), grid_born(many, stream)
    assert len(a) > 20
    # Reports triaged in another order still spawn the same case or task each; the
    # slower grid may not have triaged the last few reports by the horizon.
    reports_b = dict(b)
    assert all(reports_b[origin] == attrs for origin, attrs in a if origin in reports_b)
    assert len(set(dict(a)) & set(reports_b)) > 20


def test_service_deadlines_count_from_acceptance_of_complete_materials():
    # Ample windows and nobody leaving: only requests arriving minutes before closing
    # with a same-day limit can be late. Before the fix the clock ran while applicants
    # fetched missing papers, capping the share near 0.88.
    t = engine.run(
        scenario(
            "county=single",
            "policy=reform_2019",
            *SHORT,
            "county.kinds.town.staff.window_staff.headcount=60",
            "policy.workforce.attrition_per_year=0",
        )
    ).replications
    assert (t["county.services.wait_mean_h"] < 0.01).all()
    assert (t["county.services.on_time_share"] >= 0.97).all()


# ---- point 5: a window whose only clerk leaves is covered, under every policy
def _one_clerk_left(*extra: str, prepare=lambda model: None):
    """The model run 60 days after one of a town's two window clerks leaves on day 5
    and nobody is hired (the covering rules are all that can help).
    """
    s = scenario(
        "county=single",
        "run.replications=1",
        "run.horizon_days=60",
        "run.warmup_days=0",
        "run.timeseries=false",
        "county.kinds.town.staff.window_staff.headcount=2",
        "county.kinds.town.staff.window_aux.headcount=0",
        "policy.workforce.attrition_per_year=0",
        "policy.workforce.hires_per_round=0",
        *extra,
    )
    model = build(s, 0)
    centre = model.townships[0].centres["service"]
    assert len(centre.stations) == 2  # two clerks: two department windows
    prepare(model)
    leaver = centre.stations[0].members[0]
    model.after(model.clock.hours(5), model.workforce._leave, leaver)
    model.run()
    return model


def _services_left_behind(*extra: str) -> float:
    """Open requests at the horizon when one of two single-clerk windows loses its clerk."""
    only_services = (
        "workload.streams=[services]",
        "workload.services.requests_per_10k_pop_per_day=3",
    )
    model = _one_clerk_left(*only_services, *extra)
    return len(model.ledger.open_items())


def test_a_window_whose_clerk_left_is_covered_by_the_other_clerk():
    stalled = _services_left_behind("county.cover.share=0")
    covered = _services_left_behind()
    assert stalled > 100  # nobody serves the orphaned window's departments for 55 days
    assert covered < 15  # one clerk now staffs both windows, half a day each


@pytest.mark.parametrize("centre, pool", [("grid", "grid_workers"), ("general", "office_staff")])
def test_a_centre_left_with_nobody_is_covered_from_another_centre(centre, pool):
    # Issue 8 point 5 beyond one centre: a grid desk whose only worker is gone (or an
    # office with nobody) stalled until a hire while the windows had staff to spare.
    def left(*extra):
        s = scenario(
            "county=single",
            *SHORT,
            f"county.kinds.town.staff.{pool}.headcount=0",
            "policy.workforce.attrition_per_year=0",
            "policy.secondment.requests_per_township_per_day=0",
            *extra,
        )
        model = build(s, 0, keep_items=True)
        model.run()
        mine = [
            i
            for i in model.ledger.items
            if i.route[0].station in model.townships[0].stations(centre)
        ]
        return sum(1 for i in mine if i.t_done is None), len(mine)

    stalled, arrived = left("county.cover.across_centres=false")
    covered, _ = left()
    assert stalled > 0.9 * arrived > 50  # nobody takes them up
    assert covered < 0.7 * stalled  # one member of another centre stands in half the day


def test_a_clerk_on_the_way_to_the_next_window_leaves_no_empty_hall():
    # The clerk left alone covers both department windows, and is on the way from one
    # to the other at every review. Taking that for an empty hall sent office staff to
    # dedicated windows every day, help the pooled window (one clerk, never moving)
    # never got: one_window looked worse than dedicated windows in small townships.
    strangers = []

    def watch(model):
        hall = model.townships[0].centres["service"]
        place = hall.place

        def placed(member):
            if model.pools[member.pool].centre != "service":
                strangers.append(member)
            place(member)

        hall.place = placed

    _one_clerk_left("policy.secondment.requests_per_township_per_day=0", prepare=watch)
    assert strangers == []


# ---- point 3: dedicated windows are department windows, one per clerk at most
@pytest.mark.parametrize(
    "clerks, desks", [(1, 1), (2, 2), (3, 3), (5, 4), (8, 5)]
)  # 5 service categories in the default workload; with 5 clerks real estate gets two,
# who also serve household registration (tests/test_hall.py)
def test_dedicated_windows_are_one_per_department_group(clerks, desks):
    staffing = (
        "county=single",
        *SHORT,
        f"county.kinds.town.staff.window_staff.headcount={clerks}",
        "county.kinds.town.staff.window_aux.headcount=0",
    )
    centre = build(scenario(*staffing), 0).townships[0].centres["service"]
    assert len(centre.stations) == desks
    pooled = build(scenario(*staffing, "policy=one_window"), 0)
    assert len(pooled.townships[0].centres["service"].stations) == 1


# ---- point 6: statutory waiting periods; the decision limit counts from filing
CASES_ONLY = (
    "county=single",
    "workload=quiet",
    "workload.streams=[enforcement]",
    "run.replications=2",
    "run.horizon_days=120",
    "run.warmup_days=10",
    "run.timeseries=false",
    "county.kinds.town.staff.enforcement_officers.headcount=40",
    "workload.enforcement.complaints_per_10k_pop_per_day=1",
    "workload.enforcement.refer_up_share=0",
    "workload.enforcement.legal_review_share=0",
    "workload.enforcement.whistle_share=0",
    "workload.enforcement.hearing_share=0",
    "policy.workforce.attrition_per_year=0",
    *(
        f"workload.enforcement.stages.{s}.effort.kind=deterministic"
        for s in ("inspect", "file", "investigate", "review", "decide")
    ),
)


def test_cases_wait_for_the_statement_and_payment_periods():
    # Ample officers: a case takes its five stages' effort (3+1+6+2+1 = 13 h of fixed
    # effort) plus the statement period (3 days) and the payment period (11 days).
    t = engine.run(scenario(*CASES_ONLY)).replications
    hours = 13.0 + (3 + 11) * 8.0
    assert (t["county.enforcement.arrivals"] > 50).all()
    lead = t["county.enforcement.lead_time_mean_h"]
    # Stages start at once but a step may straddle a night: never shorter than the sum.
    assert (lead >= hours - 1e-6).all() and (lead < hours + 16).all()


def test_the_decision_limit_counts_from_filing_to_decision():
    # A 5-day limit is met by every decision (about 5 working days after filing) even
    # though the case only closes after the 11-day payment period.
    t = engine.run(scenario(*CASES_ONLY, "workload.enforcement.time_limit_days=5")).replications
    assert (t["county.enforcement.on_time_share"] == 1.0).all()
    late = engine.run(scenario(*CASES_ONLY, "workload.enforcement.time_limit_days=2")).replications
    assert (late["county.enforcement.on_time_share"] == 0.0).all()


# ---- point 2: rebalancing moves whole crews and never breaks a team
def test_rebalancing_moves_officers_as_whole_crews_and_keeps_every_team_working():
    s = scenario(
        "county=small",
        "policy=rebalancing",
        "policy.enforcement.integrated=true",
        "run.replications=1",
        "run.timeseries=false",
        "policy.workforce.attrition_per_year=0",
        "policy.secondment.requests_per_township_per_day=0",
        "county.kinds.town.staff.enforcement_officers.headcount=7",
        "county.kinds.rural.villages=40",  # rural offices far busier than the towns
    )
    model = build(s, 0)
    moved: list[tuple[float, str, str]] = []
    transfer = model.workforce.transfer

    def record(member, source, target):
        if source.certified:
            moved.append((model.env.now, source.scope, target.scope))
        transfer(member, source, target)

    model.workforce.transfer = record
    model.run()
    assert moved, "the busy rural offices received no officers"
    # Officers move two at a time (a field crew) ...
    assert all(moved.count(m) % 2 == 0 for m in moved)
    # ... and every enforcement team keeps at least a crew.
    for tw in model.townships:
        assert all(st.certified_active >= 2 for st in tw.stations("enforcement")), tw.id


class FlexibleTown:
    """One town under flexible use, its hall pooled, nobody leaving or seconded: the
    office and the hall whose queues a test fills by hand (also test_institutions').
    """

    def __init__(self, *extra: str) -> None:
        self.model = build(
            scenario(
                "county=single",
                "policy=flexible_staff",
                "policy.windows.mode=pooled",
                "policy.workforce.attrition_per_year=0",
                "policy.secondment.requests_per_township_per_day=0",
                *extra,
            ),
            0,
        )
        self.town = self.model.townships[0]
        self.office = self.town.stations("general")[0]
        self.hall = self.town.stations("service")[0]

    def queue(self, station, n: int, each_h: float, due_days: float) -> None:
        """``n`` one-step items of ``each_h`` hours, due in ``due_days``, in line at once."""
        hours = self.model.clock.hours
        for _ in range(n):
            item = WorkItem(self.town.index, None, 0.0, hours(due_days), [Step(station, each_h)])
            self.model.ledger.enter(item)  # as Model.new_item does: written when finished
            station.line.append(item)

    def deploy(self) -> None:
        """The head's hourly look at who can be lent."""
        deploy(self.model, self.town, self.model.clock.hours(1))


def test_flexible_staff_lend_only_what_the_office_can_spare_and_go_home_when_needed():
    # Issue 8: flexible use drained offices into crowded halls and left their deadlines
    # to slip; a head lends office staff only while the office's deadlines are safe
    # and calls them back, each after the applicant in hand, as soon as they are not.
    town = FlexibleTown()
    model, office, hall, queue = town.model, town.office, town.hall, town.queue
    staff = office.active

    queue(hall, 60, 0.5, 1)  # a crowded hall, an idle office: lend, keeping one
    town.deploy()
    assert office.active == 1
    queue(office, 6, 4.0, 2)  # 24 h of office work due in two days: one cannot do it
    town.deploy()
    model.run_until(1.0)  # the lent clerks finish their applicant first
    assert office.active == staff
    town.deploy()  # the office has no slack: nobody leaves it
    assert office.active == staff

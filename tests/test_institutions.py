"""The reform's remaining institutions (issue 23 items 2–4): the whistle list, management
posts in the enforcement team, and the developed town with its approval body. Each test
fails on the code without its mechanism.
"""

from __future__ import annotations

import pytest

from sim.core.settings import ConfigError
from sim.model import load
from sim.model.build import build
from sim.model.staff import Staff
from sim.model.station import CrewStation
from sim.model.work import Step, WorkItem
from sim.run import engine

from .conftest import scenario
from .test_mechanisms import FlexibleTown

pytestmark = pytest.mark.slow  # simulations of each institution: the full tier

WHISTLES = (
    "county=single",
    "workload.streams=[enforcement]",
    "run.replications=1",
    "run.horizon_days=60",
    "run.warmup_days=0",
    "run.timeseries=false",
    "workload.enforcement.complaints_per_10k_pop_per_day=2",
    "workload.enforcement.whistle_share=1",
    "workload.enforcement.refer_up_share=0",
)


def _calls(*overrides: str) -> float:
    t = engine.run(scenario(*WHISTLES, *overrides)).replications
    return float(t["county.county_side.whistle_calls"].iloc[0])


def test_only_cases_of_a_listed_domain_blow_the_whistle():
    # Every filed case would call; with only environment (0.3 of cases) on the list,
    # the same cases (common random numbers) call about 0.3 as often.
    any_domain = _calls("policy.enforcement.whistle_domains=null")
    listed = _calls("policy.enforcement.whistle_domains=[environment]")
    assert any_domain > 50
    assert 0.15 * any_domain < listed < 0.5 * any_domain
    assert _calls("policy.enforcement.whistle_domains=[]") == 0


def test_the_declared_whistle_load_counts_only_listed_domains():
    def share(*overrides: str) -> float:
        s = scenario(*WHISTLES, *overrides)
        route = load.sources(s, "enforcement")[0].visits
        return sum(v.per_arrival for v in route if v.centre == "county_enforcement")

    every = share("policy.enforcement.whistle_domains=null")
    assert share("policy.enforcement.whistle_domains=[environment, market]") == pytest.approx(
        every * (0.3 + 0.25)
    )


def test_a_whistle_domain_off_the_workload_is_one_line():
    with pytest.raises(ConfigError, match="whistle_domains names fire"):
        scenario(*WHISTLES, "policy.enforcement.whistle_domains=[fire]")


def test_reform_2019_lists_tengzhou_domains_and_pre_reform_none():
    assert scenario("policy=pre_reform").policy.enforcement.whistle_domains is None
    listed = scenario("policy=reform_2019").policy.enforcement.whistle_domains
    assert set(listed) == {"environment", "market", "construction", "agriculture"}


# ---- the developed town's dedicated approval body (一枚印章管审批)

BODY = "county.kinds.town.approval_body=true"


def _secondments(*overrides: str) -> int:
    model = build(
        scenario(
            "county=single",
            "workload=quiet",
            "run.horizon_days=60",
            "policy.secondment.pools=[window_staff]",
            "policy.secondment.requests_per_township_per_day=0.5",
            *overrides,
        ),
        0,
    )
    model.run_until(model.horizon_h)
    return len(model.secondments)


def test_the_county_never_borrows_the_approval_body_clerks():
    assert _secondments() > 5
    assert _secondments(BODY) == 0


def test_the_approval_body_lends_no_clerk_to_the_office_but_may_be_helped():
    town = FlexibleTown(BODY)
    office, hall = town.office, town.hall
    clerks, staff = hall.active, office.active

    town.queue(office, 60, 0.5, 20)  # a crowded office, an idle hall: the body keeps its clerks
    town.deploy()
    town.model.run_until(1.0)
    assert hall.active == clerks
    office.line.clear()
    town.queue(hall, 60, 0.5, 20)  # a crowded hall, an idle office: the office still helps
    town.deploy()
    town.model.run_until(2.0)
    assert office.active < staff
    assert hall.active > clerks


def test_wuchuan_developed_has_one_developed_town_with_shahe_numbers():
    s = scenario("county=wuchuan_developed")
    assert s.county.townships == {"town": 2, "rural": 6, "developed_town": 1}
    town = s.county.kinds["developed_town"]
    assert town.staff["window_staff"].headcount == 16  # 16个一线窗口
    posts = sum(
        p.headcount
        for p in town.staff.values()
        if p.quota_type in ("administrative", "institutional")
    )
    assert posts + town.other_posts == 140  # 行政、事业编制均增至70名
    assert town.approval_body
    wuchuan = scenario("county=wuchuan").county
    assert s.county.kinds["town"] == wuchuan.kinds["town"]
    assert s.county.department_staff == wuchuan.department_staff


# ---- management posts in the enforcement team (执法队伍管理岗位不超过20%)


def test_a_manager_takes_desk_steps_but_never_a_field_step():
    model = build(scenario("county=single", "workload=quiet"), 0)
    team = CrewStation(model, "test/enforcement")
    manager, officer = Staff(0, certified=True), Staff(0, certified=True)
    manager.manager = True
    team.add(manager)
    team.add(officer)

    def case(*step: object) -> WorkItem:
        item = WorkItem(0, None, 0.0, 100.0, [Step(team, *step)])
        model.ledger.enter(item)  # as Model.new_item does
        team.request(item)
        return item

    inspection = case(2.0, 2, 2, True)  # two certified officers in the field
    assert inspection.t_start is None  # one officer and a manager: no field crew
    review = case(1.0, 1, 1, False)
    assert review.t_start == 0.0 and manager.since == 0.0 and officer.since is None
    team.add(Staff(0, certified=True))  # a second field officer: the inspection starts
    assert inspection.t_start == 0.0 and officer.since == 0.0


def _managers(*overrides: str) -> tuple[int, int]:
    model = build(scenario("county=single", "workload=quiet", *overrides), 0)
    teams = model.townships[0].stations("enforcement")
    return sum(t.managers_active for t in teams), sum(t.field_active for t in teams)


def test_the_management_share_is_a_cap_on_the_township_own_officers():
    five = "county.kinds.town.staff.enforcement_officers.headcount=5"
    assert _managers(five, "policy.enforcement.management_share=0") == (0, 5)
    assert _managers(five) == (1, 4)  # 20% of 5
    assert _managers(five, "policy.enforcement.management_share=0.39") == (1, 4)  # rounded down
    assert _managers() == (0, 4)  # Wuchuan's town: 20% of 4 is no whole post
    # Stationed county officers always go to the field and do not count.
    assert _managers(five, "policy=reform_2019") == (1, 6)


def test_a_management_post_slows_a_field_heavy_team():
    common = (
        *WHISTLES,
        "workload.enforcement.whistle_share=0",
        "policy.enforcement.integrated=true",
        "county.kinds.town.staff.enforcement_officers.headcount=5",
    )

    def lead(share: str) -> float:
        t = engine.run(scenario(*common, f"policy.enforcement.management_share={share}"))
        return float(t.replications["county.enforcement.lead_time_mean_h"].iloc[0])

    assert lead("0.4") > lead("0")

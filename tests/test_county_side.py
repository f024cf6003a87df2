"""The county's side of each lever (issue 9): quota moved per township, officers
stationed out of a county pool, the on-call pool answering whistle calls, returned
tasks landing on the county's desk. Hand-computed cases where possible; the lever's
effect on the county as a paired comparison (slow).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace

import pytest

from sim.config import ConfigError
from sim.model.build import build
from sim.model.quota import added_posts, kind_of, moved_posts, split_posts, township_posts
from sim.model.secondment import borrowable
from sim.run import engine

from .conftest import scenario


def test_identical_townships_gain_the_same_posts_and_at_least_the_share():
    s = scenario("county=wuchuan", "policy=staff_plus25")
    gained: dict[str, int] = defaultdict(int)
    for (tid, _pool), n in added_posts(s).items():
        gained[tid] += n
    for kind in ("town", "rural"):
        same = {gained[t] for t in gained if kind_of(t) == kind}
        assert len(same) == 1, (kind, gained)
    # Towns: 4 + 4 + 3 = 11 posts in the lever's pools → ceil(2.75) = 3; rural: 6 → 2.
    assert gained["town_1"] == 3 and gained["rural_6"] == 2


def test_added_posts_split_by_largest_remainder():
    # 3 posts pro rata 4:4:3 = 1.09, 1.09, 0.82 → 1, 1, then the largest remainder (0.82).
    assert split_posts({"a": 4, "b": 4, "c": 3}, 3) == {"a": 1, "b": 1, "c": 1}
    # 2 posts over equal pools: ties to the first listed.
    assert split_posts({"a": 2, "b": 2, "c": 2}, 2) == {"a": 1, "b": 1, "c": 0}
    assert split_posts({"a": 0}, 0) == {"a": 0}
    for total in range(12):
        assert sum(split_posts({"a": 7, "b": 2, "c": 1}, total).values()) == total


def test_the_share_applies_to_the_whole_quota_and_a_knob_places_it():
    # A town of 11 modelled posts and 40 in other offices: 25% of 51 is 12.75 → 13 posts
    # move down; half of them (6.5 → 7) reach the modelled centres.
    base = ("county=wuchuan", "policy=staff_plus25", "county.kinds.town.other_posts=40")
    posts = township_posts(scenario(*base, "policy.quota.centres_share=0.5"), "town_1")
    assert posts.total == 13 and sum(posts.pools.values()) == 7
    whole = township_posts(scenario(*base), "town_1")
    assert whole.total == 13 and sum(whole.pools.values()) == 13
    # An exact share is not rounded up by floating-point noise (0.25 × 8 = 2).
    s = scenario("county=wuchuan", "policy=staff_plus25", "county.kinds.rural.other_posts=2")
    assert township_posts(s, "rural_1").total == 2
    assert moved_posts(s) == 3 * 3 + 6 * 2


SHORT = ("county=small", "run.replications=2", "run.horizon_days=60", "run.timeseries=false")


OVERLOADED = ("policy.enforcement.stationed_officers=4",)


def _run(*overrides: str):
    return engine.run(scenario(*SHORT, *overrides)).replications


def test_stationed_officers_leave_the_county():
    # reform_2019 moves the same quota as staff_plus25 and also stations 2 officers in
    # each of the 4 townships: the county keeps exactly 8 fewer (the on-call stay).
    plus25 = _run("policy=staff_plus25")
    reform = _run("policy=reform_2019")
    assert (reform["county.county_side.stationed"] == 8).all()
    assert (reform["county.county_side.staff"] == plus25["county.county_side.staff"] - 8).all()
    assert (reform["county.county_side.on_call"] == 3).all()
    assert (reform["county.staff.stationed_officers.headcount_mean"] == 8).all()


def test_spare_posts_moved_down_cut_no_working_staff():
    # Moved posts that nobody held (share 0 of working staff) leave the departments whole.
    model = build(scenario(*SHORT, "policy=staff_plus25", "policy.quota.working_staff_share=0"), 0)
    assert model.county_centres["departments"].staff == 9
    model = build(scenario(*SHORT, "policy=staff_plus25"), 0)
    assert model.county_centres["departments"].staff == 8


@pytest.mark.slow  # a year of calls, for the mean's tolerance: a validation, not a smoke test
def test_whistle_calls_wait_for_the_inbox_review():
    # Lightly loaded county officers: without 吹哨报到 a call waits for the next weekly
    # review of the inbox, a phase uniform over the 5-day (40 h) period: mean ≈ 20 h.
    ad_hoc = _run("policy=pre_reform", "run.horizon_days=250")
    assert (ad_hoc["county.county_side.whistle_calls"] > 20).all()
    assert (ad_hoc["county.county_side.whistle_response_mean_h"].mean() - 20.0) ** 2 < 6.0**2


def test_whistle_calls_are_answered_at_once_when_someone_is_on_call():
    # Three officers on call for rare calls answer at once.
    on_call = _run("policy=integrated_enforcement", "policy.enforcement.on_call_officers=3")
    assert (on_call["county.county_side.whistle_response_mean_h"] == 0).all()
    assert (on_call["county.county_side.whistle_in_limit_share"] == 1).all()


def test_returned_tasks_land_on_the_departments_desk():
    t = _run("policy=admission_control")
    assert (t["county.delegated.returned_count"] > 0).all()
    assert (t["county.county_side.returned_arrivals"] == t["county.delegated.returned_count"]).all()
    assert (t["county.county_side.returned_completions"] > 0).all()


@pytest.mark.parametrize(
    "override,message",
    [
        (
            "policy.enforcement.stationed_officers=6",
            "policy.enforcement.stationed_officers = 6 per township × 4 + on_call_officers = 0 "
            "need 24 county officers but county.enforcement_officers = 20",
        ),
        ("policy.enforcement.stationed_officers=5", "whistle calls would never be answered"),
    ],
)
def test_stationing_more_officers_than_the_county_has_is_refused(override, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        scenario("county=small", override)


def test_the_county_may_borrow_any_permanent_township_staff():
    # Wuchuan's plan: 借用乡镇在编人员 — administrative or institutional staff, not
    # auxiliary workers nor officers stationed from the county.
    model = build(scenario(*SHORT, "policy=reform_2019"), 0)
    lever = model.scenario.policy.secondment
    pools = {p.name for p in model.townships[0].pools if borrowable(p, lever)}
    assert pools == {"window_staff", "enforcement_officers", "office_staff"}
    named = replace(lever, pools=["office_staff"])
    assert {p.name for p in model.townships[0].pools if borrowable(p, named)} == {"office_staff"}


def test_every_whistle_call_is_answered_or_still_waiting():
    # Four stationed per township leave 4 officers at home for 6 items of own work a day
    # (48 h): calls pile up behind it, and none may be lost from the count.
    model = build(scenario(*SHORT, "policy=integrated_enforcement", *OVERLOADED), 0)
    model.run()
    desk = model.county_centres["county_enforcement"].answering
    assert desk.called, "the overloaded desk should leave calls waiting"
    assert len(desk.calls) == len(desk.answers) + len(desk.called)

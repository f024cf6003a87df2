"""``tsim-size --check``'s named reasons: each fires on a scenario built to trigger it,
and not on the same scenario without the mechanism.
"""

from __future__ import annotations

import pytest

from sim.plan import check, reasons, sizing

from .conftest import scenario

NO_LOSSES = (
    "policy.workforce.attrition_per_year=0",
    "policy.secondment.requests_per_township_per_day=0",
)


def row_of(rows, scope, centre):
    return next(r for r in rows if r.scope == scope and r.centre == centre)


def off(row):
    """A simulated wait far above the row's, for ``check.compare``."""
    prefix = check.queue_ids(row)[0]
    return {f"{prefix}.wait_mean_h": {"mean": 100 * row.wait_h + 1.0}}


def test_binomial_tail_by_hand():
    assert reasons.binomial_tail(3, 0.1, 2) == pytest.approx(3 * 0.01 * 0.9 + 0.001)
    assert reasons.binomial_tail(2, 0.1, 0) == pytest.approx(1.0)


def test_absences_fire_where_one_absence_leaves_less_than_the_load():
    # Rural general office: 2 staff for 1.2 staff-hours an hour of tasks, so one away
    # (secondment, a vacancy) overloads it: P(at least one of two away).
    s = scenario("county=wuchuan", "policy=pre_reform")
    r = row_of(sizing.size(s), "rural_1", "general")
    assert r.present == 2 and 1 < r.offered_load < 2
    found = reasons.absences(r)
    assert found is not None and found.name == reasons.ABSENCES
    away = 1 - r.expected_present / r.present
    assert f"{1 - (1 - away) ** 2:.1%}" in found.detail
    (c,) = check.compare([r], off(r))
    assert reasons.ABSENCES in c.verdict and check.UNKNOWN not in c.verdict
    # Nobody ever away: the same office has no such reason.
    steady = row_of(
        sizing.size(scenario("county=wuchuan", "policy=pre_reform", *NO_LOSSES)),
        "rural_1",
        "general",
    )
    assert reasons.absences(steady) is None


def test_absences_stay_quiet_where_rare_double_absences_are_needed():
    # Town grid desk: 2 staff, load 0.75; only both away overloads it, and that is rare.
    s = scenario("county=wuchuan", "policy=pre_reform")
    r = row_of(sizing.size(s), "town_1", "grid")
    assert r.present == 2 and r.offered_load < 1
    assert reasons.absences(r) is None


def test_near_saturation_fires_from_the_threshold():
    busy = scenario("county=wuchuan", "policy=pre_reform", "county.own_work_per_day=18")
    r = row_of(sizing.size(busy), "county", "departments")
    assert r.offered_load / r.servers >= reasons.SATURATED
    found = reasons.saturation(r)
    assert found is not None and found.name == reasons.NEAR_SATURATION
    calm = row_of(
        sizing.size(scenario("county=wuchuan", "policy=pre_reform")), "county", "departments"
    )
    assert calm.offered_load / calm.servers < reasons.SATURATED
    assert reasons.saturation(calm) is None


def test_county_officers_serve_whistle_calls_first_which_the_row_leaves_out():
    r = row_of(sizing.size(scenario("county=wuchuan")), "county", "county_enforcement")
    (c,) = check.compare([r], off(r))
    assert reasons.NOT_IN_MMC in c.verdict and "whistle calls go first" in c.verdict
    # The departments' row models its calls served first (Cobham): not a reason there.
    quick = scenario("county=wuchuan", "policy=pre_reform", "policy.escalation.enabled=true")
    dept = row_of(sizing.size(quick), "county", "departments")
    assert "calls go first" in dept.approximations
    assert not any("calls go first" in str(x) for x in reasons.reasons(dept))


def test_posts_still_filling_fire_where_the_quota_lever_adds_posts():
    more = scenario(
        "county=wuchuan", "policy=pre_reform", "policy.quota.township_increase_share=0.25"
    )
    r = row_of(sizing.size(more), "rural_2", "service")
    assert r.quota > r.present
    found = reasons.filling(r)
    assert found is not None and found.name == reasons.POSTS_FILLING
    assert f"{r.quota - r.present} of {r.quota} posts start vacant" in found.detail
    (c,) = check.compare([r], off(r))
    assert reasons.POSTS_FILLING in c.verdict
    today = row_of(
        sizing.size(scenario("county=wuchuan", "policy=pre_reform")), "rural_2", "service"
    )
    assert today.quota == today.present and reasons.filling(today) is None


def test_powers_not_yet_delegated_are_named_on_enforcement_and_the_county_desk():
    # reform_2019 hands the powers over on day 126: until then 60% of cases go up.
    late = scenario("county=wuchuan", "policy=reform_2019")
    rows = sizing.size(late)
    for r in (row_of(rows, "town_1", "enforcement"), row_of(rows, "county", "departments")):
        (c,) = check.compare([r], off(r))
        assert "powers not yet delegated" in c.verdict
    now = scenario("county=wuchuan", "policy=reform_2019", "policy.timing.powers_day=0")
    assert not any(
        "powers" in str(x)
        for x in reasons.reasons(row_of(sizing.size(now), "town_1", "enforcement"))
    )

"""Per-township staffing and size, and the staff cost metric, against hand-computed values."""

from __future__ import annotations

import pytest

from sim.config import ConfigError
from sim.model.quota import township_size, township_staff
from sim.run import engine

from .conftest import scenario

STEADY = (
    "county=small",
    "policy.workforce.attrition_per_year=0",
    "policy.secondment.requests_per_township_per_day=0",
    "run.replications=1",
    "run.horizon_days=20",
    "run.warmup_days=2",
    "run.timeseries=false",
)


def test_one_township_gets_its_own_staff_and_size_the_others_keep_the_kind():
    s = scenario(
        "county=wuchuan",
        "+county.township_staff.town_2.window_staff=7",
        "+county.township_size.rural_3.population=5000",
    )
    assert township_staff(s, "town_2")["window_staff"].headcount == 7
    assert township_staff(s, "town_1")["window_staff"].headcount == 4
    assert township_staff(s, "town_2")["window_staff"].quota_type == "institutional"
    assert township_size(s, "rural_3").population == 5000
    assert township_size(s, "rural_3").villages == s.county.kinds["rural"].villages
    assert township_size(s, "rural_2").population == s.county.kinds["rural"].population


def test_own_staff_is_what_the_township_has_present():
    t = engine.run(scenario(*STEADY, "+county.township_staff.town_2.window_staff=7")).replications
    assert t["town_2.staff.window_staff.headcount_mean"][0] == pytest.approx(7)
    assert t["town_1.staff.window_staff.headcount_mean"][0] == pytest.approx(4)


@pytest.mark.parametrize(
    "override, message",
    [
        ("+county.township_staff.town_9.window_staff=3", "county.township_staff.town_9: no such"),
        ("+county.township_staff.town_1.windows=3", "county.township_staff.town_1.windows: not"),
        ("+county.township_staff.town_1.window_staff=-1", "must be an integer ≥ 0"),
        ("+county.township_size.town_1.people=1", "county.township_size.town_1.people: not"),
    ],
)
def test_bad_township_entries_name_the_key(override, message):
    with pytest.raises(ConfigError, match=message):
        scenario("county=small", override)


# county=small has 2 towns and 2 rural townships; staff by quota type per township
# (administrative, institutional, auxiliary) from configs/county/wuchuan.yaml.
TOWN = {"administrative": 7, "institutional": 4, "auxiliary": 4}
RURAL = {"administrative": 4, "institutional": 2, "auxiliary": 2}
PAY = {"administrative": 1.0, "institutional": 10.0, "auxiliary": 100.0}


def bill(staff: dict[str, int], premium: float = 0.0) -> float:
    return sum(n * PAY[q] * (1 + premium) for q, n in staff.items())


@pytest.mark.parametrize("incentives", [False, True])
def test_staff_cost_is_headcount_times_pay_with_the_township_premium(incentives):
    pay = [f"county.pay.{q}={v}" for q, v in PAY.items()]
    s = scenario(
        *STEADY,
        *pay,
        f"policy.workforce.incentives={str(incentives).lower()}",
        "policy.workforce.incentive_pay_premium_share=0.5",
    )
    t = engine.run(s).replications
    premium = 0.5 if incentives else 0.0
    assert t["town_1.staff.cost"][0] == pytest.approx(bill(TOWN, premium))
    assert t["rural_2.staff.cost"][0] == pytest.approx(bill(RURAL, premium))
    # The county's departments and its enforcement officers: no township premium.
    county = s.county.department_staff + s.county.enforcement_officers
    departments = county * PAY["administrative"]
    townships = 2 * bill(TOWN, premium) + 2 * bill(RURAL, premium)
    assert t["county.staff.cost"][0] == pytest.approx(townships + departments)

"""The reform's remaining institutions (issue 23 items 2–4): the whistle list, management
posts in the enforcement team, and the developed town with its approval body. Each test
fails on the code without its mechanism.
"""

from __future__ import annotations

import pytest

from sim.core.settings import ConfigError
from sim.model import load
from sim.run import engine

from .conftest import scenario

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

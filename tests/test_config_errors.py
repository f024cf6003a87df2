"""Bad input is refused before any simulation, with one line naming key, value and range."""

from __future__ import annotations

import pytest
from omegaconf import OmegaConf

from sim.config import ConfigError, load_scenario

from .conftest import raw_config, scenario


@pytest.mark.parametrize(
    "override,message",
    [
        (
            "county.kinds.town.staff.window_staff.headcount=-1",
            "county.kinds.town.staff.window_staff.headcount = -1: must be an integer ≥ 0",
        ),
        (
            "workload.services.online_share=1.5",
            "workload.services.online_share = 1.5: must be a number ≥ 0 and ≤ 1",
        ),
        ("run.replications=0", "run.replications = 0: must be an integer ≥ 1"),
        ("run.horizon_days=0", "run.horizon_days = 0: must be a number > 0"),
        (
            "workload.services.categories.real_estate.effort.kind=weibull",
            "workload.services.categories.real_estate.effort.kind = 'weibull': must be one of "
            "exponential, lognormal, gamma, deterministic",
        ),
        (
            "county.kinds.town.staff.window_aux.quota_type=volunteer",
            "must be one of administrative, institutional, auxiliary, stationed",
        ),
        (
            "workload.services.categories.real_estate.share=0.5",
            "workload.services.categories: shares sum to 1.35; they must sum to 1",
        ),
        (
            "workload.enforcement.stages.inspect.certified=3",
            "workload.enforcement.stages.inspect.certified = 3: must be ≤ crew = 2",
        ),
        (
            "county.kinds.town.staff.grid_workers.certified=true",
            "auxiliary staff may assist but never act as enforcement officers",
        ),
        (
            "workload.grid.to_enforcement_share=0.9",
            "workload.grid.to_enforcement_share + to_delegated_share = 1.1: must be ≤ 1",
        ),
        ("county.townships.town=0", "needs at least one township"),
        ("calendar.start_date=2020-13-01", "calendar.start_date = '2020-13-01': must be a date"),
    ],
)
def test_bad_value_names_key_value_and_range(override, message):
    args = ["county=single", override]
    with pytest.raises(ConfigError) as err:
        scenario(*args)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_warmup_must_be_shorter_than_horizon():
    with pytest.raises(
        ConfigError,
        match=r"run.warmup_days = 60: must be shorter than "
        r"run.horizon_days = 60",
    ):
        scenario("run.horizon_days=60", "run.warmup_days=60")


def test_unset_required_value_is_reported_before_running():
    cfg = raw_config("county=single")
    OmegaConf.update(cfg, "workload.services.online_share", "???")
    with pytest.raises(
        ConfigError,
        match=r"workload.services.online_share = \?\?\?: a value "
        r"is required",
    ):
        load_scenario(cfg)


def test_township_kind_without_profile_is_refused():
    with pytest.raises(ConfigError, match=r"county\.townships\.street: no such kind"):
        scenario("county=single", "+county.townships.street=2")


def test_pool_names_must_be_usable_in_metric_names():
    # New pools come from YAML (merged like this); Hydra's CLI cannot add a key to a
    # dict of structured nodes.
    extra = {"county": {"kinds": {"town": {"staff": {"departments": {"headcount": 1}}}}}}
    cfg = raw_config("county=single")
    OmegaConf.set_struct(cfg, False)
    merged = OmegaConf.merge(cfg, extra)
    with pytest.raises(
        ConfigError,
        match=r"county\.kinds\.town\.staff\.departments: the pool name 'departments' is reserved",
    ):
        load_scenario(merged)


@pytest.mark.parametrize(
    "override,message",
    [
        (
            "policy.quota.township_increase_share=5",
            "policy.quota.township_increase_share = 5: moves 345 posts down but "
            "county.quota_total = 150",
        ),
        (
            "policy.quota.pools=[window_staff,windows]",
            "policy.quota.pools: 'windows' is not a staff pool of the county's townships",
        ),
        (
            "policy.windows.proxy_share=0.9",
            "workload.services.online_share + policy.windows.proxy_share = 1.1: must be ≤ 1",
        ),
        (
            "policy.windows.mode=shared",
            "policy.windows.mode = 'shared': must be one of dedicated, pooled",
        ),
        ("policy.secondment.max_days=-3", "policy.secondment.max_days = -3: must be a number ≥ 0"),
    ],
)
def test_bad_policy_value_names_key_value_and_range(override, message):
    with pytest.raises(ConfigError) as err:
        scenario("county=wuchuan", override)
    assert message in str(err.value)

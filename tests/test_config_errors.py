"""Bad input is refused before any simulation, with one line naming key, value and range."""

from __future__ import annotations

import pytest
from omegaconf import OmegaConf

from sim.cli import preflight
from sim.config import ConfigError, config_hash, load_scenario
from sim.config.location import config_dir
from sim.config.validation import RESERVED_POOLS
from sim.model import build, load
from sim.run import engine, guard

from .conftest import checked_scenario, raw_config, scenario


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
        checked_scenario(*args)
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
        checked_scenario("county=wuchuan", override)
    assert message in str(err.value)


# ----------------------------------------------------------------- issue 13: the edges
@pytest.mark.parametrize(
    "override,message",
    [
        ("+foo=1", "foo: unknown key"),
        ("+run.horizon_day=500", "run.horizon_day: unknown key"),
        ("+policy.quota.share=0.2", "policy.quota.share: unknown key"),
        ("run.seed=${oops}", "run.seed: Interpolation key 'oops' not found"),
        (
            "calendar.hours_per_day=0.001",
            "calendar.hours_per_day = 0.001: must be a number ≥ 1 and ≤ 24",
        ),
        (
            "calendar.start_date=9999-12-31",
            "calendar.start_date = '9999-12-31': must be a date YYYY-MM-DD from 1900-01-01 "
            "to 2100-12-31",
        ),
        (
            "policy.workforce.hiring_round_days=1e-9",
            "policy.workforce.hiring_round_days = 1e-09: must be a number ≥ 1",
        ),
        (
            "policy.flexible_staff.review_days=1e-9",
            "policy.flexible_staff.review_days = 1e-09: must be a number ≥ 0.1",
        ),
        (
            "policy.rebalancing.interval_days=1e-9",
            "policy.rebalancing.interval_days = 1e-09: must be a number ≥ 1",
        ),
        (
            "policy.quota.pools=[] policy.quota.township_increase_share=0.25",
            "policy.quota.pools = []: policy.quota.township_increase_share = 0.25 needs pools",
        ),
        (
            "workload.services.requests_per_10k_pop_per_day=1e6",
            "run.max_items_per_replication = 4e+06 (memory)",
        ),
        ("county.townships.town=10000", "run.max_items_per_replication = 4e+06 (memory)"),
        (
            # a day of 500 townships is little work, but 5 million members of staff
            "county.townships.town=500 county.kinds.town.staff.window_staff.headcount=10000 "
            "run.horizon_days=1 run.warmup_days=0",
            "run.max_items_per_replication = 4e+06 (memory)",
        ),
        (
            "run.replications=10000 run.horizon_days=2000",
            "run.max_items = 2.5e+08 (time)",
        ),
    ],
)
def test_edge_input_is_refused_in_one_line(override, message):
    with pytest.raises(ConfigError) as err:
        checked_scenario("county=single", *override.split())
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_size_limits_may_be_raised_and_do_not_change_the_config_hash():
    big = ("county.townships.town=10000", "run.replications=1")
    raised = scenario(
        "county=single", *big, "run.max_items_per_replication=1e9", "run.max_items=1e9"
    )
    assert guard.estimate(raised).per_replication > 4e6
    assert config_hash(scenario("county=single", "run.max_items=1e9")) == config_hash(
        scenario("county=single")
    )


def test_size_estimate_is_close_to_the_items_a_run_simulates():
    s = scenario("county=single", "run.replications=1", "run.horizon_days=60")
    simulated = engine.run_replication(s, 0, with_series=False).counters["work_items"]
    # The county side's own work is simulated too, but is not a township item.
    county = sum(flow.items_per_day for flow in load.county_flows(s))
    expected = guard.estimate(s).per_replication - 60 * county
    # Poisson arrivals (about 4,000) and batches of listed tasks: within 10%.
    assert abs(simulated - expected) < 0.1 * expected, (simulated, expected)


def test_a_pool_named_like_the_stationed_officers_is_refused():
    extra = {
        "county": {"kinds": {"town": {"staff": {"stationed_officers": {"centre": "enforcement"}}}}}
    }
    cfg = raw_config("county=single")
    OmegaConf.set_struct(cfg, False)
    assert build.STATIONED in RESERVED_POOLS
    with pytest.raises(ConfigError, match=r"staff\.stationed_officers: the pool name .* reserved"):
        load_scenario(OmegaConf.merge(cfg, extra))


def test_work_no_centre_can_serve_is_named_in_one_warning_line():
    no_windows = (
        "county=single",
        "county.kinds.town.staff.window_staff.headcount=0",
        "county.kinds.town.staff.window_aux.headcount=0",
    )
    (line,) = guard.unserved_work(scenario(*no_windows))
    assert line.startswith("county.kinds.town: no staff and no posts in the 'service' centre")
    assert "\n" not in line
    assert guard.unserved_work(scenario("county=single")) == []
    # Work that staff can reach is not warned about: flexible staff, or no services at all.
    assert guard.unserved_work(scenario(*no_windows, "policy.flexible_staff.enabled=true")) == []
    quiet = "workload.services.requests_per_10k_pop_per_day=0"
    assert guard.unserved_work(scenario(*no_windows, quiet)) == []


def test_stationed_officers_serve_an_office_without_its_own_staff():
    no_officers = (
        "county=single",
        "county.kinds.town.staff.enforcement_officers.headcount=0",
        "county.kinds.town.staff.enforcement_aux.headcount=0",
    )
    assert len(guard.unserved_work(scenario(*no_officers))) == 1
    stationed = "policy.enforcement.stationed_officers=2"
    assert guard.unserved_work(scenario(*no_officers, stationed)) == []


def test_malformed_yaml_in_a_config_dir_is_named_with_its_line(tmp_path):
    (tmp_path / "sweep.yaml").write_text("defaults:\n  - config\nrun: {seed: 1\n")
    with pytest.raises(ConfigError, match=r"sweep\.yaml:4:1: malformed YAML"):
        preflight.check(["-cd", str(tmp_path), "-cn", "sweep"], config_dir())
    with pytest.raises(ConfigError, match=r"--config-dir .*nowhere: no such directory"):
        preflight.check([f"--config-dir={tmp_path.parent}/nowhere"], config_dir())


def test_an_existing_file_as_output_directory_is_refused(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("")
    for arg in (f"hydra.run.dir={afile}", f"hydra.sweep.dir={afile}/sub"):
        with pytest.raises(ConfigError, match=r"'.*afile' is a file, not a directory"):
            preflight.check([arg], config_dir())
    preflight.check([f"hydra.run.dir={tmp_path}/new/run"], config_dir())


def test_a_switch_set_to_something_else_is_one_line():
    # Hydra's own answer was six lines and exit 1, for every true/false key.
    for arg in ("county.cover.across_centres=maybe", "policy.rebalancing.enabled=true,nah"):
        with pytest.raises(ConfigError, match=r"= '(maybe|nah)': must be true or false"):
            preflight.check([arg], config_dir())
    preflight.check(
        ["policy.rebalancing.enabled=yes", "policy.escalation.enabled=false,true"], config_dir()
    )


def test_results_of_other_code_are_not_taken_for_this_codes(monkeypatch):
    # A sweep resumed after an upgrade must simulate again, not reuse older numbers.
    from sim.config import loading

    s = scenario("county=single")
    before = config_hash(s)
    monkeypatch.setattr(loading, "code_fingerprint", lambda: "edited")
    assert config_hash(s) != before

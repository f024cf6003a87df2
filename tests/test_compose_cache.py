"""The tests' cached composition (conftest) gives what Hydra's own ``compose`` gives."""

from __future__ import annotations

import pytest
from hydra.errors import HydraException
from omegaconf import OmegaConf

from sim.core import registry
from sim.plan import plan_config  # noqa: F401  (declares ``plan``, as tsim-plan does)

from .conftest import _hydra_compose, compose_config, raw_config, scenario

SAME = [  # a group after a value, an added key, an added group, a list, the planner
    (
        "config",
        ("run.horizon_days=30", "county=wuchuan", "+county.township_staff.town_2.window_staff=9"),
    ),
    ("config", ("+validation=mmc", "mmc.lam_per_h=6", "policy=staff_plus25")),
    ("config", ("workload=quiet", "workload.services.monthly_profile=[1,1,1,1,1,1,1,1,1,1,1,2]")),
    ("planner", ("plan=mmc_servers", "run.horizon_days=60", "county=small")),
]


@pytest.mark.parametrize(
    "name,overrides", SAME, ids=lambda x: " ".join(x) if isinstance(x, tuple) else x
)
def test_cached_composition_equals_hydras(name, overrides):
    fast = compose_config(name, *overrides)
    assert OmegaConf.to_yaml(fast) == OmegaConf.to_yaml(_hydra_compose(name, overrides))
    assert OmegaConf.is_struct(fast)


@pytest.mark.parametrize(
    "overrides",
    [("run.horizn_days=5",), ("+run.seed=3",), ("run.seed",), ("~policy.quota",)],
)
def test_bad_overrides_fail_as_in_hydra(overrides):
    with pytest.raises(HydraException) as hydra:
        _hydra_compose("config", overrides)
    with pytest.raises(type(hydra.value)) as fast:
        raw_config(*overrides)
    assert str(fast.value) == str(hydra.value)


def test_a_raw_config_is_a_copy_and_a_scenario_is_shared_until_the_registry_changes():
    a = raw_config("county=single")
    a.run.seed = 99
    assert raw_config("county=single").run.seed != 99
    s = scenario("county=single")
    assert scenario("county=single") is s
    with registry.extended(centres={"cache_probe": type("Probe", (), {})}):
        assert scenario("county=single") is not s
    assert scenario("county=single") is s


def test_the_schema_node_built_once_gives_the_scenario_built_afresh(monkeypatch):
    from sim.config import load_scenario, loading

    cfg = raw_config("county=small", "policy=reform_2019", "run.horizon_days=30")
    shared = load_scenario(cfg)
    monkeypatch.setattr(loading, "_template", OmegaConf.structured)  # built afresh
    assert load_scenario(cfg) == shared


def test_scenarios_loaded_in_threads_at_once_equal_the_one_loaded_alone():
    # Each load copies the schema's node built once, and a copy detaches the node's
    # children for a moment (OmegaConf's deepcopy): threads loading at once still agree.
    from concurrent.futures import ThreadPoolExecutor

    from sim.config import load_scenario

    configs = [raw_config("county=small", f"run.seed={n}") for n in range(4)]
    alone = [load_scenario(c) for c in configs]
    with ThreadPoolExecutor(4) as pool:  # each load spans many of the GIL's turns
        together = list(pool.map(load_scenario, configs))
    assert together == alone
    assert load_scenario(configs[0]) == alone[0]

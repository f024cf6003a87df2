"""The tests' cached composition (conftest) gives what Hydra's own ``compose`` gives."""

from __future__ import annotations

import pytest
from hydra.errors import HydraException
from omegaconf import OmegaConf

from sim import registry

from .conftest import _hydra_compose, raw_config, scenario

SAME = [  # a group after a value, an added key, an added group, a list
    ("run.horizon_days=30", "county=wuchuan", "+county.township_staff.town_2.window_staff=9"),
    ("+validation=mmc", "mmc.lam_per_h=6", "policy=staff_plus25"),
    ("workload=quiet", "workload.services.monthly_profile=[1,1,1,1,1,1,1,1,1,1,1,2]"),
]


@pytest.mark.parametrize("overrides", SAME, ids=" ".join)
def test_cached_composition_equals_hydras(overrides):
    fast = raw_config(*overrides)
    assert OmegaConf.to_yaml(fast) == OmegaConf.to_yaml(_hydra_compose("config", overrides))
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
    registry.register_centre("cache_probe")(type("Probe", (), {}))
    registry.unregister_centre("cache_probe")
    assert scenario("county=single") is not s

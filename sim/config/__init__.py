"""Configuration: the schema (:mod:`.schema`), its validation (:mod:`.validation`) and
loading a composed Hydra config into an immutable scenario (:mod:`.loading`).
"""

from sim.config.loading import config_hash, load_scenario, replace, scenario_dict
from sim.config.schema import (
    AdmissionLever,
    CalendarConfig,
    CountyConfig,
    EnforcementLever,
    EscalationLever,
    FlexibleStaffLever,
    GridLever,
    PolicyConfig,
    PoolSpec,
    QuotaLever,
    RebalancingLever,
    RunConfig,
    Scenario,
    SecondmentLever,
    TimingLever,
    TownshipKind,
    WindowsLever,
    WorkforceLever,
    WorkloadConfig,
)
from sim.config.validation import validate
from sim.core.settings import ConfigError, Dist

__all__ = [
    "AdmissionLever",
    "CalendarConfig",
    "ConfigError",
    "CountyConfig",
    "Dist",
    "EnforcementLever",
    "EscalationLever",
    "FlexibleStaffLever",
    "GridLever",
    "PolicyConfig",
    "PoolSpec",
    "QuotaLever",
    "RebalancingLever",
    "RunConfig",
    "Scenario",
    "SecondmentLever",
    "TimingLever",
    "TownshipKind",
    "WindowsLever",
    "WorkforceLever",
    "WorkloadConfig",
    "config_hash",
    "load_scenario",
    "replace",
    "scenario_dict",
    "validate",
]

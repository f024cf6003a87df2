"""Configuration: the schema (:mod:`.schema`), its validation (:mod:`.validation`) and
loading a composed Hydra config into an immutable scenario (:mod:`.loading`).
"""

from ..settings import ConfigError, Dist
from .loading import config_hash, load_scenario, replace, scenario_dict
from .schema import (
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
from .validation import validate

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

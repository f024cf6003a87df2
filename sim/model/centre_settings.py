"""What the work centres read of the scenario, gathered once per replication.

:mod:`sim.model.build` makes one :class:`CentreSettings` from the scenario and hands it
to every centre it builds, so a centre gets the settings it uses when it is built
instead of reaching into ``model.scenario`` deep in the engine: the policy levers, the
county side (its own work, its officers, the cover rule), each stream's workload
settings and declared sources, the demand scale and monthly profile of each arrival
source, and the streams switched on. The centres read nothing else of the scenario
(tests/test_architecture.py checks it), so this is the whole of what they depend on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from sim.core import registry
from sim.core.workload import Size, Source
from sim.model import load, quota
from sim.model.demand import Demand, demand_of

if TYPE_CHECKING:
    from sim.config.schema import CountyConfig, CoverRule, PolicyConfig, Scenario
    from sim.core.registry import StreamSpec

C = TypeVar("C")


@dataclass(frozen=True)
class CentreSettings:
    """The settings every centre of one replication is built with."""

    policy: PolicyConfig
    """The policy levers (``policy.*``)."""
    county: CountyConfig
    """The county side (``county.*``): own work, officers, the cover rule."""
    horizon_days: float
    """Working days simulated (``run.horizon_days``): the span of the monthly profile."""
    active_streams: frozenset[str] | None
    """Streams whose own sources produce work (``workload.streams``; None: all)."""
    workloads: Mapping[str, Any]
    """Stream id → its workload settings (``workload.<id>``)."""
    sources: Mapping[str, tuple[Source, ...]]
    """Stream id → its declared arrival sources."""
    demands: Mapping[str, Demand]
    """Stream id → the demand scale and profile of the sources named after it."""
    county_demand: Demand
    """Demand of the county's own work (the global scale only)."""
    county_staff: int
    """Department staff at the start, after the quota lever (减上补下)."""
    officers_at_home: int
    """County enforcement officers neither stationed nor on call."""
    stationed_total: int
    """County officers stationed in townships, over all townships."""

    @classmethod
    def of(cls, s: Scenario) -> CentreSettings:
        """The centres' settings in scenario ``s``."""
        specs = registry.streams()
        return cls(
            policy=s.policy,
            county=s.county,
            horizon_days=s.run.horizon_days,
            active_streams=None if s.workload.streams is None else frozenset(s.workload.streams),
            workloads={spec.id: spec.settings(s) for spec in specs},
            sources=load.declarations(s),
            demands={spec.id: demand_of(s.workload, spec.id) for spec in specs},
            county_demand=demand_of(s.workload, load.COUNTY),
            county_staff=quota.county_staff(s),
            officers_at_home=quota.officers_at_home(s),
            stationed_total=quota.stationed_total(s),
        )

    @property
    def cover(self) -> CoverRule:
        """How a township head covers a station left short (``county.cover``)."""
        return self.county.cover

    def workload(self, stream: StreamSpec[C]) -> C:
        """The workload settings of ``stream`` (``workload.<id>``)."""
        value: C = self.workloads[stream.id]
        return value

    def active(self, stream: str) -> bool:
        """The stream's own sources produce work (``workload.streams``)."""
        return self.active_streams is None or stream in self.active_streams

    def rate_per_day(self, stream: str, random: str, size: Size) -> float:
        """Base arrivals a working day of ``stream`` that a centre draws from the random
        stream ``random`` (:func:`sim.model.load.rate_per_day`).
        """
        return load.rate_per_day(self.sources[stream], random, size)

    def demand(self, source: str) -> Demand:
        """Demand scale and profile of the arrival source ``source`` (e.g.
        ``"delegated/routine"``): those of the stream its first part names, else the
        county's own work's (:func:`sim.model.demand.scale_of`).
        """
        return self.demands.get(source.split("/", 1)[0], self.county_demand)

"""What each stream brings, declared once: its arrival sources and the work each arrival makes.

A stream's module (:mod:`sim.streams`) declares, beside its settings, a function
``workload(scenario) -> tuple[Source, ...]`` (:attr:`sim.core.registry.StreamSpec.workload`).
Each :class:`Source` says where arrivals come from — a rate key under
``workload.<stream>`` times a township **size driver** (population, villages, grid cells,
or one per township), or a share of another stream's arrivals (a grid report that becomes
a case) — how many of the stream's items one arrival brings (a rectification list brings
a batch), and the :class:`Visit` s those items make: which centre, how often, the effort
distribution, the crew and certificates a step needs.

The county side has sources too (:func:`sim.model.load.county_sources`: the departments'
own work and the county officers' own enforcement work), without a stream.

:mod:`sim.model.load` reads the declarations, per township; every tool that needs expected
counts or loads goes through it. This module holds only the declaration's types, so that
stream modules can import it beneath the configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from sim.core.settings import Dist

Driver = Literal["population_10k", "villages", "grid_cells", "township", "county"]
"""What a source's rate is per: 10,000 residents, a village, a grid cell, a township, or
the county as a whole."""


class Size(Protocol):
    """A township's size drivers (:class:`sim.model.quota.TownshipSize`)."""

    @property
    def population(self) -> int: ...  # noqa: D102

    @property
    def villages(self) -> int: ...  # noqa: D102

    @property
    def grid_cells(self) -> int: ...  # noqa: D102


@dataclass(frozen=True)
class Effort:
    """Staff-hours of one visit: mean and variance (of a mixture, if several kinds)."""

    mean: float
    variance: float = 0.0

    @staticmethod
    def of(dist: Dist, factor: float = 1.0) -> Effort:
        """The moments of a :class:`~sim.core.settings.Dist`, times ``factor``."""
        return Effort(factor * dist.mean, factor * factor * dist.variance)

    @staticmethod
    def mix(parts: Iterable[tuple[float, Effort]]) -> Effort:
        """The moments of a mixture: ``(weight, effort)`` pairs, weights summing to one."""
        parts = list(parts)
        mean = sum(w * e.mean for w, e in parts)
        second = sum(w * (e.variance + e.mean**2) for w, e in parts)
        return Effort(mean, max(second - mean**2, 0.0))


@dataclass(frozen=True)
class Visit:
    """Work one arrival makes at a centre: expected visits and what each takes."""

    centre: str
    """The centre's registered name (``service``, ``enforcement``, ``departments`` …)."""
    per_arrival: float
    """Expected visits per arrival of the source (a list brings a batch)."""
    effort: Effort
    """Staff-hours per member of the crew."""
    crew: int = 1
    """Staff needed at once."""
    certified: int = 0
    """How many of the crew must hold an enforcement certificate."""
    scope: Literal["township", "county"] = "township"
    """Whether the centre is the township's own or the county's (shared)."""
    call: bool = False
    """A township's call to the county (a referral, a legal review): without escalation
    (乡呼县应) it waits for the departments' next review of their inbox, and every call
    waiting then is let in together (:class:`sim.model.station.Inbox`); with it, it goes
    ahead of the county's own work (:class:`sim.model.station.CountyDesk`)."""


@dataclass(frozen=True)
class Batch:
    """Items of the stream one arrival brings: their mean and mean square."""

    mean: float = 1.0
    square: float | None = None
    """``None``: 0 or 1 item per arrival (the square is the mean)."""

    @property
    def dispersion(self) -> float:
        """Variance-to-mean ratio of item counts (1 for a Poisson stream of single items)."""
        if self.square is None or self.mean <= 0.0:
            return 1.0
        return self.square / self.mean


@dataclass(frozen=True)
class Feed:
    """Arrivals made by another stream's arrivals: ``share`` of each, e.g. grid reports
    that become enforcement cases.
    """

    stream: str
    share: float
    share_key: str
    """The share's key under ``workload.<stream>`` (calibration names it)."""


@dataclass(frozen=True)
class Source:
    """One way arrivals of a stream come about, and the work each arrival makes."""

    kind: str
    """Its name (the ``kind`` column of calibration data)."""
    visits: tuple[Visit, ...]
    key: str | None = None
    """The rate key under ``workload.<stream>`` (or a full key for county sources);
    ``None`` for a source fed by another stream."""
    rate: float = 0.0
    """The rate's value: arrivals per unit of ``driver`` per working day."""
    driver: Driver = "township"
    random: str = ""
    """The random stream of its arrival epochs, which also names its demand scale
    (:func:`sim.model.demand.scale_of`); sources sharing one draw one Poisson stream."""
    items: Batch = field(default_factory=Batch)
    fed_by: Feed | None = None


Declare = Callable[[Any], tuple[Source, ...]]
"""A stream's declaration: its sources in a scenario."""


def driver(size: Size | None, name: Driver, rate: float) -> float:
    """``rate`` times the size driver ``name`` (``None`` size: the county)."""
    if name in ("township", "county"):
        return rate
    assert size is not None, f"a {name} rate needs a township"
    if name == "population_10k":
        return rate * size.population / 1e4  # this order: the model's arrival rates, bit for bit
    if name == "villages":
        return rate * size.villages
    return rate * size.grid_cells

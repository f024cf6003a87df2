"""Expected arrivals and load, per township, read from the streams' declarations.

The one place where a stream's rates, size drivers, demand scale, batches and routes
turn into numbers (:mod:`sim.core.workload` holds the declarations): the centres draw
their Poisson arrivals at :func:`rate_per_day`; the run-size guard and the unserved-work warning
(:mod:`sim.run.guard`), ``tsim-size`` (:mod:`sim.plan.sizing`) and ``tsim-calibrate``
(:mod:`sim.calibrate.drivers`) add up :func:`township_flows`. Each township counts with
its own size (``county.township_size``), not its kind's. So a number cannot drift between
the tools, and a new stream reaches every one of them by declaring its sources.

Nothing here imports SimPy or builds a model: the tools above read it without one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.core import registry
from sim.core.workload import Effort, Size, Source, Visit, driver
from sim.model import quota
from sim.model.demand import scale_of

if TYPE_CHECKING:
    from sim.config.schema import Scenario

COUNTY = "county"
"""Scope name of the county side (township ids are ``<kind>_<n>``)."""


def active(s: Scenario, stream: str) -> bool:
    """The stream's own sources produce work (``workload.streams``)."""
    return s.workload.streams is None or stream in s.workload.streams


def sources(s: Scenario, stream: str) -> tuple[Source, ...]:
    """The stream's declared sources in ``s`` (none if it declares none)."""
    declare = registry.stream(stream).workload
    return declare(s) if declare is not None else ()


Declared = dict[str, tuple[Source, ...]]
"""Stream id → its declared sources in one scenario (the same in every township)."""


def declarations(s: Scenario) -> Declared:
    """Every stream's declared sources in ``s``: made once, read for every township."""
    return {spec.id: sources(s, spec.id) for spec in registry.streams()}


def rate_per_day(declared: Iterable[Source], random: str, size: Size) -> float:
    """Base arrivals a working day, among a stream's ``declared`` sources, that the
    centre draws from the random stream ``random`` (before the demand scale, which
    :mod:`sim.model.demand` applies by thinning).
    """
    total = 0.0
    for src in declared:
        if src.random == random and src.fed_by is None:
            total += driver(size, src.driver, src.rate)
    return total


@dataclass(frozen=True)
class Flow:
    """Expected arrivals of one source in one township (or the county) a working day."""

    scope: str
    stream: str
    source: Source
    arrivals_per_day: float

    @property
    def items_per_day(self) -> float:
        """Items of the stream a working day."""
        return self.arrivals_per_day * self.source.items.mean


def township_flows(s: Scenario, tid: str, declared: Declared | None = None) -> list[Flow]:
    """Every source's expected arrivals a working day in township ``tid``: own sources
    first, then those fed by other streams (from the feeding stream's own arrivals).
    ``declared`` (:func:`declarations`) spares making the declarations again for each
    township of a county.
    """
    size = quota.township_size(s, tid)
    own: list[Flow] = []
    fed: list[tuple[str, Source]] = []
    for stream, declared_sources in (declared or declarations(s)).items():
        for src in declared_sources:
            if src.fed_by is not None:
                fed.append((stream, src))
            elif active(s, stream):
                per_day = driver(size, src.driver, src.rate) * scale_of(s.workload, src.random)
                own.append(Flow(tid, stream, src, per_day))
    flows = list(own)
    for stream, src in fed:
        assert src.fed_by is not None
        feeding = sum(f.arrivals_per_day for f in own if f.stream == src.fed_by.stream)
        flows.append(Flow(tid, stream, src, feeding * src.fed_by.share))
    return flows


def county_sources(s: Scenario) -> tuple[Source, ...]:
    """The county side's own work (not a stream: ``workload.streams`` never stops it)."""
    c = s.county
    return (
        Source(
            "own_work",
            (Visit("departments", 1.0, Effort.of(c.own_work_effort), scope="county"),),
            "county.own_work_per_day",
            c.own_work_per_day,
            "county",
            "own_work",
        ),
        Source(
            "enforcement_work",
            (
                Visit(
                    "county_enforcement",
                    1.0,
                    Effort.of(c.enforcement_work_effort),
                    certified=1,
                    scope="county",
                ),
            ),
            "county.enforcement_work_per_day",
            c.enforcement_work_per_day,
            "county",
            "enforcement_work",
        ),
    )


def county_flows(s: Scenario) -> list[Flow]:
    """The county side's own sources, a working day (with the global demand scale)."""
    scale = float(s.workload.demand_scale)
    return [Flow(COUNTY, "", src, src.rate * scale) for src in county_sources(s)]


def all_flows(s: Scenario) -> list[Flow]:
    """Every township's flows, then the county's."""
    declared = declarations(s)
    flows = [f for tid in quota.township_ids(s) for f in township_flows(s, tid, declared)]
    return flows + county_flows(s)


@dataclass(frozen=True)
class Work:
    """What arrives at one centre: visits per working hour, their mean staff-hours (per
    member of the largest crew) and that crew.
    """

    visits_per_h: float
    staff_h_per_visit: float
    crew: int = 1
    service_scv: float = 1.0
    """Squared coefficient of variation of a visit's time with its crew (1: exponential),
    from the efforts' variances (``Effort.variance``)."""
    arrival_scv: float = 1.0
    """Variability of the visits' arrivals (1: Poisson): a list's items arrive together,
    read as a compound Poisson stream's index of dispersion (``Batch.dispersion``)."""
    batch_ahead_h: float = 0.0
    """Mean crew-hours of a visit's batch-mates queued ahead of it: the items of one
    arrival (a list, a report and its duplicates) wait for each other even at an idle
    centre, ``(E[N²] − E[N]) / 2E[N] = (dispersion − 1) / 2`` of them on average."""
    calls_load: float = 0.0
    """Staff-hours per working hour of the townships' calls among them (``Visit.call``):
    let in together at each review of the county's inbox without escalation, served
    first with it."""

    @property
    def offered_load(self) -> float:
        """Staff-hours of work arriving per working hour."""
        return self.visits_per_h * self.staff_h_per_visit


def centre_work(flows: Iterable[Flow], centre: str, hours_per_day: float) -> Work:
    """The visits ``flows`` make at ``centre``, pooled into one :class:`Work`."""
    mine = [(f, v) for f in flows for v in f.source.visits if v.centre == centre]
    crew = max([v.crew for _, v in mine], default=1)
    visits = staff_h = square = dispersed = ahead = calls = 0.0
    for f, v in mine:
        n = f.arrivals_per_day * v.per_arrival
        dispersion = f.source.items.dispersion
        visits += n
        dispersed += n * dispersion
        staff_h += n * v.crew * v.effort.mean
        # A visit holds a whole crew: a solo step takes v.crew/crew of its time.
        held = v.crew / crew
        square += n * held * held * (v.effort.variance + v.effort.mean**2)
        ahead += n * (dispersion - 1.0) / 2.0 * held * v.effort.mean
        calls += n * v.crew * v.effort.mean if v.call else 0.0
    if visits <= 0.0:
        return Work(0.0, 0.0, crew)
    mean_held = staff_h / visits / crew
    scv = square / visits / mean_held**2 - 1.0 if mean_held > 0 else 1.0
    arrival_scv = dispersed / visits
    return Work(
        visits / hours_per_day,
        staff_h / visits,
        crew,
        max(scv, 0.0),
        arrival_scv,
        max(ahead / visits, 0.0),
        calls / hours_per_day,
    )


def centres_with_work(flows: Iterable[Flow], scope: str = "township") -> list[str]:
    """Centres of ``scope`` that some flow visits, in the order first met."""
    found: dict[str, None] = {}
    for f in flows:
        for v in f.source.visits:
            if v.scope == scope and f.arrivals_per_day * v.per_arrival > 0.0:
                found.setdefault(v.centre)
    return list(found)

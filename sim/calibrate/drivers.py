"""Where arrivals come from, for calibration: the streams' declared sources.

Each stream's own arrivals are a sum of **components**, its declared sources
(:mod:`sim.core.workload`) — services: requests per 10,000 people; enforcement: inspections
per village, complaints per 10,000 people and county referrals per township; delegated
tasks: routine items, rectification lists and assessments per township; grid: reports per
grid cell; any other registered stream: whatever it declares. A component's expected items
per working day in a township are ``rate × driver × items per arrival × demand scale``,
with the township's own size (:func:`sim.model.quota.township_size`); items per arrival counts a
list's items, a report's duplicates and what admission control leaves in. Some streams
also receive arrivals fed by another's (cases and office tasks from grid reports:
:func:`fed`), which the counts of those streams include.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.core import registry
from sim.core.workload import Feed, Source, driver
from sim.model.demand import scale_of
from sim.model.load import active, sources
from sim.model.quota import township_size


@dataclass(frozen=True)
class Component:
    """One declared source of a stream's own arrivals."""

    stream: str
    source: Source

    @property
    def kind(self) -> str:
        """Its name in the data's optional ``kind`` column."""
        return self.source.kind

    @property
    def key(self) -> str:
        """Its rate key under ``workload.<stream>``."""
        assert self.source.key is not None
        return self.source.key

    @property
    def full_key(self) -> str:
        """``workload.<stream>.<key>``."""
        return f"workload.{self.stream}.{self.key}"

    @property
    def dispersion(self) -> float:
        """Variance-to-mean ratio of this component's item counts (1 for Poisson)."""
        return self.source.items.dispersion


def streams() -> list[str]:
    """Streams that declare sources (the ones counts can calibrate)."""
    return [spec.id for spec in registry.streams() if spec.workload is not None]


def components(s: Any, stream: str) -> tuple[Component, ...]:
    """The stream's own sources in scenario ``s``."""
    return tuple(
        Component(stream, src) for src in sources(s, stream) if src.fed_by is None and src.key
    )


def feeds(s: Any, stream: str) -> tuple[Feed, ...]:
    """What feeds the stream: shares of other streams' arrivals."""
    return tuple(src.fed_by for src in sources(s, stream) if src.fed_by is not None)


def order(s: Any) -> list[str]:
    """Calibratable streams, those that feed others first: their rates set the items
    they add to the others.
    """
    feeding = {f.stream for stream in streams() for f in feeds(s, stream)}
    names = streams()
    return [n for n in names if n in feeding] + [n for n in names if n not in feeding]


def per_unit(s: Any, c: Component, township: str) -> float:
    """Expected items a working day in ``township`` per unit of the rate ``c.key``."""
    if not active(s, c.stream):
        return 0.0
    size = township_size(s, township)
    return (
        driver(size, c.source.driver, 1.0)
        * c.source.items.mean
        * scale_of(s.workload, c.source.random)
    )


def fed(s: Any, stream: str, township: str, rates: Mapping[str, float]) -> float:
    """Expected items a working day that ``stream`` receives from other streams in
    ``township``, at the feeding streams' rates ``rates`` (full key → value; preset
    values for keys not given). Duplicates are closed at triage, so a feed counts the
    feeding stream's arrivals, not its items.
    """
    total = 0.0
    size = township_size(s, township)
    for feed in feeds(s, stream):
        if not active(s, feed.stream):
            continue
        for c in components(s, feed.stream):
            rate = rates.get(c.full_key, c.source.rate)
            arrivals = driver(size, c.source.driver, rate) * scale_of(s.workload, c.source.random)
            total += arrivals * feed.share
    return total

"""Where arrivals come from: the rate key of each source and the size it scales with.

Each stream's own arrivals are a sum of **components** — services: requests per 10,000
people; enforcement: inspections per village, complaints per 10,000 people and county
referrals per township; delegated tasks: routine items, rectification lists and
assessments per township; grid: reports per grid cell. A component's expected items per
working day in a township are ``rate × driver × items per arrival × demand scale``;
items per arrival counts a list's items, a report's duplicates and what admission
control leaves in. Enforcement cases and office tasks also arrive from grid reports
(:func:`from_grid`), which the counts of those streams include.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..demand import scale_of
from ..quota import kind_of


def _admitted(s: Any, cut: float = 0.0) -> float:
    """Share of delegated tasks that enter the township (admission control, 职责准入)."""
    lever = s.policy.admission
    if not lever.enabled:
        return 1.0
    return 1.0 - cut - lever.off_list_share * (1.0 - cut) * (1.0 - lever.resourced_share)


def _one(_s: Any) -> float:
    return 1.0


@dataclass(frozen=True)
class Component:
    """One source of a stream's own arrivals."""

    kind: str
    """Its name in the data's optional ``kind`` column."""
    key: str
    """Its rate key under ``workload.<stream>``."""
    driver: str
    """Township size it scales with: ``population_10k``, ``villages``, ``grid_cells``
    or ``township`` (the same in every township)."""
    source: str
    """Its arrival source (as in :meth:`sim.centres.base.Centre.poisson`)."""
    items_per_arrival: Callable[[Any], float] = _one
    """Mean items one arrival brings (a list's items, a report with its duplicates)."""
    items_squared: Callable[[Any], float] | None = None
    """Mean square of the same; None: arrivals bring 0 or 1 item (the square is the
    mean). Batches make counts overdispersed, which widens the CIs (:mod:`.rates`)."""

    def dispersion(self, s: Any) -> float:
        """Variance-to-mean ratio of this component's item counts (1 for Poisson)."""
        mean = self.items_per_arrival(s)
        if self.items_squared is None or mean <= 0.0:
            return 1.0
        return self.items_squared(s) / mean


def _list_items_squared(s: Any) -> float:
    """E[S²] of a list's admitted items: S ~ 1 + Poisson(m − 1), each item admitted with
    probability a (binomial thinning).
    """
    m, a = s.workload.delegated.list_items_mean, _admitted(s)
    return a * m * (1.0 - a) + a * a * (m * m + m - 1.0)


def _report_items(s: Any) -> float:
    grid = s.policy.grid
    return 1.0 + (grid.parallel_grids - 1) * grid.duplicate_share


def _report_items_squared(s: Any) -> float:
    """E[S²] of a report with its duplicates: S = 1 + Binomial(grids − 1, share)."""
    grid = s.policy.grid
    k, p = grid.parallel_grids - 1, grid.duplicate_share
    return k * p * (1.0 - p) + (1.0 + k * p) ** 2


COMPONENTS: dict[str, tuple[Component, ...]] = {
    "services": (
        Component("requests", "requests_per_10k_pop_per_day", "population_10k", "services"),
    ),
    "enforcement": (
        Component("inspections", "inspections_per_village_per_day", "villages", "enforcement"),
        Component("complaints", "complaints_per_10k_pop_per_day", "population_10k", "enforcement"),
        Component("referrals", "county_referrals_per_day", "township", "enforcement"),
    ),
    "delegated": (
        Component("routine", "routine_per_day", "township", "delegated/routine", _admitted),
        Component(
            "lists",
            "lists_per_day",
            "township",
            "delegated/lists",
            lambda s: s.workload.delegated.list_items_mean * _admitted(s),
            _list_items_squared,
        ),
        Component(
            "assessments",
            "assessments_per_day",
            "township",
            "delegated/assessments",
            lambda s: _admitted(
                s,
                s.policy.admission.assessment_cut_share if s.policy.admission.enabled else 0.0,
            ),
        ),
    ),
    "grid": (
        Component(
            "reports",
            "reports_per_cell_per_day",
            "grid_cells",
            "grid",
            _report_items,
            _report_items_squared,
        ),
    ),
}
"""Components of each stream; a stream not listed here cannot be calibrated."""

GRID_FEEDS = {"enforcement": "to_enforcement_share", "delegated": "to_delegated_share"}
"""Streams that also receive grid reports, and the grid share key that sends them."""


def driver(s: Any, township: str, name: str) -> float:
    """Size of ``township`` in the units of driver ``name``."""
    kind = s.county.kinds[kind_of(township)]
    sizes = {
        "population_10k": kind.population / 1e4,
        "villages": float(kind.villages),
        "grid_cells": float(kind.grid_cells),
        "township": 1.0,
    }
    return sizes[name]


def active(s: Any, stream: str) -> bool:
    """The stream's own sources produce work (``workload.streams``)."""
    return s.workload.streams is None or stream in s.workload.streams


def per_unit(s: Any, stream: str, c: Component, township: str) -> float:
    """Expected items a working day in ``township`` per unit of the rate ``c.key``."""
    if not active(s, stream):
        return 0.0
    return driver(s, township, c.driver) * c.items_per_arrival(s) * scale_of(s, c.source)


def from_grid(s: Any, stream: str, township: str, grid_rate: float) -> float:
    """Expected items a working day that ``stream`` receives from grid reports, with
    ``grid_rate`` reports per cell per day (duplicates are closed at triage).
    """
    share_key = GRID_FEEDS.get(stream)
    if share_key is None or not active(s, "grid"):
        return 0.0
    share = getattr(s.workload.grid, share_key)
    return grid_rate * driver(s, township, "grid_cells") * scale_of(s, "grid") * share

"""The size of a run, estimated before it starts, and work that nobody can serve.

A run's cost grows with the work items it simulates: each one lives until the end of
its replication (about 0.75 KB each: yishui's 475,000 items a replication peak at
about 500 MB) and costs about 10 µs of simulation (roughly 100,000 items a second
on one core). :func:`estimate` adds up the expected arrivals of every township and
stream from the workload rates and the township's size drivers, the periodic reviews
and the members of staff; :func:`check_size` refuses, with one line, a run above ``run.max_items``
(all replications: time) or ``run.max_items_per_replication`` (one replication:
memory) — both knobs may be raised to run it anyway. :func:`unserved_work` names
centres that receive work but have neither staff nor posts, so can never serve it.

Rates are read from the workload settings by name, so a new stream needs no code
here: ``*_per_day`` fields are per township and working day, multiplied by the
population in tens of thousands (``*_per_10k_pop_*``), villages (``*_per_village_*``)
or grid cells (``*_per_cell_*``); ``lists_per_day`` is multiplied by
``list_items_mean``. Nothing here imports SimPy or the model.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import registry
from .config.townships import kind_staff
from .precision import most_replications
from .settings import ConfigError

if TYPE_CHECKING:
    from .config.schema import Scenario, TownshipKind

ITEMS_PER_SECOND = 100_000.0
"""Simulated work items per second on one core (measured: Wuchuan, yishui)."""
BYTES_PER_ITEM = 750.0
"""Peak memory per work item of a replication (measured: yishui, 250 days)."""


@dataclass(frozen=True)
class RunSize:
    """Expected work of a run: items per replication (arrivals, reviews and members of
    staff) and in all.
    """

    per_replication: float
    replications: int

    @property
    def total(self) -> float:
        """Items over every replication."""
        return self.per_replication * self.replications

    def describe(self) -> str:
        """Items, memory and time in words, for the refusal line."""
        gb = self.per_replication * BYTES_PER_ITEM / 1e9
        minutes = self.total / ITEMS_PER_SECOND / 60
        return (
            f"about {self.per_replication:.3g} items (work, staff) a replication (~{gb:.3g} GB) × "
            f"{self.replications} replications (~{minutes:.3g} min on one core)"
        )


def _driver(field_name: str, kind: TownshipKind) -> float:
    if "per_10k_pop" in field_name:
        return kind.population / 1e4
    if "per_village" in field_name:
        return float(kind.villages)
    if "per_cell" in field_name:
        return float(kind.grid_cells)
    return 1.0


def daily_items(settings: Any, kind: TownshipKind) -> float:
    """Expected items a day that one stream's own sources bring to one township."""
    total = 0.0
    for f in dataclasses.fields(settings):
        if not f.name.endswith("_per_day"):
            continue
        rate = float(getattr(settings, f.name)) * _driver(f.name, kind)
        batch = getattr(settings, f.name.removesuffix("s_per_day") + "_items_mean", None)
        total += rate * (float(batch) if batch is not None else 1.0)
    return total


def _active(s: Scenario) -> list[registry.StreamSpec[Any]]:
    chosen = s.workload.streams
    return [spec for spec in registry.streams() if chosen is None or spec.id in chosen]


def estimate(s: Scenario) -> RunSize:
    """Expected items of the run (an estimate to within a small factor, not a forecast)."""
    days = s.run.horizon_days
    grid = s.policy.grid  # parallel grids report some issues more than once
    duplicates = 1.0 + (grid.parallel_grids - 1) * grid.duplicate_share
    per_day = s.county.own_work_per_day
    for kind_name, count in s.county.townships.items():
        kind = s.county.kinds[kind_name]
        for spec in _active(s):
            rate = daily_items(spec.settings(s), kind)
            per_day += count * rate * (duplicates if spec.id == "grid" else 1.0)
    townships = sum(s.county.townships.values())
    p = s.policy
    staff = s.county.department_staff + sum(
        count * _township_staff(s, kind_name) for kind_name, count in s.county.townships.items()
    )
    reviews = days / p.workforce.hiring_round_days
    if p.rebalancing.enabled:
        reviews += townships * days / p.rebalancing.interval_days
    if p.flexible_staff.enabled:
        reviews += townships * days / p.flexible_staff.review_days
    return RunSize(per_day * days + reviews + staff, most_replications(s.run))


def _township_staff(s: Scenario, kind: str) -> int:
    """Members of staff a township of this kind can have (each one lives as long as an
    item: 10,000 townships of 10,000 staff would exhaust memory without a single item).
    """
    p = s.policy
    return (
        sum(pool.headcount for pool in kind_staff(s, kind).values())
        + sum(p.timing.transfer.values())
        + p.enforcement.stationed_officers
    )


def check_size(s: Scenario) -> None:
    """Refuse a run whose expected size is above the limits of ``run``."""
    size = estimate(s)
    limit = s.run.max_items_per_replication
    if size.per_replication > limit:
        raise ConfigError(
            f"run too large: {size.describe()}; run.max_items_per_replication = {limit:.3g} "
            "(memory). Lower rates, staff, townships or run.horizon_days, or raise the limit "
            "to run it anyway"
        )
    if size.total > s.run.max_items:
        raise ConfigError(
            f"run too large: {size.describe()}; run.max_items = {s.run.max_items:.3g} "
            "(time). Lower run.replications or the size, or raise the limit to run it anyway"
        )


def unserved_work(s: Scenario) -> list[str]:
    """One line per township kind and centre that gets work but has no staff and no posts."""
    if s.policy.flexible_staff.enabled:  # staff may come over from other centres
        return []
    lines = []
    used = [k for k, n in s.county.townships.items() if n > 0]
    for kind_name in used:
        kind = s.county.kinds[kind_name]
        for spec in _active(s):
            if daily_items(spec.settings(s), kind) <= 0 or _posts(s, kind_name, spec.centre) > 0:
                continue
            lines.append(
                f"county.kinds.{kind_name}: no staff and no posts in the {spec.centre!r} "
                f"centre, so its {spec.id} work is never served (add a pool with "
                f"centre: {spec.centre} or a headcount)"
            )
    return lines


def _posts(s: Scenario, kind: str, centre: str) -> int:
    """Posts that can ever be filled in one centre of a township of this kind."""
    p = s.policy
    posts = 0
    for name, pool in kind_staff(s, kind).items():
        if pool.centre != centre:
            continue
        # The quota lever adds posts pro rata to the headcount: none to an empty pool.
        posts += pool.headcount + p.timing.transfer.get(name, 0)
    if centre == "enforcement":
        posts += p.enforcement.stationed_officers
    return posts

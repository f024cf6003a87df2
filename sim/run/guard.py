"""What is refused or warned about before a scenario runs: its size, work nobody can
serve, and what only its data files or the model's logic reveal (:func:`check_scenario`,
which every command that simulates calls).

A run's cost grows with the work items it simulates: a replication's memory peaks at
about 0.3 KB an item (the finished ones as rows of the item ledger: yishui's 475,000
items a replication about 110 MB above start-up) and each item costs about 10 µs of a
replication from source, 5.5 µs compiled (100,000 and 180,000 items a second on one
core: :func:`items_per_second` takes the rate of the build that will run).
:func:`estimate` adds up the expected arrivals of every township and stream from the
workload rates and the township's size drivers, the periodic reviews, the members of
staff and the items open at the start (``run.initial_backlog``); :func:`check_size`
refuses, with one line, a run above ``run.max_items`` (all replications: time) or
``run.max_items_per_replication`` (one replication: memory) — both knobs may be raised
to run it anyway. :func:`unserved_work` names centres that receive work but have
neither staff nor posts, so can never serve it.

Expected arrivals come from the streams' declarations through :mod:`sim.model.load`, per
township (its own size and staff), so a new stream needs no code here. Nothing here
imports SimPy or builds a model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.config.townships import kind_staff
from sim.core import compiled, registry
from sim.core.settings import ConfigError
from sim.model import load, quota
from sim.model.backlog import open_items
from sim.model.quota import moved_posts
from sim.run.precision import check_kpis, most_replications

if TYPE_CHECKING:
    from sim.config.schema import Scenario

ITEMS_PER_SECOND = 100_000.0
"""Simulated work items per second on one core, run from source (measured 2026-12-04,
a replication with its metrics and series: Wuchuan 104,000, Yishui 95,000)."""
COMPILED_ITEMS_PER_SECOND = 180_000.0
"""The same, compiled (README "Compiled core"; Wuchuan 229,000, Yishui 184,000)."""
BYTES_PER_ITEM = 300.0
"""Peak memory per work item of a replication (measured: wuchuan 300 bytes, yishui 224,
250 days, ``benchmarks/bench_engine.py``)."""


def items_per_second() -> float:
    """Work items a second on one core in this process: compiled or from source."""
    return COMPILED_ITEMS_PER_SECOND if compiled.runs_compiled() else ITEMS_PER_SECOND


@dataclass(frozen=True)
class RunSize:
    """Expected work of a run: items per replication (arrivals, reviews, members of
    staff and open items at the start) and in all.
    """

    per_replication: float
    replications: int
    opening: float = 0.0
    """Of ``per_replication``, the items open at the start (``run.initial_backlog``)."""

    @property
    def total(self) -> float:
        """Items over every replication."""
        return self.per_replication * self.replications

    def describe(self) -> str:
        """Items, memory and time in words, for the refusal line."""
        gb = self.per_replication * BYTES_PER_ITEM / 1e9
        minutes = self.total / items_per_second() / 60
        opening = f", {self.opening:.3g} open at the start" if self.opening else ""
        return (
            f"about {self.per_replication:.3g} items (work, staff{opening}) a replication "
            f"(~{gb:.3g} GB) × {self.replications} replications (~{minutes:.3g} min on one core)"
        )


def daily_items(s: Scenario) -> float:
    """Expected work items a working day in the whole county (:mod:`sim.model.load`): every
    township's arrivals with its own size, batches, duplicates and cases or tasks from
    grid reports, and the county side's own work.
    """
    return sum(flow.items_per_day for flow in load.all_flows(s))


def estimate(s: Scenario) -> RunSize:
    """Expected items of the run (an estimate to within a small factor, not a forecast);
    reads the initial backlog file, if any (a bad one is a one-line :class:`ConfigError`).
    """
    days = s.run.horizon_days
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
    opening = open_items(s.run.initial_backlog, s) if s.run.initial_backlog else 0.0
    work = daily_items(s) * days + reviews + staff + opening
    return RunSize(work, most_replications(s.run), opening)


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
            "(memory). Lower rates, staff, townships, open items or run.horizon_days, "
            "or raise the limit to run it anyway"
        )
    if size.total > s.run.max_items:
        raise ConfigError(
            f"run too large: {size.describe()}; run.max_items = {s.run.max_items:.3g} "
            "(time). Lower run.replications or the size, or raise the limit to run it anyway"
        )


def unserved_work(s: Scenario) -> list[str]:
    """One line per township kind (or township with its own staff) and centre that gets
    work but has no staff and no posts.
    """
    if s.policy.flexible_staff.enabled:  # staff may come over from other centres
        return []
    lines: dict[str, None] = {}
    declared = load.declarations(s)
    for tid in quota.township_ids(s):
        flows = load.township_flows(s, tid, declared)
        for centre in load.centres_with_work(flows):
            if quota.centre_posts(s, tid, centre).ever > 0:
                continue
            where = (
                f"county.township_staff.{tid}"
                if tid in s.county.township_staff
                else f"county.kinds.{quota.kind_of(tid)}"
            )
            streams = ", ".join(dict.fromkeys(f.stream for f in flows if _visits(f, centre)))
            lines.setdefault(
                f"{where}: no staff and no posts in the {centre!r} centre, so its {streams} "
                f"work is never served (add a pool with centre: {centre} or a headcount)"
            )
    return list(lines)


def _visits(flow: load.Flow, centre: str) -> bool:
    return flow.arrivals_per_day > 0 and any(v.centre == centre for v in flow.source.visits)


def check_scenario(s: Scenario) -> list[str]:
    """Raise :class:`ConfigError` for the first problem of a validated scenario that
    only a data file or the model's logic reveals; return one warning line per piece of
    work that nobody can serve.
    """
    _check_moved_posts(s)
    _check_centres()
    check_kpis(s)
    check_size(s)  # reads the backlog file: one line naming file, row and column
    return unserved_work(s)


def _check_moved_posts(s: Scenario) -> None:
    """The quota lever cannot move more posts down than the county has."""
    moved = moved_posts(s)
    if moved > s.county.quota_total:
        raise ConfigError(
            f"policy.quota.township_increase_share = "
            f"{s.policy.quota.township_increase_share:g}: moves {moved} posts down "
            f"but county.quota_total = {s.county.quota_total}"
        )


def _check_centres() -> None:
    """Every stream's centre has a class (a missing centre module would otherwise stop
    the first replication with a traceback).
    """
    # The centres register themselves when imported; importing them here (with SimPy)
    # keeps the check true in a command that has not loaded the model yet (tsim's
    # checks before a run).
    from sim.model import centres  # noqa: F401

    known = {entry.name for entry in registry.centres("township")}
    for spec in registry.streams():
        if spec.centre not in known:
            raise ConfigError(
                f"stream {spec.id!r} is served by centre {spec.centre!r}, but no centre "
                f"class registers that name (@register_centre({spec.centre!r}) in "
                "sim/model/centres/)"
            )

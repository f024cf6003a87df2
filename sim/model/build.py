"""Scenario → the wired model of one replication.

Creates the workforce and the county's centres (shared by every township), then each
township (ids ``<kind>_<n>``, in config order): its pools (quota raised by the quota
lever, the added posts vacant), one instance of every registered township centre, the
wiring of their inlets, their arrivals, its staff put to work and its secondment
requests; then the county-wide mechanisms (recruitment rounds, rebalancing, flexible
use, the staff transfer of the reform timing). Every township gets every centre even
with no staff, so work sent there waits visibly.
"""

from __future__ import annotations

from collections.abc import Mapping

from sim.config import Scenario
from sim.core.registry import centres, streams
from sim.model import centres as _centres  # noqa: F401  (registers the built-in centres)
from sim.model.backlog import place_backlog, read_backlog
from sim.model.centre_settings import CentreSettings
from sim.model.centres.base import Centre, WiringError, wire
from sim.model.centres.teams import cover_empty_centres
from sim.model.overtime import work_overtime
from sim.model.quota import (
    STATIONED_CENTRE,
    added_posts,
    kind_of,
    township_ids,
    township_size,
    township_staff,
)
from sim.model.reallocation import Rebalancing, start_flexible_use
from sim.model.secondment import build_secondment
from sim.model.staff import Workforce
from sim.model.state import Model, Township
from sim.model.surge import build_surge

STATIONED = "stationed_officers"


def build(scenario: Scenario, replication: int, keep_items: bool = False) -> Model:
    """The model of replication ``replication``, ready to run (``keep_items``: its
    ledger keeps every item object, see :class:`sim.model.ledger.Ledger`).
    """
    model = Model(scenario, replication, keep_items)
    policy = scenario.policy
    workforce = model.workforce = Workforce(
        model, policy.workforce, favour_most_vacant=policy.rebalancing.enabled
    )
    # Read once: every centre gets the settings it uses from here, not from the scenario.
    settings = CentreSettings.of(scenario)
    for entry in centres("county"):
        model.county_centres[entry.name] = entry.factory(model, None, settings)
    wire(model.county_centres, {})
    for centre in model.county_centres.values():
        centre.start()
    opening = (
        read_backlog(scenario.run.initial_backlog, scenario) if scenario.run.initial_backlog else []
    )
    model.backlog_named = {(g.township, g.stream) for g in opening}
    added = added_posts(scenario)
    for tid in township_ids(scenario):
        _build_township(model, workforce, settings, tid, added)
    workforce.start([p for tw in model.townships for p in tw.pools])
    if policy.rebalancing.enabled:
        Rebalancing(model, workforce, policy.rebalancing.interval_days)
    if policy.flexible_staff.enabled:
        start_flexible_use(model, policy.flexible_staff)
    if policy.timing.transfer:
        at = model.clock.hours(policy.timing.staff_day)
        model.after(at, lambda _e: _transfer_staff(model, workforce, policy.timing.transfer))
    build_surge(model)
    if opening and model.warmup_h > 0:  # the other streams warm up first
        model.after(model.warmup_h, lambda _e: place_backlog(model, opening))
    elif opening:
        place_backlog(model, opening)  # at once: the first events see them, as they always did
    return model


def _build_township(
    model: Model,
    workforce: Workforce,
    settings: CentreSettings,
    tid: str,
    added: dict[tuple[str, str], int],
) -> None:
    scenario, policy = model.scenario, model.scenario.policy
    size = township_size(scenario, tid)
    tw = Township(
        len(model.townships), tid, kind_of(tid), size.population, size.villages, size.grid_cells
    )
    model.townships.append(tw)
    for name, spec in township_staff(scenario, tid).items():
        quota = spec.headcount + added.get((tid, name), 0)
        tw.pools.append(
            model.add_pool(tid, tw.index, name, spec.quota_type, spec.centre, spec.certified, quota)
        )
        tw.members_at_start[name] = spec.headcount
        # Posts above the headcount (added by the quota lever) are vacant from day 0,
        # so first-come hiring sees how long they have waited.
        tw.pools[-1].vacant_since = [0.0] * (quota - spec.headcount)
    if policy.enforcement.stationed_officers:
        tw.pools.append(
            model.add_pool(
                tid,
                tw.index,
                STATIONED,
                "stationed",
                STATIONED_CENTRE,
                True,
                policy.enforcement.stationed_officers,
            )
        )
        tw.members_at_start[STATIONED] = policy.enforcement.stationed_officers
    built: dict[str, Centre] = {}
    for entry in centres("township"):
        built[entry.name] = entry.factory(model, tw, settings)
    for stream in streams():
        if stream.centre not in built:
            raise WiringError(
                f"stream {stream.id!r} is served by centre {stream.centre!r}, but no centre "
                f"class registers that name (@register_centre({stream.centre!r}) in "
                "sim/model/centres/)"
            )
    tw.centres = built
    wire(built, model.county_centres)
    for centre in built.values():
        centre.start()
    for pool in tw.pools:
        workforce.place[pool.index] = tw.centres[pool.centre].place
        for _ in range(tw.members_at_start[pool.name]):
            workforce.join(pool, hired_at=float("-inf"))
    build_secondment(model, tw, policy.secondment, workforce)
    cover_empty_centres(model, settings.cover, tw)
    work_overtime(model, settings.county.overtime, tw)


def _transfer_staff(model: Model, workforce: Workforce, transfer: Mapping[str, int]) -> None:
    """Reform timing: the transferred staff (``policy.timing.transfer``) join every
    township on ``staff_day``.
    """
    for tw in model.townships:
        for name, count in transfer.items():
            pool = next(p for p in tw.pools if p.name == name)
            workforce.change_quota(pool, count, filled=True)
            for _ in range(count):
                workforce.join(pool, hired_at=model.env.now)

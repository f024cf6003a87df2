"""Scenario → the wired model of one replication.

Creates the workforce and the county's own desk, then each township (ids
``<kind>_<n>``, in config order): its pools (quota raised by the quota lever, the added
posts vacant), its four centres in the organisation the policy chooses, its staff put
to work, its secondment requests; then the county-wide mechanisms (recruitment rounds,
rebalancing, flexible use, the staff transfer of the reform timing). Every township gets
all four centres even with no staff, so work sent there waits visibly.
"""

from __future__ import annotations

from .centres.enforcement import build_enforcement
from .centres.general_office import build_general_office
from .centres.grid import build_grid
from .centres.service_centre import build_service_centre
from .config import Scenario, added_posts, moved_posts, township_ids
from .county import build_county
from .model import Model, Township
from .reallocation import start_flexible_use, start_rebalancing
from .secondment import build_secondment
from .staff import Workforce

STATIONED = "stationed_officers"


def build(scenario: Scenario, replication: int) -> Model:
    model = Model(scenario, replication)
    policy = scenario.policy
    workforce = model.workforce = Workforce(model, policy.workforce,
                                            favour_most_vacant=policy.rebalancing.enabled)
    county = build_county(model, scenario.county, policy.escalation, moved_posts(scenario))
    added = added_posts(scenario)
    for tid in township_ids(scenario):
        _build_township(model, workforce, county, tid, added)
    workforce.start([p for tw in model.townships for p in tw.pools])
    if policy.rebalancing.enabled:
        start_rebalancing(model, workforce, policy.rebalancing.interval_days)
    if policy.flexible_staff.enabled:
        start_flexible_use(model, policy.flexible_staff.review_days)
    if policy.timing.transfer:
        at = model.clock.hours(policy.timing.staff_day)
        model.env.timeout(at).callbacks.append(lambda _e: _transfer_staff(model, workforce))
    return model


def _build_township(model: Model, workforce: Workforce, county, tid: str,
                    added: dict[tuple[str, str], int]) -> None:
    scenario, policy, work = model.scenario, model.scenario.policy, model.scenario.workload
    kind_name = tid.rsplit("_", 1)[0]
    kind = scenario.county.kinds[kind_name]
    tw = Township(len(model.townships), tid, kind_name, kind.population, kind.villages,
                  kind.grid_cells)
    model.townships.append(tw)
    members = {}  # staff present at the start (new posts start vacant)
    for name, spec in kind.staff.items():
        quota = spec.headcount + added.get((tid, name), 0)
        tw.pools.append(model.add_pool(tid, tw.index, name, spec.quota_type, spec.centre,
                                       spec.certified, quota))
        members[name] = spec.headcount
    if policy.enforcement.stationed_officers:
        tw.pools.append(model.add_pool(tid, tw.index, STATIONED, "stationed", "enforcement",
                                       True, policy.enforcement.stationed_officers))
        members[STATIONED] = policy.enforcement.stationed_officers

    def present(centre: str, certified: bool | None = None) -> int:
        """Desks and teams are organised around the staff present, not vacant posts."""
        return sum(members[p.name] for p in tw.pools if p.centre == centre
                   and (certified is None or p.certified == certified))

    tw.place["service"] = build_service_centre(model, tw, work.services, policy.windows,
                                               present("service"))
    open_case, tw.place["enforcement"] = build_enforcement(
        model, tw, work.enforcement, policy, county, present("enforcement", certified=True))
    open_task, tw.place["general"] = build_general_office(model, tw, work.delegated,
                                                          work.grid, policy.admission)
    tw.place["grid"] = build_grid(model, tw, work.grid, policy.grid, open_case, open_task)
    for pool in tw.pools:
        workforce.place[pool.index] = tw.place[pool.centre]
        for _ in range(members[pool.name]):
            workforce.join(pool, hired_at=float("-inf"))
    build_secondment(model, tw, policy.secondment, workforce)


def _transfer_staff(model: Model, workforce: Workforce) -> None:
    """Reform timing: the transferred staff join every township on ``staff_day``."""
    for tw in model.townships:
        for name, count in model.scenario.policy.timing.transfer.items():
            pool = next(p for p in tw.pools if p.name == name)
            workforce.change_quota(pool, count, filled=True)
            for _ in range(count):
                workforce.join(pool, hired_at=model.env.now)

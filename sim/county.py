"""The county side (县直部门): its departments' staff, own work and answers to townships.

County departments take over cases referred up by townships (beyond township powers),
do the legal review (法制审核) of major enforcement decisions, and have their own work.
All of it falls on one pool of department staff, cut pro rata when quota moves down to
townships ("减上补下") — so moving staff down leaves the county slower to answer. With
escalation (乡呼县应) townships' calls go ahead of own work. The departments also issue
the delegated tasks; those arrival processes live with the general office that absorbs
them (:mod:`sim.centres.general_office`).
"""

from __future__ import annotations

import math

from .config import CountyConfig, EscalationLever
from .station import CountyDesk
from .streams import poisson_times, sample
from .work import ArrivalSource, WorkItem, draws

COUNTY = "county"
DEPARTMENTS = "departments"


def county_staff_after_move(cfg: CountyConfig, moved_posts: int) -> int:
    """Department staff left once ``moved_posts`` of county quota went to townships."""
    cut = math.floor(moved_posts * cfg.department_staff / cfg.quota_total + 0.5)
    return max(0, cfg.department_staff - cut)


def build_county(model, cfg: CountyConfig, escalation: EscalationLever,
                 moved_posts: int) -> CountyDesk:
    desk = CountyDesk(model, f"{COUNTY}/{DEPARTMENTS}", townships_first=escalation.enabled)
    staff = county_staff_after_move(cfg, moved_posts)
    model.county_staff = staff
    model.county_desk = desk
    pool = model.add_pool(COUNTY, -1, DEPARTMENTS, "administrative", "county", False, staff)
    model.workforce.place[pool.index] = desk.add
    for _ in range(staff):
        model.workforce.join(pool, hired_at=float("-inf"), attrition=False)

    rows = draws(model.rng("county/own_work/attributes"),
                 lambda rng, n: (sample(rng, cfg.own_work_effort, n),))

    def own_work(t: float) -> None:
        (hours,) = next(rows)
        # Not a township item: it loads the county staff but enters no township metric.
        model.advance(WorkItem(-1, -1, t, t, [(desk, hours, 1, 0)]))

    times = poisson_times(model.rng("county/own_work/arrivals"),
                          model.per_hour(cfg.own_work_per_day), model.horizon_h)
    ArrivalSource(model.env, times, own_work)
    return desk

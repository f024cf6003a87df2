"""Moving posts and people to where the work is.

* **Quota rebalancing** (统筹调剂、动态管理), every ``interval_days``: for each pool name,
  a vacant post moves from the least to the most loaded township (load = items waiting
  per active member at that pool's centre); where the imbalance is large (the most
  loaded over twice the least, plus one item per member) a free member moves too.
* **Flexible staff use** (统筹使用行政事业人员), every ``review_days`` in each township:
  free administrative and institutional staff without enforcement certificates move
  between the service centre and the general office toward the longer queue per member.
"""

from __future__ import annotations

from .model import Model, Township
from .staff import Pool, Workforce

FLEXIBLE_TYPES = ("administrative", "institutional")
FLEXIBLE_CENTRES = ("service", "general")


def centre_load(tw: Township, centre: str) -> float:
    """Items waiting per member present at one of the township's centres."""
    stations = tw.stations(centre)
    waiting = sum(st.waiting() for st in stations)
    return waiting / max(1, sum(st.active for st in stations))


def start_rebalancing(model: Model, workforce: Workforce, interval_days: float) -> None:
    """Review quota every ``interval_days``: vacant posts move to the most loaded townships."""
    by_name: dict[str, list[Pool]] = {}
    for tw in model.townships:
        for pool in tw.pools:
            by_name.setdefault(pool.name, []).append(pool)

    def review() -> None:
        for pools in by_name.values():
            if len(pools) > 1:
                _rebalance(model, workforce, pools)

    model.every(interval_days, review)


def _rebalance(model: Model, workforce: Workforce, pools: list[Pool]) -> None:
    load = {
        p.index: centre_load(model.townships[p.township], p.centre)  # type: ignore[index]
        for p in pools
    }  # township pools only: never None
    hi = max(pools, key=lambda p: load[p.index])
    donors = [p for p in pools if p is not hi]
    if not donors:
        return
    lo = min(donors, key=lambda p: load[p.index])
    if load[hi.index] <= load[lo.index]:
        return
    if lo.vacancies() > 0:
        workforce.change_quota(lo, -1)
        workforce.change_quota(hi, +1)
    present = [s for s in lo.members if not s.seconded]
    if load[hi.index] > 2 * load[lo.index] + 1 and len(present) > 1:  # never the last one
        free = [s for s in present if s.since is None and s.on_release is None]
        if free:
            workforce.transfer(free[0], lo, hi)


def start_flexible_use(model: Model, review_days: float) -> None:
    """Review every ``review_days``: free flexible staff move toward the longer queue."""

    def review() -> None:
        for tw in model.townships:
            _deploy(model, tw)

    model.every(review_days, review)


def _deploy(model: Model, tw: Township) -> None:
    """Move free flexible staff, one at a time, from the shorter to the longer queue."""
    for _ in range(10):  # a few moves a review at most
        loads = {c: centre_load(tw, c) for c in FLEXIBLE_CENTRES}
        hi = max(loads, key=loads.__getitem__)
        lo = min(loads, key=loads.__getitem__)
        if loads[hi] - loads[lo] < 1.0:
            return
        movable = [
            s
            for st in tw.stations(lo)
            for s in st.free_members()
            if not s.certified and model.pools[s.pool].quota_type in FLEXIBLE_TYPES
        ]
        if not movable:
            return
        s = movable[0]
        s.station.remove(s, lambda s: None)
        tw.centres[hi].place(s)  # works there; still counted in its own pool

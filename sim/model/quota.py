"""Townships and posts (编制) of a scenario: sizes, pools and the posts the quota lever moves.

Model logic that both the pre-flight checks (a county cannot move more posts than it
has, :mod:`sim.cli.preflight`) and the model builder need, computed from the scenario alone.
Township ids are the configuration's (:mod:`sim.config.townships`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from sim.config.schema import PoolSpec, Scenario
from sim.config.townships import SIZE_FIELDS, kind_of, kind_staff, township_ids


@dataclass(frozen=True)
class TownshipSize:
    """A township's size drivers."""

    population: int
    villages: int
    grid_cells: int


def township_size(s: Scenario, township_id: str) -> TownshipSize:
    """The township's size: its own values (``county.township_size``) over its kind's."""
    kind = s.county.kinds[kind_of(township_id)]
    own = s.county.township_size.get(township_id, {})
    return TownshipSize(*(int(own.get(name, getattr(kind, name))) for name in SIZE_FIELDS))


def township_staff(s: Scenario, township_id: str) -> dict[str, PoolSpec]:
    """The township's pools: its kind's (:func:`~sim.config.townships.kind_staff`), with
    its own headcounts (``county.township_staff``).
    """
    pools = kind_staff(s, kind_of(township_id))
    for name, headcount in s.county.township_staff.get(township_id, {}).items():
        pools[name] = dataclasses.replace(pools[name], headcount=headcount)
    return pools


STATIONED_CENTRE = "enforcement"
"""Where the county's stationed officers (派驻, ``policy.enforcement.stationed_officers``)
work in each township."""


@dataclass(frozen=True)
class CentrePosts:
    """Staff and posts of one centre of one township."""

    present: int
    """Staff at the start: the pools' headcounts and stationed officers."""
    added: int
    """Posts the quota lever adds (vacant until hired)."""
    transferred: int
    """Staff transferred in later (``policy.timing.transfer``)."""
    certified: int = 0
    """Of ``present``, those holding an enforcement certificate (stationed officers do)."""

    @property
    def quota(self) -> int:
        """Posts after the quota lever."""
        return self.present + self.added

    @property
    def ever(self) -> int:
        """Posts that can ever be filled in the run (the quota lever adds posts pro rata
        to the headcount, so none to an empty pool).
        """
        return self.present + self.transferred


def centre_posts(s: Scenario, tid: str, centre: str) -> CentrePosts:
    """Staff and posts of ``centre`` in township ``tid``."""
    pools = township_staff(s, tid)
    mine = [name for name, pool in pools.items() if pool.centre == centre]
    added = township_posts(s, tid).pools
    stationed = s.policy.enforcement.stationed_officers if centre == STATIONED_CENTRE else 0
    return CentrePosts(
        sum(pools[name].headcount for name in mine) + stationed,
        sum(added.get(name, 0) for name in mine),
        sum(s.policy.timing.transfer.get(name, 0) for name in mine),
        sum(pools[name].headcount for name in mine if pools[name].certified) + stationed,
    )


@dataclass(frozen=True)
class TownshipPosts:
    """What the quota lever adds to one township: every post, and those per pool of the
    modelled centres (the rest go to its other offices, ``other_posts``).
    """

    total: int
    pools: dict[str, int]


def township_posts(s: Scenario, tid: str) -> TownshipPosts:
    """Posts the quota lever adds to one township.

    Per township (Pingluo, seed 003 item 12, sets a floor for *each* township's total
    quota): the township gains ``ceil(share × its posts)`` — never less than the share —
    so identical townships gain the same number of posts. Its posts are those of
    ``policy.quota.pools`` plus its other offices (``county.kinds.<kind>.other_posts``,
    not simulated). ``policy.quota.centres_share`` of the added posts (rounded half up)
    go to the pools, split pro rata to their quota by largest remainder, ties to the
    pool listed first in ``policy.quota.pools`` (the planner's priority); the rest go to
    the other offices.
    """
    q = s.policy.quota
    kind = s.county.kinds[kind_of(tid)]
    staff = township_staff(s, tid)
    pools = {name: staff[name].headcount for name in q.pools if name in staff}
    base = sum(pools.values()) + kind.other_posts
    # A tiny tolerance, so that 0.25 × 8 = 2.0000000000000004 is not rounded up to 3.
    total = math.ceil(base * q.township_increase_share - 1e-9) if base else 0
    to_pools = total if not kind.other_posts else math.floor(total * q.centres_share + 0.5)
    return TownshipPosts(total, split_posts(pools, to_pools))


def split_posts(pools: dict[str, int], total: int) -> dict[str, int]:
    """``total`` posts split among pools pro rata to their posts by largest remainder
    (ties: the first pool listed).
    """
    base = sum(pools.values())
    exact = {name: total * n / base if base else 0.0 for name, n in pools.items()}
    split = {name: math.floor(v) for name, v in exact.items()}
    left = total - sum(split.values()) if base else 0
    for name in sorted(exact, key=lambda k: split[k] - exact[k])[:left]:  # stable
        split[name] += 1
    return split


def added_posts(s: Scenario) -> dict[tuple[str, str], int]:
    """Posts the quota lever adds to each (township id, pool) of ``policy.quota.pools``."""
    return {
        (tid, name): n
        for tid in township_ids(s)
        for name, n in township_posts(s, tid).pools.items()
    }


def moved_posts(s: Scenario) -> int:
    """County quota moved down to all townships by the quota lever (减上补下), the
    posts of their other offices included.
    """
    return sum(township_posts(s, tid).total for tid in township_ids(s))


def county_staff_after_move(s: Scenario, moved: int) -> int:
    """Department staff left once ``moved`` posts of county quota went to townships:
    ``policy.quota.working_staff_share`` of them were posts that somebody held (the rest
    spare or reclaimed), so only those leave the departments.
    """
    cfg = s.county
    working = s.policy.quota.working_staff_share
    cut = math.floor(moved * working * cfg.department_staff / cfg.quota_total + 0.5)
    return max(0, cfg.department_staff - cut)


def county_staff(s: Scenario) -> int:
    """Department staff at the start of a run, after the quota lever (减上补下)."""
    return county_staff_after_move(s, moved_posts(s))


def stationed_total(s: Scenario) -> int:
    """County officers stationed in townships (x of 1+x+y), over all townships."""
    return s.policy.enforcement.stationed_officers * len(township_ids(s))


def officers_at_home(s: Scenario) -> int:
    """County enforcement officers neither stationed nor on call (may be negative:
    validation then says which knob to lower).
    """
    lever = s.policy.enforcement
    return s.county.enforcement_officers - stationed_total(s) - lever.on_call_officers

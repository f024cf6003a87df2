"""Townships and posts (编制) of a scenario: sizes, pools and the posts the quota lever moves.

Model logic that both the pre-flight checks (a county cannot move more posts than it
has, :mod:`sim.preflight`) and the model builder need, computed from the scenario alone.
Township ids are the configuration's (:mod:`sim.config.townships`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from .config.schema import PoolSpec, Scenario
from .config.townships import SIZE_FIELDS, kind_of, kind_staff, township_ids


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

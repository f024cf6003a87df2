"""Townships and posts (编制) of a scenario: ids, and the posts the quota lever moves.

Model logic that both validation (a county cannot move more posts than it has) and the
model builder need, computed from the scenario alone.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from .config.schema import PoolSpec, Scenario


def township_ids(s: Scenario) -> list[str]:
    """Township ids ``<kind>_<n>``, in config order."""
    return [f"{kind}_{i}" for kind, n in s.county.townships.items() for i in range(1, n + 1)]


def kind_of(township_id: str) -> str:
    """The kind of a township id (``rural_4`` → ``rural``)."""
    return township_id.rsplit("_", 1)[0]


@dataclass(frozen=True)
class TownshipSize:
    """A township's size drivers."""

    population: int
    villages: int
    grid_cells: int


SIZE_FIELDS = ("population", "villages", "grid_cells")


def township_size(s: Scenario, township_id: str) -> TownshipSize:
    """The township's size: its own values (``county.township_size``) over its kind's."""
    kind = s.county.kinds[kind_of(township_id)]
    own = s.county.township_size.get(township_id, {})
    return TownshipSize(*(int(own.get(name, getattr(kind, name))) for name in SIZE_FIELDS))


def township_staff(s: Scenario, township_id: str) -> dict[str, PoolSpec]:
    """The township's pools: its kind's, with its own headcounts (``county.township_staff``)."""
    pools = dict(s.county.kinds[kind_of(township_id)].staff)
    for name, headcount in s.county.township_staff.get(township_id, {}).items():
        pools[name] = dataclasses.replace(pools[name], headcount=headcount)
    return pools


def added_posts(s: Scenario) -> dict[tuple[str, str], int]:
    """Posts the quota lever adds to each (township id, pool) of ``policy.quota.pools``.

    The county-wide number is the share of those pools' posts, rounded half up; it is
    spread by largest remainder, so that a 10% increase adds 10% of the posts even
    where every single pool is too small to gain a whole post by itself.
    """
    q = s.policy.quota
    exact = {
        (tid, pool): spec.headcount * q.township_increase_share
        for tid in township_ids(s)
        for pool, spec in township_staff(s, tid).items()
        if pool in q.pools
    }
    posts = {k: math.floor(v) for k, v in exact.items()}
    left = math.floor(sum(exact.values()) + 0.5) - sum(posts.values())
    for k in sorted(exact, key=lambda k: posts[k] - exact[k])[:left]:  # stable: config order
        posts[k] += 1
    return posts


def moved_posts(s: Scenario) -> int:
    """County quota moved down to all townships by the quota lever (减上补下)."""
    return sum(added_posts(s).values())

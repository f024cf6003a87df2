"""Townships and posts (编制) of a scenario: ids, and the posts the quota lever moves.

Model logic that both validation (a county cannot move more posts than it has) and the
model builder need, computed from the scenario alone.
"""

from __future__ import annotations

import math

from .config.schema import Scenario


def township_ids(s: Scenario) -> list[str]:
    """Township ids ``<kind>_<n>``, in config order."""
    return [f"{kind}_{i}" for kind, n in s.county.townships.items() for i in range(1, n + 1)]


def kind_of(township_id: str) -> str:
    """The kind of a township id (``rural_4`` → ``rural``)."""
    return township_id.rsplit("_", 1)[0]


def added_posts(s: Scenario) -> dict[tuple[str, str], int]:
    """Posts the quota lever adds to each (township id, pool) of ``policy.quota.pools``.

    Per township (Pingluo, seed 003 item 12, sets a floor for *each* township's total):
    the township gains ``ceil(share × its posts in those pools)`` — never less than the
    share — so identical townships gain the same number of posts. Within the township
    the posts are split among the pools pro rata to their quota by largest remainder,
    ties to the pool listed first in the township's staff.
    """
    q = s.policy.quota
    posts: dict[tuple[str, str], int] = {}
    for tid in township_ids(s):
        staff = s.county.kinds[kind_of(tid)].staff
        pools = {name: staff[name].headcount for name in q.pools if name in staff}
        for name, n in township_split(pools, q.township_increase_share).items():
            posts[(tid, name)] = n
    return posts


def township_split(pools: dict[str, int], share: float) -> dict[str, int]:
    """One township's added posts per pool: the total rounded up, split by largest
    remainder pro rata to the pools' posts (ties: the first pool listed).
    """
    base = sum(pools.values())
    # A tiny tolerance, so that 0.25 × 8 = 2.0000000000000004 is not rounded up to 3.
    total = math.ceil(base * share - 1e-9) if base else 0
    exact = {name: total * n / base if base else 0.0 for name, n in pools.items()}
    split = {name: math.floor(v) for name, v in exact.items()}
    left = total - sum(split.values())
    for name in sorted(exact, key=lambda k: split[k] - exact[k])[:left]:  # stable
        split[name] += 1
    return split


def moved_posts(s: Scenario) -> int:
    """County quota moved down to all townships by the quota lever (减上补下)."""
    return sum(added_posts(s).values())

"""Splitting a centre into dedicated desks or teams (pre-reform organisation).

Before the reform a service centre has one window per department and enforcement is
split into department teams, each serving only its own categories or domains. With k
desks for n categories, :func:`group_by_load` assigns categories to desks by the
longest-processing-time rule (largest share first, onto the least loaded desk), and
:func:`neediest` picks where a newly arrived member of staff goes: the desk with the
most work per member. :func:`cover_gaps` keeps every desk or team able to work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..model import Model


def group_by_load(shares: list[float], k: int) -> list[list[int]]:
    """Indices of ``shares`` grouped into ``k`` groups with loads as even as possible."""
    groups: list[list[int]] = [[] for _ in range(max(1, k))]
    loads = [0.0] * len(groups)
    for i in sorted(range(len(shares)), key=lambda i: -shares[i]):
        g = loads.index(min(loads))
        groups[g].append(i)
        loads[g] += shares[i]
    return groups


def cover_gaps(
    model: Model,
    stations: list[Any],
    members: Callable[[Any], int],
    free: Callable[[Any], list[Any]],
    minimum: int = 1,
) -> None:
    """Every working day, move a free member from a station that can spare one to any
    station left with fewer than ``minimum`` members (what a centre's head does when a
    window's only clerk is away). ``members(st)`` counts; ``free(st)`` lists movables.
    """
    if len(stations) < 2:
        return

    def review() -> None:
        for short in stations:
            if members(short) >= minimum:
                continue
            for donor in sorted(stations, key=members, reverse=True):
                movable = free(donor)
                if members(donor) > minimum and movable:
                    s = movable[0]
                    donor.remove(s, lambda s: None)
                    short.add(s)
                    break

    model.every(1.0, review)


def neediest(
    stations: list[Any], loads: list[float], count: Callable[[Any], int] = lambda st: st.active
) -> Any:
    """An unstaffed station with work, else the one with the largest load per member
    after one more member joins.
    """

    def need(sl: tuple[Any, float]) -> tuple[bool, float]:
        n = count(sl[0])
        return (n == 0 and sl[1] > 0, sl[1] / (n + 1))

    return max(zip(stations, loads, strict=True), key=need)[0]

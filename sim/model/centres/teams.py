"""Splitting a centre into dedicated desks or teams (pre-reform organisation).

Before the reform a service centre has one window per department and enforcement is
split into department teams, each serving only its own categories or domains. With k
desks for n categories, :func:`group_by_load` assigns categories to desks by the
longest-processing-time rule (largest share first, onto the least loaded desk), and
:func:`neediest` picks where a newly arrived member of staff goes: the desk with the
most work per member. :func:`cover_gaps` covers a desk or team left short of staff, and
:func:`cover_empty_centres` a township centre left with nobody at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.config.schema import CoverRule
    from sim.model.staff import Staff
    from sim.model.state import Model, Township


def group_by_load(shares: list[float], k: int) -> list[list[int]]:
    """Indices of ``shares`` grouped into ``k`` groups with loads as even as possible."""
    groups: list[list[int]] = [[] for _ in range(max(1, k))]
    loads = [0.0] * len(groups)
    for i in sorted(range(len(shares)), key=lambda i: -shares[i]):
        g = loads.index(min(loads))
        groups[g].append(i)
        loads[g] += shares[i]
    return groups


def members_per_station(loads: list[float], members: int) -> list[int]:
    """How ``members`` arriving one by one spread over stations with ``loads``: each
    goes where :func:`neediest` sends it (what the centres' ``place`` does at the start).
    """
    counts = [0] * len(loads)
    for _ in range(members):
        i = neediest(list(range(len(loads))), loads, lambda st: counts[st])
        counts[i] += 1
    return counts


def cover_gaps(
    model: Model,
    rule: CoverRule,
    stations: list[Any],
    count: Callable[[Any], int],
    can_cover: Callable[[Staff], bool],
    minimum: int = 1,
) -> None:
    """The covering ``rule`` (``county.cover``), reviewed every working day: a station with
    work waiting and fewer than ``minimum`` members (``count``) for ``delay_days`` gets a
    member (one that ``can_cover``) from the other station with the most, for ``share``
    of the day — what a township head does when a window's only clerk has left or a
    team is one officer short. A busy member goes when the current step ends; the donor
    may itself be short meanwhile, as when one clerk staffs two windows.
    """
    if len(stations) < 2 or rule.share <= 0.0:
        return
    delay_h = model.clock.hours(rule.delay_days)
    stay_h = model.clock.hours(rule.share)
    short_since: dict[int, float] = {}

    def review() -> None:
        now = model.env.now
        for i, short in enumerate(stations):
            if count(short) >= minimum or short.waiting() == 0:
                short_since.pop(i, None)
                continue
            if now - short_since.setdefault(i, now) < delay_h:
                continue
            donor, s = _cover_from(stations, short, count, can_cover)
            if s is not None:
                donor.remove(s, short.add)
                if rule.share < 1.0:
                    model.after(stay_h, _back, (s, short, donor))

    model.every(1.0, review)


def cover_empty_centres(model: Model, rule: CoverRule, tw: Township) -> None:
    """The covering ``rule`` across centres (``county.cover.across_centres``), reviewed every
    working day: a centre of the township with nobody present and work waiting for
    ``delay_days`` gets a member of another centre — without an enforcement certificate,
    from the station that can best spare one, never its last — for ``share`` of each
    working day. A head does not leave the hall, the grid desk or the office empty for
    months because its own staff left or were seconded.
    """
    if not rule.across_centres or rule.share <= 0.0:
        return
    delay_h = model.clock.hours(rule.delay_days)
    stay_h = model.clock.hours(rule.share) if rule.share < 1.0 else None  # None: for good
    empty_since: dict[str, float] = {}

    def review() -> None:
        now = model.env.now
        for name, centre in tw.centres.items():
            stations = centre.stations
            if (
                not centre.takes_cover
                or _staffed(tw, name)
                or not any(st.waiting() for st in stations)
            ):
                empty_since.pop(name, None)
                continue
            if now - empty_since.setdefault(name, now) < delay_h:
                continue
            donor, s = _spare_elsewhere(tw, name)
            if s is not None:
                donor.remove(s, lambda s, c=centre, d=donor: _stand_in(model, s, c, d, stay_h))

    model.every(1.0, review)


def _staffed(tw: Township, centre: str) -> bool:
    """Someone works at the centre, or one of its own staff is moving between its
    stations (a clerk who covers the next window is on the way there, not gone).
    """
    stations = tw.centres[centre].stations
    if any(st.active for st in stations):
        return True
    return any(
        s.station in stations and s.on_release is not None and not s.seconded
        for p in tw.pools
        if p.centre == centre
        for s in p.members
    )


def _spare_elsewhere(tw: Township, centre: str) -> tuple[Any, Staff | None]:
    """A member another centre can best spare: from the station with the least work
    waiting per member (then the most members) that keeps someone, free ones first.
    """
    donors = [
        st
        for name, c in tw.centres.items()
        if name != centre and c.lends_staff
        for st in c.stations
        if st.active > 1
    ]
    donors.sort(key=lambda st: (st.waiting() / st.active, -st.active))
    return _first_ready(donors, lambda s: not s.certified)


def _stand_in(model: Model, s: Staff, centre: Any, donor: Any, stay_h: float | None) -> None:
    """``s`` works at ``centre`` and, unless it is for good, goes back to ``donor``."""
    centre.place(s)
    if stay_h is not None:
        model.after(stay_h, _back, (s, s.station, donor))


def _cover_from(
    stations: list[Any], short: Any, count: Callable[[Any], int], can_cover: Callable[[Staff], bool]
) -> tuple[Any, Staff | None]:
    """The station with the most members that has one free to cover (free ones first)."""
    donors = sorted((st for st in stations if st is not short), key=count, reverse=True)
    return _first_ready(donors, can_cover)


def _first_ready(donors: list[Any], can_cover: Callable[[Staff], bool]) -> tuple[Any, Staff | None]:
    """The first donor, in order, with a member who can cover and is not already
    moving, and that member (a free one first); ``(None, None)`` when there is none.
    """
    for donor in donors:
        ready = [s for s in donor.members if s.on_release is None and can_cover(s)]
        if ready:
            ready.sort(key=lambda s: s.since is not None)  # a free member first
            return donor, ready[0]
    return None, None


def _back(value: Any) -> None:
    """A covering member goes back to their own station (unless moved or gone since)."""
    s, short, donor = value
    if s.employed and not s.seconded and s.station is short and s.on_release is None:
        short.remove(s, donor.add)


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

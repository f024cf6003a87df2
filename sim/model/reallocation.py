"""Moving posts and people to where the work is.

* **Quota rebalancing** (统筹调剂、动态管理), every ``interval_days``: for each pool name,
  a vacant post moves from the least to the most loaded township, and where the
  imbalance is large a team's worth of staff moves too (see :class:`Rebalancing`).
* **Flexible staff use** (统筹使用行政事业人员), every ``review_days`` in each township:
  administrative and institutional staff without enforcement certificates move
  between the service centre and the general office toward the longer queue per member;
  a centre lends only what it can spare without risking a deadline and calls its staff
  back when it cannot (see :func:`deploy`).

A dedicated approval body (``county.kinds.*.approval_body``) lends no clerk to the
township's office, though the office's staff may still help at its windows; its posts
are the township's, and rebalancing moves them as any other.
"""

from __future__ import annotations

import heapq

from sim.config import FlexibleStaffLever
from sim.model.staff import Pool, Staff, Workforce
from sim.model.state import Model, Township

FLEXIBLE_TYPES = ("administrative", "institutional")
FLEXIBLE_CENTRES = ("service", "general")


def centre_load(tw: Township, centre: str, arriving: int = 0) -> float:
    """Items waiting per member present at one of the township's centres (counting
    ``arriving`` members on their way there).
    """
    stations = tw.stations(centre)
    waiting = sum(st.waiting() for st in stations)
    return waiting / max(1, sum(st.active for st in stations) + arriving)


class Rebalancing:
    """Quota review across townships, for each pool name (统筹调剂、动态管理).

    The load of a township's pool is its centre's waiting items per member, smoothed
    every working day over about one review interval, so a passing queue moves nobody.
    At each review the most loaded township takes a vacant post from the least loaded
    one; where the smoothed load is over twice as high (plus one item per member), staff
    move too — a whole team's worth at once (two certified officers for an enforcement
    team), only from a team that keeps enough to work, and only if the move does not
    turn the imbalance round (hysteresis: no bouncing back at the next review).
    Stationed county officers are the county's, and never move.
    """

    def __init__(self, model: Model, workforce: Workforce, interval_days: float):
        self.model = model
        self.workforce = workforce
        self.alpha = min(1.0, 1.0 / interval_days)  # daily smoothing weight
        self.groups: dict[str, list[Pool]] = {}
        for tw in model.townships:
            for pool in tw.pools:
                if pool.quota_type != "stationed":
                    self.groups.setdefault(pool.name, []).append(pool)
        self.load = {p.index: 0.0 for pools in self.groups.values() for p in pools}
        model.every(1.0, self._observe)
        model.every(interval_days, self._review)

    def _township(self, pool: Pool) -> Township:
        assert pool.township is not None  # township pools only
        return self.model.townships[pool.township]

    def _observe(self) -> None:
        for pools in self.groups.values():
            for p in pools:
                now = centre_load(self._township(p), p.centre)
                self.load[p.index] += self.alpha * (now - self.load[p.index])

    def _review(self) -> None:
        for pools in self.groups.values():
            if len(pools) > 1:
                self._rebalance(pools)

    def _rebalance(self, pools: list[Pool]) -> None:
        load = self.load
        hi = max(pools, key=lambda p: (load[p.index], -p.index))
        lo = min((p for p in pools if p is not hi), key=lambda p: (load[p.index], p.index))
        if load[hi.index] <= load[lo.index]:
            return
        unit = self._township(lo).centres[lo.centre].team_size(lo.certified)
        if lo.vacancies() > 0 and lo.quota - 1 >= unit:  # lo can still field a team
            self.workforce.change_quota(lo, -1)
            self.workforce.change_quota(hi, +1)
        if load[hi.index] > 2 * load[lo.index] + 1:
            self._move_team(lo, hi, unit)

    def _move_team(self, lo: Pool, hi: Pool, unit: int) -> None:
        """Move ``unit`` free members of ``lo`` together, from one station that keeps at
        least ``unit`` of them, if the receiving township stays the more loaded.
        """
        n_lo, n_hi = self._present(lo), self._present(hi)
        q_lo, q_hi = self.load[lo.index] * n_lo, self.load[hi.index] * n_hi  # items waiting
        if n_lo - unit < unit or q_hi / (n_hi + unit) < q_lo / (n_lo - unit):
            return
        for station in self._township(lo).stations(lo.centre):
            mine = [s for s in station.members if s.pool == lo.index]
            free = [s for s in mine if s.since is None and s.on_release is None]
            if len(mine) - unit >= unit and len(free) >= unit:
                for s in free[:unit]:
                    self.workforce.transfer(s, lo, hi)
                return

    @staticmethod
    def _present(pool: Pool) -> int:
        return sum(1 for s in pool.members if not s.seconded)


def start_flexible_use(model: Model, lever: FlexibleStaffLever) -> None:
    """Review every ``review_days``: flexible staff move toward the longer queue."""
    reserve_h = model.clock.hours(lever.reserve_days)

    def review() -> None:
        for tw in model.townships:
            deploy(model, tw, reserve_h)

    model.every(lever.review_days, review)


def deploy(model: Model, tw: Township, reserve_h: float) -> None:
    """Recall lent staff to a centre whose deadlines are at risk, then lend from the
    shorter to the longer queue what the lender can spare.

    As a township head would: an office answers to the county for its deadlines, so it
    lends a member only while its waiting work still meets every deadline with
    ``reserve_h`` to spare, and calls them back as soon as it would not — wherever they
    are, even covering a window. A busy member finishes the current step, then goes.
    Only a recall may leave a station without anyone (the cover rule then steps in).
    """
    coming = dict.fromkeys(FLEXIBLE_CENTRES, 0)  # members on their way, not yet placed

    def send(s: Staff, to: str) -> None:
        coming[to] += 1

        def arrive(s: Staff) -> None:
            coming[to] -= 1
            tw.centres[to].place(s)  # works there; still counted in its own pool

        if s.on_release is not None:  # already on the way elsewhere: home instead
            s.on_release = arrive
        else:
            s.station.remove(s, arrive)

    for home in FLEXIBLE_CENTRES:
        lent = _lent(model, tw, home)
        while lent and _at_risk(model, tw, home, coming[home], reserve_h):
            send(lent.pop(0), home)
    for _ in range(10):  # lending: a few moves a review at most
        loads = {c: centre_load(tw, c, coming[c]) for c in FLEXIBLE_CENTRES}
        hi = max(loads, key=loads.__getitem__)
        lo = _other(hi)
        if loads[hi] - loads[lo] < 1.0:
            return
        if _at_risk(model, tw, lo, coming[lo] - 1, reserve_h):
            return
        s = _spare(model, tw, lo, hi)
        if s is None:
            return
        send(s, hi)


def _flexible(model: Model, s: Staff) -> bool:
    return not s.certified and model.pools[s.pool].quota_type in FLEXIBLE_TYPES


def _lent(model: Model, tw: Township, home: str) -> list[Staff]:
    """Members of ``home`` working elsewhere or on their way (free ones first)."""
    stations = tw.stations(home)
    lent = [
        s
        for p in tw.pools
        if p.centre == home
        for s in p.members
        if not s.seconded
        and _flexible(model, s)
        and (s.station not in stations or s.on_release is not None)
    ]
    return sorted(lent, key=lambda s: s.since is not None)


def _spare(model: Model, tw: Township, lo: str, hi: str) -> Staff | None:
    """Whom ``lo`` can lend ``hi`` — never a station's last member (it would stall): a
    member whose home is ``hi`` first, then a free one.
    """
    if not tw.centres[lo].lends_staff:  # a dedicated approval body keeps its clerks
        return None
    candidates = [
        s
        for st in tw.stations(lo)
        if st.active > 1
        for s in st.members
        if s.on_release is None and _flexible(model, s)
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda s: (model.pools[s.pool].centre != hi, s.since is not None))


def _other(centre: str) -> str:
    return FLEXIBLE_CENTRES[1 - FLEXIBLE_CENTRES.index(centre)]


def _at_risk(model: Model, tw: Township, centre: str, change: int, reserve_h: float) -> bool:
    """Whether the centre's members, ``change`` more (on their way) or fewer (lent, the
    first to be free), working through its waiting items would miss a deadline or come
    within ``reserve_h`` of one.

    Each waiting item goes to the first member free, members busy now once their step
    ends: the lines are served in turn, as the desks do (several desks' lines are taken
    together by deadline). An item of the tightest kind waiting now, arriving next,
    must still fit too: a head keeps room for the next urgent task.
    """
    stations = tw.stations(centre)
    waiting = [item for st in stations for item in st.line]
    if not waiting:
        return False
    now = model.env.now
    free_at = sorted(max(now, s.busy_until) for st in stations for s in st.members)
    free_at = [now] * change + free_at if change >= 0 else free_at[-change:]
    if not free_at:
        return True
    if len(stations) > 1:
        waiting.sort(key=lambda item: item.due)
    for item in waiting:  # free_at stays sorted: it is a heap
        finish = heapq.heappop(free_at) + item.route[item.pos].hours
        if finish > item.due - reserve_h:
            return True
        heapq.heappush(free_at, finish)
    # An item of the tightest kind arriving now must still find time before its deadline.
    tightest = min(item.due - item.t_arr for item in waiting)
    return free_at[0] > now + tightest - reserve_h

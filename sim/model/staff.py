"""Staff and posts (编制): vacancies, recruitment rounds, training and attrition.

Every township pool has a **quota** (posts) and **members** (filled posts). A member is
*active* unless seconded. Posts left vacant — by attrition, or added by moving quota
down ("减上补下") — are filled at county recruitment rounds every
``hiring_round_days``, at most ``hires_per_round`` county-wide, first come first served
(or, with rebalancing, townships with the most vacancies first: "优先保障空编"). A new
hire starts ``hiring_lag_days`` after the round and works at ``training_speed`` for
``training_days``. Staff leave at ``attrition_per_year`` (cut by incentives).

Every change is logged as a :class:`~sim.model.state.StaffChange` in ``model.staff_log``, from
which :mod:`sim.analysis.metrics` computes headcount, vacancies and available hours.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sim.config import WorkforceLever

if TYPE_CHECKING:
    from sim.model.state import Model

WEEKS_PER_YEAR = 50.0
"""Working weeks a year (52 less holidays); with 5-day weeks, 250 working days."""


class Staff:
    """One member of staff. ``pool`` indexes the model's pool table."""

    __slots__ = (
        "busy_until",
        "certified",
        "employed",
        "hired_at",
        "manager",
        "on_release",
        "overtime",
        "pool",
        "seconded",
        "since",
        "speed",
        "station",
    )

    def __init__(self, pool: int, certified: bool, hired_at: float = -math.inf, speed: float = 1.0):
        self.pool = pool
        self.certified = certified
        self.since: float | None = None  # start of the current step; None when free
        self.busy_until = 0.0  # end of the current (or last) step at a desk
        self.speed = speed
        self.overtime = 1.0  # today's pace from overtime (sim.model.overtime), in speed
        self.hired_at = hired_at
        self.station: Any = None  # where the member works now
        self.on_release: Callable[[Staff], None] | None = None  # instead of freeing
        self.employed = True
        self.seconded = False
        self.manager = False  # a management post (管理岗位): never on a field step


@dataclass
class Pool:
    """A township's (or the county's) group of posts of one quota type in one centre."""

    index: int
    scope: str  # township id, or "county"
    township: int | None  # township index; None for a county pool
    name: str
    quota_type: str
    centre: str
    certified: bool
    quota: int
    members: list[Staff] = field(default_factory=list)
    pending: int = 0  # hires decided, not yet started
    vacant_since: list[float] = field(default_factory=list)

    def vacancies(self) -> int:
        """Posts neither filled nor being recruited."""
        return self.quota - len(self.members) - self.pending


class Workforce:
    """Hiring, training and attrition for every township pool of one replication."""

    def __init__(self, model: Model, lever: WorkforceLever, favour_most_vacant: bool):
        self.model = model
        self.env = model.env
        self.lever = lever
        self.favour_most_vacant = favour_most_vacant
        rate = lever.attrition_per_year * (
            1 - lever.incentive_attrition_cut_share if lever.incentives else 1.0
        )
        # A year is 50 working weeks of the calendar's length, so a 6-day week does
        # not make people leave faster per calendar year.
        days_per_year = WEEKS_PER_YEAR * model.clock.days_per_week
        self.leave_rate_per_h = rate / model.clock.hours(days_per_year)
        self.attrition_rngs: dict[int, Any] = {}  # one stream per pool (CRN)
        self.place: dict[int, Callable[[Staff], None]] = {}  # pool → put a member to work

    # ---- joining and leaving
    def join(
        self, pool: Pool, hired_at: float, speed: float = 1.0, attrition: bool = True
    ) -> Staff:
        """A member starts in ``pool`` (and may leave by attrition)."""
        s = Staff(pool.index, pool.certified, hired_at, speed)
        pool.members.append(s)
        self.model.all_staff.append(s)
        self.model.log_staff(pool.index, d_filled=1, d_active=1)
        if attrition and self.leave_rate_per_h > 0:
            rng = self.attrition_rngs.get(pool.index)
            if rng is None:
                rng = self.attrition_rngs[pool.index] = self.model.rng(
                    f"{pool.scope}/{pool.name}/attrition"
                )
            t_leave = rng.exponential(1 / self.leave_rate_per_h)
            self.model.after(t_leave, self._leave, s)
        self.place[pool.index](s)
        return s

    def _leave(self, s: Staff) -> None:
        if not s.employed:
            return
        pool = self.model.pools[s.pool]
        s.employed = False
        pool.members.remove(s)
        pool.vacant_since.append(self.env.now)
        self.model.log_staff(s.pool, d_filled=-1)
        if not s.seconded:  # present until the current step ends
            gone = self._gone
            if s.on_release is not None:  # already leaving its station (a move on hold)
                s.on_release = gone
            else:
                s.station.remove(s, gone)

    def _gone(self, s: Staff) -> None:
        self.model.log_staff(s.pool, d_active=-1)

    def transfer(self, s: Staff, source: Pool, target: Pool) -> None:
        """Move a free member, with the post, to another township's pool of that name."""
        assert s.since is None, "only a free member is transferred"
        s.station.remove(s, lambda s: None)
        source.members.remove(s)
        self.change_quota(source, -1, filled=True)  # the post leaves with its holder
        self.model.log_staff(source.index, d_filled=-1, d_active=-1)
        self.change_quota(target, +1, filled=True)
        target.members.append(s)
        s.pool = target.index
        self.model.log_staff(target.index, d_filled=1, d_active=1)
        self.place[target.index](s)

    def change_quota(self, pool: Pool, delta: int, filled: bool = False) -> None:
        """Add (or remove) posts; added posts are vacancies unless ``filled`` — their
        holders arrive (or leave) with them, as in a transfer, and the pool's open
        vacancies keep their dates.
        """
        pool.quota += delta
        self.model.log_staff(pool.index, d_quota=delta)
        if delta > 0 and not filled:
            pool.vacant_since += [self.env.now] * delta
        elif delta < 0:  # posts removed are vacant ones: the newest vacancies go first
            del pool.vacant_since[max(0, len(pool.vacant_since) + delta) :]
        # Filled posts arrive with their holders: the vacancies already open stay open.

    # ---- recruitment
    def start(self, pools: list[Pool]) -> None:
        """Start the recruitment rounds for ``pools``."""
        self.pools = pools
        self.model.every(self.lever.hiring_round_days, self._round)

    def _round(self) -> None:
        budget = self.lever.hires_per_round
        for pool in self._hiring_order():
            take = min(budget, pool.vacancies())
            if take <= 0:
                continue
            budget -= take
            pool.pending += take
            del pool.vacant_since[:take]
            for _ in range(take):
                lag = self.model.clock.hours(self.lever.hiring_lag_days)
                self.model.after(lag, self._start_work, pool)
            if budget == 0:
                break

    def _hiring_order(self) -> list[Pool]:
        open_pools = [p for p in self.pools if p.vacancies() > 0]
        if self.favour_most_vacant:
            vac: dict[int | None, int] = {}
            for p in open_pools:
                vac[p.township] = vac.get(p.township, 0) + p.vacancies()
            return sorted(open_pools, key=lambda p: (-vac[p.township], p.index))
        return sorted(open_pools, key=lambda p: (min(p.vacant_since, default=math.inf), p.index))

    def _start_work(self, pool: Pool) -> None:
        pool.pending -= 1
        if len(pool.members) >= pool.quota:  # the post was moved away meanwhile
            return
        lever = self.lever
        trainee = lever.training_days > 0 and lever.training_speed < 1
        s = self.join(pool, self.env.now, lever.training_speed if trainee else 1.0)
        if trainee:
            self.model.after(self.model.clock.hours(lever.training_days), _trained, s)


def _trained(s: Staff) -> None:
    s.speed = s.overtime  # full speed, and today's overtime if any

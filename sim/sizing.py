"""``tsim-size``: quick analytic sizing of every township centre and the county side.

For each township and centre the **offered load** — staff-hours of work arriving per
working hour, from the workload's rates and mean efforts, the channel and admission
shares and the crews — and the staff that Erlang C says keep the mean wait for a
handling at or under a target. Each centre is read as one pooled M/M/c station:

* its visits (one per handling step: a service request with incomplete materials is
  handled twice, an enforcement case once per stage) arrive as a Poisson stream;
* a server is a **crew**: the largest crew any of its steps needs (two certified officers
  for enforcement field steps, one elsewhere), so enforcement staff come in pairs, and
  a solo step takes half a crew's time;
* the staff counted are the posts of the centre's pools (quota, including posts the
  quota lever adds) and the staff present at the start.

This is exact where the model is the textbook queue — the M/M/c reduction
(``+validation=mmc``: Poisson arrivals, exponential effort, one pooled station) — and a
first guess elsewhere: dedicated windows split the pool, rectification lists arrive in
batches, efforts are lognormal, enforcement mixes solo and two-officer steps, and
vacancies, secondment and the county's answers are ignored. ``tsim-plan`` starts its
search from it; the simulation has the last word.

The arithmetic needs no simulation and takes milliseconds; composing the config is most
of a run's time.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import analytic
from .centres.county import county_staff_after_move
from .cli_common import compose_scenario, run_cli
from .config import ConfigError, Scenario
from .quota import added_posts, moved_posts, township_ids, township_size, township_staff
from .results import atomic_write
from .streams.enforcement import ENFORCEMENT_STAGES

SERVICE, ENFORCEMENT, GENERAL, GRID, DEPARTMENTS = (
    "service",
    "enforcement",
    "general",
    "grid",
    "departments",
)
COUNTY = "county"


@dataclass(frozen=True)
class Work:
    """What arrives at one centre: visits per working hour, their mean staff-hours and
    the crew (staff per server) its steps need at most.
    """

    visits_per_h: float
    staff_h_per_visit: float
    crew: int = 1

    @property
    def offered_load(self) -> float:
        """Staff-hours of work arriving per working hour."""
        return self.visits_per_h * self.staff_h_per_visit


@dataclass(frozen=True)
class CentreSizing:
    """One row of the sizing table."""

    scope: str  # township id, or "county"
    centre: str
    visits_per_h: float
    staff_h_per_visit: float
    offered_load: float  # staff-hours per working hour
    crew: int
    quota: int  # posts of the centre's pools (with the quota lever's added posts)
    present: int  # staff present at the start
    wait_h: float  # Erlang C mean wait with the quota (crews of ``crew``); inf if overloaded
    wait_target_h: float
    needed: int  # staff (a multiple of ``crew``) for a wait ≤ the target


def _active(s: Scenario, stream: str) -> bool:
    chosen = s.workload.streams
    return chosen is None or stream in chosen


def _workload(s: Scenario, stream: str) -> Any:
    return getattr(s.workload, stream)


def _grid_reports_per_day(s: Scenario, tid: str) -> float:
    if not _active(s, "grid"):
        return 0.0
    return float(_workload(s, "grid").reports_per_cell_per_day) * township_size(s, tid).grid_cells


def services_work(s: Scenario, tid: str) -> Work:
    """Requests at the service centre; an incomplete one is handled twice."""
    cfg = _workload(s, "services")
    lever = s.policy.windows
    per_h = 0.0
    if _active(s, "services"):
        per_h = cfg.requests_per_10k_pop_per_day * township_size(s, tid).population / 1e4
        per_h /= s.calendar.hours_per_day
    remote = cfg.online_share + lever.proxy_share
    factor = remote * cfg.online_effort_factor + (1.0 - remote)
    if lever.mode == "pooled":
        factor *= lever.pooled_effort_factor
    handling = sum(c.share * c.effort.mean_h for c in cfg.categories.values())
    inc = cfg.incomplete_share
    per_request = factor * (handling + inc * cfg.incomplete_effort.mean_h)
    return Work(per_h * (1.0 + inc), per_request / (1.0 + inc))


def _cases_per_day(s: Scenario, tid: str) -> float:
    cfg = _workload(s, "enforcement")
    size = township_size(s, tid)
    own = 0.0
    if _active(s, "enforcement"):
        own = (
            cfg.inspections_per_village_per_day * size.villages
            + cfg.complaints_per_10k_pop_per_day * size.population / 1e4
            + cfg.county_referrals_per_day
        )
    from_grid = _grid_reports_per_day(s, tid) * _workload(s, "grid").to_enforcement_share
    return float(own + from_grid)


def enforcement_work(s: Scenario, tid: str) -> Work:
    """Cases through five stages in crews; a case beyond township powers (after they
    are delegated) stops after inspection.
    """
    cfg = _workload(s, "enforcement")
    stages = [getattr(cfg.stages, name) for name in ENFORCEMENT_STAGES]
    kept = 1.0 - cfg.refer_up_share
    first, rest = stages[0], stages[1:]
    staff_h = first.crew * first.effort.mean_h + kept * sum(
        st.crew * st.effort.mean_h for st in rest
    )
    visits = 1.0 + kept * len(rest)
    crew = max(st.crew for st in stages)
    per_h = _cases_per_day(s, tid) / s.calendar.hours_per_day
    # Work in crew-hours: a server is a crew, a solo step half a crew's time.
    return Work(per_h * visits, staff_h / visits, crew)


def delegated_work(s: Scenario, tid: str) -> Work:
    """Tasks at the general office, less those admission control returns or clears."""
    cfg = _workload(s, "delegated")
    grid = _workload(s, "grid")
    lever = s.policy.admission
    admitted = 1.0
    cut = 0.0
    if lever.enabled:
        admitted = 1.0 - lever.off_list_share * (1.0 - lever.resourced_share)
        cut = lever.assessment_cut_share
    kinds = []  # (tasks per day, mean hours)
    if _active(s, "delegated"):
        kinds += [
            (cfg.routine_per_day * admitted, cfg.routine_effort.mean_h),
            (cfg.lists_per_day * cfg.list_items_mean * admitted, cfg.list_item_effort.mean_h),
            (cfg.assessments_per_day * (1 - cut) * admitted, cfg.assessment_effort.mean_h),
        ]
    kinds.append((_grid_reports_per_day(s, tid) * grid.to_delegated_share, grid.task_effort.mean_h))
    return _mix(kinds, s.calendar.hours_per_day)


def grid_work(s: Scenario, tid: str) -> Work:
    """Patrol reports and, with parallel grids, their duplicates, each triaged once."""
    lever = s.policy.grid
    reports = _grid_reports_per_day(s, tid) * (
        1 + (lever.parallel_grids - 1) * lever.duplicate_share
    )
    return _mix([(reports, _workload(s, "grid").triage_effort.mean_h)], s.calendar.hours_per_day)


def departments_work(s: Scenario) -> Work:
    """The county departments' own work, townships' referrals and legal reviews."""
    cfg = _workload(s, "enforcement")
    kinds = [(s.county.own_work_per_day, s.county.own_work_effort.mean_h)]
    for tid in township_ids(s):
        cases = _cases_per_day(s, tid)
        kinds.append((cases * cfg.refer_up_share, cfg.referral_effort.mean_h))
        legal = cases * (1 - cfg.refer_up_share) * cfg.legal_review_share
        kinds.append((legal, cfg.legal_review_effort.mean_h))
    return _mix(kinds, s.calendar.hours_per_day)


def _mix(kinds: Sequence[tuple[float, float]], hours_per_day: float) -> Work:
    per_day = sum(n for n, _ in kinds)
    if per_day <= 0:
        return Work(0.0, 0.0)
    return Work(per_day / hours_per_day, sum(n * h for n, h in kinds) / per_day)


TOWNSHIP_WORK = {
    SERVICE: services_work,
    ENFORCEMENT: enforcement_work,
    GENERAL: delegated_work,
    GRID: grid_work,
}


def crews_for_wait(work: Work, max_wait_h: float) -> int:
    """Crews that keep the mean wait at most ``max_wait_h`` (Erlang C, one pooled station)."""
    if work.offered_load <= 0:
        return 0
    crew_h = work.staff_h_per_visit / work.crew
    return analytic.mmc_servers_for_wait(work.visits_per_h, 1.0 / crew_h, max_wait_h)


def wait_with(work: Work, staff: int) -> float:
    """Erlang C mean wait with ``staff`` (whole crews only; inf when overloaded)."""
    if work.offered_load <= 0:
        return 0.0
    crews = staff // work.crew
    if crews == 0:
        return math.inf
    crew_h = work.staff_h_per_visit / work.crew
    return analytic.mmc_wait_mean(work.visits_per_h, 1.0 / crew_h, crews)


def _row(
    scope: str, centre: str, work: Work, quota: int, present: int, target: float
) -> CentreSizing:
    return CentreSizing(
        scope,
        centre,
        work.visits_per_h,
        work.staff_h_per_visit,
        work.offered_load,
        work.crew,
        quota,
        present,
        wait_with(work, quota),
        target,
        work.crew * crews_for_wait(work, target),
    )


def size(s: Scenario, wait_h: float | Mapping[str, float] = 1.0) -> list[CentreSizing]:
    """The sizing table: every township's centres, then the county departments.

    ``wait_h`` is the wait target in working hours, one for all centres or per centre
    name (centres not named get 1 hour).
    """

    def target(centre: str) -> float:
        return wait_h if isinstance(wait_h, int | float) else wait_h.get(centre, 1.0)

    added = added_posts(s)
    stationed = s.policy.enforcement.stationed_officers
    rows = []
    for tid in township_ids(s):
        pools = township_staff(s, tid)
        for centre, work_of in TOWNSHIP_WORK.items():
            mine = {name: p for name, p in pools.items() if p.centre == centre}
            present = sum(p.headcount for p in mine.values())
            quota = present + sum(added.get((tid, name), 0) for name in mine)
            if centre == ENFORCEMENT:
                present += stationed
                quota += stationed
            rows.append(_row(tid, centre, work_of(s, tid), quota, present, target(centre)))
    county = county_staff_after_move(s.county, moved_posts(s))
    rows.append(_row(COUNTY, DEPARTMENTS, departments_work(s), county, county, target(DEPARTMENTS)))
    return rows


COLUMNS = [f.name for f in dataclasses.fields(CentreSizing)]


def write_csv(rows: Sequence[CentreSizing], path: Path) -> None:
    """One line per (scope, centre), the columns of :class:`CentreSizing`."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(p: Path) -> None:
        with p.open("w", newline="") as f:
            out = csv.writer(f)
            out.writerow(COLUMNS)
            for r in rows:
                out.writerow([getattr(r, c) for c in COLUMNS])

    atomic_write(path, write)


def table(rows: Sequence[CentreSizing]) -> str:
    """The sizing table as aligned text."""
    head = (
        "scope",
        "centre",
        "visits/h",
        "h/visit",
        "load",
        "crew",
        "quota",
        "present",
        "wait_h",
        "target_h",
        "needed",
    )
    lines = ["  ".join(f"{h:>9}" for h in head)]
    for r in rows:
        cells = (
            r.scope,
            r.centre,
            f"{r.visits_per_h:.3g}",
            f"{r.staff_h_per_visit:.3g}",
            f"{r.offered_load:.3g}",
            str(r.crew),
            str(r.quota),
            str(r.present),
            f"{r.wait_h:.3g}",
            f"{r.wait_target_h:g}",
            str(r.needed),
        )
        lines.append("  ".join(f"{c:>9}" for c in cells))
    return "\n".join(lines)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="tsim-size",
        description="Offered load and Erlang C staff needed per township and centre "
        "(analytic; no simulation). Any tsim override selects the scenario.",
    )
    p.add_argument("overrides", nargs="*", help="tsim overrides, e.g. county=wuchuan")
    p.add_argument("--wait-h", type=float, default=1.0, help="wait target, working hours")
    p.add_argument(
        "--wait",
        action="append",
        default=[],
        metavar="CENTRE=H",
        help="wait target of one centre (service, enforcement, general, grid, departments)",
    )
    p.add_argument("--out", type=Path, default=Path("results/sizing.csv"), help="CSV file")
    return p.parse_args(argv)


def _targets(args: argparse.Namespace) -> dict[str, float]:
    centres = [*TOWNSHIP_WORK, DEPARTMENTS]
    targets = dict.fromkeys(centres, args.wait_h)
    for item in args.wait:
        name, _, value = item.partition("=")
        if name not in centres:
            raise ConfigError(f"--wait {item}: centre must be one of {', '.join(centres)}")
        try:
            targets[name] = float(value)
        except ValueError:
            raise ConfigError(f"--wait {item}: the target must be a number of hours") from None
    for name, value in targets.items():
        if not (value > 0 and math.isfinite(value)):
            raise ConfigError(f"wait target of {name} = {value:g}: must be a number > 0")
    return targets


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``tsim-size``."""
    return run_cli("tsim-size", _size, argv)


def _size(argv: list[str]) -> int:
    args = _parse(argv)
    targets = _targets(args)
    rows = size(compose_scenario(args.overrides), targets)
    print(table(rows))
    write_csv(rows, args.out)
    print(f"sizing: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

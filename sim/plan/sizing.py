"""Quick analytic sizing of every township centre and the county side (``tsim-size``).

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

import csv
import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sim.config import Scenario
from sim.core import registry
from sim.model import load
from sim.model.load import COUNTY as COUNTY_SCOPE
from sim.model.load import Work
from sim.model.quota import centre_posts, county_staff, township_ids
from sim.plan import analytic
from sim.run.results import atomic_write


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


DEPARTMENTS = "departments"
COUNTY = COUNTY_SCOPE


def township_centres() -> list[str]:
    """Township centres the sizing covers: every registered stream's centre."""
    return list(registry.centre_names())


def township_work(s: Scenario, flows: list[load.Flow]) -> dict[str, Work]:
    """What a township's ``flows`` bring each of its centres (``load.centre_work``)."""
    hours = s.calendar.hours_per_day
    return {centre: load.centre_work(flows, centre, hours) for centre in township_centres()}


def departments_work(s: Scenario, flows: list[load.Flow] | None = None) -> Work:
    """The county departments' own work, townships' referrals, legal reviews and the
    tasks admission control returns (``flows``: :func:`sim.model.load.all_flows`).
    """
    flows = load.all_flows(s) if flows is None else flows
    return load.centre_work(flows, DEPARTMENTS, s.calendar.hours_per_day)


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

    rows = []
    declared = load.declarations(s)
    every: list[load.Flow] = []  # all_flows' order: townships, then the county
    for tid in township_ids(s):
        flows = load.township_flows(s, tid, declared)
        every += flows
        for centre, work in township_work(s, flows).items():
            posts = centre_posts(s, tid, centre)
            rows.append(_row(tid, centre, work, posts.quota, posts.present, target(centre)))
    county = county_staff(s)
    departments = departments_work(s, every + load.county_flows(s))
    rows.append(_row(COUNTY, DEPARTMENTS, departments, county, county, target(DEPARTMENTS)))
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

"""Quick analytic sizing of every township centre and the county side (``tsim-size``).

For each township and centre the **offered load** — staff-hours of work arriving per
working hour, from the one workload declaration (:mod:`sim.model.load`) — and the staff
that Erlang C says keep the mean wait for a handling at or under a target. Each row
says in ``approximations`` what it rests on:

* visits (one per handling step) arrive as a Poisson stream, efforts are exponential
  (M/M/c; efforts are lognormal or mixed, rectification lists arrive in batches);
* **dedicated windows**: each desk of the layout the service centre builds
  (:func:`sim.model.centres.hall.manager_layout`) is its own M/M/c station with its
  departments' share of the visits and the clerks placed on it; the row's wait is the
  visit-weighted mean over the desks;
* **crews**: a centre whose steps need two certified officers counts crews of certified
  officers only (auxiliary staff never form one), and a solo step takes half a crew;
* **staff present** rather than quota: posts less expected vacancies and secondment
  (:mod:`sim.plan.present`), rounded to whole staff;
* items that arrive together (a rectification list, a grid report and its duplicates)
  also wait for their batch-mates ahead (:func:`sim.plan.analytic.batch_mates_wait`);
* the county departments take the tasks admission control returns and their own work;
  their row is the wait of that work: behind the townships' calls let in together at
  each weekly review of the inbox without escalation, behind the calls served first
  with it (:func:`station_wait`);
* the county enforcement pool (officers neither stationed nor on call) takes the
  townships' whistle calls and its own work in one queue (the simulation serves the
  calls first, so its own work waits longer than the row's mean).

Exact on the M/M/c reduction (``+validation=mmc``); a first guess elsewhere, which
``tsim-size --check`` sets beside a short simulation (:mod:`sim.plan.check`).
"""

from __future__ import annotations

import csv
import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sim.config import Scenario
from sim.core import registry
from sim.model import load
from sim.model.load import COUNTY as COUNTY_SCOPE
from sim.model.load import Work
from sim.model.quota import centre_posts, county_staff, officers_at_home, township_ids
from sim.plan import analytic
from sim.plan.present import expected_present
from sim.run.results import atomic_write
from sim.streams.enforcement import ENFORCEMENT as ENFORCEMENT_STREAM
from sim.streams.enforcement import EnforcementWorkload
from sim.streams.services import SERVICES, ServicesWorkload, desk_work

if TYPE_CHECKING:
    from sim.model.centres.hall import Layout


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
    expected_present: float  # long-run staff present: quota less vacancies, secondment
    servers: int  # crews (or clerks) the wait counts: of expected_present, rounded
    desks: int  # stations the centre's work is split into (dedicated windows)
    wait_h: float  # Erlang C mean wait with ``servers``; inf if some desk is overloaded
    wait_target_h: float
    needed: int  # staff present (a multiple of ``crew``) for a wait ≤ the target
    approximations: str  # what the row rests on beyond M/M/c


DEPARTMENTS = "departments"
COUNTY_ENFORCEMENT = "county_enforcement"
COUNTY = COUNTY_SCOPE
MMC = "M/M/c"
MAX_STAFF = 10_000
"""Where the search for the staff needed gives up (no finite answer, e.g. no work can
be served)."""


@dataclass(frozen=True)
class Station:
    """One queue: the work arriving at it and the crews serving it."""

    work: Work
    servers: int
    release_h: float = 0.0
    """Hours between the county's reviews of its inbox, which let the townships' calls
    (``work.calls_load``) in together; 0: calls join the line as they come."""
    calls_first: bool = False
    """The townships' calls go ahead of the rest (escalation at the county desk)."""


def station_wait(st: Station) -> float:
    """Mean wait of one station (0 without work; inf when overloaded): Erlang C with the
    Allen–Cunneen factor, the batch-mates ahead, and at the county desk the wait of the
    work that is not a township's call (own work, returned tasks): behind the backlog
    each review of the inbox lets in, or behind the calls served first.
    """
    if st.work.visits_per_h <= 0:
        return 0.0
    if st.servers <= 0:
        return math.inf
    crew_h = st.work.staff_h_per_visit / st.work.crew
    mmc = analytic.mmc_wait_mean(st.work.visits_per_h, 1.0 / crew_h, st.servers)
    queue = analytic.allen_cunneen(mmc, st.work.service_scv, st.work.arrival_scv)
    calls = st.work.calls_load / st.work.crew
    if st.calls_first:
        queue = analytic.behind_priority(queue, calls, st.servers)
    released = analytic.periodic_release_wait(
        calls if st.release_h > 0 else 0.0,
        st.work.offered_load / st.work.crew - calls,
        st.servers,
        st.release_h,
    )
    return queue + analytic.batch_mates_wait(st.work.batch_ahead_h, st.servers) + released


def mean_wait(stations: Sequence[Station]) -> float:
    """Visit-weighted mean wait over stations (a visit goes to one of them)."""
    visits = sum(st.work.visits_per_h for st in stations)
    if visits <= 0:
        return 0.0
    return sum(st.work.visits_per_h * station_wait(st) for st in stations) / visits


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


def inbox_period_h(s: Scenario) -> float:
    """Working hours between the departments' reviews of their inbox of townships' calls
    (``policy.escalation.review_days``; 0 with escalation, where calls go straight in).
    """
    escalation = s.policy.escalation
    if escalation.enabled:
        return 0.0
    return escalation.review_days * s.calendar.hours_per_day


def crews_for_wait(station: Station, max_wait_h: float) -> int:
    """Crews that keep the mean wait of ``station`` (its own crew count aside) at most
    ``max_wait_h`` (:func:`station_wait`; the wait falls as crews are added, to 0).
    """
    work = station.work
    if work.offered_load <= 0:
        return 0
    crews = max(1, math.floor(work.offered_load / work.crew) + 1)
    while (
        crews < MAX_STAFF and station_wait(dataclasses.replace(station, servers=crews)) > max_wait_h
    ):
        crews += 1
    return crews


def wait_with(work: Work, staff: int) -> float:
    """Erlang C mean wait with ``staff`` (whole crews only; inf when overloaded)."""
    return station_wait(Station(work, staff // work.crew))


def services_config(s: Scenario) -> ServicesWorkload:
    """The services stream's workload settings (``workload.services``)."""
    cfg: ServicesWorkload = getattr(s.workload, SERVICES.id)
    return cfg


def dedicated(s: Scenario, centre: str) -> bool:
    """Whether ``centre`` is split into department windows (``policy.windows.mode``)."""
    return (
        centre == SERVICES.centre
        and s.policy.windows.mode == "dedicated"
        and load.active(s, SERVICES.id)
        and bool(services_config(s).categories)
    )


def desk_layout(s: Scenario, work: Work, clerks: int) -> Layout:
    """The dedicated windows a hall manager sets for ``clerks``
    (:func:`sim.model.centres.hall.manager_layout`, the one layout the service centre
    builds), from each department's share of the centre's offered load.
    """
    # The centres package loads SimPy (every centre): here, not to parse tsim-size's
    # or tsim-plan's command line.
    from sim.model.centres.hall import manager_layout

    per_cat = desk_work(services_config(s))
    total = sum(per_cat) or 1.0
    return manager_layout([work.offered_load * w / total for w in per_cat], clerks)


def desk_stations(s: Scenario, work: Work, layout_clerks: int, clerks: int) -> list[Station]:
    """The service centre's department desks as stations: laid out for ``layout_clerks``
    (the clerks at the start, as the centre does), with ``clerks`` placed on them.
    Every department's request makes the same visits (an intake when incomplete), so a
    desk gets its departments' share of the visits and of the work.
    """
    from sim.model.centres.teams import members_per_station  # SimPy: as desk_layout

    cfg = services_config(s)
    shares = [c.share for c in cfg.categories.values()]
    per_cat = desk_work(cfg)
    layout = desk_layout(s, work, layout_clerks)
    groups = [w.categories for w in layout]
    loads = [sum(per_cat[c] for c in g) for g in groups]
    # The clerks the layout gives each window, as the centre places them at the start;
    # another count is spread as the centre places later clerks.
    counts = (
        [w.clerks for w in layout]
        if clerks == layout_clerks
        else members_per_station(loads, clerks)
    )
    total = sum(per_cat)
    stations = []
    for g, load_g, n in zip(groups, loads, counts, strict=True):
        visits = work.visits_per_h * sum(shares[c] for c in g)
        staff_h = work.offered_load * load_g / total / visits if visits > 0 else 0.0
        stations.append(
            Station(dataclasses.replace(work, visits_per_h=visits, staff_h_per_visit=staff_h), n)
        )
    return stations


@dataclass(frozen=True)
class Sizer:
    """How one centre's waits follow from its staff present."""

    work: Work
    desks: int  # department desks (0: one pooled station)
    layout_clerks: int
    scenario: Scenario
    release_h: float = 0.0  # the inbox's review period (:attr:`Station.release_h`)
    calls_first: bool = False  # :attr:`Station.calls_first`

    def stations(self, staff: int) -> list[Station]:
        """The centre's stations with ``staff`` present."""
        if self.desks:
            return desk_stations(self.scenario, self.work, self.layout_clerks, staff)
        return [Station(self.work, staff // self.work.crew, self.release_h, self.calls_first)]

    def wait(self, staff: int) -> float:
        """Mean wait with ``staff`` present."""
        return mean_wait(self.stations(staff))

    def needed(self, target: float) -> int:
        """Staff present (whole crews) for a mean wait ≤ ``target``."""
        if self.work.offered_load <= 0:
            return 0
        if not self.desks:
            station = Station(self.work, 0, self.release_h, self.calls_first)
            return self.work.crew * crews_for_wait(station, target)
        # Desks are laid out again for the staff tried, as the centre would at the start.
        for n in range(1, MAX_STAFF):
            trial = Sizer(self.work, self.desks, n, self.scenario)
            if trial.wait(n) <= target:
                return n
        return MAX_STAFF


def _row(
    scope: str,
    centre: str,
    sizer: Sizer,
    posts: tuple[int, int, float],
    servers: int,
    target: float,
    notes: Sequence[str],
) -> CentreSizing:
    quota, present, expected = posts
    work = sizer.work
    if work.offered_load > 0 and abs(work.service_scv - 1.0) > 1e-9:
        notes = [*notes, f"Allen-Cunneen M/G/c, service cv² {work.service_scv:.2f}"]
    if work.offered_load > 0 and abs(work.arrival_scv - 1.0) > 1e-9:
        notes = [
            *notes,
            f"batch arrivals as ca² {work.arrival_scv:.2f} (Allen-Cunneen) and "
            f"{work.batch_ahead_h:.2g} h of batch-mates ahead (M^X/G/c)",
        ]
    wait = sizer.wait(servers)
    desks = max(1, sizer.desks)
    crews = servers // work.crew if not sizer.desks else servers
    return CentreSizing(
        scope,
        centre,
        work.visits_per_h,
        work.staff_h_per_visit,
        work.offered_load,
        work.crew,
        quota,
        present,
        expected,
        crews,
        desks,
        wait,
        target,
        sizer.needed(target),
        "; ".join([MMC, *notes]),
    )


ENFORCEMENT = "enforcement"
NOT_MODELLED = "not in M/M/c: "
"""Prefix of a note naming a mechanism the simulation has and the row leaves out."""


def not_modelled(s: Scenario, centre: str, stations: Sequence[Station]) -> list[str]:
    """Mechanisms of the simulation that move a township centre's staff and that the
    row's mean staff leave out.
    """
    from sim.model.reallocation import FLEXIBLE_CENTRES  # SimPy: as desk_layout

    notes = []
    if s.policy.flexible_staff.enabled and centre in FLEXIBLE_CENTRES:
        notes.append(NOT_MODELLED + "flexible staff use moves staff between service and general")
    if centre == ENFORCEMENT and not s.policy.enforcement.integrated:
        notes.append(NOT_MODELLED + "department teams split the officers by domain")
    if centre == ENFORCEMENT and s.policy.enforcement.management_share > 0:
        notes.append(NOT_MODELLED + "officers in management posts do no field work")
    if s.policy.rebalancing.enabled:
        notes.append(NOT_MODELLED + "rebalancing moves posts between townships")
    if centre == ENFORCEMENT:
        notes += powers_pending(s)
    if len(stations) > 1 and min(st.servers for st in stations) <= 1:
        # A mean of 0.9 clerks is not 0.9 of a queue: while the one clerk is away
        # (secondment, a vacancy) the desk stops until the cover rule sends someone.
        notes.append(NOT_MODELLED + "a one-clerk desk stops while its clerk is away")
    return notes


def powers_pending(s: Scenario) -> list[str]:
    """A note when the run starts before the townships hold the delegated enforcement
    powers (``policy.timing.powers_day``): until then another share of cases goes up to
    the county after inspection, and the rows count the share after.
    """
    timing = s.policy.timing
    cases: EnforcementWorkload = getattr(s.workload, ENFORCEMENT_STREAM.id)
    before, after = timing.refer_up_before_powers_share, cases.refer_up_share
    if timing.powers_day <= 0 or before == after:
        return []
    return [
        NOT_MODELLED + f"until day {timing.powers_day:g} {before:.0%} of cases go up to the "
        f"county, not {after:.0%} (powers not yet delegated)"
    ]


def township_row(s: Scenario, tid: str, centre: str, work: Work, target: float) -> CentreSizing:
    """One township centre's row: dedicated desks or one pool, crews of certified
    officers, staff expected present.
    """
    posts = centre_posts(s, tid, centre)
    present = expected_present(s, tid, centre)
    notes = list(present.notes)
    if work.crew > 1:
        # Auxiliary staff never form a crew: count certified officers only.
        servers = work.crew * (round(present.certified) // work.crew)
        notes.append(f"crews of {work.crew} certified officers; solo steps half a crew")
    else:
        servers = round(present.staff)
    desks = 0
    if dedicated(s, centre) and work.offered_load > 0:
        desks = len(desk_layout(s, work, posts.present))
        notes.append(f"{desks} dedicated desks, each its own M/M/c")
    sizer = Sizer(work, desks, posts.present, s)
    if any(st.servers == 0 and st.work.visits_per_h > 0 for st in sizer.stations(servers)):
        notes.append("a desk without a clerk (the simulation covers it)")
    notes += not_modelled(s, centre, sizer.stations(servers))
    return _row(
        tid, centre, sizer, (posts.quota, posts.present, present.staff), servers, target, notes
    )


def size(s: Scenario, wait_h: float | Mapping[str, float] = 1.0) -> list[CentreSizing]:
    """The sizing table: every township's centres, then the county departments and the
    county enforcement pool.

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
            rows.append(township_row(s, tid, centre, work, target(centre)))
    every += load.county_flows(s)
    county = county_staff(s)
    release = inbox_period_h(s)
    first = s.policy.escalation.enabled
    departments = Sizer(departments_work(s, every), 0, county, s, release, first)
    notes = ["returned tasks and own work in one queue"]
    if first and departments.work.calls_load > 0:
        notes.append(
            "townships' calls go first (乡呼县应): the wait is own work's behind them "
            "(Cobham, priority M/M/c)"
        )
    notes += powers_pending(s)
    if release > 0 and departments.work.calls_load > 0:
        notes.append(
            f"townships' calls let in together every {release:g} h (fluid backlog; "
            "the wait is that of work arriving at random)"
        )
    rows.append(
        _row(
            COUNTY,
            DEPARTMENTS,
            departments,
            (county, county, county),
            county,
            target(DEPARTMENTS),
            notes,
        )
    )
    officers = max(0, officers_at_home(s))
    enforcement = load.centre_work(every, COUNTY_ENFORCEMENT, s.calendar.hours_per_day)
    notes = [
        "whistle calls and own work in one queue",
        NOT_MODELLED + "whistle calls go first: own work waits longer",
    ]
    if enforcement.crew > 1:
        notes.append(f"crews of {enforcement.crew}")
    rows.append(
        _row(
            COUNTY,
            COUNTY_ENFORCEMENT,
            Sizer(enforcement, 0, officers, s),
            (officers, officers, officers),
            officers,
            target(COUNTY_ENFORCEMENT),
            notes,
        )
    )
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
    """The sizing table as aligned text, each row's approximations after it."""
    head = (
        "scope",
        "centre",
        "visits/h",
        "h/visit",
        "load",
        "crew",
        "quota",
        "present",
        "expected",
        "servers",
        "desks",
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
            f"{r.expected_present:.3g}",
            str(r.servers),
            str(r.desks),
            f"{r.wait_h:.3g}",
            f"{r.wait_target_h:g}",
            str(r.needed),
        )
        lines.append("  ".join(f"{c:>9}" for c in cells))
        lines.append(f"{'':>9}  rests on: {r.approximations}")
    return "\n".join(lines)

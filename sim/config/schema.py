"""The configuration schema: the dataclasses Hydra composes into.

Every knob of the model is a field of one of the dataclasses below, with its unit in the
name or the docstring and its allowed range declared with :func:`~sim.core.settings.knob`.
The workload section is assembled from the registered streams: each stream's settings
dataclass (declared with the stream in :mod:`sim.streams`) becomes ``workload.<id>``.
:func:`scenario_schema` builds that class on demand for the streams registered when it
is called; the one of the built-in streams is built at import, named
:data:`ScenarioSchema` and stored as Hydra's ``base_config``. Apps declare the sections
they alone read (:func:`add_section`: ``plan`` of ``tsim-plan``, ``mmc`` of the M/M/c
preset) when their module is imported, as Hydra's config store is filled: Hydra
composes them, the scenario leaves them out.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore

from sim import streams  # noqa: F401  (streams registers the built-in streams)
from sim.core import registry
from sim.core.settings import Dist, Settings, dist, knob, share


# --------------------------------------------------------------------------- run, time
@dataclass
class RunConfig(Settings):
    """How long, how often and with which random numbers to simulate."""

    replications: Any = knob(5, 1, 10_000, integer=True)
    """Replications per run (an integer), or ``auto``: start with ``min_replications``
    and add one at a time until every ``precision_kpis`` metric's 95% CI half-width is
    within ``precision`` of its mean, or ``max_replications`` is reached."""
    precision: float = knob(0.1, 0.0, 10.0, lo_open=True)
    """With ``replications=auto``: the relative CI half-width to reach (0.1 = ±10%)."""
    min_replications: int = knob(5, 2, 10_000, integer=True)
    max_replications: int = knob(50, 2, 10_000, integer=True)
    precision_kpis: list[str] = field(
        default_factory=lambda: [
            "county.services.wait_mean_h",
            "county.enforcement.lead_time_mean_h",
            "county.delegated.lead_time_mean_h",
        ]
    )
    """Metrics whose precision ``replications=auto`` controls."""
    label: str = ""
    """A short name for this run or job in reports (``run.label=…``); results ignore it."""
    jobs: Any = "auto"
    """Processes that simulate a run's replications side by side (results do not
    change): an integer ≥ 1 (1: serial) or ``auto``: every core, but 1 for a run
    expected under a few seconds and in a job of a sweep whose launcher already runs
    jobs side by side (sim.run.parallel)."""
    seed: int = knob(20191101, 0, 2**63 - 1, integer=True)
    horizon_days: float = knob(250.0, 0.0, 100_000.0, lo_open=True)
    """Simulated working days, warm-up included."""
    warmup_days: float = knob(20.0, 0.0, 100_000.0)
    """Working days at the start whose data every metric ignores."""
    timeseries: bool = True
    """Write the daily time series (turn off for very long validation runs)."""
    initial_backlog: str | None = None
    """CSV file of the items open at the start (sim.model.backlog): ``township,stream,open_items``
    or one row per item ``township,stream,arrival_date``; None starts empty. Its items are
    placed when the warm-up ends; the township streams it does not name warm up from
    empty meanwhile, those it names have no arrivals before (sim.model.backlog)."""
    report_day: int | None = knob(None, 1, 100_000, integer=True)
    """Working day (counted from the start, warm-up included) at whose end
    ``backlog_at_report_day`` counts each stream's open items (None: not reported)."""
    common_random_numbers: bool = True
    """Jobs of a sweep share the seed (paired comparisons). False: each job's seed is
    derived from ``seed`` and its overrides, so jobs are independent."""
    max_items: float = knob(2.5e8, 1.0, 1e15)
    """Refuse a run expected to simulate more work items than this over all its
    replications (about 23 min on one core compiled, 40 from source; see sim.run.guard).
    Raise it to run anyway."""
    max_items_per_replication: float = knob(4e6, 1.0, 1e15)
    """Refuse a run expected to hold more work items than this in one replication
    (about 1.2 GB of memory; see sim.run.guard). Raise it to run anyway."""


@dataclass
class CalendarConfig(Settings):
    """Working-time clock: the simulation runs on working hours only (see sim.core.calendar)."""

    hours_per_day: float = knob(8.0, 1.0, 24.0)
    """Working hours a day. At least 1: efforts and service times are in hours, and a
    shorter day turns an hour's work into days of backlog."""
    days_per_week: int = knob(5, 1, 7, integer=True)
    start_date: str = "2020-01-06"


# --------------------------------------------------------------------------- staff
QUOTA_TYPES = ("administrative", "institutional", "auxiliary", "stationed")
TENGZHOU_WHISTLE_DOMAINS = ("environment", "market", "construction", "agriculture")
"""The default whistle list: the model's domains among those Tengzhou's list names
(seed 004: 生态环境、市场监管、应急管理、城乡建设、自然资源、综合执法等8大领域) and the
departments on call for it (住建、交通运输、农业农村…随时听候镇街吹哨); ``other`` is not
on it."""


@dataclass
class PoolSpec(Settings):
    """A group of staff of one quota type (编制类型) working in one centre."""

    quota_type: str = knob("administrative", choices=QUOTA_TYPES)
    headcount: int = knob(1, 0, 10_000, integer=True)
    centre: str = "general"
    """The centre the pool works in (a registered stream's centre: service, enforcement,
    general, grid …)."""
    certified: bool = False
    """Holds an enforcement certificate (执法证). Auxiliary staff never may."""


@dataclass
class TownshipKind(Settings):
    """A kind of township (乡, 镇, 街道 …): its size drivers and its staffing."""

    population: int = knob(20_000, 0, 10_000_000, integer=True)
    villages: int = knob(10, 0, 10_000, integer=True)
    grid_cells: int = knob(20, 0, 100_000, integer=True)
    staff: dict[str, PoolSpec] = field(default_factory=dict)
    other_posts: int = knob(0, 0, 1_000_000, integer=True)
    """Posts of the township's offices the model does not simulate (party and government
    offices, institutions beyond its service centre, enforcement office and general
    office): the quota lever's share applies to them too."""
    approval_body: bool = False
    """The service centre is a dedicated approval body of its own (专门的审批服务机构,
    一枚印章管审批; for developed and key towns): its staff are never seconded to the
    county, lent to the township's other offices or sent to cover them; the township's
    office staff may still help at its windows (rebalancing moves its posts as any)."""


@dataclass
class PayConfig(Settings):
    """Yearly pay of one filled post by quota type (编制类型), thousand yuan (assumptions)."""

    administrative: float = knob(90.0, 0.0, 1e5)
    institutional: float = knob(80.0, 0.0, 1e5)
    auxiliary: float = knob(45.0, 0.0, 1e5)
    stationed: float = knob(90.0, 0.0, 1e5)


@dataclass
class CoverRule(Settings):
    """How a township head covers a window or team left without staff (the same under
    every policy): after ``delay_days`` short of staff with work waiting, a member of
    another window or team of the same centre covers it for ``share`` of each working day;
    a whole centre left with nobody (its only grid worker gone, both window clerks
    seconded) gets a member of another centre the same way.
    """

    delay_days: float = knob(2.0, 0.0, 10_000.0)
    """Working days a desk or team may stay short of staff before someone covers it."""
    share: float = knob(0.5, 0.0, 1.0)
    """Share of each working day the covering member spends there (1: moves for good,
    0: nobody covers)."""
    across_centres: bool = True
    """Whether a centre with nobody present borrows from the township's other centres
    (a member without an enforcement certificate, never a station's last)."""
    help_line_per_clerk: float = knob(0.0, 0.0, 1e6)
    """A staffed service window with at least this many requests waiting per clerk gets
    a free clerk of a window with nothing waiting for ``share`` of the day (0: windows
    do not help each other, as the departments' own windows did not before 无差别受理)."""


@dataclass
class OvertimeRule(Settings):
    """Overtime when work is overdue (the same under every policy): on a working day
    that starts with overdue work waiting at a station, its members work up to
    ``hours_per_day`` extra hours, at most ``hours_per_week`` a week each. Off by default
    (``hours_per_week`` 0): the seeds give no number.
    """

    hours_per_week: float = knob(0.0, 0.0, 40.0)
    """Cap on a member's overtime hours in a working week (0: nobody works overtime)."""
    hours_per_day: float = knob(2.0, 0.0, 16.0)
    """Extra hours a member works on a day that starts with overdue work at their
    station."""


@dataclass
class CountyConfig(Settings):
    """The county: its townships by kind, and its departments."""

    name: str = "county"
    townships: dict[str, int] = field(default_factory=dict)
    """Number of townships of each kind; ids are ``<kind>_<n>``."""
    kinds: dict[str, TownshipKind] = field(default_factory=dict)
    township_staff: dict[str, dict[str, int]] = field(default_factory=dict)
    """One township's own headcounts over its kind's: township id → pool → headcount
    (``+county.township_staff.town_1.window_staff=6``)."""
    township_size: dict[str, dict[str, int]] = field(default_factory=dict)
    """One township's own size over its kind's: township id → population, villages or
    grid_cells (``+county.township_size.town_1.population=50000``)."""
    pay: PayConfig = field(default_factory=PayConfig)
    department_staff: int = knob(20, 0, 100_000, integer=True)
    """County department staff who answer townships (referrals, legal review, escalation
    calls) besides their own work."""
    quota_total: int = knob(150, 1, 1_000_000, integer=True)
    """All county department posts; quota moved down to townships is cut from
    ``department_staff`` pro rata (moved × department_staff / quota_total)."""
    own_work_per_day: float = knob(14.0, 0.0, 1e6)
    """The departments' own work items per working day (competes with townships' calls)."""
    own_work_effort: Dist = dist("lognormal", 8.0, 1.0)
    enforcement_officers: int = knob(0, 0, 100_000, integer=True)
    """County departments' enforcement officers (县直部门执法人员), apart from
    ``department_staff``: the pool stationed officers and the on-call officers of
    "1+x+y" come out of; the rest do the county's own enforcement work and answer
    whistle calls. 0: no county pool, so no whistle calls and no officers to station."""
    enforcement_work_per_day: float = knob(0.0, 0.0, 1e6)
    """The county enforcement officers' own work items per working day."""
    enforcement_work_effort: Dist = dist("lognormal", 8.0, 1.0)
    cover: CoverRule = field(default_factory=CoverRule)
    overtime: OvertimeRule = field(default_factory=OvertimeRule)


# --------------------------------------------------------------------------- policy levers
@dataclass
class QuotaLever(Settings):
    """减上补下: township quota raised by a share, the posts taken from the county."""

    township_increase_share: float = knob(0.0, 0.0, 5.0)
    """Added share of each township's posts in ``pools`` and ``other_posts`` (Pingluo: ≥ 0.25
    of a township's whole quota, 编制总量; the presets model the pools' posts only)."""
    pools: list[str] = field(
        default_factory=lambda: ["window_staff", "enforcement_officers", "office_staff"]
    )
    """Township pools that receive the added posts: each township gains the share of
    its posts in them, rounded up, split among them pro rata by largest remainder (ties
    to the pool listed first)."""
    centres_share: float = share(1.0)
    """Of each township's added posts, the share that reaches the modelled centres
    (``pools``); the rest go to its other offices (``other_posts``). Only matters when
    ``other_posts`` > 0."""
    working_staff_share: float = share(1.0)
    """Of the posts moved down, the share that cuts working county department staff; the
    rest are spare or reclaimed posts nobody held (Huimin: 原39名待分配行政编制)."""


@dataclass
class WorkforceLever(Settings):
    """Hiring, training and attrition of township staff (编制 filled, vacancies)."""

    hiring_round_days: float = knob(60.0, 1.0, 10_000.0)
    """Vacancies are filled at recruitment rounds this many working days apart (≥ 1: a
    round a day at most)."""
    hires_per_round: int = knob(10, 0, 100_000, integer=True)
    """Posts the county can fill per round, across all townships."""
    hiring_lag_days: float = knob(20.0, 0.0, 10_000.0)
    """From a recruitment round to the new hire's first day."""
    training_days: float = knob(40.0, 0.0, 10_000.0)
    training_speed: float = knob(0.6, 0.0, 1.0, lo_open=True)
    """Work speed of a new hire during training (1 = full speed)."""
    attrition_per_year: float = knob(0.08, 0.0, 1.0)
    """Share of staff leaving per year (50 working weeks of ``calendar.days_per_week``)."""
    incentives: bool = False
    """Township pay ≥ 20% above county peers, 20–35% excellent ratings (Pingluo)."""
    incentive_attrition_cut_share: float = share(0.3)
    """Assumption: how much the incentives cut attrition."""
    incentive_pay_premium_share: float = knob(0.2, 0.0, 5.0)
    """With incentives, township staff are paid this share above ``county.pay``."""


@dataclass
class RebalancingLever(Settings):
    """统筹调剂、动态管理: vacant quota moves to the most loaded townships."""

    enabled: bool = False
    interval_days: float = knob(20.0, 1.0, 10_000.0)
    """Working days between reviews (≥ 1); hiring then favours townships with most
    vacancies."""


@dataclass
class SecondmentLever(Settings):
    """借调: the county borrows township staff."""

    requests_per_township_per_day: float = knob(0.008, 0.0, 100.0)
    duration_mean_days: float = knob(60.0, 0.0, 10_000.0)
    """Mean requested length (exponential), working days."""
    pools: list[str] | None = None
    """Township pools the county borrows from; None: any permanent staff (乡镇在编人员,
    Wuchuan's plan): every pool of administrative or institutional quota."""
    capped: bool = False
    """Reform rules: approval, ≤ max_per_township at once, ≤ max_days each."""
    max_per_township: int = knob(2, 0, 10_000, integer=True)
    max_days: float = knob(63.0, 0.0, 10_000.0)
    """≤ 3 months ≈ 63 working days."""
    min_service_days: float = knob(250.0, 0.0, 100_000.0)
    """Newly recruited civil servants (新录用公务员: administrative quota) cannot be
    seconded during this period (capped rules only); institutional staff can."""


@dataclass
class WindowsLever(Settings):
    """一窗受理: dedicated windows per department, one pooled front desk, or a
    generalist front desk with back offices by category (受办分离).
    """

    mode: str = knob("dedicated", choices=("dedicated", "pooled", "front_back"))
    pooled_effort_factor: float = knob(1.1, 0.5, 5.0)
    """Generalist windows take this much longer per request (assumption)."""
    proxy_share: float = share(0.0)
    """Requests handled by a village proxy (代办): no visit for the applicant."""
    front_intake: Dist = dist("exponential", 0.15)
    """``front_back``: the front desk's acceptance of a request (前台全科受理), at the
    counter; an online or proxy request's takes ``online_effort_factor`` of it."""
    handout: Dist = dist("exponential", 0.05)
    """``front_back``: handing the result out at the window (统一窗口出件), in person
    only; online and proxy requests are delivered without a step."""
    front_desk_share: float = share(0.3)
    """``front_back``: share of the service centre's clerks at the front desk (at least
    one; at least one in the back offices when there are two)."""
    back_at_county: list[str] = field(default_factory=list)
    """``front_back``: categories whose back office (后台分类办理) is the county
    departments' desk instead of the township's own clerks."""


@dataclass
class EnforcementLever(Settings):
    """一支队伍管执法: separate domain teams vs one integrated team; stationed officers."""

    integrated: bool = False
    stationed_officers: int = knob(0, 0, 1000, integer=True)
    """County officers stationed in each township team ("1+x+y": x), taken out of
    ``county.enforcement_officers``."""
    on_call_officers: int = knob(0, 0, 100_000, integer=True)
    """County officers on call for every township's whistle (吹哨报到; "1+x+y": y), taken
    out of ``county.enforcement_officers``: a desk that only answers whistle calls."""
    whistle_limit_days: float = knob(0.0, 0.0, 10_000.0)
    """The time within which a whistle call should be answered, for
    ``whistle_in_limit_share`` (Yantai's development zone, seed 004, says 即时报到: at
    once, so 0 — an officer starts the moment the township calls)."""
    whistle_domains: list[str] | None = field(
        default_factory=lambda: list(TENGZHOU_WHISTLE_DOMAINS)
    )
    """The whistle list (吹哨清单): law domains (``workload.enforcement.domains``) in which a
    township may call a department's officer; a case of another domain goes on without
    the call, handled by the township. None: any domain may call (no list)."""
    management_share: float = share(0.2)
    """Share of a township's own certified officers in management posts, rounded down
    (Weicheng: 执法队伍管理岗位不超过20%): they file, review and decide but never inspect
    or investigate."""


@dataclass
class EscalationLever(Settings):
    """乡呼县应 / 吹哨报到: the county answers townships' calls within a set time."""

    enabled: bool = False
    review_days: float = knob(5.0, 0.0, 10_000.0)
    """Without the lever: the departments go through townships' calls (referrals, legal
    reviews) every this many working days, then handle them in line with their own work
    (assumption: weekly; 0 = at once, still behind own work)."""
    response_limit_days: float = knob(3.0, 0.0, 10_000.0)
    """With it: the county must answer within this many working days (priority)."""


@dataclass
class AdmissionLever(Settings):
    """职责准入: tasks off the township's duty list are returned unless resourced."""

    enabled: bool = False
    off_list_share: float = share(0.3)
    resourced_share: float = share(0.2)
    """Of off-list tasks, those that come with staff-hours attached (人随事转)."""
    assessment_cut_share: float = share(0.5)
    """Cut in inspections/assessments (督查检查考核) when the lever is on."""


@dataclass
class GridLever(Settings):
    """多网合一: several parallel grids (duplicate reports) vs one merged grid."""

    parallel_grids: int = knob(3, 1, 20, integer=True)
    duplicate_share: float = share(0.5)
    """Chance that each other grid also reports an issue (a duplicate to triage)."""


@dataclass
class FlexibleStaffLever(Settings):
    """统筹使用行政事业人员: administrative and institutional staff go where the backlog is."""

    enabled: bool = False
    review_days: float = knob(1.0, 0.1, 10_000.0)
    """Working days between reviews of where staff go (≥ 0.1: each review visits every
    township, so shorter intervals would stall the run on reviews)."""
    reserve_days: float = knob(1.0, 0.0, 1_000.0)
    """Working days to spare before any deadline of a centre's waiting work that the
    head keeps when lending its staff; with less, lent staff are called back."""


@dataclass
class TimingLever(Settings):
    """先立后破: when powers are delegated and when the staff arrive."""

    powers_day: float = knob(0.0, 0.0, 100_000.0)
    """From this working day the township holds the delegated enforcement powers."""
    staff_day: float = knob(0.0, 0.0, 100_000.0)
    """From this working day ``transfer`` staff join each township."""
    refer_up_before_powers_share: float = share(0.6)
    """Share of cases beyond township powers before delegation."""
    transfer: dict[str, int] = field(default_factory=dict)
    """Staff transferred into each township's pools on ``staff_day`` (pool: count)."""


@dataclass
class SurgeLever(Settings):
    """Temporary staff to clear a backlog: ``staff`` extra members of
    pool ``pool`` in each township of ``townships`` from working day ``start_day`` for
    ``days`` working days, paid ``day_rate`` thousand yuan a day each (an assumption).
    They hold no post: no quota, no vacancy, no attrition, never seconded or moved.
    """

    staff: int = knob(0, 0, 1_000, integer=True)
    """Extra staff per township (0: no surge)."""
    pool: str = "window_staff"
    """The staff pool they join (a pool of the county's townships)."""
    townships: list[str] = field(default_factory=list)
    """Township ids or kinds (``town_1``, ``rural``) that get the surge; [] every township."""
    start_day: int = knob(0, 0, 100_000, integer=True)
    """Working day they arrive (0: at the start)."""
    days: int = knob(0, 0, 100_000, integer=True)
    """Working days they stay (0: no surge)."""
    day_rate: float = knob(0.4, 0.0, 100.0)
    """Pay of one temporary member for one working day, thousand yuan (assumption)."""


@dataclass
class PolicyConfig(Settings):
    """What the policy levers are set to (the presets in configs/policy/)."""

    name: str = "custom"
    quota: QuotaLever = field(default_factory=QuotaLever)
    workforce: WorkforceLever = field(default_factory=WorkforceLever)
    rebalancing: RebalancingLever = field(default_factory=RebalancingLever)
    secondment: SecondmentLever = field(default_factory=SecondmentLever)
    windows: WindowsLever = field(default_factory=WindowsLever)
    enforcement: EnforcementLever = field(default_factory=EnforcementLever)
    escalation: EscalationLever = field(default_factory=EscalationLever)
    admission: AdmissionLever = field(default_factory=AdmissionLever)
    grid: GridLever = field(default_factory=GridLever)
    flexible_staff: FlexibleStaffLever = field(default_factory=FlexibleStaffLever)
    timing: TimingLever = field(default_factory=TimingLever)
    surge: SurgeLever = field(default_factory=SurgeLever)


@dataclass
class WorkloadConfig(Settings):
    """What arrives. One section per registered stream (``workload.<id>``, added by
    :func:`scenario_schema` from :mod:`sim.core.registry`), plus the keys below.
    """

    streams: list[str] | None = None
    """Streams whose own sources produce work (None: every stream). ``[]`` is a quiet
    county; the M/M/c reduction keeps ``[services]``. Items one stream passes to another
    (a grid report that becomes a case) still arrive."""
    demand_scale: float = knob(1.0, 0.0, 10.0)
    """Multiplies every arrival rate (townships' streams and the county's own work),
    keeping the base arrivals (sim.model.demand): ``-m workload.demand_scale=0.9,1,1.1,1.2``
    is a demand stress test. Each stream's ``demand_scale`` multiplies on top."""


@dataclass
class Scenario(Settings):
    """The whole validated input of a run."""

    run: RunConfig = field(default_factory=RunConfig)
    calendar: CalendarConfig = field(default_factory=CalendarConfig)
    county: CountyConfig = field(default_factory=CountyConfig)
    workload: WorkloadConfig = field(default_factory=WorkloadConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)


Sections = tuple[tuple[str, type], ...]
"""``(stream id, settings dataclass)`` of each stream, in registry order."""


def scenario_schema() -> type[Scenario]:
    """:class:`Scenario` with a ``workload.<id>`` section per stream registered now."""
    return _schema_of(tuple((s.id, s.config) for s in registry.streams()))


@functools.cache
def _schema_of(sections: Sections) -> type[Scenario]:
    return ScenarioSchema if sections == _BUILT_IN else _build(sections)


def _build(sections: Sections) -> type[Scenario]:
    return _scenario(_workload(sections))


def _workload(sections: Sections) -> type[WorkloadConfig]:
    cls = dataclasses.make_dataclass(
        "WorkloadSchema",
        [(sid, config, field(default_factory=config)) for sid, config in sections],
        bases=(WorkloadConfig,),
    )
    cls.__module__ = __name__
    return cls


def _scenario(workload: type[WorkloadConfig]) -> type[Scenario]:
    cls = dataclasses.make_dataclass(
        "ScenarioSchema",
        [("workload", workload, field(default_factory=workload))],
        bases=(Scenario,),
    )
    cls.__module__ = __name__
    return cls


_BUILT_IN: Sections = tuple((s.id, s.config) for s in registry.streams())
WorkloadSchema = _workload(_BUILT_IN)
ScenarioSchema = _scenario(WorkloadSchema)
"""The schema of the built-in streams (those of :mod:`sim.streams`). A module attribute
of the same name, so scenarios and Hydra configs pickle by reference (joblib, Ray and
submitit workers import this module too); Hydra composes into it (``base_config``). A
stream registered later (a test's) gets its section when the scenario is loaded."""
ConfigSchema: type[Scenario] = ScenarioSchema
"""What Hydra composes (``base_config``): :data:`ScenarioSchema` and the apps' sections."""
_APP_SECTIONS: dict[str, type] = {}


def add_section(name: str, cls: type) -> None:
    """Declare a top-level section of the composed config that an app reads and a
    simulation does not (``plan`` of ``tsim-plan``, ``mmc`` of the M/M/c preset), once,
    when the app's module is imported. Hydra composes and type-checks it;
    :func:`~sim.config.load_scenario` checks its ranges and leaves it out of the scenario.
    """
    global ConfigSchema
    _APP_SECTIONS[name] = cls
    ConfigSchema = dataclasses.make_dataclass(
        "ConfigSchema",
        [(n, c | None, field(default=None)) for n, c in _APP_SECTIONS.items()],
        bases=(ScenarioSchema,),
    )
    ConfigSchema.__module__ = __name__
    ConfigStore.instance().store(name="base_config", node=ConfigSchema)


def sections() -> dict[str, type]:
    """The apps' sections declared so far (name → dataclass)."""
    return dict(_APP_SECTIONS)


ConfigStore.instance().store(name="base_config", node=ScenarioSchema)

"""Structured configuration: the schema Hydra composes into, and the validation pass.

Every knob of the model is a field of one of the dataclasses below, with its unit in the
name or the docstring. Hydra checks types (struct mode rejects unknown keys); this module
checks what Hydra does not: ranges, shares that must sum to one, cross-field rules, and
``???`` values left unset. :func:`load_scenario` turns a composed config into a validated
:class:`Scenario` (the dataclass tree) or raises :class:`ConfigError` with one line that
names the key, the value and the allowed range — before any simulation starts.

Ranges are declared next to each field with :func:`knob`, so the schema and its
validation cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Optional

from omegaconf import DictConfig, OmegaConf

INF = math.inf


class ConfigError(ValueError):
    """A configuration value is outside what the model accepts."""


def knob(default: Any, lo: float = -INF, hi: float = INF, *, lo_open: bool = False,
         integer: bool = False, choices: tuple[str, ...] = ()) -> Any:
    """A config field with its allowed range, checked by :func:`validate`."""
    meta = {"lo": lo, "hi": hi, "lo_open": lo_open, "integer": integer, "choices": choices}
    return field(default=default, metadata=meta)


def share(default: float) -> Any:
    return knob(default, 0.0, 1.0)


# --------------------------------------------------------------------------- run, time
@dataclass
class RunConfig:
    replications: int = knob(5, 1, 10_000, integer=True)
    seed: int = knob(20191101, 0, 2**63 - 1, integer=True)
    horizon_days: float = knob(250.0, 0.0, 100_000.0, lo_open=True)
    """Simulated working days, warm-up included."""
    warmup_days: float = knob(20.0, 0.0, 100_000.0)
    """Working days at the start whose data every metric ignores."""
    timeseries: bool = True
    """Write the daily time series (turn off for very long validation runs)."""
    common_random_numbers: bool = True
    """Jobs of a sweep share the seed (paired comparisons). False: each job's seed is
    derived from ``seed`` and its overrides, so jobs are independent."""


@dataclass
class CalendarConfig:
    """Working-time clock: the simulation runs on working hours only (see sim.calendar)."""

    hours_per_day: float = knob(8.0, 0.0, 24.0, lo_open=True)
    days_per_week: int = knob(5, 1, 7, integer=True)
    start_date: str = "2020-01-06"


# --------------------------------------------------------------------------- distributions
DIST_KINDS = ("exponential", "lognormal", "gamma", "deterministic")


@dataclass
class Dist:
    """A non-negative random duration in working hours.

    ``cv`` (coefficient of variation, sd/mean) shapes lognormal and gamma; exponential
    has cv 1 and deterministic cv 0 whatever the field says.
    """

    kind: str = knob("exponential", choices=DIST_KINDS)
    mean_h: float = knob(1.0, 0.0, 10_000.0)
    cv: float = knob(1.0, 0.0, 10.0)


def dist(kind: str, mean_h: float, cv: float = 1.0) -> Any:
    return field(default_factory=lambda: Dist(kind, mean_h, cv))


# --------------------------------------------------------------------------- staff
QUOTA_TYPES = ("administrative", "institutional", "auxiliary", "stationed")
CENTRES = ("service", "enforcement", "general", "grid")


@dataclass
class PoolSpec:
    """A group of staff of one quota type (编制类型) working in one centre."""

    quota_type: str = knob("administrative", choices=QUOTA_TYPES)
    headcount: int = knob(1, 0, 10_000, integer=True)
    centre: str = knob("general", choices=CENTRES)
    certified: bool = False
    """Holds an enforcement certificate (执法证). Auxiliary staff never may."""


@dataclass
class TownshipKind:
    """A kind of township (乡, 镇, 街道 …): its size drivers and its staffing."""

    population: int = knob(20_000, 0, 10_000_000, integer=True)
    villages: int = knob(10, 0, 10_000, integer=True)
    grid_cells: int = knob(20, 0, 100_000, integer=True)
    staff: dict[str, PoolSpec] = field(default_factory=dict)


@dataclass
class CountyConfig:
    name: str = "county"
    townships: dict[str, int] = field(default_factory=dict)
    """Number of townships of each kind; ids are ``<kind>_<n>``."""
    kinds: dict[str, TownshipKind] = field(default_factory=dict)
    department_staff: int = knob(20, 0, 100_000, integer=True)
    """County department staff who answer townships (referrals, legal review, escalation
    calls) besides their own work."""
    quota_total: int = knob(150, 1, 1_000_000, integer=True)
    """All county department posts; quota moved down to townships is cut from
    ``department_staff`` pro rata (moved × department_staff / quota_total)."""
    own_work_per_day: float = knob(14.0, 0.0, 1e6)
    """The departments' own work items per working day (competes with townships' calls)."""
    own_work_effort: Dist = dist("lognormal", 8.0, 1.0)


# --------------------------------------------------------------------------- workload
@dataclass
class ServiceCategory:
    """One kind of citizen/business request (社保, 民政, 户籍 …)."""

    share: float = share(0.2)
    effort: Dist = dist("lognormal", 0.5, 0.8)
    time_limit_days: float = knob(1.0, 0.0, 1000.0)
    """Statutory limit in working days after the day of arrival (0 = same day, 马上办)."""


@dataclass
class ServicesWorkload:
    """Services stream (审批服务) handled by the service centre (便民服务中心)."""

    requests_per_10k_pop_per_day: float = knob(15.0, 0.0, 1e6)
    online_share: float = share(0.2)
    """Requests filed online (网上办): handled without a visit."""
    online_effort_factor: float = knob(0.7, 0.0, 5.0)
    """Staff effort of an online or proxy request relative to one at the window (no
    intake, identity check or explaining at the counter)."""
    incomplete_share: float = share(0.15)
    """Requests whose materials are incomplete: the first handling is an intake only
    and the applicant comes back (or re-uploads) after ``return_delay_days``."""
    incomplete_effort: Dist = dist("exponential", 0.2)
    return_delay_days: float = knob(2.0, 0.0, 1000.0)
    categories: dict[str, ServiceCategory] = field(default_factory=dict)


@dataclass
class EnforcementStage:
    effort: Dist = dist("lognormal", 2.0, 0.7)
    crew: int = knob(1, 1, 10, integer=True)
    """Staff needed at once for the whole stage."""
    certified: int = knob(1, 0, 10, integer=True)
    """How many of the crew must hold an enforcement certificate."""


ENFORCEMENT_STAGES = ("inspect", "file", "investigate", "review", "decide")


def _stage(mean_h: float, crew: int, certified: int) -> Any:
    return field(default_factory=lambda: EnforcementStage(Dist("lognormal", mean_h, 0.7),
                                                          crew, certified))


@dataclass
class EnforcementStages:
    """检查、受立案、调查、审查、决定; field stages need two certified officers."""

    inspect: EnforcementStage = _stage(3.0, 2, 2)
    file: EnforcementStage = _stage(1.0, 1, 0)
    investigate: EnforcementStage = _stage(6.0, 2, 2)
    review: EnforcementStage = _stage(2.0, 1, 1)
    decide: EnforcementStage = _stage(1.0, 1, 1)


@dataclass
class EnforcementWorkload:
    """Enforcement stream (综合执法) handled by the enforcement office."""

    inspections_per_village_per_day: float = knob(0.01, 0.0, 1e4)
    complaints_per_10k_pop_per_day: float = knob(0.1, 0.0, 1e4)
    county_referrals_per_day: float = knob(0.05, 0.0, 1e4)
    """Cases the county sends down to the township."""
    domains: dict[str, float] = field(default_factory=dict)
    """Share of cases by law domain (生态环境, 市场监管 …)."""
    stages: EnforcementStages = field(default_factory=EnforcementStages)
    refer_up_share: float = share(0.1)
    """Cases beyond township powers: after inspection they go to the county and wait."""
    legal_review_share: float = share(0.1)
    """Major decisions: county legal review (法制审核) between review and decision."""
    referral_effort: Dist = dist("lognormal", 6.0, 1.0)
    """County staff time to take over a referred case."""
    legal_review_effort: Dist = dist("lognormal", 3.0, 0.8)
    time_limit_days: float = knob(64.0, 0.0, 10_000.0)
    """Decision limit in working days (assumption: 90 calendar days ≈ 64 working days)."""


@dataclass
class DelegatedWorkload:
    """Delegated tasks (交办事项 / 属地管理) pushed by county departments."""

    routine_per_day: float = knob(1.0, 0.0, 1e4)
    routine_effort: Dist = dist("lognormal", 2.0, 1.0)
    routine_deadline_days: float = knob(10.0, 0.0, 10_000.0)
    lists_per_day: float = knob(0.02, 0.0, 1e4)
    """Rectification lists (整改清单) per township per working day."""
    list_items_mean: float = knob(10.0, 1.0, 10_000.0)
    """Mean items per list (1 + Poisson; one seed report names a 29-item list)."""
    list_item_effort: Dist = dist("lognormal", 3.0, 1.0)
    list_deadline_days: float = knob(15.0, 0.0, 10_000.0)
    assessments_per_day: float = knob(0.1, 0.0, 1e4)
    """Inspections, checks and assessments (督查检查考核) per township per working day."""
    assessment_effort: Dist = dist("lognormal", 6.0, 0.8)
    assessment_deadline_days: float = knob(5.0, 0.0, 10_000.0)


@dataclass
class GridWorkload:
    """Grid (网格) reports triaged by grid workers."""

    reports_per_cell_per_day: float = knob(0.1, 0.0, 1e4)
    triage_effort: Dist = dist("exponential", 0.5)
    to_enforcement_share: float = share(0.05)
    to_delegated_share: float = share(0.2)
    """Reports that become a task for the general office (the rest are closed at triage)."""
    task_effort: Dist = dist("lognormal", 2.0, 1.0)
    task_deadline_days: float = knob(5.0, 0.0, 10_000.0)
    triage_deadline_days: float = knob(1.0, 0.0, 10_000.0)


@dataclass
class WorkloadConfig:
    services: ServicesWorkload = field(default_factory=ServicesWorkload)
    enforcement: EnforcementWorkload = field(default_factory=EnforcementWorkload)
    delegated: DelegatedWorkload = field(default_factory=DelegatedWorkload)
    grid: GridWorkload = field(default_factory=GridWorkload)


# --------------------------------------------------------------------------- policy levers
@dataclass
class QuotaLever:
    """减上补下: township quota raised by a share, the posts taken from the county."""

    township_increase_share: float = knob(0.0, 0.0, 5.0)
    """Added share of each township's quota (Pingluo: ≥ 0.25), applied to ``pools``."""
    pools: list[str] = field(default_factory=lambda: ["window_staff", "enforcement_officers",
                                                      "office_staff"])
    """Township pools that receive the added posts (pro rata to their quota)."""


@dataclass
class WorkforceLever:
    """Hiring, training and attrition of township staff (编制 filled, vacancies)."""

    hiring_round_days: float = knob(60.0, 0.0, 10_000.0, lo_open=True)
    """Vacancies are filled at recruitment rounds this many working days apart."""
    hires_per_round: int = knob(10, 0, 100_000, integer=True)
    """Posts the county can fill per round, across all townships."""
    hiring_lag_days: float = knob(20.0, 0.0, 10_000.0)
    """From a recruitment round to the new hire's first day."""
    training_days: float = knob(40.0, 0.0, 10_000.0)
    training_speed: float = knob(0.6, 0.0, 1.0, lo_open=True)
    """Work speed of a new hire during training (1 = full speed)."""
    attrition_per_year: float = knob(0.08, 0.0, 1.0)
    """Share of staff leaving per year (250 working days)."""
    incentives: bool = False
    """Township pay ≥ 20% above county peers, 20–35% excellent ratings (Pingluo)."""
    incentive_attrition_cut_share: float = share(0.3)
    """Assumption: how much the incentives cut attrition."""


@dataclass
class RebalancingLever:
    """统筹调剂、动态管理: vacant quota moves to the most loaded townships."""

    enabled: bool = False
    interval_days: float = knob(20.0, 0.0, 10_000.0, lo_open=True)
    """Working days between reviews; hiring then favours townships with most vacancies."""


@dataclass
class SecondmentLever:
    """借调: the county borrows township staff."""

    requests_per_township_per_day: float = knob(0.008, 0.0, 100.0)
    duration_mean_days: float = knob(60.0, 0.0, 10_000.0)
    """Mean requested length (exponential), working days."""
    pools: list[str] = field(default_factory=lambda: ["office_staff"])
    """Township pools the county borrows from."""
    capped: bool = False
    """Reform rules: approval, ≤ max_per_township at once, ≤ max_days each."""
    max_per_township: int = knob(2, 0, 10_000, integer=True)
    max_days: float = knob(63.0, 0.0, 10_000.0)
    """≤ 3 months ≈ 63 working days."""
    min_service_days: float = knob(250.0, 0.0, 100_000.0)
    """New hires cannot be seconded during this period (capped rules only)."""


@dataclass
class WindowsLever:
    """一窗受理: dedicated windows per department vs one pooled front desk."""

    mode: str = knob("dedicated", choices=("dedicated", "pooled"))
    pooled_effort_factor: float = knob(1.1, 0.5, 5.0)
    """Generalist windows take this much longer per request (assumption)."""
    proxy_share: float = share(0.0)
    """Requests handled by a village proxy (代办): no visit for the applicant."""


@dataclass
class EnforcementLever:
    """一支队伍管执法: separate domain teams vs one integrated team; stationed officers."""

    integrated: bool = False
    stationed_officers: int = knob(0, 0, 1000, integer=True)
    """County officers stationed in each township team ("1+x+y": x)."""


@dataclass
class EscalationLever:
    """乡呼县应 / 吹哨报到: the county answers townships' calls within a set time."""

    enabled: bool = False
    pickup_days_mean: float = knob(15.0, 0.0, 10_000.0)
    """Without the lever: mean working days before the county picks a referral up."""
    response_limit_days: float = knob(3.0, 0.0, 10_000.0)
    """With it: the county must answer within this many working days (priority)."""


@dataclass
class AdmissionLever:
    """职责准入: tasks off the township's duty list are returned unless resourced."""

    enabled: bool = False
    off_list_share: float = share(0.3)
    resourced_share: float = share(0.2)
    """Of off-list tasks, those that come with staff-hours attached (人随事转)."""
    assessment_cut_share: float = share(0.5)
    """Cut in inspections/assessments (督查检查考核) when the lever is on."""


@dataclass
class GridLever:
    """多网合一: several parallel grids (duplicate reports) vs one merged grid."""

    parallel_grids: int = knob(3, 1, 20, integer=True)
    duplicate_share: float = share(0.5)
    """Chance that each other grid also reports an issue (a duplicate to triage)."""


@dataclass
class FlexibleStaffLever:
    """统筹使用行政事业人员: administrative and institutional staff go where the backlog is."""

    enabled: bool = False
    review_days: float = knob(1.0, 0.0, 10_000.0, lo_open=True)


@dataclass
class TimingLever:
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
class PolicyConfig:
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


@dataclass
class MMCConfig:
    """Parameters of the M/M/c reduction preset (configs/validation/mmc.yaml)."""

    lam_per_h: float = knob(4.0, 0.0, 1e6, lo_open=True)
    mu_per_h: float = knob(1.0, 0.0, 1e6, lo_open=True)
    servers: int = knob(5, 1, 10_000, integer=True)


@dataclass
class Scenario:
    """The whole validated input of a run."""

    run: RunConfig = field(default_factory=RunConfig)
    calendar: CalendarConfig = field(default_factory=CalendarConfig)
    county: CountyConfig = field(default_factory=CountyConfig)
    workload: WorkloadConfig = field(default_factory=WorkloadConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    mmc: Optional[MMCConfig] = None


# --------------------------------------------------------------------------- validation
def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return repr(value)


def _check_field(path: str, value: Any, meta: dict) -> None:
    if meta.get("choices"):
        if value not in meta["choices"]:
            raise ConfigError(f"{path} = {value!r}: must be one of {', '.join(meta['choices'])}")
        return
    if "lo" not in meta or isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    lo, hi = meta["lo"], meta["hi"]
    bad = (not math.isfinite(value) or value > hi
           or (value <= lo if meta["lo_open"] else value < lo))
    if meta["integer"] and value != int(value):
        bad = True
    if bad:
        kind = "an integer" if meta["integer"] else "a number"
        op = ">" if meta["lo_open"] else "≥"
        rng = f"{op} {lo:g}" if hi == INF else f"{op} {lo:g} and ≤ {hi:g}"
        raise ConfigError(f"{path} = {_show(value)}: must be {kind} {rng}")


def _walk(obj: Any, path: str) -> None:
    if dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            sub = f"{path}.{f.name}" if path else f.name
            _check_field(sub, value, dict(f.metadata))
            _walk(value, sub)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            _walk(value, f"{path}.{key}")


def _require_shares_sum(path: str, shares: dict[str, float]) -> None:
    if not shares:
        raise ConfigError(f"{path}: needs at least one entry")
    for key, value in shares.items():
        _check_field(f"{path}.{key}", value, {"lo": 0.0, "hi": 1.0, "lo_open": False,
                                               "integer": False})
    total = sum(shares.values())
    if abs(total - 1.0) > 1e-6:
        raise ConfigError(f"{path}: shares sum to {total:g}; they must sum to 1")


NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
RESERVED_POOLS = ("departments",)  # the county's own staff pool in metric names


def _check_name(path: str, name: str) -> None:
    if not NAME.match(name):
        raise ConfigError(f"{path}: name {name!r} must start with a letter and hold only "
                          "letters, digits and _ (it becomes part of metric names)")


def _cross_checks(s: Scenario) -> None:
    run = s.run
    if run.warmup_days >= run.horizon_days:
        raise ConfigError(f"run.warmup_days = {run.warmup_days:g}: must be shorter than "
                          f"run.horizon_days = {run.horizon_days:g}")
    try:
        dt.date.fromisoformat(s.calendar.start_date)
    except ValueError:
        raise ConfigError(f"calendar.start_date = {s.calendar.start_date!r}: must be a date "
                          "YYYY-MM-DD") from None
    county = s.county
    if not county.townships or sum(county.townships.values()) == 0:
        raise ConfigError("county.townships: needs at least one township (kind: count)")
    for kind, count in county.townships.items():
        _check_name(f"county.townships.{kind}", kind)
        _check_field(f"county.townships.{kind}", count,
                     {"lo": 0, "hi": 10_000, "lo_open": False, "integer": True})
        if kind not in county.kinds:
            raise ConfigError(f"county.townships.{kind}: no such kind in county.kinds "
                              f"(known: {', '.join(county.kinds) or 'none'})")
    for kind, spec in county.kinds.items():
        for pool, p in spec.staff.items():
            path = f"county.kinds.{kind}.staff.{pool}"
            _check_name(path, pool)
            if pool in RESERVED_POOLS:
                raise ConfigError(f"{path}: the pool name {pool!r} is reserved for the "
                                  "county's own staff; choose another")
            if p.certified and p.quota_type == "auxiliary":
                raise ConfigError(f"{path}.certified = true: auxiliary staff may assist but "
                                  "never act as enforcement officers (严禁使用辅助人员执法)")
    w = s.workload
    _require_shares_sum("workload.services.categories",
                        {k: c.share for k, c in w.services.categories.items()})
    _require_shares_sum("workload.enforcement.domains", w.enforcement.domains)
    for name in ENFORCEMENT_STAGES:
        stage = getattr(w.enforcement.stages, name)
        if stage.certified > stage.crew:
            raise ConfigError(f"workload.enforcement.stages.{name}.certified = "
                              f"{stage.certified}: must be ≤ crew = {stage.crew}")
    _policy_checks(s)
    g = w.grid
    if g.to_enforcement_share + g.to_delegated_share > 1.0 + 1e-9:
        raise ConfigError("workload.grid.to_enforcement_share + to_delegated_share = "
                          f"{g.to_enforcement_share + g.to_delegated_share:g}: must be ≤ 1")


def township_ids(s: Scenario) -> list[str]:
    """Township ids ``<kind>_<n>``, in config order."""
    return [f"{kind}_{i}" for kind, n in s.county.townships.items() for i in range(1, n + 1)]


def added_posts(s: Scenario) -> dict[tuple[str, str], int]:
    """Posts the quota lever adds to each (township id, pool) of ``policy.quota.pools``.

    The county-wide number is the share of those pools' posts, rounded half up; it is
    spread by largest remainder, so that a 10% increase adds 10% of the posts even
    where every single pool is too small to gain a whole post by itself."""
    q = s.policy.quota
    exact = {(tid, pool): s.county.kinds[tid.rsplit("_", 1)[0]].staff[pool].headcount
             * q.township_increase_share
             for tid in township_ids(s) for pool in s.county.kinds[tid.rsplit("_", 1)[0]].staff
             if pool in q.pools}
    posts = {k: math.floor(v) for k, v in exact.items()}
    left = math.floor(sum(exact.values()) + 0.5) - sum(posts.values())
    for k in sorted(exact, key=lambda k: posts[k] - exact[k])[:left]:  # stable: config order
        posts[k] += 1
    return posts


def moved_posts(s: Scenario) -> int:
    """County quota moved down to all townships by the quota lever (减上补下)."""
    return sum(added_posts(s).values())


def _policy_checks(s: Scenario) -> None:
    p, kinds = s.policy, s.county.kinds
    used = [k for k, n in s.county.townships.items() if n > 0]
    known = sorted({pool for k in used for pool in kinds[k].staff})
    for path, names in (("policy.quota.pools", p.quota.pools),
                        ("policy.secondment.pools", p.secondment.pools),
                        ("policy.timing.transfer", list(p.timing.transfer))):
        for name in names:
            if name not in known:
                raise ConfigError(f"{path}: {name!r} is not a staff pool of the county's "
                                  f"townships (pools: {', '.join(known)})")
    for name, count in p.timing.transfer.items():
        _check_field(f"policy.timing.transfer.{name}", count,
                     {"lo": 0, "hi": 10_000, "lo_open": False, "integer": True})
    remote = s.workload.services.online_share + p.windows.proxy_share
    if remote > 1.0 + 1e-9:
        raise ConfigError(f"workload.services.online_share + policy.windows.proxy_share = "
                          f"{remote:g}: must be ≤ 1")
    moved = moved_posts(s)
    if moved > s.county.quota_total:
        raise ConfigError(f"policy.quota.township_increase_share = "
                          f"{p.quota.township_increase_share:g}: moves {moved} posts down "
                          f"but county.quota_total = {s.county.quota_total}")


def validate(s: Scenario) -> Scenario:
    """Check every range and cross-field rule; return ``s`` unchanged or raise."""
    _walk(s, "")
    _cross_checks(s)
    return s


def load_scenario(cfg: DictConfig | dict) -> Scenario:
    """Composed Hydra config → validated :class:`Scenario` (or :class:`ConfigError`)."""
    if not isinstance(cfg, DictConfig):
        cfg = OmegaConf.create(cfg)
    missing = sorted(OmegaConf.missing_keys(cfg))
    if missing:
        raise ConfigError(f"{missing[0]} = ???: a value is required "
                          f"(set it on the command line, e.g. {missing[0]}=…)")
    model = OmegaConf.merge(OmegaConf.structured(Scenario),
                            {k: v for k, v in cfg.items() if k != "hydra"})
    try:
        scenario = OmegaConf.to_object(model)
    except Exception as exc:  # interpolation or type errors, e.g. a bad resolver argument
        raise ConfigError(str(exc).splitlines()[0]) from None
    return validate(scenario)


def scenario_dict(s: Scenario) -> dict:
    return dataclasses.asdict(s)


def config_hash(s: Scenario) -> str:
    """Stable hash of everything that changes results (replication count excluded)."""
    d = scenario_dict(s)
    d["run"] = {k: v for k, v in d["run"].items() if k != "replications"}
    blob = json.dumps(d, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def _register_resolvers() -> None:
    """Arithmetic used by presets (e.g. the M/M/c reduction turns λ per hour into a
    daily rate): ``${tsim.mul:a,b}`` and ``${tsim.div:a,b}``."""
    if not OmegaConf.has_resolver("tsim.mul"):
        OmegaConf.register_new_resolver("tsim.mul", lambda a, b: float(a) * float(b))
    if not OmegaConf.has_resolver("tsim.div"):
        OmegaConf.register_new_resolver("tsim.div", lambda a, b: float(a) / float(b))


_register_resolvers()

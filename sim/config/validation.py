"""Validation of a composed scenario: what Hydra's type checks do not catch.

Ranges come from each field's :func:`~sim.core.settings.knob` metadata; the rules here are
the ones across fields (shares that sum to one, a warm-up shorter than the horizon,
pool names that policies refer to). Each failure is one :class:`ConfigError` line that
names the key, the value and what is allowed — raised before any simulation starts.

Only the configuration's own values are checked here: reading data files, the size of
the run, the posts the quota lever moves and the metrics ``run.precision_kpis`` names are
:mod:`sim.run.guard`'s, which needs the model's logic.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from sim.config.schema import Scenario
from sim.config.townships import SIZE_FIELDS, kind_of, kind_staff, township_ids
from sim.core import registry
from sim.core.settings import MAX_SCALE, ConfigError, check_range


def check_field(path: str, value: Any, meta: dict[str, Any]) -> None:
    """Raise one :class:`ConfigError` line unless ``value`` is in the knob range ``meta``."""
    if meta.get("choices"):
        if value not in meta["choices"]:
            raise ConfigError(f"{path} = {value!r}: must be one of {', '.join(meta['choices'])}")
        return
    if "lo" in meta:
        check_range(
            path, value, meta["lo"], meta["hi"], lo_open=meta["lo_open"], integer=meta["integer"]
        )


def check_ranges(obj: Any, path: str) -> None:
    """Check every field of a settings tree against its :func:`~sim.core.settings.knob` range."""
    if dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            sub = f"{path}.{f.name}" if path else f.name
            check_field(sub, value, dict(f.metadata))
            check_ranges(value, sub)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            check_ranges(value, f"{path}.{key}")


def knob_of(tree: Any, path: str) -> dict[str, Any] | None:
    """The :func:`~sim.core.settings.knob` range of the field at the dotted ``path`` of a
    settings tree (``county.kinds.town.staff.window_staff.headcount``), or None when the
    path leads to no ranged field.
    """
    *parents, name = path.split(".")
    for part in parents:
        tree = tree.get(part) if isinstance(tree, dict) else getattr(tree, part, None)
        if tree is None:
            return None
    if not dataclasses.is_dataclass(tree):
        return None
    meta = next((dict(f.metadata) for f in dataclasses.fields(tree) if f.name == name), {})
    return meta if "lo" in meta else None


TOWNSHIP_VALUE: dict[str, Any] = {"lo": 0, "hi": 10_000_000, "lo_open": False, "integer": True}
"""The range of a value of ``county.township_staff`` and ``county.township_size``."""


NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
RESERVED_POOLS = ("departments", "county_enforcement", "on_call", "stationed_officers")
"""Pool names the model gives its own pools: the county departments' staff, the county's
enforcement officers and its on-call desk, and the county officers stationed in each
township (sim.model.build.STATIONED); a township pool of the same name would merge with them
in every metric."""
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
"""Allowed ``calendar.start_date``: a run of up to 100,000 working days still ends in
a representable year."""


def _check_name(path: str, name: str) -> None:
    if not NAME.match(name):
        raise ConfigError(
            f"{path}: name {name!r} must start with a letter and hold only "
            "letters, digits and _ (it becomes part of metric names)"
        )


MOST_JOBS = 1024
"""Largest ``run.jobs``: far above any machine's cores, and a typo's 10⁶ stays a typo."""


def _check_jobs(jobs: Any) -> None:
    """``run.jobs`` is ``auto`` or a whole number of processes (Hydra types it ``Any``)."""
    if jobs == "auto":
        return
    whole = isinstance(jobs, int) and not isinstance(jobs, bool)
    if not whole or not 1 <= jobs <= MOST_JOBS:
        raise ConfigError(
            f"run.jobs = {jobs!r}: must be auto or an integer ≥ 1 and ≤ {MOST_JOBS} "
            "(processes for the replications; 1 = serial)"
        )


def _run_checks(s: Scenario) -> None:
    run = s.run
    if isinstance(run.replications, str) and run.replications != "auto":
        raise ConfigError(
            f"run.replications = {run.replications!r}: must be an integer ≥ 1 and ≤ 10000, "
            "or auto (see run.precision)"
        )
    _check_jobs(run.jobs)
    if run.max_replications < run.min_replications:
        raise ConfigError(
            f"run.max_replications = {run.max_replications}: must be ≥ "
            f"run.min_replications = {run.min_replications}"
        )
    if run.warmup_days >= run.horizon_days:
        raise ConfigError(
            f"run.warmup_days = {run.warmup_days:g}: must be shorter than "
            f"run.horizon_days = {run.horizon_days:g}"
        )
    if run.report_day is not None and run.report_day > run.horizon_days:
        raise ConfigError(
            f"run.report_day = {run.report_day}: must be ≤ run.horizon_days = "
            f"{run.horizon_days:g} (the day whose backlog is reported)"
        )
    try:
        start = dt.date.fromisoformat(s.calendar.start_date)
    except ValueError:
        start = None
    if start is None or not FIRST_DATE <= start <= LAST_DATE:
        raise ConfigError(
            f"calendar.start_date = {s.calendar.start_date!r}: must be a date YYYY-MM-DD "
            f"from {FIRST_DATE} to {LAST_DATE}"
        )


def _county_checks(s: Scenario) -> None:
    county = s.county
    if not county.townships or sum(county.townships.values()) == 0:
        raise ConfigError("county.townships: needs at least one township (kind: count)")
    for kind, count in county.townships.items():
        _check_name(f"county.townships.{kind}", kind)
        check_range(f"county.townships.{kind}", count, 0, 10_000, integer=True)
        if kind not in county.kinds:
            raise ConfigError(
                f"county.townships.{kind}: no such kind in county.kinds "
                f"(known: {', '.join(county.kinds) or 'none'})"
            )
    if county.department_staff > county.quota_total:
        raise ConfigError(
            f"county.department_staff = {county.department_staff}: must be ≤ "
            f"county.quota_total = {county.quota_total} (the staff hold department posts)"
        )
    centres = registry.centre_names()
    for kind, spec in county.kinds.items():
        for pool, p in kind_staff(s, kind).items():
            path = f"county.kinds.{kind}.staff.{pool}"
            if pool not in spec.staff:  # a stream's default pool: not walked with the rest
                check_ranges(p, path)
            _check_name(path, pool)
            if pool in RESERVED_POOLS:
                raise ConfigError(
                    f"{path}: the pool name {pool!r} is reserved for the "
                    "county's own staff; choose another"
                )
            if p.centre not in centres:
                raise ConfigError(
                    f"{path}.centre = {p.centre!r}: must be one of {', '.join(centres)}"
                )
            if p.certified and p.quota_type == "auxiliary":
                raise ConfigError(
                    f"{path}.certified = true: auxiliary staff may assist but "
                    "never act as enforcement officers (严禁使用辅助人员执法)"
                )


def _township_checks(s: Scenario) -> None:
    """``county.township_staff`` and ``county.township_size`` name townships that exist,
    pools of their kind and size fields, with values in range.
    """
    ids = township_ids(s)
    for key, own in (
        ("township_staff", s.county.township_staff),
        ("township_size", s.county.township_size),
    ):
        for tid, values in own.items():
            path = f"county.{key}.{tid}"
            if tid not in ids:
                shown = ", ".join(ids[:12]) + (" …" if len(ids) > 12 else "")
                raise ConfigError(f"{path}: no such township (townships: {shown})")
            allowed = (
                list(kind_staff(s, kind_of(tid))) if key == "township_staff" else list(SIZE_FIELDS)
            )
            for name, value in values.items():
                if name not in allowed:
                    what = (
                        f"a staff pool of kind {kind_of(tid)!r}"
                        if key == "township_staff"
                        else "a size field"
                    )
                    raise ConfigError(f"{path}.{name}: not {what} ({', '.join(allowed)})")
                check_field(f"{path}.{name}", value, TOWNSHIP_VALUE)


def _workload_checks(s: Scenario) -> None:
    active = s.workload.streams
    known = [spec.id for spec in registry.streams()]
    for name in active or ():
        if name not in known:
            raise ConfigError(
                f"workload.streams: {name!r} is not a stream (streams: {', '.join(known)})"
            )
    for spec in registry.streams():
        settings = spec.settings(s)
        combined = s.workload.demand_scale * getattr(settings, "demand_scale", 1.0)
        if combined > MAX_SCALE:
            raise ConfigError(
                f"workload.demand_scale × workload.{spec.id}.demand_scale = {combined:g}: "
                f"must be ≤ {MAX_SCALE:g}"
            )
        _check_profile(f"workload.{spec.id}", getattr(settings, "monthly_profile", None), combined)
        if spec.check is not None:
            spec.check(spec.settings(s), f"workload.{spec.id}")


def _check_profile(path: str, profile: Any, scale: float) -> None:
    if profile is None:
        return
    if len(profile) != 12:
        raise ConfigError(
            f"{path}.monthly_profile has {len(profile)} factors: needs 12 (January first)"
        )
    for i, f in enumerate(profile):
        check_range(f"{path}.monthly_profile[{i}]", f, 0.0, MAX_SCALE)
    if scale * max(profile) > MAX_SCALE:
        raise ConfigError(
            f"{path}.monthly_profile: its largest factor {max(profile):g} × the demand scale "
            f"{scale:g} must be ≤ {MAX_SCALE:g}"
        )


def _policy_checks(s: Scenario) -> None:
    p = s.policy
    used = [k for k, n in s.county.townships.items() if n > 0]
    known = sorted({pool for k in used for pool in kind_staff(s, k)})
    for path, names in (
        ("policy.quota.pools", p.quota.pools),
        ("policy.secondment.pools", p.secondment.pools or []),
        ("policy.timing.transfer", list(p.timing.transfer)),
        ("policy.surge.pool", [p.surge.pool] if p.surge.staff and p.surge.days else []),
    ):
        for name in names:
            if name not in known:
                raise ConfigError(
                    f"{path}: {name!r} is not a staff pool of the county's "
                    f"townships (pools: {', '.join(known)})"
                )
    if p.quota.township_increase_share > 0 and not p.quota.pools:
        raise ConfigError(
            f"policy.quota.pools = []: policy.quota.township_increase_share = "
            f"{p.quota.township_increase_share:g} needs pools to receive the posts "
            f"(pools: {', '.join(known)})"
        )
    for name, count in p.timing.transfer.items():
        check_range(f"policy.timing.transfer.{name}", count, 0, 10_000, integer=True)
    _surge_checks(s)
    remote = registry.stream("services").settings(s).online_share + p.windows.proxy_share
    if remote > 1.0 + 1e-9:
        raise ConfigError(
            f"workload.services.online_share + policy.windows.proxy_share = {remote:g}: must be ≤ 1"
        )
    _back_office_checks(s)
    _county_enforcement_checks(s)


def _back_office_checks(s: Scenario) -> None:
    """A county back office (受办分离) is for categories the services stream has."""
    cats = registry.stream("services").settings(s).categories
    for name in s.policy.windows.back_at_county:
        if name not in cats:
            raise ConfigError(
                f"policy.windows.back_at_county: {name!r} is not a category of "
                f"workload.services.categories ({', '.join(cats) or 'none'})"
            )
    lever = s.policy.windows
    if lever.mode == "front_back" and lever.back_at_county and s.county.department_staff == 0:
        raise ConfigError(
            "policy.windows.back_at_county: county.department_staff = 0 leaves these "
            "categories' back office unstaffed (set department staff ≥ 1 or an empty list)"
        )


def _surge_checks(s: Scenario) -> None:
    """The surge names townships (or kinds) of the county and ends within the run."""
    surge, ids = s.policy.surge, township_ids(s)
    kinds = sorted({kind_of(t) for t in ids})
    for name in surge.townships:
        if name not in ids and name not in kinds:
            raise ConfigError(
                f"policy.surge.townships: {name!r} is neither a township nor a kind of the "
                f"county (kinds: {', '.join(kinds)}; townships: {', '.join(ids[:6])}"
                f"{' …' if len(ids) > 6 else ''})"
            )
    if surge.staff and surge.start_day + surge.days > s.run.horizon_days:
        raise ConfigError(
            f"policy.surge.start_day + days = {surge.start_day + surge.days}: the surge must "
            f"end within run.horizon_days = {s.run.horizon_days:g}"
        )


def _county_enforcement_checks(s: Scenario) -> None:
    """Stationed and on-call officers come out of the county's enforcement pool."""
    lever, pool = s.policy.enforcement, s.county.enforcement_officers
    townships = len(township_ids(s))
    wanted = lever.stationed_officers * townships + lever.on_call_officers
    if wanted > pool:
        raise ConfigError(
            f"policy.enforcement.stationed_officers = {lever.stationed_officers} per township × "
            f"{townships} + on_call_officers = {lever.on_call_officers} need {wanted} county "
            f"officers but county.enforcement_officers = {pool}: lower them or raise the pool"
        )
    cfg = registry.stream("enforcement").settings(s)
    cases = s.workload.streams is None or "enforcement" in s.workload.streams
    unknown = sorted(set(lever.whistle_domains or ()) - set(cfg.domains))
    if unknown and cases:  # a workload without cases (quiet, M/M/c) needs no list
        raise ConfigError(
            f"policy.enforcement.whistle_domains names {', '.join(unknown)}: must be domains "
            f"of workload.enforcement.domains ({', '.join(cfg.domains)}), or null for any"
        )
    whistles = cfg.whistle_share > 0
    if pool and whistles and wanted == pool and lever.on_call_officers == 0:
        raise ConfigError(
            f"policy.enforcement.stationed_officers = {lever.stationed_officers} stations every "
            f"county officer (county.enforcement_officers = {pool}) and none is on call: "
            "whistle calls would never be answered; set policy.enforcement.on_call_officers "
            "or workload.enforcement.whistle_share=0"
        )


def validate(s: Scenario) -> Scenario:
    """Check every range and cross-field rule; return ``s`` unchanged or raise."""
    check_ranges(s, "")
    _run_checks(s)
    _county_checks(s)
    _township_checks(s)
    _workload_checks(s)
    _policy_checks(s)
    return s

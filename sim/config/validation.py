"""Validation of a composed scenario: what Hydra's type checks do not catch.

Ranges come from each field's :func:`~sim.settings.knob` metadata; the rules here are
the ones across fields (shares that sum to one, a warm-up shorter than the horizon,
pool names that policies refer to). Each failure is one :class:`ConfigError` line that
names the key, the value and what is allowed — raised before any simulation starts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from .. import registry
from ..quota import moved_posts
from ..settings import ConfigError, check_range
from .schema import Scenario


def _check_field(path: str, value: Any, meta: dict[str, Any]) -> None:
    if meta.get("choices"):
        if value not in meta["choices"]:
            raise ConfigError(f"{path} = {value!r}: must be one of {', '.join(meta['choices'])}")
        return
    if "lo" in meta:
        check_range(
            path, value, meta["lo"], meta["hi"], lo_open=meta["lo_open"], integer=meta["integer"]
        )


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


NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
RESERVED_POOLS = ("departments",)  # the county's own staff pool in metric names


def _check_name(path: str, name: str) -> None:
    if not NAME.match(name):
        raise ConfigError(
            f"{path}: name {name!r} must start with a letter and hold only "
            "letters, digits and _ (it becomes part of metric names)"
        )


def _run_checks(s: Scenario) -> None:
    run = s.run
    if isinstance(run.replications, str) and run.replications != "auto":
        raise ConfigError(
            f"run.replications = {run.replications!r}: must be an integer ≥ 1 and ≤ 10000, "
            "or auto (see run.precision)"
        )
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
    try:
        dt.date.fromisoformat(s.calendar.start_date)
    except ValueError:
        raise ConfigError(
            f"calendar.start_date = {s.calendar.start_date!r}: must be a date YYYY-MM-DD"
        ) from None


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
    centres = registry.centre_names()
    for kind, spec in county.kinds.items():
        for pool, p in spec.staff.items():
            path = f"county.kinds.{kind}.staff.{pool}"
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


def _workload_checks(s: Scenario) -> None:
    active = s.workload.streams
    known = [spec.id for spec in registry.streams()]
    for name in active or ():
        if name not in known:
            raise ConfigError(
                f"workload.streams: {name!r} is not a stream (streams: {', '.join(known)})"
            )
    for spec in registry.streams():
        if spec.check is not None:
            spec.check(spec.settings(s), f"workload.{spec.id}")


def _policy_checks(s: Scenario) -> None:
    p, kinds = s.policy, s.county.kinds
    used = [k for k, n in s.county.townships.items() if n > 0]
    known = sorted({pool for k in used for pool in kinds[k].staff})
    for path, names in (
        ("policy.quota.pools", p.quota.pools),
        ("policy.secondment.pools", p.secondment.pools),
        ("policy.timing.transfer", list(p.timing.transfer)),
    ):
        for name in names:
            if name not in known:
                raise ConfigError(
                    f"{path}: {name!r} is not a staff pool of the county's "
                    f"townships (pools: {', '.join(known)})"
                )
    for name, count in p.timing.transfer.items():
        check_range(f"policy.timing.transfer.{name}", count, 0, 10_000, integer=True)
    remote = registry.stream("services").settings(s).online_share + p.windows.proxy_share
    if remote > 1.0 + 1e-9:
        raise ConfigError(
            f"workload.services.online_share + policy.windows.proxy_share = {remote:g}: must be ≤ 1"
        )
    moved = moved_posts(s)
    if moved > s.county.quota_total:
        raise ConfigError(
            f"policy.quota.township_increase_share = "
            f"{p.quota.township_increase_share:g}: moves {moved} posts down "
            f"but county.quota_total = {s.county.quota_total}"
        )


def validate(s: Scenario) -> Scenario:
    """Check every range and cross-field rule; return ``s`` unchanged or raise."""
    _walk(s, "")
    _run_checks(s)
    _county_checks(s)
    _workload_checks(s)
    _policy_checks(s)
    return s

"""The metric glossary: every metric name, its meaning, unit and better direction.

Generic per-stream metrics and the others are declared here, each stream's extras in
its declaration (:mod:`sim.streams`); :mod:`sim.analysis.metrics` computes them, and the report
reads which way is better from :func:`better`. ``python -m sim.analysis.glossary``
rewrites the glossary table in README.md between its markers; a test fails when the
README is stale or when a run emits a name the glossary lacks (or the reverse).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sim import streams as _streams  # noqa: F401  (registers the streams and their extras)
from sim.analysis.county_queues import COUNTY_QUEUES
from sim.core import registry
from sim.core.registry import Better, MetricDoc
from sim.model.quota import township_ids, township_staff

if TYPE_CHECKING:
    from sim.config.schema import Scenario

README = Path(__file__).resolve().parents[2] / "README.md"
START, END = "<!-- glossary:start -->", "<!-- glossary:end -->"
STREAM = "<stream>"
QUEUE = "<county queue>"

STREAM_METRICS = (
    MetricDoc(
        "arrivals",
        "items that arrived in the window (a rectification list counts each of its items)",
        "items",
    ),
    MetricDoc("completions", "items finished in the window", "items", better="higher"),
    MetricDoc(
        "backlog_start", "items in the system when the window opens", "items", better="lower"
    ),
    MetricDoc(
        "backlog_end",
        "items in the system at the horizon; `backlog_start + arrivals "
        "= completions + backlog_end` exactly",
        "items",
        better="lower",
    ),
    MetricDoc(
        "backlog_mean",
        "time-average number of items in the system (waiting, being "
        "handled, or away for missing papers / at the county)",
        "items",
        better="lower",
    ),
    MetricDoc(
        "wait_mean_h",
        "arrival to the start of the first handling, over items that "
        "arrived in the window and started",
        "working hours",
        better="lower",
    ),
    MetricDoc(
        "wait_mean_incl_open_h",
        "arrival to the start of the first handling, over every item that arrived in the "
        "window, one not started by the horizon counted with its wait so far (censored "
        "there): unlike `wait_mean_h` it does not leave out the longest waits",
        "working hours",
        better="lower",
    ),
    MetricDoc(
        "lead_time_mean_h",
        "arrival to completion, over items that arrived in the window and finished",
        "working hours",
        better="lower",
    ),
    MetricDoc(
        "lead_time_mean_incl_open_h",
        "arrival to completion, over every item that arrived in the window, an open one "
        "with its age at the horizon (censored there): `arrivals` × this / window hours "
        "÷ `backlog_mean` is Little's λW/L, near 1 in steady state",
        "working hours",
        better="lower",
    ),
    MetricDoc("lead_time_p90_h", "90th percentile of the same", "working hours", better="lower"),
    MetricDoc(
        "on_time_share",
        "of items whose deadline falls in the window, the share whose time-limited act "
        "(a case's decision, otherwise completion) came by it (uncensored)",
        "0–1",
        better="higher",
    ),
    MetricDoc(
        "backlog_growth_per_day",
        "least-squares slope of the items in the system over the window's working days; "
        "a 95% CI above 0, with a slope of at least 0.1% of the mean backlog, flags an "
        "unstable (overloaded) stream, whose waits and lead times — counted over started "
        "or finished items only — look better than they are",
        "items per working day",
        better="lower",
    ),
    MetricDoc(
        "open_age_max_d",
        "age at the horizon of the oldest item still open (0 when none is open)",
        "working days",
        better="lower",
    ),
    MetricDoc(
        "open_age_mean_d",
        "mean age at the horizon of the items still open (empty when none is open)",
        "working days",
        better="lower",
    ),
)
"""Metrics of every stream, named ``<scope>.<stream>.<metric>``."""

CLEARING_METRICS = (
    MetricDoc(
        "days_to_clear",
        "(with `run.report_day` set) working days from the window's start (when "
        "`run.initial_backlog`'s items are placed) until the day's-end items in the system "
        "are at most the stream's normal level (their mean over the window's last quarter); "
        "0 when the window opens there, empty when no day gets there",
        "working days",
        better="lower",
    ),
    MetricDoc(
        "backlog_at_report_day",
        "(with `run.report_day` set) items in the system at the end of working day "
        "`run.report_day`, counted from the start (warm-up included, as every day of "
        "the configuration is)",
        "items",
        better="lower",
    ),
)
"""Per-stream metrics of a backlog's clearing (``run.report_day``; not the county queues')."""

QUEUE_NOTE = (
    "(county scope only) the county's own work, measured as a stream is: `own_work` is "
    "the departments' (`county.own_work_per_day`, their desk's busy share is "
    "`county.staff.departments.utilisation_share`), `enforcement_work` the county "
    "enforcement officers' at home (`county.enforcement_work_per_day`, "
    "`county.staff.county_enforcement.utilisation_share`); it has no deadline. Here: "
    "items that arrived in the window; the entries below are as for `<stream>`"
)


def queue_entries() -> list[MetricDoc]:
    """The per-stream entries (all but ``on_time_share``) as the county queues' own."""
    rows = [
        dataclasses.replace(m, name=f"{QUEUE}.{m.name}")
        for m in STREAM_METRICS
        if m.name != "on_time_share"
    ]
    rows[0] = dataclasses.replace(rows[0], meaning=QUEUE_NOTE)
    return rows


OTHER_METRICS = (
    MetricDoc(
        "delegated.returned_count",
        "tasks returned to the department by admission control (the ledger)",
        "tasks",
    ),
    MetricDoc("delegated.returned_h", "hours of those tasks", "hours"),
    MetricDoc(
        "staff.<pool>.utilisation_share",
        "busy staff-hours / staff-hours present (not "
        "seconded, not yet left) in the pool; a two-officer step counts for both; "
        "county scope sums townships' pools of that name; `county.staff.departments` "
        "is the county's own staff",
        "0–1",
    ),
    MetricDoc(
        "staff.<pool>.overtime_h_per_week",
        "overtime hours a filled post of the pool worked a week, on days that started "
        "with overdue work at its station (`county.overtime`; 0 when off)",
        "hours/week",
        better="lower",
    ),
    MetricDoc("staff.<pool>.headcount_mean", "time-average filled posts of the pool", "staff"),
    MetricDoc("staff.headcount_mean", "time-average filled posts of all pools", "staff"),
    MetricDoc(
        "staff.cost",
        "yearly pay bill of the filled posts: time-average filled posts × `county.pay` of "
        "their quota type (township staff + `incentive_pay_premium_share` under "
        "incentives); county scope includes the county's own staff. Posts fill as "
        "recruitment and training allow, so over a first year this is below the bill with "
        "every post filled, which report.md's *Cost over the years* shows beside it",
        "thousand yuan/year",
    ),
    MetricDoc(
        "staff.<pool>.vacancies_mean",
        "time-average quota − filled posts of the pool (vacancies being recruited)",
        "posts",
    ),
    MetricDoc("staff.vacancies_mean", "the same over all pools", "posts"),
    MetricDoc(
        "staff.surge_cost",
        "(county scope only, with `policy.surge.staff` or `days` set) `policy.surge`'s "
        "pay: extra staff × working days × townships reached × `day_rate` (an assumption)",
        "thousand yuan",
        better="lower",
    ),
    MetricDoc(
        "staff.seconded_days",
        "staff-days spent seconded to the county in the window",
        "staff-days",
        better="lower",
    ),
    MetricDoc(
        "staff.secondment_refused",
        "secondment requests refused by the caps",
        "requests",
        better="lower",
    ),
    MetricDoc(
        "staff.secondment_unfilled",
        "secondment requests with nobody eligible left to send",
        "requests",
        better="lower",
    ),
    MetricDoc(
        "county_side.response_mean_h",
        "(county scope only) the county's answer time "
        "to townships' calls (referrals, legal reviews)",
        "working hours",
        better="lower",
    ),
    MetricDoc(
        "county_side.response_p90_h",
        "(county scope only) 90th percentile of the same",
        "working hours",
        better="lower",
    ),
    MetricDoc(
        "county_side.answered_in_limit_share",
        "(county scope only) share of those answers within `policy.escalation.response_limit_days`",
        "0–1",
        better="higher",
    ),
    MetricDoc(
        "county_side.staff",
        "(county scope only) staff left at the county: department staff after quota "
        "moved down, plus county enforcement officers neither stationed in townships "
        "nor gone; the on-call officers count (they stay at the county)",
        "staff",
    ),
    MetricDoc(
        "county_side.stationed",
        "(county scope only) county enforcement officers stationed in townships "
        "(1+x+y: x), over all townships",
        "staff",
    ),
    MetricDoc(
        "county_side.on_call",
        "(county scope only) county enforcement officers on call for whistle calls "
        "(1+x+y: y); their utilisation is `county.staff.on_call.utilisation_share`",
        "staff",
    ),
    MetricDoc(
        "county_side.whistle_calls",
        "(county scope only) townships' whistle calls (吹哨) in the window",
        "calls",
    ),
    MetricDoc(
        "county_side.whistle_waiting_end",
        "(county scope only) whistle calls not yet answered at the horizon (the answer "
        "times below leave them out)",
        "calls",
        better="lower",
    ),
    MetricDoc(
        "county_side.whistle_response_mean_h",
        "(county scope only) whistle call to the moment a county officer starts on it "
        "(报到), over calls in the window that were answered",
        "working hours",
        better="lower",
    ),
    MetricDoc(
        "county_side.whistle_response_p90_h",
        "(county scope only) 90th percentile of the same",
        "working hours",
        better="lower",
    ),
    MetricDoc(
        "county_side.whistle_in_limit_share",
        "(county scope only) share of those answers within `policy.enforcement.whistle_limit_days`",
        "0–1",
        better="higher",
    ),
    MetricDoc(
        "county_side.returned_arrivals",
        "(county scope only) tasks returned by admission control that arrived on the "
        "departments' desk in the window (their own work again)",
        "tasks",
    ),
    MetricDoc(
        "county_side.returned_completions",
        "(county scope only) returned tasks the departments finished in the window",
        "tasks",
    ),
)
"""Metrics beyond the per-stream ones (``<pool>`` stands for each staff pool's name)."""


def entries() -> list[MetricDoc]:
    """Every glossary entry, names after the scope (``<stream>``, ``<pool>`` stand for
    each stream's id and each staff pool's name).
    """
    rows = [
        dataclasses.replace(m, name=f"{STREAM}.{m.name}")
        for m in (*STREAM_METRICS, *CLEARING_METRICS)
    ]
    rows += [
        dataclasses.replace(m, name=f"{s.id}.{m.name}")
        for s in registry.streams()
        for m in s.extra_docs
    ]
    return rows + queue_entries() + list(OTHER_METRICS)


CLEARING = {m.name for m in CLEARING_METRICS}


def pattern_of(name: str) -> str:
    """The glossary entry a full metric name falls under (``town_1.staff.window_staff.
    utilisation_share`` → ``staff.<pool>.utilisation_share``).
    """
    rest = name.split(".", 1)[1]
    parts = rest.split(".")
    generic = {m.name for m in STREAM_METRICS}
    ids = {s.id for s in registry.streams()}
    if len(parts) == 2 and parts[0] in ids and parts[1] in generic | CLEARING:
        return f"{STREAM}.{parts[1]}"
    if len(parts) == 2 and parts[0] in {q.id for q in COUNTY_QUEUES} and parts[1] in generic:
        return f"{QUEUE}.{parts[1]}"
    if len(parts) == 3 and parts[0] == "staff":
        return f"staff.<pool>.{parts[2]}"
    return rest


def emits(s: Scenario, name: str) -> bool:
    """Whether a run of ``s`` emits the metric ``name``: its scope is the county or one of
    its townships, its entry is in the glossary and a pool it names is one of ``s``.
    """
    scope, _, rest = name.partition(".")
    if scope not in ("county", *township_ids(s)) or not rest:
        return False
    pattern = pattern_of(name)
    if pattern not in {e.name for e in entries()}:
        return False
    if pattern.startswith(QUEUE):
        return scope == "county"
    parts = rest.split(".")
    if parts[0] == "staff" and len(parts) == 3:
        pools = {p for tid in township_ids(s) for p in township_staff(s, tid)}
        pools |= {"departments", "stationed_officers"}
        return parts[1] in pools
    return True


def better(metric: str) -> Better:
    """Which direction of change of ``metric`` (a full name) is an improvement, as its
    glossary entry declares it (None when it declares none, or has no entry).
    """
    pattern = pattern_of(metric)
    return next((e.better for e in entries() if e.name == pattern), None)


def table() -> str:
    """The glossary as a markdown table."""
    lines = ["| metric | meaning | unit | better |", "| --- | --- | --- | --- |"]
    lines += [f"| `{e.name}` | {e.meaning} | {e.unit} | {e.better or ''} |" for e in entries()]
    return "\n".join(lines)


def render(readme: str) -> str:
    """``readme`` with its glossary table replaced by the current one."""
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    if not rest:
        raise ValueError(f"README.md has no {START} … {END} markers")
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main() -> int:
    """Rewrite the README's glossary."""
    README.write_text(render(README.read_text()))
    print(f"wrote the metric glossary in {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

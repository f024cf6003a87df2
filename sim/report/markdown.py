"""``report.md``: the study report along the STRESS-DES checklist (Monks et al. 2019):
objective, model scope, inputs that differ between the jobs, experimentation (run length,
replications, seeds and the calendar, read from the runs), implementation, results with
their stability and per-township tables, differences against the baseline and figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.analysis import glossary
from sim.analysis.stats import CI
from sim.core.calendar import WorkingClock
from sim.report import caveats, plots
from sim.report.conclusion import conclusion
from sim.report.console import UNSTABLE, unstable_flag
from sim.report.jobs import Job, overrides_of, streams, varying_keys
from sim.report.outputs import (
    GROWTH,
    OVERLOADED_RULE,
    backlog_total,
    county_queues,
    desk_flags,
    overloaded_desks,
    undetermined_streams,
    unstable_rule,
    unstable_streams,
)
from sim.report.steady import steady_lines
from sim.report.table import cell


def _dates(cfg: dict[str, Any]) -> str:
    """`` (2020-01-06 to 2020-12-18)`` for the simulated span, when the config tells."""
    try:
        cal, run = cfg["calendar"], cfg["run"]
        clock = WorkingClock(cal["hours_per_day"], cal["days_per_week"], cal["start_date"])
        last = clock.date_of_day(math.ceil(run["horizon_days"]) - 1)
        return f" ({clock.date_of_day(0)} to {last})"
    except (KeyError, TypeError, ValueError):
        return ""


def _kpi_rows(jobs: list[Job], kpis: Sequence[plots.Kpi]) -> list[str]:
    rows = [
        "| job | " + " | ".join(label for _, label, _ in kpis) + " |",
        "| --- |" + " --- |" * len(kpis),
    ]
    for j in jobs:
        if j.ok:
            m = j.metrics
            rows.append(
                f"| {j.name} | "
                + " | ".join(cell(m.get(k)) + unstable_flag(k, j) for k, _, _ in kpis)
                + " |"
            )
    return rows


def _diff_rows(
    by_job: dict[str, dict[str, CI]], jobs: list[Job], base: Job, kpis: Sequence[plots.Kpi]
) -> list[str]:
    rows = [
        "| job | " + " | ".join(f"Δ {label}{_direction(k)}" for k, label, _ in kpis) + " |",
        "| --- |" + " --- |" * len(kpis),
    ]
    named = {j.name: j for j in jobs}
    for name, diffs in by_job.items():
        pair = (named[name], base)
        rows.append(
            f"| {name} | "
            + " | ".join(cell(diffs.get(k)) + unstable_flag(k, *pair) for k, _, _ in kpis)
            + " |"
        )
    return rows


def _pairs_used(by_job: dict[str, dict[str, CI]], kpis: Sequence[plots.Kpi]) -> str:
    """How many replications each difference pairs: those both jobs have (with
    ``run.replications=auto`` a job may have more than its baseline).
    """
    used = {
        name: max((d.get(k.metric) or {}).get("n") or 0 for k in kpis) for name, d in by_job.items()
    }
    if len(set(used.values())) == 1:
        return f"Each difference pairs the {next(iter(used.values()))} replications both jobs have."
    return (
        "Replications paired (those both jobs have): "
        + ", ".join(f"{name} {n}" for name, n in used.items())
        + "."
    )


def _direction(metric: str) -> str:
    way = glossary.better(metric)
    return f" ({way} is better)" if way else ""


def _flat(d: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(d, dict):
        return {prefix: d}
    out: dict[str, Any] = {}
    for k, v in d.items():
        out.update(_flat(v, f"{prefix}.{k}" if prefix else str(k)))
    return out


def _changes(ok: list[Job], base: Job | None) -> list[str]:
    """What each job's policy sets differently from the baseline's, lever by lever."""
    if base is None or len(ok) < 2:
        return []
    ref = _flat(base.config().get("policy") or {}, "policy")
    lines = [f"### What each job's policy changes against {base.name}", ""]
    for j in ok:
        if j is base:
            continue
        mine = _flat(j.config().get("policy") or {}, "policy")
        diffs = [
            f"`{k}` {ref.get(k, '—')} → {mine.get(k, '—')}"
            for k in sorted(set(ref) | set(mine))
            if ref.get(k) != mine.get(k) and k != "policy.name"
        ]
        lines.append(f"- **{j.name}**: " + ("; ".join(diffs) if diffs else "no lever changed"))
    return [*lines, ""]


def _township_rows(ok: list[Job]) -> list[str]:
    """Per township: the mean items in the system per 10,000 inhabitants, a column per job."""
    infos = streams(ok)
    towns = sorted({t for j in ok for t in j.townships()})
    rows = [
        "### Per township: mean items in the system per 10,000 inhabitants "
        "(" + " + ".join(s.id for s in infos if s.in_backlog_total) + ")",
        "",
        "| township | " + " | ".join(j.name for j in ok) + " |",
        "| --- |" + " --- |" * len(ok),
    ]
    for t in towns:
        cells = [
            f"{plots.per_10k(j, t, backlog_total(j.metrics, t, infos)):,.1f}"
            if t in j.townships()
            else "—"
            for j in ok
        ]
        rows.append(f"| {t} | " + " | ".join(cells) + " |")
    return [*rows, "", "Every metric per township: comparison.csv (scope = township id).", ""]


def _stability(ok: list[Job]) -> list[str]:
    """Which streams are overloaded in which job (backlog growing over the window)."""
    infos = streams(ok)
    lines = [
        "### Stability (backlog growth over the window, items per working day, county-wide)",
        "",
    ]
    flagged = False
    for j in ok:
        bad = unstable_streams(j.metrics, "county", infos, j.steady)
        flagged |= bool(bad)
        growth = ", ".join(
            f"{s.id} {cell(j.metrics.get(f'county.{s.id}.{GROWTH}'))}" for s in infos
        )
        unsure = undetermined_streams(j.steady)
        verdict = "UNSTABLE " + ", ".join(bad) if bad else "stable"
        if unsure:
            verdict += "; undetermined (run longer): " + ", ".join(unsure)
        lines.append(f"- **{j.name}**: {verdict} ({growth})")
    rule = unstable_rule(any(j.steady for j in ok))
    lines += [
        "",
        (
            f"A stream marked{UNSTABLE} has a backlog that grows over the window "
            f"({rule}): its waits and lead times count only the items that "
            "started or finished, so they look better than they are; read its "
            "open-item ages (`open_age_max_d`, `open_age_mean_d` in comparison.csv) too."
            if flagged
            else "No stream's backlog grows significantly in any job."
        ),
        "",
    ]
    return lines


QUEUE_COLUMNS = ("arrivals", "wait_mean_h", "backlog_mean", "backlog_end", GROWTH)


def _county_queue_rows(ok: list[Job]) -> list[str]:
    """The county's own queues, one row per job and queue, flagged like a stream: with
    乡呼县应 townships' calls go first, so the county's answer time alone hides them.
    """
    rows = [(j, q) for j in ok for q in county_queues(j.metrics)]
    if not rows:
        return []
    lines = [
        "### The county's own queue",
        "",
        "| job | queue | " + " | ".join(QUEUE_COLUMNS) + " | desk busy | flag |",
        "| --- | --- |" + " --- |" * (len(QUEUE_COLUMNS) + 2),
    ]
    for j, q in rows:
        m = j.metrics
        cells = [cell(m.get(f"county.{q.id}.{c}")) for c in QUEUE_COLUMNS]
        busy = cell(m.get(f"county.staff.{q.pool}.utilisation_share"))
        why = desk_flags(m, q, j.steady)
        flag = f"{UNSTABLE.strip()} ({', '.join(why)})" if why else ""
        lines.append(f"| {j.name} | {q.label} | " + " | ".join(cells) + f" | {busy} | {flag} |")
    flagged = {j.name: overloaded_desks(j.metrics, j.steady) for j in ok}
    lines += [
        "",
        f"A county desk is marked{UNSTABLE} when {OVERLOADED_RULE}: its own work waits "
        "behind townships' calls, so the county's answer time looks better than the "
        "county's load is. "
        + (
            "Flagged: "
            + "; ".join(f"{name}: {', '.join(d)}" for name, d in flagged.items() if d)
            + "."
            if any(flagged.values())
            else "No county desk is flagged in any job."
        ),
        "",
    ]
    return lines


@dataclass(frozen=True)
class Setup:
    """How one job was run: what report.md must describe per job when jobs differ."""

    county: str
    townships: int
    horizon_days: Any
    warmup_days: Any
    replications: Any
    seed: Any
    dates: str
    calendar: str  # "8-hour days, 5-day weeks"


def _calendar(cfg: dict[str, Any]) -> str:
    """The working day and week of the job's calendar, in words."""
    cal = cfg.get("calendar") or {}
    hours, days = cal.get("hours_per_day"), cal.get("days_per_week")
    if hours is None or days is None:
        return "calendar not recorded"
    return f"{hours:g}-hour days, {days}-day weeks"


def _calendars(ok: list[Job]) -> str:
    """The jobs' calendar in words: one when they share it, else each job's."""
    setups = [setup_of(j) for j in ok]
    if len({x.calendar for x in setups}) <= 1:
        return setups[0].calendar if setups else "calendar not recorded"
    return "; ".join(f"{j.name}: {x.calendar}" for j, x in zip(ok, setups, strict=True))


def setup_of(job: Job) -> Setup:
    """The job's county, run length and replications, from its composed config."""
    cfg = job.config()
    county, run = cfg.get("county", {}), cfg.get("run", {})
    summary = job.summary or {}
    return Setup(
        county.get("name", "?"),
        sum((county.get("townships") or {}).values()),
        run.get("horizon_days", "?"),
        run.get("warmup_days", "?"),
        summary.get("replications", run.get("replications", "?")),
        summary.get("seed", run.get("seed", "?")),
        _dates(cfg),
        _calendar(cfg),
    )


def _experimentation(ok: list[Job]) -> list[str]:
    """Run length, replications and seeds: one sentence each when every job shares them,
    a table of the jobs otherwise (jobs are never described as one when they differ).
    """
    setups = [setup_of(j) for j in ok]
    first = setups[0] if setups else Setup("?", 0, "?", "?", "?", "?", "", "")
    calendar = _calendars(ok)
    seeds = sorted({str(x.seed) for x in setups})
    lines = []
    if len({(x.horizon_days, x.warmup_days, x.replications, x.county) for x in setups}) > 1:
        lines += [
            "The jobs differ in how they were run:",
            "",
            "| job | county (townships) | working days | warm-up days | replications | seed |",
            "| --- | --- | --- | --- | --- | --- |",
            *[
                f"| {j.name} | {x.county} ({x.townships}) | {x.horizon_days}{x.dates} | "
                f"{x.warmup_days} | {x.replications} | {x.seed} |"
                for j, x in zip(ok, setups, strict=True)
            ],
            "",
            f"- Warm-up days are excluded from every metric ({calendar}; no "
            "public holidays); 95% confidence intervals are t-based across replications, "
            "clipped to the values a quantity can take (≥ 0; shares ≤ 1).",
        ]
    else:
        lines += [
            f"- Run length: {first.horizon_days} working days{first.dates}, of "
            f"which a warm-up of {first.warmup_days} days is excluded from "
            f"every metric ({calendar}; no public holidays).",
            f"- Replications: {first.replications} per job; 95% confidence "
            "intervals are t-based across replications, clipped to the values a "
            "quantity can take (≥ 0; shares ≤ 1).",
        ]
    lines.append(
        f"- Random numbers: seed{'s' if len(seeds) > 1 else ''} "
        f"{', '.join(seeds)}; one numpy stream per (seed, replication, source). "
        + (
            "All jobs share the seed: common random numbers, so "
            "differences are paired by replication."
            if len(seeds) == 1
            else "Jobs use different seeds: differences are unpaired (Welch)."
        )
    )
    return lines


def _scope(ok: list[Job], jobs: list[Job]) -> str:
    setups = {(x.county, x.townships) for x in map(setup_of, ok)} or {("?", 0)}
    where = (
        f"County `{next(iter(setups))[0]}` with {next(iter(setups))[1]} townships."
        if len(setups) == 1
        else "Counties: "
        + "; ".join(
            f"{j.name}: `{x.county}` ({x.townships} townships)"
            for j, x in ((j, setup_of(j)) for j in ok)
        )
        + "."
    )
    return where + " Each receives " + ", ".join(s.label.lower() for s in streams(jobs))


def markdown(
    jobs: list[Job],
    base: Job | None,
    by_job: dict[str, dict[str, CI]],
    figures: list[Path],
    out: Path,
    kpis: Sequence[plots.Kpi] = plots.KPIS,
) -> str:
    """``report.md``: the study report along the STRESS-DES checklist."""
    ok = [j for j in jobs if j.ok]
    current = [j for j in jobs if not j.stale]
    failed = [j for j in current if not j.ok]
    stale = [j for j in jobs if j.stale]
    first = ok[0] if ok else None
    meta = first.summary.get("meta", {}) if first and first.summary else {}
    varied = varying_keys(current)
    lines = [
        "# Study report",
        "",
        "Written by `tsim-report` along the STRESS-DES checklist (Monks et al. 2019) for "
        "discrete-event simulation studies.",
        "",
        *conclusion(ok, base, kpis),
        "## 1. Objective",
        "How do the compared policies change township backlogs, waiting and lead times, "
        "deadline compliance, staffing and the county's answers? Jobs compared:",
        "",
        *[
            f"- **{j.name}** — overrides `{' '.join(j.overrides) or '(none)'}` (`{j.dir.name}`)"
            for j in current
        ],
        "",
        "## 2. Model scope and logic",
        _scope(ok, jobs) + ", each served by "
        "its centre (service centre, enforcement office with two certified officers per "
        "field step and referrals and legal review at the county, general office, grid "
        "triage); staff are individuals in "
        "pools with quota types, hiring, attrition and secondment; the county "
        "departments share one staff pool with their own work. The clock runs on "
        f"working hours ({_calendars(ok)}). Full description: README.md.",
        "",
        "## 3. Inputs: what differs between the jobs",
        "",
    ]
    if varied:
        lines += [
            "| key | " + " | ".join(j.name for j in current) + " |",
            "| --- |" + " --- |" * len(current),
        ]
        for k in varied:
            vals = [overrides_of(j).get(k, "—") for j in current]
            lines.append(f"| `{k}` | " + " | ".join(f"`{v}`" for v in vals) + " |")
    else:
        lines.append("No override differs between the jobs.")
    lines += [
        "",
        "Every other parameter, its unit and source: docs/PARAMETERS.md; the "
        "composed configuration of each job: `<job>/.hydra/config.yaml`.",
        "",
        *_changes(ok, base),
        "## 4. Experimentation",
        *_experimentation(ok),
        f"- Baseline for differences: {base.name if base else '—'}.",
        "",
        "## 5. Implementation",
        f"- township-sim {meta.get('versions', {}).get('township-sim', '?')}, git "
        f"commit `{meta.get('git_commit')}`; "
        + ", ".join(f"{k} {v}" for k, v in meta.get("versions", {}).items() if k != "township-sim"),
        "- Run time per job: "
        + ", ".join(
            f"{j.name} {(j.summary or {}).get('meta', {}).get('sim_seconds', math.nan):.1f} s "
            f"({(j.summary or {}).get('meta', {}).get('work_items', 0):,} items)"
            for j in ok
        ),
        "",
        "## 6. Results (county-wide, mean ±95% CI half-width)",
        "",
        *_kpi_rows(jobs, kpis),
        "",
        *caveats.notes(ok),
        *_stability(ok),
        *steady_lines(ok),
        *_county_queue_rows(ok),
        *_township_rows(ok),
    ]
    if base and by_job:
        lines += [
            f"### Differences against {base.name} (paired by replication)",
            "",
            _pairs_used(by_job, kpis),
            "",
            *_diff_rows(by_job, jobs, base, kpis),
            "",
        ]
    lines += ["### Figures", ""]
    lines += [f"![{f.stem}]({f.relative_to(out) if f.is_relative_to(out) else f})" for f in figures]
    lines += ["", "All metrics of all jobs: comparison.csv; differences: differences.csv.", ""]
    if failed:
        lines += ["## Failed or unfinished jobs", ""]
        lines += [f"- **{j.name}** (`{j.dir}`): {(j.error or {}).get('exception')}" for j in failed]
        lines.append("")
    if stale:
        lines += [
            "## Stale job directories (not reported)",
            "",
            "These directories hold results that are not what their labels say; their "
            "numbers appear nowhere above.",
            "",
        ]
        lines += [f"- `{j.dir}`: {j.stale}" for j in stale]
        lines.append("")
    return "\n".join(lines)

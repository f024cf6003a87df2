"""What drives the baseline: the table of ``experiments/baseline_drivers``.

pre_reform carries four disruptions whose numbers are mostly assumptions (issue 18):
staff leaving, the county borrowing staff, one window per department, and how a head
covers a desk left without staff. The study switches each off, alone and in every
combination, under common random numbers; ``tsim-report SWEEP --drivers`` writes
``drivers.md`` — one row per combination, each headline KPI's level and its paired
change against pre_reform with its 95% CI — and a second table with each disruption's
key, its preset value and its source or the word assumption. A job's combination is
read from its composed configuration (the key at its "off" value), not from its name,
so a hand-made sweep of the same keys gives the same table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.core.sources import S001, S002, S003, S004
from sim.report.jobs import Job, config_value, streams
from sim.report.options import DRIVERS_FILE
from sim.report.outputs import unstable_rule, unstable_streams
from sim.report.stats import difference, paired
from sim.report.table import cell, number
from sim.run import results

FILE = DRIVERS_FILE


@dataclass(frozen=True)
class Disruption:
    """One disruption of the baseline and the value of its key that switches it off."""

    name: str
    key: str
    """Dotted configuration key (``policy.workforce.attrition_per_year``)."""
    off: Any
    """The key's value with the disruption switched off."""
    meaning: str
    """What the preset value does, in a few words."""
    source: str
    """Where the preset comes from: a seed and its words, or "assumption"."""


DISRUPTIONS = (
    Disruption(
        "attrition",
        "policy.workforce.attrition_per_year",
        0.0,
        "staff leave at this share a year; a post left empty waits for the next recruitment "
        "round (`policy.workforce.hiring_round_days`), then a hiring lag and training",
        "assumption: no seed gives a leaving rate (the "
        f"{S002}: 保持干部队伍相对稳定 asks for stable teams, without a number)",
    ),
    Disruption(
        "secondment",
        "policy.secondment.requests_per_township_per_day",
        0.0,
        "requests a township a working day for one of its permanent staff, each for "
        "`policy.secondment.duration_mean_days` on average, uncapped",
        "assumption: the rate and the length; that the county borrows township staff is in "
        f"the {S001}: 借用乡镇在编人员, which the reform caps (不得超过3个月, 不超过2名)",
    ),
    Disruption(
        "dedicated windows",
        "policy.windows.mode",
        "pooled",
        "one window per department, clerks grouped over them by load; off: one pooled desk, "
        "10% slower a request (`policy.windows.pooled_effort_factor`, assumption)",
        f"department windows: {S004}: 设有司法、文化、民政等16个一线窗口; the reform merges "
        f"them, {S003}: 整合设置民生服务大厅“综合窗口”; how clerks are grouped over the "
        "windows is an assumption",
    ),
    Disruption(
        "desk cover",
        "county.cover.share",
        0.0,
        "a desk or team left short is covered after `county.cover.delay_days` for this "
        "share of each day; off: nobody covers",
        "assumption: a head reassigns someone within a couple of days, half a day at a time",
    ),
)


@dataclass(frozen=True)
class Column:
    """A KPI of the table and its heading."""

    metric: str
    heading: str


COLUMNS = (
    Column("county.services.wait_mean_h", "service wait h"),
    Column("county.enforcement.lead_time_mean_h", "case lead time h"),
    Column("county.delegated.lead_time_mean_h", "task lead time h"),
    Column("county.delegated.overdue_share", "tasks overdue"),
)


def switched_off(job: Job) -> frozenset[str]:
    """Names of the disruptions the job runs without."""
    cfg = job.config()
    return frozenset(d.name for d in DISRUPTIONS if config_value(cfg, d.key) == d.off)


def combinations(jobs: Sequence[Job]) -> dict[frozenset[str], Job]:
    """Each finished job by the disruptions it switches off; one job per combination."""
    out: dict[frozenset[str], Job] = {}
    for job in jobs:
        if not job.ok:
            continue
        off = switched_off(job)
        if off in out:
            raise ValueError(
                f"{out[off].dir} and {job.dir} both run {label(off)}: give one sweep "
                "of experiments/baseline_drivers"
            )
        out[off] = job
    if frozenset() not in out:
        keys = ", ".join(f"{d.key} ≠ {d.off}" for d in DISRUPTIONS)
        raise ValueError(
            "no finished job runs the baseline with every disruption on "
            f"({keys}): --drivers reads a sweep of experiments/baseline_drivers"
        )
    return out


def label(off: frozenset[str]) -> str:
    """A row's name: the disruptions switched off, in the order of :data:`DISRUPTIONS`."""
    names = [d.name for d in DISRUPTIONS if d.name in off]
    return "none (pre_reform)" if not names else " + ".join(f"no {n}" for n in names)


def _signed(x: float) -> str:
    return ("+" if x >= 0 else "-") + number(abs(x))


def change(job: Job, base: Job, metric: str) -> str:
    """The job's level of ``metric`` and its change against ``base`` with the 95% CI."""
    level = cell(job.metrics.get(metric))
    d = difference(job, base, metric)
    if d["mean"] is None:
        return level
    if d["ci_low"] is None:
        return f"{level} ({_signed(d['mean'])})"
    return f"{level} ({_signed(d['mean'])} [{_signed(d['ci_low'])}, {_signed(d['ci_high'])}])"


def _growing(job: Job, jobs: Sequence[Job]) -> str:
    infos = streams(list(jobs))
    return ", ".join(unstable_streams(job.metrics, "county", infos, job.steady)) or "none"


def _caption(base: Job, jobs: Sequence[Job]) -> str:
    cfg, summary = base.config(), base.summary or {}
    run = cfg.get("run") or {}
    pairing = (
        "paired by replication (common random numbers)"
        if all(paired(j, base) for j in jobs)
        else "Welch (the jobs do not share their random numbers)"
    )
    return (
        f"County {config_value(cfg, 'county.name')}, {summary.get('replications')} replications × "
        f"{number(float(run.get('horizon_days', 0)))} working days "
        f"({number(float(run.get('warmup_days', 0)))} warm-up), seed {summary.get('seed')}. "
        "Each cell: the level (mean ±95% CI half-width) and, in brackets, the change "
        f"against pre_reform with its 95% CI, {pairing}. The last column names the "
        f"streams whose backlog still grows ({unstable_rule(any(j.steady for j in jobs))}, "
        "as the report flags it)."
    )


def drivers_table(jobs: Sequence[Job]) -> str:
    """The study's table (markdown): one row per combination switched off, fewest first."""
    by_off = combinations(jobs)
    base = by_off[frozenset()]
    order = {d.name: i for i, d in enumerate(DISRUPTIONS)}
    rows = sorted(by_off, key=lambda off: (len(off), sorted(order[n] for n in off)))
    done = list(by_off.values())
    heads = ["switched off", *(c.heading for c in COLUMNS), "growing"]
    lines = [_caption(base, done), "", _row(heads), _row(["---"] * len(heads))]
    for off in rows:
        job = by_off[off]
        cells = [
            cell(job.metrics.get(c.metric)) if job is base else change(job, base, c.metric)
            for c in COLUMNS
        ]
        lines.append(_row([label(off), *cells, _growing(job, done)]))
    return "\n".join(lines)


def sources_table(base: Job) -> str:
    """Each disruption: its key, preset value (as the baseline ran it), what it does, and
    its source or "assumption".
    """
    heads = ["disruption", "key: preset → off", "what the preset does", "source"]
    lines = [_row(heads), _row(["---"] * len(heads))]
    cfg = base.config()
    for d in DISRUPTIONS:
        setting = f"`{d.key}`: {config_value(cfg, d.key)} → {d.off}"
        lines.append(_row([d.name, setting, d.meaning, d.source]))
    return "\n".join(lines)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def markdown(jobs: Sequence[Job]) -> str:
    """``drivers.md``: the drivers table and the sources of the disruptions."""
    base = combinations(jobs)[frozenset()]
    return "\n\n".join([drivers_table(jobs), sources_table(base)]) + "\n"


def write(jobs: Sequence[Job], out: Path) -> tuple[Path, str]:
    """Write ``drivers.md`` into ``out`` (atomically); its path and its text."""
    text = markdown(jobs)
    path = out / FILE
    results.atomic_write(path, lambda p: p.write_text(text))
    return path, text

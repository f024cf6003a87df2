"""One township's view (``tsim-report PATH --township ID``): its tables and its backlog.

Writes into ``<PATH>/township_<ID>/`` (or ``--out``) only what concerns that township:
``comparison.csv`` (its metrics, one row per job × metric), ``backlog_over_time.png``
(its streams' items in the system, with the calendar's dates on the x axis) and
``report.md`` (per stream, each job's wait, lead time, on-time share, backlog and growth
flag, and — when the runs set ``run.report_day`` — the days to clear a backlog and the
backlog on that day; per staff pool, its utilisation). Nothing county-wide and no other
township appears, so the file can go to that township as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.core.calendar import WorkingClock
from sim.report import plots
from sim.report.jobs import Job, streams
from sim.report.outputs import grows
from sim.report.stats import comparison
from sim.report.table import cell
from sim.run.results import atomic_write

STREAM_COLUMNS = (
    ("wait_mean_h", "wait (working h)"),
    ("lead_time_mean_h", "lead time (working h)"),
    ("on_time_share", "on time (share)"),
    ("backlog_mean", "backlog (items)"),
    ("days_to_clear", "days to clear"),
    ("backlog_at_report_day", "backlog on the report day"),
)


def check_township(jobs: list[Job], township: str) -> None:
    """One line naming the runs' townships when ``township`` is none of them."""
    known = sorted({t for j in jobs if j.ok for t in j.townships()})
    if township not in known:
        raise ValueError(
            f"--township {township}: no such township in the runs "
            f"(townships: {', '.join(known) or 'none'})"
        )


def clock_of(job: Job) -> WorkingClock | None:
    """The job's calendar, for dates (None when its config is not recorded)."""
    cal = job.config().get("calendar") or {}
    try:
        return WorkingClock(cal["hours_per_day"], cal["days_per_week"], cal["start_date"])
    except KeyError:
        return None


def township_report(
    jobs: list[Job], township: str, out: Path, baseline: Job | None
) -> dict[str, Any]:
    """Write the township's comparison, backlog figure and report.md into ``out``."""
    check_township(jobs, township)
    out.mkdir(parents=True, exist_ok=True)
    ok = [j for j in jobs if j.ok]
    table = comparison(ok)
    mine = table[table.metric.str.startswith(f"{township}.")]
    atomic_write(out / "comparison.csv", lambda p: mine.to_csv(p, index=False))
    figure = plots.backlog_over_time(ok, out, baseline, scope=township, clock=clock_of(ok[0]))
    text = markdown(ok, township, figure)
    atomic_write(out / "report.md", lambda p: p.write_text(text))
    return {"out": out, "figure": figure, "text": text}


def markdown(jobs: list[Job], township: str, figure: Path | None) -> str:
    """The township's report.md."""
    clock = clock_of(jobs[0])
    lines = [f"# {township}: one township's view", ""]
    if clock is not None:
        lines += [f"Working day 0 is {clock.date_of_day(0)}.", ""]
    for info in streams(jobs):
        cols = [
            (m, label)
            for m, label in STREAM_COLUMNS
            if any(f"{township}.{info.id}.{m}" in j.metrics for j in jobs)
        ]
        lines += [f"## {info.label}", "", _row(["job", *[c[1] for c in cols], "growing"])]
        lines.append(_row(["---"] * (len(cols) + 2)))
        for j in jobs:
            cells = [cell(j.metrics.get(f"{township}.{info.id}.{m}")) for m, _ in cols]
            flag = "yes" if grows(j.metrics, township, info.id) else "no"
            lines.append(_row([j.name, *cells, flag]))
        lines.append("")
    lines += _staff(jobs, township)
    if figure is not None:
        lines += ["## Backlog over time", "", f"![backlog over time]({figure.name})", ""]
    return "\n".join(lines)


def _staff(jobs: list[Job], township: str) -> list[str]:
    prefix, suffix = f"{township}.staff.", ".utilisation_share"
    pools = sorted(
        {
            m[len(prefix) : -len(suffix)]
            for j in jobs
            for m in j.metrics
            if m.startswith(prefix) and m.endswith(suffix)
        }
    )
    if not pools:
        return []
    lines = ["## Staff busy (share)", "", _row(["job", *pools]), _row(["---"] * (len(pools) + 1))]
    for j in jobs:
        lines.append(_row([j.name, *[cell(j.metrics.get(f"{prefix}{p}{suffix}")) for p in pools]]))
    return [*lines, ""]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"

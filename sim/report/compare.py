"""Comparing runs and sweeps: everything ``tsim-report`` writes (:mod:`sim.cli.report`).

:func:`report` reads run or sweep directories and writes, into the first PATH (or ``--out``):
``comparison.csv`` (one row per job × metric: mean, 95% CI, replications),
``differences.csv`` (every job against the baseline, paired by replication when the jobs
share their random numbers), the figures of :mod:`sim.report.plots`, and ``report.md`` — a study
report along the STRESS-DES checklist. Failed or unfinished jobs are listed, never dropped
silently; the report covers the rest.

This module writes the report; the statistics are in :mod:`sim.report.stats`, the printed
table in :mod:`sim.report.console`, report.md in :mod:`sim.report.markdown`.
"""

from __future__ import annotations

import difflib
import time
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.stats import CI
from sim.report import html, plots
from sim.report.jobs import Job, load
from sim.report.markdown import markdown
from sim.report.options import BASELINE_DEFAULT, REPORTS_DIR, kpi
from sim.report.stats import comparison, differences
from sim.run import results


def choose_kpis(jobs: list[Job], names: list[str] | None) -> list[plots.Kpi]:
    """The KPIs to show: ``--kpi`` names (checked against the runs), else the headline."""
    if not names:
        return list(plots.KPIS)
    known = {m for j in jobs if j.ok for m in j.metrics}
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, 3)
            hint = (
                f"did you mean {', '.join(close)}?"
                if close
                else "names are <scope>.<stream>.<metric>, listed in comparison.csv and "
                "the README glossary"
            )
            raise ValueError(f"--kpi {name}: no finished job has this metric; {hint}")
    return [kpi(n) for n in names]


def pick_baseline(jobs: list[Job], name: str | None) -> Job | None:
    """The job named ``name``; by default ``pre_reform``, else the first finished job."""
    ok = [j for j in jobs if j.ok]
    if not ok:
        return None
    if name is None:
        return next((j for j in ok if j.name == BASELINE_DEFAULT), ok[0])
    for j in ok:
        if j.name == name:
            return j
    raise ValueError(
        f"--baseline {name!r}: no finished job of that name (jobs: {', '.join(j.name for j in ok)})"
    )


class NothingToReport(ValueError):
    """Every job under the paths is failed, unfinished or stale."""


def _why_not(jobs: list[Job]) -> str:
    """Why the first of ``jobs`` is not reported, naming its directory or the file at
    fault: the one line a user sees when no job is left to compare.
    """
    job = jobs[0]
    why = str((job.error or {}).get("exception") or job.stale or "unfinished")
    first = "first: " if len(jobs) > 1 else ""
    return f"{first}{why}" if str(job.dir) in why else f"{first}{job.dir}: {why}"


def output_dir(paths: list[Path], out: Path | None) -> Path:
    """Where the report goes: ``--out``; else the PATH when there is one; else a new
    directory under ``results/reports/`` (one sweep's report never overwrites another's).
    Raises ValueError with one line when ``--out`` names a file.
    """
    if out is not None:
        if out.exists() and not out.is_dir():
            raise ValueError(f"--out {out}: is a file; give a directory")
        return out
    if len(paths) == 1:
        return paths[0]
    stamp = time.strftime("%Y-%m-%d_%H-%M-%S")
    new = REPORTS_DIR / stamp
    n = 1
    while new.exists():
        new, n = REPORTS_DIR / f"{stamp}-{n}", n + 1
    return new


def _write_text(path: Path, text: str) -> None:
    results.atomic_write(path, lambda p: p.write_text(text))


def _write_csv(path: Path, table: pd.DataFrame) -> None:
    results.atomic_write(path, lambda p: table.to_csv(p, index=False))


def report(
    paths: list[Path],
    out: Path | None = None,
    baseline: str | None = None,
    kpi_names: list[str] | None = None,
) -> dict[str, Any]:
    """Read the jobs under ``paths`` and write every table, figure, report.md and its
    self-contained report.html.
    """
    jobs = load(paths)
    if not any(j.ok for j in jobs):
        raise NothingToReport(
            f"no finished job under {' '.join(map(str, paths))} "
            f"({len(jobs)} job director{'y' if len(jobs) == 1 else 'ies'}, all failed, "
            f"unfinished or stale; {_why_not(jobs)}): nothing to compare"
        )
    kpis = choose_kpis(jobs, kpi_names)
    out = output_dir(paths, out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ValueError(f"{out}: is a file; give --out DIR") from None
    base = pick_baseline(jobs, baseline)
    _write_csv(out / "comparison.csv", comparison(jobs))
    by_job: dict[str, dict[str, CI]] = {}
    if base:
        diff_table, by_job = differences(jobs, base)
        _write_csv(out / "differences.csv", diff_table)
    figures = [
        f
        for f in (
            plots.backlog_over_time(jobs, out, base),
            plots.kpi_bars(jobs, out, base, kpis),
            plots.differences(by_job, base.name if base else "", jobs, out, kpis),
            plots.fairness(jobs, out),
            *plots.townships(jobs, out, base),
            plots.lead_time_ecdf(jobs, out, base),
        )
        if f is not None
    ]
    text = markdown(jobs, base, by_job, figures, out, kpis)
    _write_text(out / "report.md", text)
    _write_text(out / "report.html", html.render(text, out))
    return {"jobs": jobs, "out": out, "figures": figures, "baseline": base, "kpis": kpis}

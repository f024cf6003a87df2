"""``tsim-report PATH… [--baseline NAME] [--out DIR]``: compare runs and sweeps.

Reads run or sweep directories and writes, into the first PATH (or ``--out``):
``comparison.csv`` (one row per job × metric: mean, 95% CI, replications),
``differences.csv`` (every job against the baseline, paired by replication when the jobs
share their random numbers), the figures of :mod:`sim.plots`, and ``report.md`` — a study
report along the STRESS-DES checklist. It prints the comparison table, the failed jobs
and where the backlog figure is. Failed or unfinished jobs are listed, never dropped
silently; the report covers the rest.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from . import plots
from .analysis import CI, paired_difference, welch_difference
from .calendar import WorkingClock
from .jobs import Job, load, overrides_of, streams, varying_keys
from .outputs import backlog_total
from .table import cell

BASELINE_DEFAULT = "pre_reform"


# --------------------------------------------------------------------------- tables
def comparison(jobs: list[Job]) -> pd.DataFrame:
    """One row per finished job × metric: mean, CI, replications."""
    rows = [
        {
            "job": j.name,
            "metric": name,
            "mean": m["mean"],
            "ci_low": m["ci_low"],
            "ci_high": m["ci_high"],
            "replications": m["n"],
        }
        for j in jobs
        if j.ok
        for name, m in j.metrics.items()
    ]
    return pd.DataFrame(
        rows, columns=["job", "metric", "mean", "ci_low", "ci_high", "replications"]
    )


def paired(job: Job, base: Job) -> bool:
    """Replication k of both jobs drew the same random numbers."""
    assert job.summary is not None and base.summary is not None
    return (
        job.summary["seed"] == base.summary["seed"]
        and job.summary["replications"] == base.summary["replications"]
    )


def difference(job: Job, base: Job, metric: str) -> CI:
    """CI of job − baseline for one metric: paired when the jobs share random numbers."""
    a, b = job.replications(), base.replications()
    if metric not in a or metric not in b:
        return {"mean": None, "ci_low": None, "ci_high": None, "n": 0}
    if paired(job, base):
        return paired_difference(a[metric].to_numpy(), b[metric].to_numpy())
    return welch_difference(a[metric].to_numpy(float), b[metric].to_numpy(float))


def differences(jobs: list[Job], base: Job) -> tuple[pd.DataFrame, dict[str, dict[str, CI]]]:
    """Every finished job against the baseline, for every metric."""
    rows: list[dict[str, Any]] = []
    by_job: dict[str, dict[str, CI]] = {}
    for job in jobs:
        if not job.ok or job is base:
            continue
        by_job[job.name] = {}
        for metric in job.replications().columns:
            if metric == "replication":
                continue
            d = difference(job, base, metric)
            by_job[job.name][metric] = d
            rows.append(
                {
                    "job": job.name,
                    "baseline": base.name,
                    "metric": metric,
                    "diff_mean": d["mean"],
                    "ci_low": d["ci_low"],
                    "ci_high": d["ci_high"],
                    "paired": paired(job, base),
                }
            )
    return pd.DataFrame(rows), by_job


def console_table(jobs: list[Job]) -> str:
    """The headline KPIs of every finished job, one line each."""
    ok = [j for j in jobs if j.ok]
    infos = streams(jobs)
    width = max([len(j.name) for j in ok] + [8]) + 2
    heads = [short for _, _, short in plots.KPIS] + ["backlog items"]
    lines = ["job".ljust(width) + "  ".join(h.ljust(20) for h in heads)]
    for j in ok:
        m = j.metrics
        total = backlog_total(m, "county", infos)
        cells = [cell(m.get(metric)) for metric, _, _ in plots.KPIS] + [f"{total:,.0f}"]
        lines.append(j.name.ljust(width) + "  ".join(c.ljust(20) for c in cells))
    return "\n".join(lines)


# --------------------------------------------------------------------------- report.md
def _config(job: Job) -> dict[str, Any]:
    path = job.dir / ".hydra" / "config.yaml"
    return yaml.safe_load(path.read_text()) if path.is_file() else {}


def _dates(cfg: dict[str, Any]) -> str:
    """`` (2020-01-06 to 2020-12-18)`` for the simulated span, when the config tells."""
    try:
        cal, run = cfg["calendar"], cfg["run"]
        clock = WorkingClock(cal["hours_per_day"], cal["days_per_week"], cal["start_date"])
        last = clock.date_of_day(math.ceil(run["horizon_days"]) - 1)
        return f" ({clock.date_of_day(0)} to {last})"
    except (KeyError, TypeError, ValueError):
        return ""


def _kpi_rows(jobs: list[Job]) -> list[str]:
    rows = [
        "| job | " + " | ".join(label for _, label, _ in plots.KPIS) + " |",
        "| --- |" + " --- |" * len(plots.KPIS),
    ]
    for j in jobs:
        if j.ok:
            m = j.metrics
            rows.append(
                f"| {j.name} | " + " | ".join(cell(m.get(k)) for k, _, _ in plots.KPIS) + " |"
            )
    return rows


def _diff_rows(by_job: dict[str, dict[str, CI]]) -> list[str]:
    rows = [
        "| job | " + " | ".join(f"Δ {label}" for _, label, _ in plots.KPIS) + " |",
        "| --- |" + " --- |" * len(plots.KPIS),
    ]
    for name, diffs in by_job.items():
        rows.append(
            f"| {name} | " + " | ".join(cell(diffs.get(k)) for k, _, _ in plots.KPIS) + " |"
        )
    return rows


def markdown(
    jobs: list[Job],
    base: Job | None,
    by_job: dict[str, dict[str, CI]],
    figures: list[Path],
    out: Path,
) -> str:
    """``report.md``: the study report along the STRESS-DES checklist."""
    ok = [j for j in jobs if j.ok]
    failed = [j for j in jobs if not j.ok]
    first = ok[0] if ok else None
    cfg = _config(first) if first else {}
    run = cfg.get("run", {})
    meta = first.summary.get("meta", {}) if first and first.summary else {}
    varied = varying_keys(jobs)
    seeds = sorted({j.summary["seed"] for j in ok if j.summary})
    lines = [
        "# Study report",
        "",
        "Written by `tsim-report` along the STRESS-DES checklist (Monks et al. 2019) for "
        "discrete-event simulation studies.",
        "",
        "## 1. Objective",
        "How do the compared policies change township backlogs, waiting and lead times, "
        "deadline compliance, staffing and the county's answers? Jobs compared:",
        "",
        *[
            f"- **{j.name}** — overrides `{' '.join(j.overrides) or '(none)'}` (`{j.dir.name}`)"
            for j in jobs
        ],
        "",
        "## 2. Model scope and logic",
        f"County `{cfg.get('county', {}).get('name', '?')}` with "
        f"{sum((cfg.get('county', {}).get('townships') or {}).values())} townships. Each "
        "receives " + ", ".join(s.label.lower() for s in streams(jobs)) + ", each served by "
        "its centre (service centre, enforcement office with two certified officers per "
        "field step and referrals and legal review at the county, general office, grid "
        "triage); staff are individuals in "
        "pools with quota types, hiring, attrition and secondment; the county "
        "departments share one staff pool with their own work. The clock runs on "
        "working hours (8 h days, 5-day weeks). Full description: README.md.",
        "",
        "## 3. Inputs: what differs between the jobs",
        "",
    ]
    if varied:
        lines += [
            "| key | " + " | ".join(j.name for j in jobs) + " |",
            "| --- |" + " --- |" * len(jobs),
        ]
        for k in varied:
            vals = [overrides_of(j).get(k, "—") for j in jobs]
            lines.append(f"| `{k}` | " + " | ".join(f"`{v}`" for v in vals) + " |")
    else:
        lines.append("No override differs between the jobs.")
    lines += [
        "",
        "Every other parameter, its unit and source: docs/PARAMETERS.md; the "
        "composed configuration of each job: `<job>/.hydra/config.yaml`.",
        "",
        "## 4. Experimentation",
        f"- Run length: {run.get('horizon_days', '?')} working days{_dates(cfg)}, of "
        f"which a warm-up of {run.get('warmup_days', '?')} days is excluded from "
        "every metric (8-hour days, 5-day weeks; no public holidays).",
        f"- Replications: {run.get('replications', '?')} per job; 95% confidence "
        "intervals are t-based across replications.",
        f"- Random numbers: seed{'s' if len(seeds) > 1 else ''} "
        f"{', '.join(map(str, seeds))}; one numpy stream per (seed, replication, "
        "source). "
        + (
            "All jobs share the seed: common random numbers, so "
            "differences are paired by replication."
            if len(seeds) == 1
            else "Jobs use different seeds: differences are unpaired (Welch)."
        ),
        f"- Baseline for differences: {base.name if base else '—'}.",
        "",
        "## 5. Implementation",
        f"- township-sim {meta.get('versions', {}).get('township-sim', '?')}, git "
        f"commit `{meta.get('git_commit')}`; "
        + ", ".join(f"{k} {v}" for k, v in meta.get("versions", {}).items() if k != "township-sim"),
        "- Run time per job: "
        + ", ".join(
            f"{j.name} {(j.summary or {})['meta']['sim_seconds']:.1f} s "
            f"({(j.summary or {})['meta']['work_items']:,} items)"
            for j in ok
        ),
        "",
        "## 6. Results (county-wide, mean ±95% CI half-width)",
        "",
        *_kpi_rows(jobs),
        "",
    ]
    if base and by_job:
        lines += [
            f"### Differences against {base.name} (paired by replication)",
            "",
            *_diff_rows(by_job),
            "",
        ]
    lines += ["### Figures", ""]
    lines += [f"![{f.stem}]({f.relative_to(out) if f.is_relative_to(out) else f})" for f in figures]
    lines += ["", "All metrics of all jobs: comparison.csv; differences: differences.csv.", ""]
    if failed:
        lines += ["## Failed or unfinished jobs", ""]
        lines += [f"- **{j.name}** (`{j.dir}`): {(j.error or {}).get('exception')}" for j in failed]
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------- CLI
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


def report(
    paths: list[Path], out: Path | None = None, baseline: str | None = None
) -> dict[str, Any]:
    """Read the jobs under ``paths`` and write every table, figure and report.md."""
    jobs = load(paths)
    out = Path(out or paths[0])
    out.mkdir(parents=True, exist_ok=True)
    base = pick_baseline(jobs, baseline)
    comparison(jobs).to_csv(out / "comparison.csv", index=False)
    diff_table: pd.DataFrame = pd.DataFrame()
    by_job: dict[str, dict[str, CI]] = {}
    if base:
        diff_table, by_job = differences(jobs, base)
    if base:
        diff_table.to_csv(out / "differences.csv", index=False)
    figures = [
        f
        for f in (
            plots.backlog_over_time(jobs, out, base),
            plots.kpi_bars(jobs, out, base),
            plots.differences(by_job, base.name if base else "", jobs, out),
            plots.fairness(jobs, out),
            plots.lead_time_ecdf(jobs, out, base),
        )
        if f is not None
    ]
    (out / "report.md").write_text(markdown(jobs, base, by_job, figures, out))
    return {"jobs": jobs, "out": out, "figures": figures, "baseline": base}


def main(argv: list[str] | None = None) -> int:
    """``tsim-report`` on the command line."""
    ap = argparse.ArgumentParser(prog="tsim-report", description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+", type=Path, help="run or sweep directories")
    ap.add_argument("--out", type=Path, help="where to write (default: the first PATH)")
    ap.add_argument(
        "--baseline",
        help=f"job to compare against (default: {BASELINE_DEFAULT}, else the first job)",
    )
    args = ap.parse_args(argv)
    try:
        done = report(args.paths, args.out, args.baseline)
    except (FileNotFoundError, ValueError) as err:
        print(f"tsim-report: {err}", file=sys.stderr)
        return 2
    jobs = done["jobs"]
    print(console_table(jobs))
    failed = [j for j in jobs if not j.ok]
    for j in failed:
        print(f"FAILED {j.name} ({j.dir}): {(j.error or {}).get('exception')}")
    out = done["out"]
    print(f"report: {out / 'report.md'}   comparison: {out / 'comparison.csv'}")
    backlog = out / "backlog_over_time.png"
    if backlog.is_file():
        print(f"backlog figure: {backlog}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

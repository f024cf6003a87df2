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
import difflib
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from . import plots, results
from .analysis import CI, paired_difference, welch_difference
from .calendar import WorkingClock
from .cli_common import plain, run_cli
from .jobs import Job, load, overrides_of, streams, varying_keys
from .outputs import GROWTH, UNSTABLE_RULE, backlog_total, unstable_streams
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
    """Replication k of both jobs drew the same random numbers (same seed; with
    ``run.replications=auto`` the counts may differ and the common replications pair).
    """
    assert job.summary is not None and base.summary is not None
    return bool(job.summary["seed"] == base.summary["seed"])


def difference(job: Job, base: Job, metric: str) -> CI:
    """CI of job − baseline for one metric: paired by replication number when the jobs
    share random numbers (over the replications both have), else Welch.
    """
    a, b = job.replications(), base.replications()
    if metric not in a or metric not in b:
        return {"mean": None, "ci_low": None, "ci_high": None, "n": 0}
    if paired(job, base):
        both = a[["replication", metric]].merge(
            b[["replication", metric]], on="replication", suffixes=("_a", "_b")
        )
        return paired_difference(both[f"{metric}_a"].to_numpy(), both[f"{metric}_b"].to_numpy())
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


def console_table(jobs: list[Job], kpis: Sequence[plots.Kpi] = plots.KPIS) -> str:
    """The headline KPIs of every finished job, one line each."""
    ok = [j for j in jobs if j.ok]
    infos = streams(jobs)
    width = max([len(j.name) for j in ok] + [8]) + 2
    heads = [short for _, _, short in kpis] + ["backlog items", "unstable (growing)"]
    rows = []
    for j in ok:
        m = j.metrics
        total = backlog_total(m, "county", infos)
        cells = [cell(m.get(metric)) for metric, _, _ in kpis] + [f"{total:,.0f}"]
        cells.append(", ".join(unstable_streams(m, "county", infos)) or "none")
        rows.append((j.name, cells))
    cols = [max([20, len(h)] + [len(c[i]) for _, c in rows]) for i, h in enumerate(heads)]
    lines = ["job".ljust(width) + "  ".join(h.ljust(w) for h, w in zip(heads, cols, strict=True))]
    for name, cells in rows:
        lines.append(
            name.ljust(width) + "  ".join(c.ljust(w) for c, w in zip(cells, cols, strict=True))
        )
    return "\n".join(line.rstrip() for line in lines)


UNSTABLE = " ⚠ unstable"


def _flag(metric: str, *jobs: Job) -> str:
    """A mark for a KPI of a stream whose backlog grows in any of ``jobs``."""
    stream = metric.split(".")[1]
    infos = streams(list(jobs))
    return (
        UNSTABLE
        if any(stream in unstable_streams(j.metrics, "county", infos) for j in jobs)
        else ""
    )


# --------------------------------------------------------------------------- report.md
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
                + " | ".join(cell(m.get(k)) + _flag(k, j) for k, _, _ in kpis)
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
            + " | ".join(cell(diffs.get(k)) + _flag(k, *pair) for k, _, _ in kpis)
            + " |"
        )
    return rows


def _direction(metric: str) -> str:
    way = plots.better(metric)
    return f" ({way} is better)" if way else ""


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
    return [plots.kpi(n) for n in names]


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
    lines = ["### Stability (backlog growth, items per working day, county-wide)", ""]
    flagged = False
    for j in ok:
        bad = unstable_streams(j.metrics, "county", infos)
        flagged |= bool(bad)
        growth = ", ".join(
            f"{s.id} {cell(j.metrics.get(f'county.{s.id}.{GROWTH}'))}" for s in infos
        )
        lines.append(
            f"- **{j.name}**: {'UNSTABLE ' + ', '.join(bad) if bad else 'stable'} ({growth})"
        )
    lines += [
        "",
        (
            f"A stream marked{UNSTABLE} has a backlog that grows over the window "
            f"({UNSTABLE_RULE}): its waits and lead times count only the items that "
            "started or finished, so they look better than they are; read its "
            "open-item ages (`open_age_max_d`, `open_age_mean_d` in comparison.csv) too."
            if flagged
            else "No stream's backlog grows significantly in any job."
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
    )


def _experimentation(ok: list[Job]) -> list[str]:
    """Run length, replications and seeds: one sentence each when every job shares them,
    a table of the jobs otherwise (jobs are never described as one when they differ).
    """
    setups = [setup_of(j) for j in ok]
    first = setups[0] if setups else Setup("?", 0, "?", "?", "?", "?", "")
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
            "- Warm-up days are excluded from every metric (8-hour days, 5-day weeks; no "
            "public holidays); 95% confidence intervals are t-based across replications, "
            "clipped to the values a quantity can take (≥ 0; shares ≤ 1).",
        ]
    else:
        lines += [
            f"- Run length: {first.horizon_days} working days{first.dates}, of "
            f"which a warm-up of {first.warmup_days} days is excluded from "
            "every metric (8-hour days, 5-day weeks; no public holidays).",
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
        "working hours (8 h days, 5-day weeks). Full description: README.md.",
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
        *_stability(ok),
        *_township_rows(ok),
    ]
    if base and by_job:
        lines += [
            f"### Differences against {base.name} (paired by replication)",
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


class NothingToReport(ValueError):
    """Every job under the paths is failed, unfinished or stale."""


REPORTS_DIR = Path("results") / "reports"


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
    """Read the jobs under ``paths`` and write every table, figure and report.md."""
    jobs = load(paths)
    if not any(j.ok for j in jobs):
        raise NothingToReport(
            f"no finished job under {' '.join(map(str, paths))} "
            f"({len(jobs)} job director{'y' if len(jobs) == 1 else 'ies'}, all failed, "
            "unfinished or stale): nothing to compare"
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
            plots.townships(jobs, out, base),
            plots.lead_time_ecdf(jobs, out, base),
        )
        if f is not None
    ]
    _write_text(out / "report.md", markdown(jobs, base, by_job, figures, out, kpis))
    return {"jobs": jobs, "out": out, "figures": figures, "baseline": base, "kpis": kpis}


def _print_problems(jobs: list[Job]) -> None:
    for j in jobs:
        if j.stale:
            print(f"STALE {j.dir}: {j.stale} (not reported)")
        elif not j.ok:
            print(f"FAILED {j.name} ({j.dir}): {(j.error or {}).get('exception')}")


def main(argv: list[str] | None = None) -> int:
    """``tsim-report`` on the command line."""
    return run_cli("tsim-report", _report, argv)


def _report(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="tsim-report", description=plain(__doc__.splitlines()[0]))
    ap.add_argument("paths", nargs="+", type=Path, help="run or sweep directories")
    ap.add_argument(
        "--out",
        type=Path,
        help="directory to write into (default: the PATH when one is given, else a new "
        f"directory under {REPORTS_DIR}/)",
    )
    ap.add_argument(
        "--baseline",
        help=f"job to compare against (default: {BASELINE_DEFAULT}, else the first job)",
    )
    ap.add_argument(
        "--kpi",
        nargs="+",
        metavar="NAME",
        help="metrics to show in the figures and tables, e.g. county.services.backlog_mean "
        f"(default: the {len(plots.KPIS)} headline KPIs)",
    )
    args = ap.parse_args(argv)
    try:
        done = report(args.paths, args.out, args.baseline, args.kpi)
    except NothingToReport as err:
        _print_problems(load(args.paths))
        print(f"tsim-report: {err}", file=sys.stderr)
        return 1
    except (FileNotFoundError, ValueError) as err:
        print(f"tsim-report: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # a read-only or full destination
        where = err.filename or args.out or args.paths[0]
        print(
            f"tsim-report: cannot write the report into {where} ({err.strerror or err}); "
            "give --out DIR",
            file=sys.stderr,
        )
        return 2
    jobs = done["jobs"]
    print(console_table(jobs, done["kpis"]))
    _print_problems(jobs)
    out = done["out"]
    print(f"report: {out / 'report.md'}   comparison: {out / 'comparison.csv'}")
    backlog = out / "backlog_over_time.png"
    if backlog.is_file():
        print(f"backlog figure: {backlog}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

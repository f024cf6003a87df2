"""The report's figures: each readable without explanation (title, units, legend).

* backlog over time per stream, one line per job with its 95% CI band across
  replications;
* KPI bars with 95% CIs;
* paired differences of every job against the baseline, CIs from paired replications;
* township fairness: each township's backlog, the worst decile marked;
* lead-time distribution (ECDF) per stream and job.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from scipy import stats  # noqa: E402

from .jobs import Job  # noqa: E402
from .work import STREAMS  # noqa: E402

# English only: matplotlib's bundled font has no CJK glyphs (README gives the terms).
LABELS = {"services": "Services", "enforcement": "Enforcement cases",
          "delegated": "Delegated tasks", "grid": "Grid reports"}

# KPI, axis label, console heading — what a county committee asks first.
KPIS = [
    ("county.services.wait_mean_h", "Service wait (working h)", "service wait h"),
    ("county.services.on_time_share", "Services on time (share)", "services on time"),
    ("county.enforcement.lead_time_mean_h", "Case lead time (working h)", "case lead time h"),
    ("county.delegated.overdue_share", "Delegated tasks overdue (share)", "tasks overdue"),
    ("county.county_side.response_mean_h", "County answer time (working h)", "county answer h"),
    ("county.staff.seconded_days", "Staff-days seconded", "staff-days seconded"),
]


PALETTE = [*plt.get_cmap("tab10").colors, (0.55, 0.55, 0.0), (0.0, 0.4, 0.4)]


def _colours(jobs: list[Job], baseline: Job | None = None) -> dict[str, tuple]:
    """Black for the baseline, distinct colours for the rest, the same in every figure."""
    others = [j for j in jobs if j is not baseline]
    colours = {j.name: PALETTE[i % len(PALETTE)] for i, j in enumerate(others)}
    if baseline is not None:
        colours[baseline.name] = (0.0, 0.0, 0.0)
    return colours


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


MAX_LINES = 6  # more lines with bands than this cannot be read


def _most_different(jobs: list[Job], baseline: Job | None) -> list[Job]:
    """The baseline plus the jobs whose county backlog differs most from it."""
    if len(jobs) <= MAX_LINES or baseline is None:
        return jobs[:MAX_LINES] if baseline is None else jobs

    def backlog(j):
        m = j.summary["metrics"]
        return sum((m.get(f"county.{s}.backlog_mean") or {}).get("mean") or 0.0
                   for s in ("services", "enforcement", "delegated"))
    others = sorted((j for j in jobs if j is not baseline),
                    key=lambda j: -abs(backlog(j) - backlog(baseline)))
    return [baseline] + others[:MAX_LINES - 1]


def backlog_over_time(jobs: list[Job], out: Path, baseline: Job | None = None,
                      scope: str = "county") -> Path | None:
    jobs = [j for j in jobs if j.ok and j.timeseries() is not None]
    if not jobs:
        return None
    shown = _most_different(jobs, baseline)
    colours = _colours(jobs, baseline)
    if baseline in shown:  # drawn last and dashed: visible even where a job equals it
        shown = [j for j in shown if j is not baseline] + [baseline]
    fig, axes = plt.subplots(2, 2, figsize=(13, 7.5), sharex=True)
    for ax, stream in zip(axes.flat, STREAMS):
        for job in shown:
            s = job.timeseries()
            s = s[(s.township == scope) & (s.stream == stream) & (s.metric == "backlog")]
            wide = s.pivot_table(index="day", columns="replication", values="value")
            mean = wide.mean(axis=1)
            n = wide.shape[1]
            half = (stats.t.ppf(0.975, n - 1) * wide.std(axis=1, ddof=1) / math.sqrt(n)
                    if n > 1 else 0 * mean)
            ax.plot(mean.index, mean, color=colours[job.name], label=job.name,
                    lw=1.8 if job is baseline else 1.5, ls="--" if job is baseline else "-")
            ax.fill_between(mean.index, (mean - half).clip(lower=0), mean + half,
                            color=colours[job.name], alpha=0.13, lw=0)
        ax.set_title(LABELS[stream])
        ax.set_ylabel("items in the system")
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("working day")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False,
               title="policy")
    note = (f" — baseline and the {len(shown) - 1} jobs that differ most of {len(jobs)}"
            if len(shown) < len(jobs) else "")
    fig.suptitle(f"Backlog over time, {scope}: mean and 95% CI band across replications{note}")
    return _save(fig, out / "backlog_over_time.png")


def _bars(ax, names, rows: list[dict], colours, label):
    """Horizontal bars of CI entries ``{"mean", "ci_low", "ci_high"}`` (missing → empty)."""
    means = [r.get("mean") if r.get("mean") is not None else np.nan for r in rows]
    lows = [r.get("ci_low") if r.get("ci_low") is not None else m for r, m in zip(rows, means)]
    highs = [r.get("ci_high") if r.get("ci_high") is not None else m
             for r, m in zip(rows, means)]
    y = np.arange(len(names))
    err = np.array([np.array(means) - np.array(lows), np.array(highs) - np.array(means)])
    ax.barh(y, means, xerr=np.nan_to_num(err), color=[colours[n] for n in names],
            capsize=3, alpha=0.85)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(4))  # share axes crowd their labels otherwise
    ax.set_xlabel(label)
    ax.grid(axis="x", alpha=0.3)


def kpi_bars(jobs: list[Job], out: Path, baseline: Job | None = None) -> Path | None:
    ok = [j for j in jobs if j.ok]
    if not ok:
        return None
    colours = _colours(ok, baseline)
    fig, axes = plt.subplots(2, 3, figsize=(14, 1.2 + 0.5 * len(ok) * 2))
    for ax, (metric, label, _) in zip(axes.flat, KPIS):
        rows = [j.summary["metrics"].get(metric) or {} for j in ok]
        _bars(ax, [j.name for j in ok], rows, colours, label)
    fig.suptitle("Key results per policy (mean and 95% CI across replications)")
    return _save(fig, out / "kpi_bars.png")


def differences(diffs: dict[str, dict[str, dict]], baseline: str, jobs: list[Job],
                out: Path) -> Path | None:
    """``diffs[job][metric]`` = paired CI of job − baseline."""
    if not diffs:
        return None
    names = list(diffs)
    colours = _colours([j for j in jobs if j.ok], next((j for j in jobs if j.name == baseline),
                                                        None))
    fig, axes = plt.subplots(2, 3, figsize=(14, 1.2 + 0.5 * len(names) * 2))
    for ax, (metric, label, _) in zip(axes.flat, KPIS):
        rows = [diffs[n].get(metric) or {} for n in names]
        _bars(ax, names, rows, colours, f"Δ {label}")
        ax.axvline(0, color="black", lw=0.8)
    fig.suptitle(f"Change against {baseline} (paired replications, 95% CI; "
                 "a bar whose CI misses 0 is a real effect)")
    return _save(fig, out / "differences.png")


def fairness(jobs: list[Job], out: Path) -> Path | None:
    """Each township's mean backlog (services + enforcement + delegated items)."""
    ok = [j for j in jobs if j.ok]
    if not ok:
        return None
    fig, ax = plt.subplots(figsize=(10, 1.5 + 0.55 * len(ok)))
    for y, job in enumerate(ok):
        m = job.summary["metrics"]
        towns = sorted({k.split(".")[0] for k in m} - {"county"})
        values = np.array([sum((m.get(f"{t}.{s}.backlog_mean") or {}).get("mean") or 0.0
                               for s in ("services", "enforcement", "delegated"))
                           for t in towns])
        worst = values >= np.quantile(values, 0.9)
        ax.scatter(values[~worst], [y] * int((~worst).sum()), color="grey", s=28)
        ax.scatter(values[worst], [y] * int(worst.sum()), color="crimson", s=46,
                   label="worst decile" if y == 0 else None)
        for v, t in zip(values[worst], np.array(towns)[worst]):
            ax.annotate(t, (v, y), textcoords="offset points", xytext=(0, 7), ha="center",
                        fontsize=8, color="crimson")
    ax.set_yticks(range(len(ok)), [j.name for j in ok])
    ax.invert_yaxis()
    ax.set_xlabel("mean items in the system per township (services + enforcement + delegated)")
    ax.set_title("Township fairness: each dot a township, worst decile in red")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right")
    return _save(fig, out / "fairness.png")


def lead_time_ecdf(jobs: list[Job], out: Path, baseline: Job | None = None) -> Path | None:
    jobs = [j for j in jobs if j.ok and j.lead_times() is not None]
    if not jobs:
        return None
    colours = _colours(jobs, baseline)
    order = [j for j in jobs if j is not baseline] + [j for j in jobs if j is baseline]
    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5))
    for ax, stream in zip(axes.flat, STREAMS):
        for job in order:  # the baseline last, so that it shows where others coincide
            q = job.lead_times()
            q = q[q.stream == stream]
            if q.empty:
                continue
            curve = q.groupby("quantile").lead_time_h.mean()  # average across replications
            ax.step(curve.values, curve.index, where="post", color=colours[job.name],
                    label=job.name, ls="--" if job is baseline else "-",
                    lw=1.8 if job is baseline else 1.2)
        ax.set_xscale("symlog", linthresh=1.0)
        ax.set_title(LABELS[stream])
        ax.set_xlabel("lead time, arrival to completion (working hours, log scale)")
        ax.set_ylabel("share of items done within")
        ax.grid(alpha=0.3)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False,
               title="policy")
    fig.suptitle("Lead-time distribution (ECDF, county-wide)")
    return _save(fig, out / "lead_time_ecdf.png")

"""The report's figures: each readable without explanation (title, units, legend).

* backlog over time per stream (and county-wide, per queue of the county's own work),
  one line per job with its 95% CI band across replications;
* KPI bars with 95% CIs;
* paired differences of every job against the baseline, CIs from paired replications;
* township fairness: each township's backlog, the worst decile marked;
* lead-time distribution (ECDF) per stream and job.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator
from scipy import stats

from sim.analysis import glossary
from sim.core.calendar import WorkingClock
from sim.report.jobs import Job, streams
from sim.report.options import KPIS, Kpi
from sim.report.outputs import (
    StreamInfo,
    backlog_total,
    county_queues,
    grid_shape,
    unstable_streams,
)
from sim.run.results import atomic_write

# Labels are English only: matplotlib's bundled font has no CJK glyphs (the README gives
# the terms); stream labels come from the runs' own records.


PALETTE = [  # Okabe & Ito (2008): told apart with every common colour-vision deficiency
    (0.902, 0.624, 0.0),  # orange
    (0.337, 0.706, 0.914),  # sky blue
    (0.0, 0.620, 0.451),  # bluish green
    (0.0, 0.447, 0.698),  # blue
    (0.835, 0.369, 0.0),  # vermillion
    (0.800, 0.475, 0.655),  # reddish purple
    (0.941, 0.894, 0.259),  # yellow
]
"""Black is the baseline's. Past seven jobs the colours repeat with another line style."""
STYLES = ["-", (0, (5, 2)), (0, (1, 1.5)), (0, (4, 1.5, 1, 1.5))]
MARKERS = ["o", "s", "^", "v"]
"""For dots, as :data:`STYLES` for lines; the baseline's is a diamond."""


def _colours(jobs: list[Job], baseline: Job | None = None) -> dict[str, Any]:
    """Black for the baseline, distinct colours for the rest, the same in every figure."""
    others = [j for j in jobs if j is not baseline]
    colours = {j.name: PALETTE[i % len(PALETTE)] for i, j in enumerate(others)}
    if baseline is not None:
        colours[baseline.name] = (0.0, 0.0, 0.0)
    return colours


def _markers(jobs: list[Job], baseline: Job | None = None) -> dict[str, str]:
    """Dot shapes, as :func:`_styles` gives line styles: a diamond for the baseline."""
    others = [j for j in jobs if j is not baseline]
    shapes = {j.name: MARKERS[(i // len(PALETTE)) % len(MARKERS)] for i, j in enumerate(others)}
    if baseline is not None:
        shapes[baseline.name] = "D"
    return shapes


def _styles(jobs: list[Job], baseline: Job | None = None) -> dict[str, Any]:
    """Line styles: dashed for the baseline; another style each time the colours repeat."""
    others = [j for j in jobs if j is not baseline]
    styles = {j.name: STYLES[(i // len(PALETTE)) % len(STYLES)] for i, j in enumerate(others)}
    if baseline is not None:
        styles[baseline.name] = "--"
    return styles


def _panels(
    n: int, width: float = 6.5, height: float = 3.75, **kwargs: Any
) -> tuple[Any, list[Any]]:
    """A figure with ``n`` panels on a grid sized from ``n`` (spare cells hidden)."""
    rows, cols = grid_shape(n)
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(width * cols, height * rows),
        squeeze=False,
        layout="constrained",  # lays out the title and the legend above the panels too
        **kwargs,
    )
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


LEGEND_COLUMNS = 4
TITLE_IN, LEGEND_ROW_IN = 0.45, 0.27


def _heading(fig: Any, title: str, legend: tuple[list[Any], list[str]] | None = None) -> None:
    """The title on top and under it the legend, where the eye starts, both above the
    panels: the figure grows by their height and the panels keep theirs.
    """
    handles, labels = legend if legend else ([], [])
    rows = -(-len(labels) // LEGEND_COLUMNS)
    title_in = TITLE_IN + 0.22 * title.count("\n")  # a second line needs its own room
    head = title_in + LEGEND_ROW_IN * rows
    height = fig.get_figheight() + head
    fig.set_figheight(height)
    fig.get_layout_engine().set(rect=(0, 0, 1, 1 - head / height))
    fig.suptitle(title, y=1 - 0.08 / height, va="top")
    if rows:
        fig.legend(
            handles,
            labels,
            loc="upper center",
            bbox_to_anchor=(0.5, 1 - title_in / height),
            ncols=min(len(labels), LEGEND_COLUMNS),
            frameon=False,
        )


def _save(fig: Any, path: Path) -> Path:
    """Write the figure atomically (a full disk never leaves half a PNG)."""
    if fig.get_layout_engine() is None:  # a single panel titled by its axes
        fig.tight_layout()
    try:
        atomic_write(path, lambda p: fig.savefig(p, dpi=110, bbox_inches="tight", format="png"))
    finally:
        plt.close(fig)
    return path


MAX_LINES = 6  # more lines with bands than this cannot be read
PAGE_HEIGHT_IN = 10.5
"""A figure is never taller than a printed page (A4 or Letter, less margins)."""


def _most_different(jobs: list[Job], baseline: Job | None, stream: str) -> list[Job]:
    """The baseline plus the jobs whose backlog of ``stream`` differs most from it: each
    panel keeps the levers that matter to it (the enforcement panel keeps
    integrated_enforcement even if the county total barely moves).
    """
    if len(jobs) <= MAX_LINES or baseline is None:
        return jobs[:MAX_LINES] if baseline is None else jobs

    def backlog(j: Job) -> float:
        return (j.metrics.get(f"county.{stream}.backlog_mean") or {}).get("mean") or 0.0

    others = sorted(
        (j for j in jobs if j is not baseline), key=lambda j: -abs(backlog(j) - backlog(baseline))
    )
    return [baseline, *others[: MAX_LINES - 1]]


def backlog_over_time(
    jobs: list[Job],
    out: Path,
    baseline: Job | None = None,
    scope: str = "county",
    clock: WorkingClock | None = None,
) -> Path | None:
    """One panel per stream (county-wide, also per county queue): items in the system per
    working day, a line per job; with ``clock``, the x axis shows its calendar dates.

    With more jobs than :data:`MAX_LINES`, each panel draws the baseline and the jobs
    that differ most from it there, and carries its own legend naming exactly those.
    """
    jobs = [j for j in jobs if j.ok and j.timeseries() is not None]
    if not jobs:
        return None
    colours, styles = _colours(jobs, baseline), _styles(jobs, baseline)
    infos = streams(jobs)
    if scope == "county":
        measured = {q: None for j in jobs for q in county_queues(j.metrics)}
        infos += [StreamInfo(q.id, q.label, in_backlog_total=False) for q in measured]
    fig, axes = _panels(len(infos), sharex=True)
    cut = False
    for ax, info in zip(axes, infos, strict=True):
        shown = _most_different(jobs, baseline, info.id)
        cut |= len(shown) < len(jobs)
        if baseline in shown:  # drawn last and dashed: visible even where a job equals it
            shown = [j for j in shown if j is not baseline] + [baseline]
        for job in shown:
            _backlog_line(ax, job, scope, info.id, colours[job.name], styles[job.name], clock)
        ax.set_title(info.label)
        ax.set_ylabel(f"{info.unit} in the system")
        # Shared axes hide the tick labels of all but the bottom row; every panel is
        # read on its own (and the one above a spare cell is a bottom panel too).
        ax.tick_params(axis="x", labelbottom=True)
        if clock is None:
            ax.set_xlabel("working day")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no day 2.5
        else:
            ax.set_xlabel("date (end of working day)")
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
            ax.tick_params(axis="x", labelrotation=30)
        ax.grid(alpha=0.3)
    if cut:  # each panel names what it draws
        for ax in axes:
            ax.legend(fontsize=7, loc="upper left", frameon=True, framealpha=0.8)
    note = (
        f"\nper panel, the baseline and the {MAX_LINES - 1} jobs of {len(jobs)} that differ "
        "most from it there"
        if cut
        else ""
    )
    _heading(
        fig,
        f"Backlog over time, {scope}: mean and 95% CI band across replications "
        f"(band clipped at 0){note}",
        None if cut else axes[0].get_legend_handles_labels(),
    )
    return _save(fig, out / "backlog_over_time.png")


def _backlog_line(
    ax: Any,
    job: Job,
    scope: str,
    stream: str,
    colour: Any,
    style: Any,
    clock: WorkingClock | None = None,
) -> None:
    """One job's mean backlog per day, its 95% CI as a light band with edges of its
    own colour (overlapping fills alone blend into one brown); at each day's date with
    ``clock``.
    """
    s = job.timeseries()
    assert s is not None  # jobs without a series were left out by the caller
    s = s[(s.township == scope) & (s.stream == stream) & (s.metric == "backlog")]
    if s.empty:
        return
    wide = s.pivot_table(index="day", columns="replication", values="value")
    mean = wide.mean(axis=1)
    n = wide.shape[1]
    half = (
        stats.t.ppf(0.975, n - 1) * wide.std(axis=1, ddof=1) / math.sqrt(n) if n > 1 else 0 * mean
    )
    low, high = (mean - half).clip(lower=0), mean + half
    if clock is not None:
        dates = [clock.date_of_day(int(d)) for d in mean.index]
        mean, low, high = (pd.Series(s.to_numpy(), index=dates) for s in (mean, low, high))
    ax.plot(mean.index, mean, color=colour, label=job.name, lw=1.8, ls=style)
    ax.fill_between(mean.index, low, high, color=colour, alpha=0.08, lw=0)
    for edge in (low, high):
        ax.plot(mean.index, edge, color=colour, lw=0.5, alpha=0.6, ls=style)


def _whiskers(err: np.ndarray) -> np.ndarray:
    """Error-bar lengths: a CI clipped at a bound (a share at 1) can end a rounding error
    inside the mean (1.000000000000001 against 1.0); draw those as 0, not an error.
    """
    return np.clip(np.nan_to_num(err), 0.0, None)


def _bars(
    ax: Any, names: Sequence[str], rows: list[dict[str, Any]], colours: dict[str, Any], label: str
) -> None:
    """Horizontal bars of CI entries ``{"mean", "ci_low", "ci_high"}`` (missing → empty)."""
    means = [r.get("mean") if r.get("mean") is not None else np.nan for r in rows]
    pairs = list(zip(rows, means, strict=True))
    lows = [r.get("ci_low") if r.get("ci_low") is not None else m for r, m in pairs]
    highs = [r.get("ci_high") if r.get("ci_high") is not None else m for r, m in pairs]
    y = np.arange(len(names))
    err = np.array([np.array(means) - np.array(lows), np.array(highs) - np.array(means)])
    ax.barh(y, means, xerr=_whiskers(err), color=[colours[n] for n in names], capsize=3, alpha=0.85)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(4))  # share axes crowd their labels otherwise
    ax.set_xlabel(label)
    ax.grid(axis="x", alpha=0.3)


def _bar_panel_height(n_bars: int, n_panels: int) -> float:
    """A bar panel's height: half an inch a bar, less when the grid of panels would
    otherwise be taller than a page (never under 0.15 inch a bar: a label's height).
    """
    rows, _ = grid_shape(n_panels)
    fit = (PAGE_HEIGHT_IN - 1.0) / rows
    return max(min(0.6 + 0.5 * n_bars, fit), 0.6 + 0.15 * n_bars)


def kpi_bars(
    jobs: list[Job], out: Path, baseline: Job | None = None, kpis: Sequence[Kpi] = KPIS
) -> Path | None:
    """The headline KPIs per job with their CIs."""
    ok = [j for j in jobs if j.ok]
    if not ok:
        return None
    colours = _colours(ok, baseline)
    fig, axes = _panels(len(kpis), 14 / 3, _bar_panel_height(len(ok), len(kpis)))
    for ax, (metric, label, _) in zip(axes, kpis, strict=True):
        rows = [j.metrics.get(metric) or {} for j in ok]
        _bars(ax, [j.name for j in ok], rows, colours, label)
    _heading(fig, "Key results per policy (mean and 95% CI across replications)")
    return _save(fig, out / "kpi_bars.png")


def differences(
    diffs: dict[str, dict[str, dict[str, Any]]],
    baseline: str,
    jobs: list[Job],
    out: Path,
    kpis: Sequence[Kpi] = KPIS,
) -> Path | None:
    """``diffs[job][metric]`` = paired CI of job − baseline; each panel says which
    direction is better.
    """
    if not diffs:
        return None
    names = list(diffs)
    colours = _colours(
        [j for j in jobs if j.ok], next((j for j in jobs if j.name == baseline), None)
    )
    ok = [j for j in jobs if j.ok]
    infos = streams(ok)
    growing = {s for j in ok for s in unstable_streams(j.metrics, "county", infos, j.steady)}
    fig, axes = _panels(len(kpis), 14 / 3, _bar_panel_height(len(names), len(kpis)))
    for ax, (metric, label, _) in zip(axes, kpis, strict=True):
        rows = [diffs[n].get(metric) or {} for n in names]
        unstable = metric.split(".")[1] in growing
        _bars(ax, names, rows, colours, f"Δ {label}" + (" ⚠ unstable stream" if unstable else ""))
        if unstable:  # its finished-only waits understate the growing backlog
            ax.xaxis.label.set_color("crimson")
        ax.axvline(0, color="black", lw=0.8)
        direction = glossary.better(metric)
        if direction:
            ax.set_title(
                "← better (lower)" if direction == "lower" else "better (higher) →",
                loc="left" if direction == "lower" else "right",
                fontsize=9,
                color="darkgreen",
            )
    _heading(
        fig,
        f"Change against {baseline} (paired replications, 95% CI; "
        "a bar whose CI misses 0 is a real effect)",
    )
    return _save(fig, out / "differences.png")


def per_10k(job: Job, township: str, value: float) -> float:
    """``value`` per 10,000 inhabitants of the township (as is when its size is unknown)."""
    pop = job.population(township)
    return value * 10_000 / pop if pop else value


def fairness(jobs: list[Job], out: Path) -> Path | None:
    """Each township's mean backlog per 10,000 inhabitants (items of the streams in the
    headline total), so that a big town is not "worse" for being big.
    """
    ok = [j for j in jobs if j.ok]
    infos = streams(ok)
    counted = " + ".join(s.id for s in infos if s.in_backlog_total)
    if not ok:
        return None
    fig, ax = plt.subplots(figsize=(10, 1.5 + 0.55 * len(ok)))
    for y, job in enumerate(ok):
        m = job.metrics
        towns = job.townships()
        values = np.array([per_10k(job, t, backlog_total(m, t, infos)) for t in towns])
        worst = values >= np.quantile(values, 0.9)
        ax.scatter(values[~worst], [y] * int((~worst).sum()), color="grey", s=28)
        ax.scatter(
            values[worst],
            [y] * int(worst.sum()),
            color="crimson",
            s=46,
            label="worst decile" if y == 0 else None,
        )
        for v, t in zip(values[worst], np.array(towns)[worst], strict=True):
            ax.annotate(
                t,
                (v, y),
                textcoords="offset points",
                xytext=(0, 7),
                ha="center",
                fontsize=8,
                color="crimson",
            )
    ax.set_yticks(range(len(ok)), [j.name for j in ok])
    ax.invert_yaxis()
    ax.set_xlabel(f"mean items in the system per 10,000 inhabitants ({counted})")
    ax.set_title("Township fairness: each dot a township, worst decile in red (lower is better)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right")
    return _save(fig, out / "fairness.png")


def townships(jobs: list[Job], out: Path, baseline: Job | None = None) -> list[Path]:
    """Per township and stream, the mean items in the system with its CI: a dot per job.

    As many pages (``townships.png``, ``townships_2.png``, …) as it takes to keep each
    no taller than :data:`PAGE_HEIGHT_IN`; a county's townships keep their order.
    """
    ok = [j for j in jobs if j.ok]
    if not ok:
        return []
    towns = sorted({t for j in ok for t in j.townships()}, key=_natural)
    per_page = _towns_per_page(len(streams(ok)), len(ok))
    chunks = [towns[i : i + per_page] for i in range(0, len(towns), per_page)]
    for old in out.glob("townships_*.png"):  # pages of an earlier, longer report
        old.unlink()
    return [
        _township_page(ok, chunk, baseline, out, page, len(chunks))
        for page, chunk in enumerate(chunks, start=1)
    ]


def _natural(name: str) -> tuple[Any, ...]:
    """``town_2`` before ``town_10``."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name))


def _row_height(n_jobs: int) -> float:
    """Inches a township takes in a panel: a dot row per job, 2 points apart."""
    return max(0.22, 0.12 + 0.03 * n_jobs)


def _towns_per_page(n_streams: int, n_jobs: int) -> int:
    rows, _ = grid_shape(n_streams)
    room = PAGE_HEIGHT_IN - 1.4 - 1.3 * rows  # title, legend; each panel's title and axis
    return max(1, int(room / (rows * _row_height(n_jobs))))


def _township_page(
    ok: list[Job], towns: list[str], baseline: Job | None, out: Path, page: int, pages: int
) -> Path:
    infos = streams(ok)
    colours, markers = _colours(ok, baseline), _markers(ok, baseline)
    fig, axes = _panels(len(infos), 6, 1.3 + len(towns) * _row_height(len(ok)))
    step = 0.7 / max(1, len(ok) - 1) if len(ok) > 1 else 0.0
    for ax, info in zip(axes, infos, strict=True):
        y = np.arange(len(towns))
        for i, job in enumerate(ok):
            rows = [job.metrics.get(f"{t}.{info.id}.backlog_mean") or {} for t in towns]
            mean = np.array([r.get("mean") if r.get("mean") is not None else np.nan for r in rows])
            low = np.array([r.get("ci_low") if r.get("ci_low") is not None else m
                            for r, m in zip(rows, mean, strict=True)])  # fmt: skip
            high = np.array([r.get("ci_high") if r.get("ci_high") is not None else m
                             for r, m in zip(rows, mean, strict=True)])  # fmt: skip
            ax.errorbar(
                mean,
                y - 0.35 + i * step if len(ok) > 1 else y,
                xerr=_whiskers(np.array([mean - low, high - mean])),
                fmt=markers[job.name],
                ms=3.5,
                lw=1.0,
                color=colours[job.name],
                label=job.name,
            )
        ax.set_yticks(y, towns)
        ax.set_ylim(len(towns) - 0.5, -0.5)  # first township on top
        ax.set_title(info.label)
        ax.set_xlabel(f"mean {info.unit} in the system (95% CI)")
        ax.grid(axis="x", alpha=0.3)
    where = f" — page {page} of {pages} ({towns[0]} to {towns[-1]})" if pages > 1 else ""
    _heading(
        fig,
        f"Backlog per township and stream (lower is better){where}",
        axes[0].get_legend_handles_labels(),
    )
    name = "townships.png" if page == 1 else f"townships_{page}.png"
    return _save(fig, out / name)


def lead_time_ecdf(jobs: list[Job], out: Path, baseline: Job | None = None) -> Path | None:
    """Lead-time distribution per stream, a curve per job."""
    jobs = [j for j in jobs if j.ok and j.lead_times() is not None]
    if not jobs:
        return None
    colours, styles = _colours(jobs, baseline), _styles(jobs, baseline)
    order = [j for j in jobs if j is not baseline] + [j for j in jobs if j is baseline]
    infos = streams(jobs)
    fig, axes = _panels(len(infos), 6, 3.75)
    for ax, info in zip(axes, infos, strict=True):
        for job in order:  # the baseline last, so that it shows where others coincide
            q = job.lead_times()
            assert q is not None
            q = q[q.stream == info.id]
            if q.empty:
                continue
            curve = q.groupby("quantile").lead_time_h.mean()  # average across replications
            ax.step(
                curve.values,
                curve.index,
                where="post",
                color=colours[job.name],
                label=job.name,
                ls=styles[job.name],
                lw=1.8 if job is baseline else 1.2,
            )
        ax.set_xscale("symlog", linthresh=1.0)
        ax.set_title(info.label)
        ax.set_xlabel("lead time, arrival to completion (working hours, log scale)")
        ax.set_ylabel("share of items done within")
        ax.grid(alpha=0.3)
    _heading(fig, "Lead-time distribution (ECDF, county-wide)", axes[0].get_legend_handles_labels())
    return _save(fig, out / "lead_time_ecdf.png")

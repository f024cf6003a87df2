"""The report's first section: which policy wins, in words a committee reads first.

For each headline KPI with a better direction, and for the total backlog, the jobs are
ranked by their mean (95% CI over their replications); each difference from the
baseline is paired over the replications both jobs share and called real only if it
survives a Benjamini–Hochberg correction over every comparison in the section (a 5%
false-discovery rate: with ten policies and five KPIs, fifty tests would otherwise
produce a "real" difference or two by chance). Then what each policy costs, and which
results rest on a backlog that keeps growing. Numbers are rounded to what their CIs
support.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis import glossary
from sim.analysis.stats import (
    CI,
    benjamini_hochberg,
    bounds_of,
    confidence_interval,
    paired_difference,
    paired_p_value,
)
from sim.model.staff import WEEKS_PER_YEAR
from sim.report import plots
from sim.report.jobs import Job, streams
from sim.report.outputs import overloaded_desks, unstable_rule, unstable_streams
from sim.report.stats import backlog_total, readable_replications
from sim.report.table import rounded

FDR = 0.05
"""False-discovery rate at which a difference is called real."""

Values = Callable[[Job], pd.Series]
"""A KPI's value per replication of a job, indexed by replication number."""


@dataclass(frozen=True)
class Ranked:
    """One KPI ranked: its label, which way is better, how to read it from a job."""

    label: str
    lower_is_better: bool
    values: Values
    bounds: tuple[float | None, float | None] = (0.0, None)
    metric: str | None = None
    """The summary metric, when the KPI is one."""


@dataclass
class Entry:
    """One job on one KPI: its CI, and its paired difference from the baseline."""

    job: Job
    ci: CI
    diff: CI | None = None
    p: float = float("nan")
    real: bool = False


Flagged = tuple[Job, list[str], list[str]]
"""A policy with its unstable streams and its overloaded county desks."""


def conclusion(ok: list[Job], base: Job | None, kpis: Sequence[plots.Kpi]) -> list[str]:
    """The "Conclusion" section of report.md."""
    if not ok:
        return []
    ranked = _ranked(ok, kpis)
    table = {r.label: _entries(ok, base, r) for r in ranked}
    _mark_real([e for entries in table.values() for e in entries])
    tests = sum(1 for entries in table.values() for e in entries if e.diff is not None)
    lines = ["## Conclusion", ""]
    if base is not None and len(ok) > 1:
        lines += [
            f"Each policy against **{base.name}**: differences paired over the replications "
            "both share (the count is given), called *real* when they survive a "
            f"Benjamini–Hochberg correction over the {tests} comparisons below at a "
            f"{FDR:.0%} false-discovery rate; *not confirmed* when its own 95% interval "
            "excludes zero but it does not survive the correction (more replications "
            "would settle it); otherwise *no detectable difference*. "
            "A ranking is of means; for the best policy with a stated probability of "
            "being right, run `tsim-select SWEEP --kpi NAME --delta D`.",
            "",
        ]
    flagged = _flagged(ok)
    lines += _in_short(ranked, table, base, flagged)
    for r in ranked:
        lines += _ranking(r, table[r.label], base)
    lines += _costs(ok, base)
    lines += _instability(ok, flagged)
    return lines


def _in_short(
    ranked: list[Ranked], table: dict[str, list[Entry]], base: Job | None, flagged: list[Flagged]
) -> list[str]:
    """The conclusion in a few lines, read first: each headline result's best policy,
    how sure that is against the baseline, and which policies' results are unstable.
    """
    if base is None:
        return []
    lines = ["**In short** (the best policy on each headline result; the rankings follow):", ""]
    for r in ranked:
        known = [e for e in table[r.label] if e.ci["mean"] is not None]
        if len(known) < 2 or len({e.ci["mean"] for e in known}) == 1:
            continue
        best = min(known, key=lambda e: e.ci["mean"] * (1 if r.lower_is_better else -1))
        at_base = next((e for e in known if e.job is base), None)
        if best.job is base or at_base is None:
            lines.append(f"- {r.label}: {best.job.name}, {_ci(best.ci)}")
            continue
        lines.append(
            f"- {r.label}: {best.job.name}, {_ci(best.ci)} against {_ci(at_base.ci)}"
            f"{_against(best, base, r)}"
        )
    if flagged:
        names = ", ".join(j.name for j, _, _ in flagged)
        lines.append(
            f"- **Unstable** (a backlog that grows, or a county desk more than 95% busy) "
            f"in {names}: their waits look better than they are (see the end of this section)."
        )
    return [*lines, ""]


def _ranked(ok: list[Job], kpis: Sequence[plots.Kpi]) -> list[Ranked]:
    """Headline KPIs that have a better direction, then the total backlog."""
    out = []
    for k in kpis:
        way = glossary.better(k.metric)
        if way is not None:
            out.append(
                Ranked(k.label, way == "lower", _column(k.metric), bounds_of(k.metric), k.metric)
            )
    counted = [s.id for s in streams(ok) if s.in_backlog_total]
    if counted:
        label = f"Backlog, items in the system ({' + '.join(counted)})"
        out.append(Ranked(label, True, backlog_total))
    return out


def _column(metric: str) -> Values:
    def values(job: Job) -> pd.Series:
        table = readable_replications(job)
        if table is None or metric not in table:
            return pd.Series(dtype=float)
        return table.set_index("replication")[metric].astype(float)

    return values


def _entries(ok: list[Job], base: Job | None, r: Ranked) -> list[Entry]:
    base_values = r.values(base) if base is not None else None
    entries = []
    for job in ok:
        v = r.values(job)
        entry = Entry(job, confidence_interval(v.to_numpy(), lo=r.bounds[0], hi=r.bounds[1]))
        if v.empty and r.metric:  # no replications to read: the summary's own CI
            entry.ci = job.metrics.get(r.metric) or entry.ci
        if base_values is not None and job is not base and not v.empty and not base_values.empty:
            both = pd.concat([v, base_values], axis=1, join="inner").dropna()
            if len(both) >= 2:
                entry.diff = paired_difference(both.iloc[:, 0], both.iloc[:, 1])
                entry.p = paired_p_value(both.iloc[:, 0], both.iloc[:, 1])
        entries.append(entry)
    return entries


def _mark_real(entries: list[Entry]) -> None:
    adjusted = benjamini_hochberg([e.p for e in entries])
    for e, q in zip(entries, adjusted, strict=True):
        e.real = bool(q <= FDR)


def _ranking(r: Ranked, entries: list[Entry], base: Job | None) -> list[str]:
    known = [e for e in entries if e.ci["mean"] is not None]
    if not known:
        return []
    if len({e.ci["mean"] for e in known}) == 1 and all(
        e.ci["ci_low"] == e.ci["ci_high"] for e in known
    ):
        return [f"**{r.label}**: the same in every policy ({_ci(known[0].ci)}).", ""]
    order = sorted(known, key=lambda e: e.ci["mean"] * (1 if r.lower_is_better else -1))
    lines = [f"**{r.label}** — {'lower' if r.lower_is_better else 'higher'} is better:", ""]
    for place, e in enumerate(order, start=1):
        lines.append(f"{place}. {e.job.name}: {_ci(e.ci)}{_against(e, base, r)}")
    return [*lines, ""]


def _against(e: Entry, base: Job | None, r: Ranked) -> str:
    if base is None or e.job is base:
        return " (baseline)" if base is not None else ""
    d = e.diff
    if d is None or d["mean"] is None:
        return " — not paired with the baseline"
    if not e.real:
        # The difference and its interval, so that a gap too uncertain to call is not
        # read as no gap: a planner sees how large it may be and that more replications
        # would settle it.
        if d["ci_low"] is not None and (d["ci_low"] > 0 or d["ci_high"] < 0):
            return (
                f" — not confirmed: {_ci(d, signed=True)} ({d['n']} pairs; it does not "
                "survive the correction — more replications would settle it)"
            )
        return f" — no detectable difference: {_ci(d, signed=True)} ({d['n']} pairs)"
    better = (d["mean"] < 0) == r.lower_is_better
    return f" — **{'better' if better else 'worse'}**: {_ci(d, signed=True)} ({d['n']} pairs)"


def _ci(m: CI, signed: bool = False) -> str:
    if m["ci_low"] is None or m["ci_low"] == m["ci_high"]:
        return rounded(m["mean"], None, signed)
    half = (m["ci_high"] - m["ci_low"]) / 2
    return (
        f"{rounded(m['mean'], half, signed)} "
        f"[{rounded(m['ci_low'], half, signed)}, {rounded(m['ci_high'], half, signed)}]"
    )


COSTS = (
    ("county.staff.cost", "pay bill, thousand yuan/year"),
    ("county.staff.headcount_mean", "filled township and county posts"),
    ("county.county_side.staff", "staff left at the county"),
    ("county.staff.departments.utilisation_share", "county departments busy"),
)


def _costs(ok: list[Job], base: Job | None) -> list[str]:
    """Pay, posts and the county's side per policy, with the change from the baseline."""
    shown = [(m, label) for m, label in COSTS if any(m in j.metrics for j in ok)]
    if not shown:
        return []
    lines = [
        "**What each policy costs** (mean over the run"
        + (f"; change against {base.name} in brackets" if base else "")
        + "):",
        "",
        "| policy | " + " | ".join(label for _, label in shown) + " |",
        "| --- |" + " --- |" * len(shown),
    ]
    for j in ok:
        cells = []
        for metric, _ in shown:
            mine = (j.metrics.get(metric) or {}).get("mean")
            theirs = (base.metrics.get(metric) or {}).get("mean") if base else None
            text = "—" if mine is None else rounded(mine, _half(j.metrics.get(metric)))
            if mine is not None and theirs is not None and j is not base:
                # the change is as uncertain as the less certain of the two levels
                halves = [_half(x.metrics.get(metric)) for x in (j, base)] if base else []
                spread = max((h for h in halves if h is not None), default=None)
                text += f" ({rounded(mine - theirs, spread, True)})"
            cells.append(text)
        lines.append(f"| {j.name} | " + " | ".join(cells) + " |")
    return [*lines, "", *_cost_over_years(ok, base)]


def steady_cost(job: Job) -> float | None:
    """Yearly pay bill with every post filled (thousand yuan): the run's bill scaled
    from the filled posts to all posts, vacant ones at the filled ones' mean pay.
    """
    cost, filled, vacant = (
        (job.metrics.get(f"county.staff.{m}") or {}).get("mean")
        for m in ("cost", "headcount_mean", "vacancies_mean")
    )
    if cost is None or filled is None or vacant is None or filled <= 0:
        return None
    return float(cost) * (float(filled) + float(vacant)) / float(filled)


def hours_a_year(job: Job) -> float:
    """Working hours in a year of the job's calendar (50 working weeks)."""
    calendar = job.config().get("calendar") or {}
    return WEEKS_PER_YEAR * calendar.get("days_per_week", 5) * calendar.get("hours_per_day", 8.0)


def cost_per_hour_saved(job: Job, base: Job) -> float | None:
    """Extra yearly pay (yuan) per item-hour in the system saved a year against
    ``base``: the change in pay bill over the change in the mean number of items in the
    system (the headline backlog total) times the working hours of a year — Little's
    law turns items in the system into hours spent waiting and in handling. None when
    no hours are saved.
    """
    mine, theirs = backlog_total(job).mean(), backlog_total(base).mean()
    cost, base_cost = ((j.metrics.get("county.staff.cost") or {}).get("mean") for j in (job, base))
    if cost is None or base_cost is None or not theirs - mine > 0:
        return None
    return 1000.0 * (cost - base_cost) / ((theirs - mine) * hours_a_year(job))


FILL_POINTS = 5  # days of the fill curve shown, evenly spread over the run


def fill_curve(job: Job) -> list[tuple[int, float]]:
    """Share of township posts filled at a few days of the run (day, share), from the
    daily staff series (empty without one).
    """
    ts = job.timeseries()
    if ts is None or ts.empty:
        return []
    staff = ts[(ts["township"] == "county") & (ts["stream"] == "staff")]
    levels = staff.pivot_table(index="day", columns="metric", values="value", aggfunc="mean")
    if levels.empty or not {"headcount", "vacancies"} <= set(levels.columns):
        return []
    posts = levels["headcount"] + levels["vacancies"]
    share = (levels["headcount"] / posts.where(posts > 0)).dropna()
    if share.empty:
        return []
    picks = sorted({int(i) for i in np.linspace(0, len(share) - 1, FILL_POINTS)})
    return [(int(share.index[i]), float(share.iloc[i])) for i in picks]


def _cost_over_years(ok: list[Job], base: Job | None) -> list[str]:
    """The first year's bill beside the steady state's, and the cost per hour saved."""
    if not any(steady_cost(j) is not None for j in ok):
        return []
    lines = [
        "**Cost over the years**: the pay bill above is the run's mean, with posts filling "
        "as recruitment rounds and training allow (over a one-year run, the first year's); "
        "with every post "
        "filled (the steady state) it is higher where posts are vacant. Vacant posts are "
        "costed at the mean pay of the filled ones (an assumption). The fill curve is the "
        "share of township posts filled at the end of a few working days of the run "
        "(mean over replications; without a daily series, —)."
        + (
            f" The last column is the extra pay per hour that items spend in the system "
            f"less than under {base.name} (mean items in the system × working hours a "
            "year, Little's law), in yuan; blank when no hours are saved."
            if base
            else ""
        ),
        "",
        "| policy | pay bill over the run (posts filling) | pay bill, all posts filled "
        "| filled / all posts "
        "| township posts filled, working day: share "
        + ("| yuan per item-hour saved |" if base else "|"),
        "| --- | --- | --- | --- | --- |" + (" --- |" if base else ""),
    ]
    for j in ok:
        steady = steady_cost(j)
        cost = (j.metrics.get("county.staff.cost") or {}).get("mean")
        filled = (j.metrics.get("county.staff.headcount_mean") or {}).get("mean")
        vacant = (j.metrics.get("county.staff.vacancies_mean") or {}).get("mean")
        cells = [
            "—" if cost is None else f"{cost:,.0f}",
            "—" if steady is None else f"{steady:,.0f}",
            "—" if filled is None or vacant is None else f"{filled:.1f} / {filled + vacant:.1f}",
            ", ".join(f"{day}: {share:.0%}" for day, share in fill_curve(j)) or "—",
        ]
        if base:
            per_hour = None if j is base else cost_per_hour_saved(j, base)
            cells.append("" if per_hour is None else f"{per_hour:,.0f}")
        lines.append(f"| {j.name} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _half(m: CI | None) -> float | None:
    if not m or m.get("ci_low") is None or m.get("ci_high") is None:
        return None
    return (m["ci_high"] - m["ci_low"]) / 2


def _flagged(ok: list[Job]) -> list[Flagged]:
    """Each policy with unstable streams or overloaded county desks, and which."""
    infos = streams(ok)
    flagged = [
        (
            j,
            unstable_streams(j.metrics, "county", infos, j.steady),
            overloaded_desks(j.metrics, j.steady),
        )
        for j in ok
    ]
    return [(j, s, d) for j, s, d in flagged if s or d]


def _instability(ok: list[Job], flagged: list[Flagged]) -> list[str]:
    if not flagged:
        return [
            "**Stability:** no stream's backlog and no county desk's grows significantly "
            "in any policy.",
            "",
        ]
    lines = [
        f"**Unstable results** ({unstable_rule(any(j.steady for j in ok))}; a county desk "
        "also when more than 95% "
        "busy): the waits and lead times of these streams count only the items that got "
        "through, so they look better than they are, and their values depend on the run "
        "length:",
        "",
    ]
    lines += [f"- {j.name}: {', '.join([*s, *(f'county {x}' for x in d)])}" for j, s, d in flagged]
    return [*lines, ""]

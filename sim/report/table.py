"""The plain-text summary table a planner reads at the end of a run."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sim.report.outputs import (
    OVERLOADED_RULE,
    county_queues,
    later_warmups,
    overloaded_desks,
    streams_of,
    undetermined_streams,
    unstable_rule,
    unstable_streams,
)

COLUMNS = (
    "arrivals",
    "completions",
    "backlog_mean",
    "backlog_end",
    "wait_mean_h",
    "lead_time_mean_h",
    "lead_time_p90_h",
    "on_time_share",
)


def number(x: float) -> str:
    """Readable at a glance: thousands separated, three significant digits below 100."""
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


NOISE = 1e-12
"""Relative to the numbers around it, a value this small is floating-point noise
(a difference of two equal shares prints as 0, not -3.33e-17)."""


def rounded(x: float, half: float | None = None, signed: bool = False) -> str:
    """``x`` to the digits its CI half-width supports: two significant digits of the
    half-width set the last decimal shown (no half-width: :func:`number`'s three).
    """
    if not math.isfinite(x):
        return str(x)
    noise = NOISE * max(abs(x), abs(half or 0.0), 1.0)
    if half is not None and (not math.isfinite(half) or half <= noise):
        half = None  # an exact value, or no usable spread
    decimals = _decimals(half) if half is not None else None
    if abs(x) <= noise or (decimals is not None and abs(x) < 0.5 * 10.0**-decimals):
        return "0"
    sign = "+" if signed and x > 0 else ""
    if decimals is None:
        return sign + number(x)
    text = f"{x:,.{decimals}f}" if abs(x) >= 1000 else f"{x:.{decimals}f}"
    return sign + text


def _decimals(half: float) -> int:
    """Decimals that show two significant digits of ``half`` (none for a large one)."""
    return max(0, 1 - math.floor(math.log10(abs(half))))


def cell(m: Mapping[str, Any] | None) -> str:
    """``mean ±half-width`` of a summary entry (``—`` when there is no value), rounded
    to what the half-width supports.
    """
    if not m or m.get("mean") is None:
        return "—"
    if m.get("ci_low") is None:
        return rounded(m["mean"])
    mean, low, high = m["mean"], m["ci_low"], m["ci_high"]
    half = (high - low) / 2
    if not math.isclose(mean - low, high - mean, rel_tol=1e-6, abs_tol=1e-12):
        # clipped at 0 or 1
        return f"{rounded(mean, half)} [{rounded(low, half)}, {rounded(high, half)}]"
    return f"{rounded(mean, half)} ±{rounded(half, half)}"


def scope_table(summary: Mapping[str, Any], scope: str = "county") -> str:
    """Rows: streams (and, county-wide, the county's own queues); columns: KPIs (mean ±
    95% CI half-width); then staff utilisation. ``summary`` is a run's ``summary.json``
    content.
    """
    metrics = summary["metrics"]
    rows = [info.id for info in streams_of(summary)]
    queues = [q.id for q in county_queues(metrics)] if scope == "county" else []
    widths = [max([12, *map(len, rows + queues)])] + [max(len(c), 13) for c in COLUMNS]
    lines = ["  ".join(h.ljust(w) for h, w in zip(("stream", *COLUMNS), widths, strict=True))]
    for row in rows + queues:
        cells = [cell(metrics.get(f"{scope}.{row}.{c}")) for c in COLUMNS]
        lines.append("  ".join(c.ljust(w) for c, w in zip([row, *cells], widths, strict=True)))
    visits = metrics.get(f"{scope}.services.visits_mean")
    if visits:
        lines.append(f"services visits per request: {cell(visits)}")
    prefix = f"{scope}.staff."
    util = [
        (name[len(prefix) :].split(".")[0], m)
        for name, m in sorted(metrics.items())
        if name.startswith(prefix) and name.endswith(".utilisation_share")
    ]
    if util:
        lines.append("staff utilisation: " + ", ".join(f"{p} {cell(m)}" for p, m in util))
    steady = summary.get("steady_state") if scope == "county" else None  # county-wide only
    growing = unstable_streams(metrics, scope, streams_of(summary), steady)
    if growing:
        rule = unstable_rule(bool(steady))
        lines.append(
            f"UNSTABLE ({rule}): {', '.join(growing)} — their waits "
            "and lead times count finished items only; see backlog_growth_per_day, "
            "open_age_max_d"
        )
    desks = overloaded_desks(metrics, steady) if scope == "county" else []
    if desks:
        lines.append(
            f"COUNTY DESK FLAGGED ({OVERLOADED_RULE}): {', '.join(desks)} — its own work "
            "waits behind townships' calls; see county.<queue>.backlog_growth_per_day"
        )
    unsure = undetermined_streams(steady)
    if unsure:
        lines.append(
            f"undetermined (run longer): {', '.join(unsure)} — the run cannot tell whether "
            "their backlog grows; the reason: steady_state in summary.json"
        )
    later = later_warmups(steady)
    if later:
        lines.append(
            "warm-up: MSER-5 ends it after run.warmup_days for "
            + ", ".join(f"{s} (day {d})" for s, d in later.items())
            + " — their means include part of the start-up fill; a longer run.warmup_days "
            "leaves it out"
        )
    return "\n".join(lines)

"""The plain-text summary table a planner reads at the end of a run."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sim.report.outputs import (
    later_warmups,
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


def cell(m: Mapping[str, Any] | None) -> str:
    """``mean ±half-width`` of a summary entry (``—`` when there is no value)."""
    if not m or m.get("mean") is None:
        return "—"
    if m.get("ci_low") is None:
        return number(m["mean"])
    mean, low, high = m["mean"], m["ci_low"], m["ci_high"]
    if not math.isclose(mean - low, high - mean, rel_tol=1e-6, abs_tol=1e-12):
        return f"{number(mean)} [{number(low)}, {number(high)}]"  # clipped at 0 or 1
    return f"{number(mean)} ±{number((high - low) / 2)}"


def scope_table(summary: Mapping[str, Any], scope: str = "county") -> str:
    """Rows: streams; columns: KPIs (mean ± 95% CI half-width); then staff utilisation.
    ``summary`` is a run's ``summary.json`` content.
    """
    metrics = summary["metrics"]
    widths = [12] + [max(len(c), 13) for c in COLUMNS]
    lines = ["  ".join(h.ljust(w) for h, w in zip(("stream", *COLUMNS), widths, strict=True))]
    for info in streams_of(summary):
        cells = [cell(metrics.get(f"{scope}.{info.id}.{c}")) for c in COLUMNS]
        lines.append("  ".join(c.ljust(w) for c, w in zip([info.id, *cells], widths, strict=True)))
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

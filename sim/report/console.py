"""The comparison table ``tsim-report`` prints: the headline KPIs of every job, its
backlog and the streams whose backlog grows (and the county desks flagged like them),
one line a job; and the mark the report puts on a KPI of such a stream.
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.analysis.stats import confidence_interval
from sim.report import plots
from sim.report.jobs import Job, streams
from sim.report.outputs import overloaded_desks, unstable_streams
from sim.report.stats import backlog_total
from sim.report.table import cell


def console_table(jobs: list[Job], kpis: Sequence[plots.Kpi] = plots.KPIS) -> str:
    """The headline KPIs of every finished job, one line each."""
    ok = [j for j in jobs if j.ok]
    infos = streams(jobs)
    width = max([len(j.name) for j in ok] + [8]) + 2
    heads = [short for _, _, short in kpis] + ["backlog items", "unstable (growing)"]
    rows = []
    for j in ok:
        m = j.metrics
        total = confidence_interval(backlog_total(j).to_numpy(), lo=0.0)
        cells = [cell(m.get(metric)) for metric, _, _ in kpis] + [cell(total)]
        desks = [f"county {d}" for d in overloaded_desks(m, j.steady)]  # as a stream
        cells.append(", ".join(unstable_streams(m, "county", infos, j.steady) + desks) or "none")
        rows.append((j.name, cells))
    cols = [max([20, len(h)] + [len(c[i]) for _, c in rows]) for i, h in enumerate(heads)]
    lines = ["job".ljust(width) + "  ".join(h.ljust(w) for h, w in zip(heads, cols, strict=True))]
    for name, cells in rows:
        lines.append(
            name.ljust(width) + "  ".join(c.ljust(w) for c, w in zip(cells, cols, strict=True))
        )
    return "\n".join(line.rstrip() for line in lines)


UNSTABLE = " ⚠ unstable"


def unstable_flag(metric: str, *jobs: Job) -> str:
    """A mark for a KPI of a stream whose backlog grows in any of ``jobs``."""
    stream = metric.split(".")[1]
    infos = streams(list(jobs))
    return (
        UNSTABLE
        if any(stream in unstable_streams(j.metrics, "county", infos, j.steady) for j in jobs)
        else ""
    )

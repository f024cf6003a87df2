"""The steady-state section of ``report.md``: for each job and stream (county-wide), the
configured and the MSER-5 warm-up, the growth verdict with its reason, and Little's law.

The configured ``run.warmup_days`` is the floor: every metric excludes it, and MSER-5
searches the series after it (:mod:`sim.analysis.steady`). When MSER-5 ends the warm-up
later, the metrics are not recomputed from that point (a run's numbers do not depend on
how it is read); the table flags it instead, so the reader knows the means still carry
part of the start-up fill and the run should have a longer ``run.warmup_days``.

Little's law L = λW holds for any stable system over a long window. With the lead time
including open items, λW/L is 1 less the share of L due to items already open when the
window opens (an identity over the window, stable or not); the finished-only ratio well
below it says the finished-only means leave out long-open items and understate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sim.report.jobs import Job, streams

LATER = "⚠"


def window_hours(job: Job) -> float | None:
    """Working hours of the job's measurement window, from its composed config."""
    cfg = job.config()
    try:
        run, hours = cfg["run"], cfg["calendar"]["hours_per_day"]
        span = (float(run["horizon_days"]) - float(run["warmup_days"])) * float(hours)
    except (KeyError, TypeError, ValueError):
        return None
    return span if span > 0 else None


def little_ratio(
    metrics: Mapping[str, Any], stream: str, span_h: float | None, lead: str
) -> float | None:
    """λW/L of a stream county-wide: arrivals / window hours × the ``lead`` time metric
    ÷ the mean items in the system (None when a term is missing or L is 0).
    """

    def mean(metric: str) -> float | None:
        return (metrics.get(f"county.{stream}.{metric}") or {}).get("mean")

    arrivals, w, size = mean("arrivals"), mean(lead), mean("backlog_mean")
    if span_h is None or arrivals is None or w is None or not size:
        return None
    ratio = arrivals / span_h * w / size
    return ratio if math.isfinite(ratio) else None


def _ratio(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def _warmup(reading: Mapping[str, Any], configured: Any) -> str:
    """``20 → 115 ⚠`` when MSER-5 ends the warm-up later than the configured one."""
    chosen = reading.get("warmup_days")
    number = isinstance(configured, int | float)
    shown = f"{configured:g}" if number else f"{configured}"
    if chosen is None:
        return shown
    later = number and chosen > configured
    return f"{shown} → {chosen}" + (f" {LATER}" if later else "")


def steady_lines(ok: list[Job]) -> list[str]:
    """The section: a row per job and stream, and how to read it."""
    infos = streams(ok)
    rows = [
        "### Steady state (county-wide): warm-up, growth and Little's law",
        "",
        "| job | stream | warm-up days: configured → MSER-5 | verdict | why | "
        "λW/L finished | λW/L incl. open |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    later = False
    for j in ok:
        configured = (j.config().get("run") or {}).get("warmup_days", "?")
        span = window_hours(j)
        for s in infos:
            reading = j.steady.get(s.id) or {}
            warm = _warmup(reading, configured)
            later |= warm.endswith(LATER)
            rows.append(
                f"| {j.name} | {s.id} | {warm} | {reading.get('verdict', '—')} | "
                f"{reading.get('reason', 'not recorded (run written before steady_state)')} | "
                f"{_ratio(little_ratio(j.metrics, s.id, span, 'lead_time_mean_h'))} | "
                f"{_ratio(little_ratio(j.metrics, s.id, span, 'lead_time_mean_incl_open_h'))} |"
            )
    notes = [
        "",
        "MSER-5 (White 1997) ends the warm-up where the batch means of 5 days that follow "
        "have the smallest standard error, searched after the configured warm-up and in "
        "the first half of the run. A stream is *growing* only when its backlog still "
        "rises after that point and in the second half of what follows; a rise that fades "
        "is start-up fill, read *undetermined*: run longer.",
    ]
    if later:
        notes += [
            "",
            f"{LATER}: MSER-5 ends the warm-up later than `run.warmup_days`. The metrics "
            "still start at the configured warm-up, so their means carry part of the "
            "start-up fill; rerun with `run.warmup_days` at least the MSER-5 point.",
        ]
    notes += [
        "",
        "λW/L (Little's law; λ arrivals per hour in the window, W the mean lead time, L "
        "`backlog_mean`) is near 1 in steady state. With open items counted it falls "
        "short of 1 only by the items already open when the window opens (more for long "
        "lead times); the finished-only ratio well below that says the finished-only "
        "waits and lead times leave out long-open items: read the `_incl_open` variants "
        "in comparison.csv.",
    ]
    return [*rows, *notes, ""]

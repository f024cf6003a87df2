"""What the report side knows about streams: descriptors read from the results.

A run directory records its streams (id, label, unit, whether they count in the
headline backlog total) in ``summary.json``; tables, figures and the report iterate over
those, so they show every stream a run had — including one registered by a user — and
never import the model. A ``summary.json`` without them reads as unfinished
(:data:`sim.run.results.SUMMARY_KEYS`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sim.analysis.county_queues import COUNTY_QUEUES, CountyQueue
from sim.analysis.steady import MATERIAL_GROWTH


@dataclass(frozen=True)
class StreamInfo:
    """One stream as the outputs describe it."""

    id: str
    label: str
    unit: str = "items"
    in_backlog_total: bool = True


def streams_of(summary: Mapping[str, Any]) -> list[StreamInfo]:
    """The streams of a run, as its ``summary.json`` records them."""
    return [
        StreamInfo(s["id"], s["label"], s["unit"], bool(s["in_backlog_total"]))
        for s in summary["streams"]
    ]


def union(lists: Iterable[list[StreamInfo]]) -> list[StreamInfo]:
    """Streams of several runs, first appearance first."""
    seen: dict[str, StreamInfo] = {}
    for infos in lists:
        for info in infos:
            seen.setdefault(info.id, info)
    return list(seen.values())


def backlog_total(metrics: Mapping[str, Any], scope: str, streams: Iterable[StreamInfo]) -> float:
    """Mean items in the system over the streams that count in the headline total."""
    return sum(
        (metrics.get(f"{scope}.{s.id}.backlog_mean") or {}).get("mean") or 0.0
        for s in streams
        if s.in_backlog_total
    )


def grid_shape(n: int, max_cols: int = 3) -> tuple[int, int]:
    """Rows and columns of a figure grid for ``n`` panels (2×2 for four)."""
    cols = 2 if n == 4 else min(max_cols, max(1, n))
    return -(-n // cols), cols


GROWTH = "backlog_growth_per_day"
UNSTABLE_RULE = "backlog grows: 95% CI above 0, and ≥ 0.1% of its mean a working day"
GROWING_RULE = (
    "backlog still grows after the MSER-5 warm-up and in the second half of what follows: "
    "95% CI above 0, ≥ 0.1% of its mean a working day"
)


def unstable_rule(by_verdict: bool) -> str:
    """The rule :func:`unstable_streams` applies: the steady-state verdict's when the run
    recorded one, else the whole-window slope's.
    """
    return GROWING_RULE if by_verdict else UNSTABLE_RULE


def later_warmups(steady: Mapping[str, Any] | None) -> dict[str, int]:
    """Streams whose MSER-5 warm-up ends after the configured one, with its day."""
    return {
        s: r["warmup_days"]
        for s, r in (steady or {}).items()
        if None not in (r.get("warmup_days"), r.get("from_day"))
        and r["warmup_days"] > r["from_day"]
    }


def undetermined_streams(steady: Mapping[str, Any] | None) -> list[str]:
    """Streams whose run cannot tell whether their backlog grows: too short, a rise that
    fades (start-up fill?), or a CI too wide to rule out a doubling.
    """
    return [s for s, r in (steady or {}).items() if r.get("verdict") == "undetermined"]


def grows(
    metrics: Mapping[str, Any],
    scope: str,
    stream: str,
    steady: Mapping[str, Any] | None = None,
) -> bool:
    """Whether the backlog of ``stream`` (or a county queue) in ``scope`` grows: the one
    growth test of the report, streams and the county's desks alike.

    County-wide, a run's steady-state reading (``steady``: ``summary.json``'s
    ``steady_state``) decides: its verdict is ``growing``, a rise that persists after the
    MSER-5 warm-up (:mod:`sim.analysis.steady`). Otherwise — a township, or a run written
    before the reading — the 95% CI of the growth per working day lies above 0 and the
    growth is material (:data:`MATERIAL_GROWTH` of the mean backlog), which start-up
    fill can also satisfy.
    """
    reading = (steady or {}).get(stream) if scope == "county" else None
    if reading is not None:
        return bool(reading.get("verdict") == "growing")
    m = metrics.get(f"{scope}.{stream}.{GROWTH}") or {}
    if m.get("ci_low") is None or m["ci_low"] <= 0:
        return False
    size = (metrics.get(f"{scope}.{stream}.backlog_mean") or {}).get("mean")
    return not (size and m["mean"] < MATERIAL_GROWTH * size)  # significant but flat


def unstable_streams(
    metrics: Mapping[str, Any],
    scope: str,
    streams: Iterable[StreamInfo],
    steady: Mapping[str, Any] | None = None,
) -> list[str]:
    """Streams whose backlog grows over the window (:func:`grows`, with the run's
    steady-state reading ``steady`` when it has one). Their waits and lead times count
    finished items only and so look better than they are; comparisons of them must say so.
    """
    return [s.id for s in streams if grows(metrics, scope, s.id, steady)]


BUSY_LIMIT = 0.95
"""A county desk busier than this is flagged: its own work waits behind townships'
calls, and the small slack left makes its queue swing widely."""
OVERLOADED_RULE = (
    f"its desk is more than {BUSY_LIMIT:.0%} busy, or its backlog grows as a stream's does"
)


def county_queues(metrics: Mapping[str, Any]) -> list[CountyQueue]:
    """The county queues a run measured (none in a run made before they were)."""
    return [q for q in COUNTY_QUEUES if f"county.{q.id}.backlog_mean" in metrics]


def busy_share(metrics: Mapping[str, Any], queue: CountyQueue) -> float | None:
    """Mean busy share of the staff at the queue's desk (None when not measured)."""
    return (metrics.get(f"county.staff.{queue.pool}.utilisation_share") or {}).get("mean")


def desk_flags(
    metrics: Mapping[str, Any], queue: CountyQueue, steady: Mapping[str, Any] | None = None
) -> list[str]:
    """Why the queue's desk is flagged (:data:`OVERLOADED_RULE`): ``["busy 98%",
    "growing"]``, empty when it is not.
    """
    busy = busy_share(metrics, queue)
    why = [f"busy {busy:.0%}"] if busy is not None and busy > BUSY_LIMIT else []
    return why + (["growing"] if grows(metrics, "county", queue.id, steady) else [])


def overloaded_desks(
    metrics: Mapping[str, Any], steady: Mapping[str, Any] | None = None
) -> list[str]:
    """The county's desks flagged like an unstable stream, each with why:
    ``own_work (busy 98%, growing)``.
    """
    return [
        f"{q.id} ({', '.join(why)})"
        for q in county_queues(metrics)
        if (why := desk_flags(metrics, q, steady))
    ]

"""How many replications: a fixed count, or the precision rule (``run.replications=auto``).

Five replications give CI half-widths of 40–60% on the headline KPIs of a busy county;
a planner who needs ±10% cannot guess the count. With ``run.replications=auto`` a run
starts with ``run.min_replications`` and adds one replication at a time until the 95%
CI half-width of every ``run.precision_kpis`` metric is within ``run.precision`` of its
mean (relative), or ``run.max_replications`` is reached. The rule and what it achieved
are recorded in ``summary.json`` (``replication_rule``, ``meta.precision``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from sim.analysis import glossary
from sim.analysis.stats import confidence_interval
from sim.core.settings import ConfigError

AUTO = "auto"


def rule_of(run: Any) -> int | dict[str, Any]:
    """The replication rule of a run config: its count, or the precision rule."""
    if run.replications != AUTO:
        return int(run.replications)
    return {
        "auto": True,
        "precision": float(run.precision),
        "min": int(run.min_replications),
        "max": int(run.max_replications),
        "kpis": list(run.precision_kpis),
    }


def check_kpis(s: Any) -> None:
    """Every ``run.precision_kpis`` name is a metric a run of ``s`` emits (a misspelt one
    would never be measured, and ``auto`` would stop at ``min_replications`` unawares).
    """
    for name in s.run.precision_kpis:
        if not glossary.emits(s, name):
            raise ConfigError(
                f"run.precision_kpis: {name!r} is not a metric of this scenario (names are "
                "<scope>.<stream>.<metric>, scope county or a township id, e.g. "
                "county.services.wait_mean_h; see the README's metric glossary)"
            )


def most_replications(run: Any) -> int:
    """The most replications a run may take: its count, or the rule's maximum."""
    rule = rule_of(run)
    return rule if isinstance(rule, int) else int(rule["max"])


def relative_half_width(values: Sequence[float]) -> float:
    """95% CI half-width over |mean| (inf when it cannot be told yet; 0 for a constant)."""
    ci = confidence_interval(values)
    if ci["ci_low"] is None:
        return math.inf
    half = (ci["ci_high"] - ci["ci_low"]) / 2
    if half == 0:
        return 0.0
    return half / abs(ci["mean"]) if ci["mean"] else math.inf


def achieved(rows: Sequence[Mapping[str, float]], kpis: Sequence[str]) -> dict[str, float]:
    """Relative half-width of each KPI over the replications so far (a KPI the run does
    not emit, or that never occurs, is left out: it cannot be made precise).
    """
    out = {}
    for kpi in kpis:
        values = [r[kpi] for r in rows if kpi in r and not math.isnan(r[kpi])]
        if any(kpi in r for r in rows) and values:
            out[kpi] = relative_half_width(values)
    return out


def more_needed(rows: Sequence[Mapping[str, float]], rule: int | dict[str, Any]) -> bool:
    """Whether the run needs another replication under ``rule``."""
    n = len(rows)
    if isinstance(rule, int):
        return n < rule
    if n < rule["min"]:
        return True
    if n >= rule["max"]:
        return False
    return any(w > rule["precision"] for w in achieved(rows, rule["kpis"]).values())


def record(rows: Sequence[Mapping[str, float]], rule: int | dict[str, Any]) -> dict[str, Any]:
    """What the rule achieved, for ``summary.json``."""
    if isinstance(rule, int):
        return {"rule": rule, "replications": len(rows)}
    widths = achieved(rows, rule["kpis"])
    return {
        "rule": rule,
        "replications": len(rows),
        "relative_half_width": {k: (None if math.isinf(v) else v) for k, v in widths.items()},
        "reached": all(w <= rule["precision"] for w in widths.values()),
    }

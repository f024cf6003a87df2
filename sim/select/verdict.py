"""Select the best contender on one KPI and write what was chosen, with its guarantee.

Writes ``selection/<kpi>.json`` (every number) and ``selection/<kpi>.md`` (the verdict
in words, the replications each policy used, and the multiple comparisons with the
best) under the sweep.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.analysis import glossary
from sim.analysis.selection import (
    ComparisonWithBest,
    Selection,
    SelectionRule,
    kim_nelson,
    mcb_intervals,
)
from sim.analysis.stats import bounds_of, confidence_interval
from sim.run import results
from sim.select.contenders import EXTRA_DIR, Contender, simulate_missing


@dataclass
class Verdict:
    """What the procedure chose on one KPI, and how sure it is."""

    kpi: str
    rule: SelectionRule
    names: list[str]
    selection: Selection
    common: int
    """Replications every policy has: the multiple comparisons use these."""
    mcb: list[ComparisonWithBest]
    means: list[dict[str, Any]]
    simulated: int


def select(contenders: list[Contender], kpi: str, rule: SelectionRule) -> Verdict:
    """Run Kim–Nelson over the contenders, then compare each with the best."""
    chosen = kim_nelson(
        len(contenders),
        lambda i, r: contenders[i].value(kpi, r),
        rule,
        lambda pairs: simulate_missing(contenders, pairs),
    )
    common = min(chosen.replications)
    values = np.array([[c.value(kpi, r) for r in range(common)] for c in contenders])
    mcb = mcb_intervals(values, rule.pcs, rule.larger_is_better) if len(contenders) > 1 else []
    lo, hi = bounds_of(kpi)
    means = [
        confidence_interval([c.value(kpi, r) for r in range(n)], lo=lo, hi=hi)
        for c, n in zip(contenders, chosen.replications, strict=True)
    ]
    return Verdict(
        kpi,
        rule,
        [c.name for c in contenders],
        chosen,
        common,
        mcb,
        means,
        sum(c.simulated for c in contenders),
    )


def direction(kpi: str) -> bool:
    """True when larger is better, from the glossary (ValueError if it does not say)."""
    better = glossary.better(kpi)
    if better is None:
        raise ValueError(f"--kpi {kpi}: the glossary gives no better direction; give --larger")
    return better == "higher"


def write(v: Verdict, sweep_dir: Path) -> Path:
    """Write ``<kpi>.json`` and ``<kpi>.md`` under the sweep; return the markdown path."""
    out = sweep_dir / EXTRA_DIR
    out.mkdir(parents=True, exist_ok=True)
    record = {
        "kpi": v.kpi,
        "rule": asdict(v.rule),
        "procedure": "Kim-Nelson fully sequential (2001), common random numbers",
        "best": v.names[v.selection.best],
        "decided": v.selection.decided,
        "policies": [
            {
                "name": name,
                "replications": v.selection.replications[i],
                "dropped_at": v.selection.dropped_at[i],
                "mean": v.means[i],
                "vs_best_of_others": asdict(v.mcb[i]) if v.mcb else None,
            }
            for i, name in enumerate(v.names)
        ],
        "common_replications": v.common,
        "simulated_now": v.simulated,
    }
    results.atomic_write(
        out / f"{v.kpi}.json", lambda p: p.write_text(json.dumps(record, indent=2))
    )
    md = out / f"{v.kpi}.md"
    results.atomic_write(md, lambda p: p.write_text("\n".join(lines(v)) + "\n"))
    return md


def lines(v: Verdict) -> list[str]:
    """The verdict as markdown: the sentence first, then the table."""
    r = v.rule
    way = "larger" if r.larger_is_better else "smaller"
    best = v.names[v.selection.best]
    head = [f"# Which policy is best on `{v.kpi}` ({way} is better)", ""]
    if v.selection.decided:
        head.append(
            f"**{best}** is selected: with probability at least {r.pcs:.0%} it is the best "
            f"policy or within {r.delta:g} of it (Kim–Nelson fully sequential procedure, "
            f"first stage {r.n0} replications, common random numbers)."
        )
    else:
        others = ", ".join(v.names[i] for i in v.selection.contenders)
        head.append(
            f"**No decision** within {r.max_replications} replications a policy: still in play "
            f"{others}. {best} has the best mean so far, but the {r.pcs:.0%} guarantee does "
            f"not hold; raise --max-replications or widen --delta."
        )
    head += [
        "",
        "Each line: the mean with its 95% CI over the replications the policy used, and "
        f"a simultaneous {r.pcs:.0%} interval of its mean minus the best of the others "
        f"(Hsu's multiple comparisons with the best, over the {v.common} replications "
        "every policy shares).",
        "",
        "| policy | replications | dropped after | mean [95% CI] | minus best of others | |",
        "|---|---|---|---|---|---|",
    ]
    for i, name in enumerate(v.names):
        m = v.means[i]
        ci = _ci(m)
        dropped = v.selection.dropped_at[i]
        mcb = f"[{_signed(v.mcb[i].low)}, {_signed(v.mcb[i].high)}]" if v.mcb else ""
        mark = " ✓" if i == v.selection.best else ""
        head.append(
            f"| {name}{mark} | {v.selection.replications[i]} | "
            f"{dropped if dropped is not None else ''} | {ci} | {mcb} | "
            f"{_reading(v.mcb[i], r.larger_is_better) if v.mcb else ''} |"
        )
    head += ["", f"Replications simulated by this command: {v.simulated}."]
    return head


def _signed(x: float) -> str:
    return "0" if x == 0 else f"{x:+.3g}"


def _reading(c: ComparisonWithBest, larger_is_better: bool) -> str:
    """What the interval says: it excludes the other side of 0, or straddles it."""
    behind, ahead = (c.high, c.low) if larger_is_better else (c.low, c.high)
    if behind == 0 and ahead != 0:
        return "not the best"
    if ahead == 0 and behind != 0:
        return "the best"
    return "may be the best"


def _ci(m: dict[str, Any]) -> str:
    if m["mean"] is None:
        return "—"
    if m["ci_low"] is None:
        return f"{m['mean']:.3g}"
    return f"{m['mean']:.3g} [{m['ci_low']:.3g}, {m['ci_high']:.3g}]"

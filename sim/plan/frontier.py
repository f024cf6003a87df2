"""The planner's figure: cost against each target KPI over every evaluated candidate.

One panel per target, in a grid at most three columns wide: each candidate at its
cost and its KPI (the mean, with a bar up or down to the one-sided bound the search
judged it by), met targets in colour, the target as a dashed line, the **frontier** —
the best bound any candidate reaches at that cost or less — as a step line, and the
chosen plan as a star. Pure matplotlib on the trace: it imports nothing of the
simulator.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

COLUMNS = 3  # panels per row


@dataclass(frozen=True)
class Point:
    """One candidate's cost and one target's KPI."""

    cost: float
    mean: float
    bound: float
    met: bool
    chosen: bool


@dataclass(frozen=True)
class Panel:
    """One target: its label, limit, direction and the candidates' points."""

    metric: str
    limit: float
    upper: bool
    points: Sequence[Point]


def _frontier(points: Sequence[Point], upper: bool) -> tuple[list[float], list[float]]:
    """Best bound reached at each cost or less (a non-dominated step line)."""
    xs, ys = [], []
    best = None
    for p in sorted(points, key=lambda p: (p.cost, p.bound if upper else -p.bound)):
        if best is None or (p.bound < best if upper else p.bound > best):
            best = p.bound
            xs.append(p.cost)
            ys.append(best)
    return xs, ys


def draw(panels: Sequence[Panel], path: Path, cost_label: str = "cost") -> Path:
    """Write the figure to ``path`` (PNG)."""
    # A grid at most COLUMNS wide: nine targets make three rows, not one 4,752 px row.
    cols = max(1, min(COLUMNS, len(panels)))
    rows = max(1, math.ceil(len(panels) / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(4.8 * cols, 4.0 * rows), squeeze=False, constrained_layout=True
    )
    flat = list(axes.flat)
    for ax in flat[len(panels) :]:
        ax.set_visible(False)
    for ax, panel in zip(flat, panels, strict=False):
        pts = [p for p in panel.points if p.mean == p.mean]  # NaN KPIs have no place
        for met, colour, label in ((True, "tab:green", "meets"), (False, "tab:grey", "misses")):
            sel = [p for p in pts if p.met == met]
            if sel:
                ax.errorbar(
                    [p.cost for p in sel],
                    [p.mean for p in sel],
                    yerr=[
                        [max(p.mean - p.bound, 0) for p in sel],
                        [max(p.bound - p.mean, 0) for p in sel],
                    ],
                    fmt="o",
                    color=colour,
                    capsize=2,
                    label=f"candidate ({label} target)",
                )
        xs, ys = _frontier(pts, panel.upper)
        if xs:
            ax.step(xs, ys, where="post", color="tab:blue", label="frontier (best bound)")
        chosen = [p for p in pts if p.chosen]
        if chosen:
            ax.plot(chosen[0].cost, chosen[0].mean, "*", ms=16, color="tab:red", label="chosen")
        ax.axhline(panel.limit, ls="--", color="black", lw=1, label="target")
        ax.set_title(f"{panel.metric} {'≤' if panel.upper else '≥'} {panel.limit:g}", fontsize=9)
        ax.set_xlabel(cost_label)
        ax.set_ylabel(panel.metric.rsplit(".", 1)[-1])
        ax.legend(fontsize=7)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

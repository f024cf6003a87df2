"""The tornado chart of a one-at-a-time sensitivity analysis (pure matplotlib).

One horizontal bar per parameter, from the KPI's change when the parameter is lowered
to its change when it is raised (both against the base scenario, paired by
replication), with each end's 95% CI; the parameter whose swing is largest is on top.
Imports nothing of SimPy or the model, like the rest of the report side.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Patch


def _err(effect: dict[str, Any]) -> list[list[float]]:
    mean = effect["mean"]
    if effect["ci_low"] is None:
        return [[0.0], [0.0]]
    return [[mean - effect["ci_low"]], [effect["ci_high"] - mean]]


def tornado(rows: list[dict[str, Any]], kpi: str, base: float, path: Path) -> Path:
    """Draw ``rows`` (each: ``label``, ``low`` and ``high`` effect CIs, in drawing order
    from the top) and save to ``path``.
    """
    fig, ax = plt.subplots(figsize=(12, 0.6 * len(rows) + 1.8))
    for i, row in enumerate(rows):
        y = len(rows) - 1 - i  # first row on top
        for end, colour in (("low", "tab:blue"), ("high", "tab:red")):
            e = row[end]
            ax.barh(y, e["mean"], color=colour, alpha=0.75, height=0.6)
            ax.errorbar(e["mean"], y, xerr=_err(e), fmt="none", ecolor="black", capsize=3)
    ax.set_yticks(range(len(rows)), [r["label"] for r in reversed(rows)])
    ax.axvline(0.0, color="black", lw=0.8)
    handles = [
        Patch(color="tab:blue", alpha=0.75, label="parameter lowered"),
        Patch(color="tab:red", alpha=0.75, label="parameter raised"),
    ]
    ax.legend(handles=handles, loc="lower right", fontsize=8)
    ax.set_xlabel(f"Δ {kpi}\nagainst the base run ({base:.4g}); paired 95% CI")
    fig.suptitle("One-at-a-time sensitivity, largest swing on top (common random numbers)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

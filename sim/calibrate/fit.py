"""The fit check: the calibrated scenario's counts per period against the observed ones.

The calibrated scenario is simulated from ``calendar.start_date`` (no warm-up: arrivals
do not depend on it) to the end of the last period, ``run.replications`` times. For each
observed row (kinds summed) the simulated count of that township, stream and period in
each replication gives a mean with its CI and a **prediction band**: where one more
period's count would fall, ``mean ± t·sd·√(1 + 1/n)``. An observed count inside its
band is a period the model reproduces; ``inside_share`` is the share of such rows —
about the band's level (95%) when the rates are right.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.stats import confidence_interval
from sim.calibrate.observed import Period
from sim.run import engine


@dataclass(frozen=True)
class Fit:
    """The fit table (one row per observed township, stream and period) and its summary."""

    table: pd.DataFrame
    county: pd.DataFrame
    """The same summed over the townships in the data, per stream and period."""
    inside_share: float
    replications: int
    level: float


def simulated_counts(scenario: Any) -> dict[tuple[str, str], np.ndarray]:
    """(township, stream) → arrivals per replication and working day (county included)."""
    out = engine.run(scenario)
    series = out.timeseries
    assert series is not None
    arr = series[series["metric"] == "arrivals"]
    reps = int(arr["replication"].max()) + 1
    days = int(arr["day"].max()) + 1
    counts: dict[tuple[str, str], np.ndarray] = {}
    for (township, stream), g in arr.groupby(["township", "stream"]):
        grid = np.zeros((reps, days))
        grid[g["replication"].to_numpy(), g["day"].to_numpy()] = g["value"].to_numpy()
        counts[(str(township), str(stream))] = grid
    return counts


def band(values: np.ndarray, level: float) -> tuple[float, float]:
    """Prediction band of one more draw from the replications' distribution."""
    n = len(values)
    half = stats.t.ppf(0.5 + level / 2, n - 1) * values.std(ddof=1) * math.sqrt(1 + 1 / n)
    return float(values.mean() - half), float(values.mean() + half)


def _row(per_rep: np.ndarray, obs: int, level: float, **labels: Any) -> dict[str, Any]:
    ci = confidence_interval(per_rep, level)
    low, high = band(per_rep, level)
    return {
        **labels,
        "observed": obs,
        "simulated_mean": ci["mean"],
        "ci_low": ci["ci_low"],
        "ci_high": ci["ci_high"],
        "band_low": low,
        "band_high": high,
        "inside": bool(low <= obs <= high),
    }


def fit_check(scenario: Any, periods: list[Period], level: float = 0.95) -> Fit:
    """Compare the observed periods with the scenario's simulated ones."""
    counts = simulated_counts(scenario)
    observed: dict[tuple[str, str, int, int], int] = defaultdict(int)
    dates: dict[tuple[int, int], Period] = {}
    for p in periods:
        observed[(p.township, p.stream, p.first_day, p.last_day)] += p.arrivals
        dates[(p.first_day, p.last_day)] = p
    rows, totals = [], defaultdict(list)
    for (township, stream, d0, d1), obs in observed.items():
        per_rep = counts[(township, stream)][:, d0:d1].sum(axis=1)
        p = dates[(d0, d1)]
        span = {"period_start": p.start.isoformat(), "period_end": p.end.isoformat()}
        rows.append(_row(per_rep, obs, level, township=township, stream=stream, **span))
        totals[(stream, d0, d1)].append((per_rep, obs))
    county = [
        _row(
            sum(r for r, _ in parts),
            sum(o for _, o in parts),
            level,
            stream=stream,
            period_start=dates[(d0, d1)].start.isoformat(),
            period_end=dates[(d0, d1)].end.isoformat(),
        )
        for (stream, d0, d1), parts in totals.items()
    ]
    table = pd.DataFrame(rows)
    reps = next(iter(counts.values())).shape[0]
    return Fit(
        table,
        pd.DataFrame(county).sort_values(["stream", "period_start"]),
        float(table["inside"].mean()),
        reps,
        level,
    )


def plot(fit: Fit, path: Path) -> Path:
    """Observed counts per period (townships summed) against the simulated mean and its
    prediction band, one panel per stream; the title gives the township rows' share
    inside their bands.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    totals = fit.county
    streams = list(dict.fromkeys(totals["stream"]))
    fig, axes = plt.subplots(len(streams), 1, figsize=(9, 2.6 * len(streams)), squeeze=False)
    for ax, stream in zip(axes[:, 0], streams, strict=True):
        t = totals[totals["stream"] == stream]
        start, end = pd.to_datetime(t["period_start"]), pd.to_datetime(t["period_end"])
        mid = start + (end - start) / 2
        mean = t["simulated_mean"].to_numpy()
        spread = [mean - t["band_low"].to_numpy(), t["band_high"].to_numpy() - mean]
        ax.errorbar(
            mid,
            mean,
            yerr=spread,
            fmt="s",
            ms=4,
            capsize=3,
            color="tab:blue",
            label=f"simulated mean and {fit.level:.0%} prediction band",
        )
        ax.plot(mid, t["observed"], "ko", ms=4, label="observed")
        ax.set_title(stream, loc="left")
        ax.set_ylabel("arrivals per period")
    axes[0, 0].legend(loc="upper right", fontsize=8)
    fig.suptitle(
        f"Fit check: {fit.inside_share:.0%} of township periods inside the band "
        f"({fit.replications} replications)"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

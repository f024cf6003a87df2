"""Steady state from a run's own output: where the start-up transient ends, and whether
what follows grows.

Runs start empty, so every backlog first fills. A slope fitted over the whole window
cannot tell that fill from a backlog that grows without bound (an overloaded stream),
so the stability verdict is made in three steps on a stream's daily backlog:

1. **Warm-up by MSER-5** (White 1997; White, Cobb & Spratt 2000): the series is cut into
   batches of 5 days and truncated where the marginal standard error of the remaining
   batch means is smallest, searching the first half of the series only (a later point
   would leave too little to judge). With several replications MSER-5 reads their mean.
2. **Slope after the warm-up**, with a 95% CI across replications (independent, so the
   CI holds however slowly the backlog mixes); a single replication falls back on
   :data:`BATCHES` batch means, which is approximate when the backlog mixes slowly.
3. **Fill or growth**: a filling backlog flattens, a growing one keeps rising. A stream
   is ``growing`` only when its backlog rises significantly (and materially) both over
   the whole post-warm-up window and over its second half; a rise that fades in the
   second half is ``undetermined`` (fill or slow growth: run longer), as is a window
   shorter than :data:`MIN_WINDOW_DAYS`. ``not growing`` needs more than an
   insignificant slope: the CI's upper end must add less than the mean backlog over the
   window (a test without the power to see a doubling backlog is ``undetermined``).

Everything here is a plain function of numpy arrays: any daily series (a township
stream's, the county desk's own queue) gets the same verdict.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from sim.analysis.stats import confidence_interval

BATCH = 5
"""MSER-5: days per batch."""
MIN_WINDOW_DAYS = 50
"""Post-warm-up working days needed for a verdict: ten batches of 5 days, and two halves
of 25 days each to tell a fading rise from a steady one."""
BATCHES = 10
"""Batch means per replication for the slope's CI when there is one replication."""
MATERIAL_GROWTH = 0.001
"""A rise under 0.1% of the mean backlog a working day (a quarter over a 250-day year) is
practically flat, however narrow its CI (the rule the report's growth flag uses)."""

Verdict = Literal["growing", "not growing", "undetermined"]


@dataclass(frozen=True)
class Slope:
    """A least-squares slope, items per working day, with its 95% CI (NaN: no CI)."""

    mean: float
    low: float
    high: float

    def rises(self, size: float) -> bool:
        """Significantly above 0, and material against a backlog of ``size`` items."""
        return self.low > 0 and self.mean >= MATERIAL_GROWTH * size

    def __str__(self) -> str:
        if math.isnan(self.low):
            return f"{self.mean:+.3g}"
        return f"{self.mean:+.3g} [{self.low:+.3g}, {self.high:+.3g}]"


@dataclass(frozen=True)
class SteadyState:
    """A stream's steady-state reading: the MSER-5 warm-up and the growth verdict."""

    verdict: Verdict
    reason: str
    warmup_days: int
    """Working days from the run's start to the MSER-5 truncation point."""
    from_day: int
    """The series' first day, where MSER-5 starts searching: the configured warm-up."""
    window_days: int
    """Days of the series after that warm-up."""
    slope_per_day: float
    slope_ci: tuple[float, float]
    late_slope_per_day: float
    """Slope over the second half of the post-warm-up window."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (NaN → None)."""
        return {k: _json(v) for k, v in asdict(self).items()}


def _json(v: Any) -> Any:
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, tuple):
        return [_json(x) for x in v]
    return v


def mser(series: np.ndarray, batch: int = BATCH) -> int:
    """The MSER-``batch`` truncation point of a series, in observations (a multiple of
    ``batch``), searched over the first half of the series.

    MSER(d) = Σ_{i>d} (Y_i − Ȳ_d)² / (k − d)² over the k batch means Y; the point that
    minimises it trades the bias of the transient against the variance of a shorter mean.
    """
    x = np.asarray(series, dtype=float)
    k = len(x) // batch
    if k < 4:
        return 0
    y = x[: k * batch].reshape(k, batch).mean(axis=1)
    # Sums of the batch means and their squares from each d to the end.
    s1 = np.cumsum(y[::-1])[::-1]
    s2 = np.cumsum((y**2)[::-1])[::-1]
    n = np.arange(k, 0, -1, dtype=float)  # batches left after truncating d
    stat = (s2 - s1**2 / n) / n**2
    return int(np.argmin(stat[: k // 2 + 1])) * batch


def slope(series: np.ndarray) -> Slope:
    """The backlog's slope per day over ``series`` (replications × days) with its 95% CI:
    across replications when there are several, else from :data:`BATCHES` batch means.
    """
    x = np.atleast_2d(np.asarray(series, dtype=float))
    reps, days = x.shape
    if days < 2:
        return Slope(math.nan, math.nan, math.nan)
    t = np.arange(days, dtype=float)
    each = np.polyfit(t, x.T, 1)[0]  # one slope per replication
    if reps >= 2:
        ci = confidence_interval(each)
        return Slope(float(ci["mean"]), float(ci["ci_low"]), float(ci["ci_high"]))
    return _batch_slope(x[0])


def _batch_slope(x: np.ndarray) -> Slope:
    """Slope of one series from the regression of its batch means on their mid-days."""
    size = len(x) // BATCHES
    if size < 1:
        fit = float(np.polyfit(np.arange(len(x)), x, 1)[0])
        return Slope(fit, math.nan, math.nan)
    y = x[: size * BATCHES].reshape(BATCHES, size).mean(axis=1)
    t = (np.arange(BATCHES) + 0.5) * size
    b, a = np.polyfit(t, y, 1)
    resid = y - (a + b * t)
    se = math.sqrt(float(resid @ resid) / (BATCHES - 2) / float(((t - t.mean()) ** 2).sum()))
    from scipy import stats  # here: slow to import, and only one replication needs it

    half = float(stats.t.ppf(0.975, BATCHES - 2)) * se
    return Slope(float(b), float(b - half), float(b + half))


def steady_state(backlog: np.ndarray, first_day: int = 0) -> SteadyState:
    """MSER-5 warm-up and growth verdict of a daily backlog (days, or replications × days)
    whose first value is working day ``first_day`` of the run: the configured warm-up
    stays the floor, and the reading's warm-up and reason count days from the run's start.
    """
    x = np.atleast_2d(np.asarray(backlog, dtype=float))
    cut = first_day + mser(x.mean(axis=0))
    post = x[:, cut - first_day :]
    verdict, why, whole, late = _verdict(post, cut)
    if cut > first_day and cut - first_day == x.shape[1] // BATCH // 2 * BATCH:
        why += " (MSER-5 at its search limit, half the series: the backlog may not settle)"
    return SteadyState(
        verdict,
        why,
        cut,
        first_day,
        post.shape[1],
        whole.mean,
        (whole.low, whole.high),
        late.mean,
    )


def _verdict(post: np.ndarray, cut: int) -> tuple[Verdict, str, Slope, Slope]:
    """The verdict on the backlog after the warm-up ending on day ``cut``, its reason,
    and the slopes over the whole of it and over its second half.
    """
    days = post.shape[1]
    if days < MIN_WINDOW_DAYS:
        nan = Slope(math.nan, math.nan, math.nan)
        why = f"only {days} working days after the warm-up (day {cut}); need {MIN_WINDOW_DAYS}"
        return "undetermined", why + ": run longer", nan, nan
    whole, late = slope(post), slope(post[:, days // 2 :])
    size = float(post.mean())
    if not whole.rises(size):
        if whole.high * days > size:  # the CI allows a rise of more than the mean backlog
            why = (
                f"no significant rise after day {cut} ({whole} items/day), but the CI "
                f"allows {whole.high * days:,.0f} more items over those {days} days, more "
                f"than the mean backlog of {size:,.0f}: more replications or a longer run"
            )
            return "undetermined", why, whole, late
        why = f"no significant, material rise after day {cut}: {whole} items/day"
        return "not growing", why, whole, late
    if late.rises(size):
        why = (
            f"rises {whole} items/day after day {cut}, and still {late} in the second "
            f"half of those {days} days"
        )
        return "growing", why, whole, late
    why = (
        f"rises {whole} items/day after day {cut} but not significantly in the second "
        f"half ({late}): start-up fill or slow growth, run longer"
    )
    return "undetermined", why, whole, late

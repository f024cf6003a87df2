"""Output analysis across replications: confidence intervals and paired differences.

Pure numpy/scipy on arrays of per-replication values, shared by the run directory
(summary CIs), the report (differences between jobs) and the tests.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

CI = dict[str, Any]
"""``{"mean", "ci_low", "ci_high", "n"}``; the bounds are None when n < 2."""


def _t_quantile(p: float, dof: float) -> float:
    """Student's t quantile, by the function ``scipy.stats.t.ppf`` calls (the same
    number for 0 < p < 1). Imported here, not at the top: every command starts through
    this module; and not scipy.stats, which takes about 0.5 s to import where
    scipy.special takes a third of it, in every run and every sweep job that computes
    a CI.
    """
    from scipy.special import stdtrit

    return float(stdtrit(dof, p))


def confidence_interval(
    values: Any, level: float = 0.95, lo: float | None = None, hi: float | None = None
) -> CI:
    """Mean and t-based CI across replications (NaN replications are dropped).

    ``lo``/``hi`` are the bounds the quantity cannot leave (0 for a count or a time, 1
    for a share): the t-interval of a skewed output from few replications can reach
    past them, and an interval that claims an impossible value is clipped to them.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return {"mean": None, "ci_low": None, "ci_high": None, "n": 0}
    mean = float(x.mean())
    if n < 2:
        return {"mean": mean, "ci_low": None, "ci_high": None, "n": n}
    half = float(_t_quantile(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    low, high = mean - half, mean + half
    if lo is not None:
        low = max(low, lo)
    if hi is not None:
        high = min(high, hi)
    return {"mean": mean, "ci_low": low, "ci_high": high, "n": n}


def bounds_of(metric: str) -> tuple[float | None, float | None]:
    """The values a metric cannot leave, from its name: shares lie in [0, 1]; counts,
    times, ages and staff are non-negative; a growth rate or a difference may be either.
    """
    if metric.endswith("_share"):
        return 0.0, 1.0
    if metric.endswith("growth_per_day") or "vacancies" in metric:
        return None, None
    return 0.0, None


def paired_difference(treatment: Any, baseline: Any, level: float = 0.95) -> CI:
    """CI of the mean of ``treatment - baseline`` replication by replication (common
    random numbers make the pairs share their arrivals, so the CI is narrow).
    """
    a, b = np.asarray(treatment, dtype=float), np.asarray(baseline, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired runs need the same replications ({a.size} vs {b.size})")
    return confidence_interval(a - b, level)


def welch_difference(treatment: Any, baseline: Any, level: float = 0.95) -> CI:
    """CI of the difference of means of two independent samples (Welch's t)."""
    a, b = np.asarray(treatment, dtype=float), np.asarray(baseline, dtype=float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if len(a) < 2 or len(b) < 2:
        return {"mean": None, "ci_low": None, "ci_high": None, "n": 0}
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    dof = (va + vb) ** 2 / ((va**2) / (len(a) - 1) + (vb**2) / (len(b) - 1)) if se else 1
    half = _t_quantile(0.5 + level / 2, dof) * se
    d = float(a.mean() - b.mean())
    return {"mean": d, "ci_low": d - half, "ci_high": d + half, "n": min(len(a), len(b))}


def paired_p_value(treatment: Any, baseline: Any) -> float:
    """Two-sided p-value of the paired t statistic of ``treatment - baseline`` (pairs
    with a NaN on either side are dropped; NaN with fewer than two pairs). Identical
    differences have no spread: p is 1 when they are all zero and 0 otherwise.
    """
    from scipy import stats

    d = np.asarray(treatment, dtype=float) - np.asarray(baseline, dtype=float)
    d = d[~np.isnan(d)]
    if d.size < 2:
        return math.nan
    sd = float(d.std(ddof=1))
    if sd == 0.0:
        return 1.0 if float(d.mean()) == 0.0 else 0.0
    t = float(d.mean()) / (sd / math.sqrt(d.size))
    return float(2.0 * stats.t.sf(abs(t), d.size - 1))


def benjamini_hochberg(p_values: Any) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (the false discovery rate), in input order.

    Chosen over Holm for screening a lever's many metrics for costs: Holm bounds the
    chance of even one false finding, and over a hundred or more metrics from ten
    replications it hides real costs; BH bounds the expected share of false findings
    among those reported, which is what a reader of a list of costs and gains needs. It
    holds for independent or positively dependent tests (Benjamini and Yekutieli 2001),
    as metrics of the same replications mostly are. ``adjusted[i] ≤ q`` marks the
    discoveries at rate ``q``. NaN p-values stay NaN and do not count in the family.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    known = np.flatnonzero(~np.isnan(p))
    m = known.size
    if m == 0:
        return out
    order = known[np.argsort(p[known], kind="stable")]
    scaled = p[order] * m / np.arange(1, m + 1)
    # Step up: each adjusted value is the smallest scaled value at its rank or above.
    out[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return out

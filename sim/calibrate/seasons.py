"""Monthly profiles: a stream's factor per calendar month, when its counts show one.

With the flat rates calibrated, each month ``k`` of the data has an expected count
``X_k × m̄`` (``X_k``: its exposure at the calibrated rates; ``m̄``: observed ÷ expected
over all months). A Pearson dispersion test (χ² with one degree of freedom less than
the months seen, counts' variance taken as φ times their mean for batch arrivals) says
whether the months differ; below ``ALPHA`` the stream gets a profile
``m_k = (N_k / X_k) / m̄`` — 1 on average over the data, so the flat rates keep their
meaning — with an exact (Garwood) CI per month; months without data keep 1.
Periods must each lie within one calendar month.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from scipy import stats

from sim.calibrate.drivers import components, fed, per_unit
from sim.calibrate.observed import Period
from sim.calibrate.rates import Estimates, Rate, Unidentified, garwood

ALPHA = 0.01
"""Significance level of the month-to-month test: a profile only when the data show it."""


@dataclass(frozen=True)
class Months:
    """A stream's observed counts and exposures (items expected per unit factor) by month."""

    counts: dict[int, int]
    exposure: dict[int, float]
    dispersion: float

    @property
    def seen(self) -> list[int]:
        """Months (0 = January) with exposure."""
        return sorted(k for k, x in self.exposure.items() if x > 0)

    def mean(self) -> float:
        """Observed ÷ expected over all months seen."""
        return sum(self.counts[k] for k in self.seen) / sum(self.exposure[k] for k in self.seen)

    def p_value(self) -> float:
        """Pearson dispersion test of equal factors (quasi-Poisson)."""
        m, x = self.mean(), self.exposure
        chi2 = sum(
            (self.counts[k] - m * x[k]) ** 2 / (self.dispersion * m * x[k]) for k in self.seen
        )
        return float(stats.chi2.sf(chi2, len(self.seen) - 1))


def fit_profiles(s: Any, periods: list[Period], est: Estimates, level: float = 0.95) -> None:
    """Add to ``est`` the monthly profile of every stream whose counts show one."""
    by_stream: dict[str, list[Period]] = defaultdict(list)
    for p in periods:
        by_stream[p.stream].append(p)
    for stream, rows in by_stream.items():
        key = f"workload.{stream}.monthly_profile"
        if any((p.start.year, p.start.month) != (p.end.year, p.end.month) for p in rows):
            est.unidentified.append(
                Unidentified([key], "periods span calendar months: no monthly profile")
            )
            continue
        months = _months(s, stream, rows, est)
        if months is None or len(months.seen) < 2 or months.mean() <= 0.0:
            est.unidentified.append(Unidentified([key], "fewer than two months with data"))
            continue
        p_value = months.p_value()
        if p_value >= ALPHA:
            why = f"no month-to-month variation beyond chance (p = {p_value:.2g}): flat rates"
            est.unidentified.append(Unidentified([key], why))
            continue
        _add_profile(est, stream, months, p_value, level)


def _months(s: Any, stream: str, rows: list[Period], est: Estimates) -> Months | None:
    """Counts and exposures by month at the calibrated flat rates (None if unknown)."""
    values = est.values()
    own = {}
    for c in components(s, stream):
        rate = values.get(c.full_key)
        if rate is None:
            return None  # a rate unidentified: no basis for a profile
        own[c] = rate
    counts: dict[int, int] = defaultdict(int)
    exposure: dict[int, float] = defaultdict(float)
    weights: dict[Any, float] = defaultdict(float)
    for p in rows:
        for c, rate in own.items():
            weights[c] += p.days * rate * per_unit(s, c, p.township)
        items = sum(r * per_unit(s, c, p.township) for c, r in own.items())
        counts[p.start.month - 1] += p.arrivals
        exposure[p.start.month - 1] += p.days * (items + fed(s, stream, p.township, values))
    total = sum(weights.values())
    phi = sum(w * c.dispersion for c, w in weights.items()) / total if total else 1.0
    return Months(counts, exposure, phi)


def _add_profile(est: Estimates, stream: str, months: Months, p_value: float, level: float) -> None:
    key, mean = f"workload.{stream}.monthly_profile", months.mean()
    profile = [1.0] * 12
    method = f"monthly factor (dispersion test p = {p_value:.2g})"
    for k in months.seen:
        n, scale = months.counts[k], months.exposure[k] * mean
        profile[k] = n / scale
        low, high = garwood(n, level, months.dispersion)
        est.rates.append(Rate(f"{key}[{k}]", profile[k], low / scale, high / scale, n, method))
    est.profiles[stream] = profile
    missing = [k for k in range(12) if k not in months.seen]
    if missing:
        est.unidentified.append(
            Unidentified([f"{key}[{k}]" for k in missing], "no data in these months: factor 1")
        )

"""Demand stress (需求压力测试): every arrival rate times a scale, with common random numbers.

``workload.demand_scale`` multiplies every arrival rate of the model and
``workload.<stream>.demand_scale`` that of one stream; the two multiply. A scaled
stream is built from its **base** Poisson stream (the arrivals the scenario would have
at scale 1, from the same random stream as always), so scaling never redraws it:

* scale < 1 keeps each base arrival with probability ``scale`` (thinning), using a mark
  per base arrival from the stream ``<source>/arrivals/thinning``;
* scale > 1 keeps every base arrival and adds the arrivals of an independent Poisson
  stream of rate ``(scale − 1) × base`` (superposition), itself a thinning of
  candidates at the highest allowed extra rate drawn from ``<source>/arrivals/extra``.

``workload.<stream>.monthly_profile`` (12 factors, January first; fitted by
``tsim-calibrate`` when counts vary by month) multiplies the scale by the factor of the
month each arrival falls in, by the same thinning and superposition. Both are exact
(non-homogeneous) Poisson processes of the scaled rate, scale 1 is the unscaled model bit
for bit, and the family is **nested**: the arrivals at a lower scale are a subset of
those at a higher one, in the same replication. A sweep over ``demand_scale`` therefore
compares runs that share every base arrival epoch (common random numbers); only the
added (or dropped) arrivals differ. The items of added arrivals draw their attributes
from sibling streams (:class:`sim.model.work.Rows`), so every base arrival also keeps its
items' attributes — item for item under scale ≥ 1. Under thinning (scale < 1 in some
month) the items after a dropped arrival take the next rows of their stream: same
distribution, not the same pairing.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.core.calendar import WorkingClock
from sim.core.rng import poisson_times
from sim.core.settings import MAX_SCALE


@dataclass(frozen=True)
class Demand:
    """How the demand of one arrival source is stressed: its combined scale and the
    monthly profile of its stream (12 factors, January first), if set.
    """

    scale: float = 1.0
    profile: tuple[float, ...] | None = None


def scale_of(workload: Any, source: str) -> float:
    """Combined demand scale of the arrival source ``source`` (e.g. ``"services"``,
    ``"delegated/routine"``) in the ``workload`` section: the global scale times that of
    the stream named by the source's first part, if it is a stream's workload section
    (the county's own work has only the global one).
    """
    scale = float(workload.demand_scale)
    section = getattr(workload, source.split("/", 1)[0], None)
    return scale * float(getattr(section, "demand_scale", 1.0))


def profile_of(workload: Any, source: str) -> tuple[float, ...] | None:
    """The monthly profile (12 factors, January first) of the source's stream, if set."""
    section = getattr(workload, source.split("/", 1)[0], None)
    profile = getattr(section, "monthly_profile", None)
    return None if profile is None else tuple(float(f) for f in profile)


def demand_of(workload: Any, source: str) -> Demand:
    """The scale and profile of the arrival source ``source`` in ``workload``."""
    return Demand(scale_of(workload, source), profile_of(workload, source))


@functools.cache
def _months(start_date: str, days_per_week: int, n_days: int) -> np.ndarray:
    """Calendar month (0 = January) of each working day ``0 … n_days − 1``."""
    clock = WorkingClock(1.0, days_per_week, start_date)
    first = clock.date_of_day(0)
    months: list[int] = []
    date = first
    while len(months) < n_days:
        if date.weekday() < days_per_week:
            months.append(date.month - 1)
        date += dt.timedelta(days=1)
    return np.array(months, dtype=np.intp)


def month_factor(
    clock: WorkingClock, horizon_days: float, profile: tuple[float, ...]
) -> Callable[[np.ndarray], np.ndarray]:
    """``times → factors``: the profile's factor for the month of each working hour of
    a run of ``horizon_days`` working days on ``clock``.
    """
    n_days = math.ceil(horizon_days) + 1
    months = _months(clock.start_date, clock.days_per_week, n_days)
    table = np.asarray(profile, dtype=float)
    hpd = clock.hours_per_day

    def factor(times: np.ndarray) -> np.ndarray:
        days = np.minimum((times // hpd).astype(np.intp), n_days - 1)
        return table[months[days]]

    return factor


def arrivals(
    demand: Demand,
    source: str,
    base: np.ndarray,
    rate_per_h: float,
    clock: WorkingClock,
    horizon_days: float,
    rng: Callable[[str], np.random.Generator],
) -> tuple[np.ndarray, np.ndarray]:
    """The source's arrival epochs and those of them that were added: its base Poisson
    stream ``base`` (drawn at ``rate_per_h`` over ``horizon_days`` working days of
    ``clock``) with the source's ``demand`` scale and monthly profile applied;
    ``rng(name)`` gives the streams ``<source>/arrivals/thinning`` and ``…/extra``.
    """
    scale, profile = demand.scale, demand.profile
    if scale == 1.0 and profile is None:
        return base, base[:0]
    by_time = None if profile is None else month_factor(clock, horizon_days, profile)
    peak = scale * (1.0 if profile is None else max(profile))
    return scaled(
        base,
        rate_per_h,
        scale,
        clock.hours(horizon_days),
        rng(f"{source}/arrivals/thinning"),
        rng(f"{source}/arrivals/extra"),
        by_time,
        peak,
    )


def scaled(
    base: np.ndarray,
    rate_per_h: float,
    scale: float,
    horizon_h: float,
    thinning: np.random.Generator,
    extra: np.random.Generator,
    by_time: Callable[[np.ndarray], np.ndarray] | None = None,
    peak: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Arrival epochs (and the added ones among them) at ``scale`` (times
    ``by_time(t)``, if given) times the rate of the Poisson stream ``base``; ``peak``
    is the largest factor (``scale`` by default).

    Draws from ``thinning`` only where the factor is below 1 somewhere, and from
    ``extra`` only where it exceeds 1 somewhere; see the module docstring.
    """
    peak = scale if peak is None else peak
    if by_time is None and scale == 1.0:
        return base, base[:0]
    factor = np.full(len(base), scale) if by_time is None else scale * by_time(base)
    kept = base
    if (factor < 1.0).any():
        kept = base[thinning.random(len(base)) < factor]
    if peak <= 1.0:
        return kept, base[:0]
    top = MAX_SCALE - 1.0
    candidates = poisson_times(extra, top * rate_per_h, horizon_h)
    marks = extra.random(len(candidates))
    at = scale if by_time is None else scale * by_time(candidates)
    added = candidates[marks < (at - 1.0) / top]
    return np.sort(np.concatenate([kept, added]), kind="stable"), added

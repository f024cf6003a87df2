"""Arrival rates from observed counts: exact Poisson estimates and what stays unknown.

A component's count over all its rows is Poisson with mean ``rate × X``, where the
exposure ``X`` sums, over the rows, working days × expected items per unit of rate
(:func:`sim.calibrate.drivers.per_unit`). The estimate is ``N / X`` and its CI the
exact (Garwood) Poisson interval of ``N`` divided by ``X``.

When a stream's rows count the whole stream but it has several components, the counts
identify only their total: the estimate is one **multiplier** on the preset rates (the
mix between components kept), after subtracting the items expected from the streams
that feed it (grid reports, at the calibrated grid rate, taken as known). The split
between the components is reported as unidentified, as is everything counts carry no
information on (efforts, shares, time limits).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from scipy import stats

from sim.calibrate.drivers import Component, components, fed, feeds, order, per_unit
from sim.calibrate.observed import Period
from sim.config import ConfigError
from sim.config.validation import knob_of


@dataclass(frozen=True)
class Rate:
    """One calibrated rate key with its CI and how it was found."""

    key: str
    value: float
    ci_low: float
    ci_high: float
    observed: int
    method: str


@dataclass(frozen=True)
class Unidentified:
    """Keys the counts cannot pin down, and why."""

    keys: list[str]
    why: str


@dataclass
class Estimates:
    """All rates found and all keys left at their preset values."""

    rates: list[Rate] = dataclasses.field(default_factory=list)
    unidentified: list[Unidentified] = dataclasses.field(default_factory=list)
    profiles: dict[str, list[float]] = dataclasses.field(default_factory=dict)
    """Stream → monthly profile, for the streams whose counts show one (:mod:`.seasons`)."""

    def values(self) -> dict[str, float]:
        """Rate key → calibrated value (the profiles' factors excluded)."""
        return {r.key: r.value for r in self.rates if "[" not in r.key}


def garwood(n: float, level: float = 0.95, dispersion: float = 1.0) -> tuple[float, float]:
    """Exact CI of a Poisson mean from one count ``n`` (Garwood 1936).

    With ``dispersion`` φ > 1 (items arriving in batches: the count's variance is φ
    times its mean) the interval is the quasi-Poisson one: Garwood's on the effective
    count ``n / φ``, scaled back by φ.
    """
    a, m = 1.0 - level, n / dispersion
    low = 0.0 if m == 0 else float(stats.chi2.ppf(a / 2, 2 * m) / 2)
    high = float(stats.chi2.ppf(1 - a / 2, 2 * m + 2) / 2)
    return low * dispersion, high * dispersion


def _method(dispersion: float, base: str) -> str:
    if dispersion <= 1.0 + 1e-12:
        return base
    return f"{base}, widened for batches (quasi-Poisson, dispersion {dispersion:.2f})"


def estimate(s: Any, periods: list[Period], level: float = 0.95) -> Estimates:
    """Every rate the periods identify, in the scenario ``s`` (its other settings fixed)."""
    out = Estimates()
    by_stream: dict[str, list[Period]] = defaultdict(list)
    for p in periods:
        by_stream[p.stream].append(p)
    for stream in order(s):  # a feeding stream's calibrated rate sets what it feeds
        rows = by_stream.get(stream, [])
        keys = [c.full_key for c in components(s, stream)]
        if not rows:
            out.unidentified.append(Unidentified(keys, "no rows of this stream in the data"))
        elif rows[0].kind:
            _by_kind(s, stream, rows, out, level)
        else:
            _by_total(s, stream, rows, out, level)
    out.unidentified.append(
        Unidentified(
            ["workload.*.*effort*", "workload.*.*share*", "workload.*.*days*"],
            "arrival counts carry no information on efforts, shares or time limits "
            "(kept at the preset values)",
        )
    )
    if any(p.completions is not None for p in periods):
        out.unidentified.append(
            Unidentified(
                ["completions"],
                "completions depend on staffing and the backlog, not on arrival rates: "
                "read and checked, not used for rates",
            )
        )
    return out


def _exposure(s: Any, c: Component, rows: list[Period]) -> float:
    return sum(p.days * per_unit(s, c, p.township) for p in rows)


def _by_kind(s: Any, stream: str, rows: list[Period], out: Estimates, level: float) -> None:
    for c in components(s, stream):
        key = c.full_key
        mine = [p for p in rows if p.kind == c.kind]
        x = _exposure(s, c, mine)
        if not mine or x <= 0.0:
            why = "no rows of this kind" if not mine else "no exposure (switched off)"
            out.unidentified.append(Unidentified([key], why))
            continue
        n = sum(p.arrivals for p in mine)
        phi = c.dispersion
        low, high = garwood(n, level, phi)
        method = _method(phi, "exact Poisson (Garwood)")
        out.rates.append(Rate(key, n / x, low / x, high / x, n, method))


def _by_total(s: Any, stream: str, rows: list[Period], out: Estimates, level: float) -> None:
    comps = components(s, stream)
    n = sum(p.arrivals for p in rows)
    known = out.values()
    from_others = sum(p.days * fed(s, stream, p.township, known) for p in rows)
    keys = [c.full_key for c in comps]
    if len(comps) == 1:
        weights = [1.0]
        method = "exact Poisson (Garwood)"
    else:
        weights = [c.source.rate for c in comps]
        method = "one multiplier on the preset mix (Garwood CI of the total)"
    parts = [w * _exposure(s, c, rows) for w, c in zip(weights, comps, strict=True)]
    x = sum(parts)
    if x <= 0.0:
        out.unidentified.append(
            Unidentified(keys, "the preset rates or the stream's drivers are all zero")
        )
        return
    # Variance-to-mean ratio of the count: each source's items weighted by its share.
    phi = sum(v * c.dispersion for v, c in zip(parts, comps, strict=True)) / x
    low, high = garwood(n, level, phi)
    method = _method(phi, method)
    factor = max(n - from_others, 0.0) / x
    f_low, f_high = max(low - from_others, 0.0) / x, max(high - from_others, 0.0) / x
    for key, w in zip(keys, weights, strict=True):
        out.rates.append(Rate(key, factor * w, f_low * w, f_high * w, n, method))
    if from_others > 0.0:
        for feed in feeds(s, stream):
            note = (
                f"{from_others:.0f} of the {n} items are expected from {feed.stream} "
                f"and are subtracted, with the {feed.stream} rate taken as known"
            )
            out.unidentified.append(
                Unidentified([f"workload.{feed.stream}.{feed.share_key}"], note)
            )
    if len(comps) > 1:
        out.unidentified.append(
            Unidentified(
                keys,
                "the rows count the stream's total, so the split between its sources is "
                "kept at the preset mix (add a kind column to separate them)",
            )
        )


def check_ranges(s: Any, periods: list[Period], est: Estimates, data: str) -> None:
    """Refuse a rate above its key's range in one line naming the file's row that drives
    it (the row with the most arrivals per working day) and about how many arrivals
    that row may hold: the scenario's own check would name only the derived rate.
    """
    for r in est.rates:
        meta = knob_of(s, r.key) if "[" not in r.key else None
        if meta is None or r.value <= meta["hi"]:
            continue
        stream = r.key.split(".")[1]
        kinds = {c.kind for c in components(s, stream) if c.full_key == r.key}
        rows = [p for p in periods if p.stream == stream and (not p.kind or p.kind in kinds)]
        worst = max(rows, key=lambda p: p.arrivals / p.days)
        # The rate is the rows' total over their exposure (observed / value): what this
        # row may hold with the others kept (ints subtracted first: exact even at 1e300).
        most = max((worst.arrivals - r.observed) + meta["hi"] * (r.observed / r.value), 0.0)
        raise ConfigError(
            f"{data}, row {worst.row}, column arrivals: {worst.arrivals:g} arrivals in "
            f"{worst.days} working days make {r.key} = {r.value:.4g}, above its maximum "
            f"{meta['hi']:g}: the row may hold at most about {most:.4g} arrivals"
        )

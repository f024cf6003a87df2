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

Both are exact Poisson processes of the scaled rate, scale 1 is the unscaled model bit
for bit, and the family is **nested**: the arrivals at a lower scale are a subset of
those at a higher one, in the same replication. A sweep over ``demand_scale`` therefore
compares runs that share every base arrival epoch (common random numbers); only the
added (or dropped) arrivals differ. Item attributes are still drawn in arrival order, so
items after the first added arrival take the next attribute rows — same distribution,
not the same pairing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .rng import poisson_times

MAX_SCALE = 10.0
"""Largest combined scale (global × per stream): the extra candidates are drawn at
``MAX_SCALE − 1`` times the base rate, so the bound also bounds the work per source."""


def scale_of(scenario: Any, source: str) -> float:
    """Combined demand scale of the arrival source ``source`` (e.g. ``"services"``,
    ``"delegated/routine"``): the global scale times that of the stream named by the
    source's first part, if it is a stream's workload section (the county's own work
    has only the global one).
    """
    workload = scenario.workload
    scale = float(workload.demand_scale)
    section = getattr(workload, source.split("/", 1)[0], None)
    return scale * float(getattr(section, "demand_scale", 1.0))


def scaled_times(
    base: np.ndarray,
    rate_per_h: float,
    scale: float,
    horizon_h: float,
    thinning: np.random.Generator | None,
    extra: np.random.Generator | None,
) -> np.ndarray:
    """Arrival epochs at ``scale`` times the rate of the Poisson stream ``base``.

    ``thinning`` is used only when ``scale < 1`` and ``extra`` only when ``scale > 1``
    (pass None for the one not needed); see the module docstring.
    """
    if scale == 1.0:
        return base
    if scale < 1.0:
        assert thinning is not None
        keep = thinning.random(len(base)) < scale
        return base[keep]
    assert extra is not None
    top = MAX_SCALE - 1.0
    candidates = poisson_times(extra, top * rate_per_h, horizon_h)
    marks = extra.random(len(candidates))
    added = candidates[marks < (scale - 1.0) / top]
    return np.sort(np.concatenate([base, added]), kind="stable")

"""Why a sizing row's wait may be off from the simulated one: each reason named, with the
test that finds it on the row (``tsim-size --check`` gives them to every row off by more
than the agreement factor).

* **Not in M/M/c**: a mechanism the simulation has and the row leaves out, noted on the
  row by :mod:`sim.plan.sizing` (its notes starting :data:`~sim.plan.sizing.NOT_MODELLED`).
* **Absences overload it**: the row counts the staff expected present on average, but
  staff are away whole weeks at a time (a vacancy until the next hire, a secondment of
  about three months). When so many of the centre's staff can be away at once that the
  rest carry less than its load, the queue grows through every such absence and its
  mean wait rides on those episodes, which the stationary wait leaves out. Each post is
  taken as away independently with the row's share away, ``1 − expected / quota``.
* **Posts still filling**: the row counts the quota lever's added posts as filled in
  the long run, but the simulation starts with today's staff and fills the new posts
  only at its recruitment rounds, after the hiring lag, at trainee speed: a run of a
  few months sees fewer staff than the row.
* **Near saturation**: at a utilisation of :data:`SATURATED` or more the wait swings
  with small differences in load (a short run's own arrivals differ by a few percent
  from their mean), so the two cannot be held to a factor 2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.plan.sizing import NOT_MODELLED, CentreSizing

ABSENCE_SHARE = 0.005
"""Absences that overload the centre for at least this share of the time (a day and a
quarter a year) are a reason: one overload lasts weeks and builds a backlog of days."""
SATURATED = 0.9
"""Utilisation from which a mean wait is too sensitive to the load to be checked."""


@dataclass(frozen=True)
class Reason:
    """One named reason and what it says about the row."""

    name: str
    detail: str

    def __str__(self) -> str:
        return f"{self.name}: {self.detail}"


ABSENCES = "absences overload it"
POSTS_FILLING = "posts still filling"
NEAR_SATURATION = "near saturation"
NOT_IN_MMC = NOT_MODELLED.removesuffix(": ")


def binomial_tail(n: int, p: float, k: int) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p)."""
    return sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(max(k, 0), n + 1))


def absences(row: CentreSizing) -> Reason | None:
    """Staff away at once leave fewer crews than the load for ``ABSENCE_SHARE`` of the
    time or more (pooled centres; a desk layout has its own one-clerk reason).
    """
    n = row.quota
    if n <= 0 or row.desks > 1 or row.offered_load <= 0:
        return None
    away = 1.0 - row.expected_present / n
    if away <= 0:
        return None
    # The fewest absent for the crews left to carry no more than the load.
    crews_needed = row.offered_load / row.crew
    k = next(j for j in range(n + 1) if (n - j) // row.crew <= crews_needed)
    share = binomial_tail(n, away, k)
    if share < ABSENCE_SHARE:
        return None
    return Reason(
        ABSENCES,
        f"with {k} of {n} staff away ({share:.1%} of the time) the load "
        f"{row.offered_load:.2g} exceeds the staff left, and the queue grows for weeks",
    )


def filling(row: CentreSizing) -> Reason | None:
    """The row counts posts (the quota lever's) that the run starts without."""
    added = row.quota - row.present
    if added <= 0 or row.offered_load <= 0:
        return None
    return Reason(
        POSTS_FILLING,
        f"{added} of {row.quota} posts start vacant and fill only at recruitment rounds; "
        f"the row counts {row.expected_present:.2g} staff, the run starts with {row.present}",
    )


def saturation(row: CentreSizing) -> Reason | None:
    """The row's utilisation is :data:`SATURATED` or more."""
    capacity = row.servers * row.crew if row.desks <= 1 else row.servers
    if capacity <= 0 or row.offered_load / capacity < SATURATED:
        return None
    return Reason(
        NEAR_SATURATION,
        f"utilisation {row.offered_load / capacity:.2f}: the wait swings with small "
        "differences in load",
    )


def not_in_mmc(row: CentreSizing) -> list[Reason]:
    """The row's own notes of mechanisms the simulation has and the row leaves out."""
    return [
        Reason(NOT_IN_MMC, note.removeprefix(NOT_MODELLED))
        for note in row.approximations.split("; ")
        if note.startswith(NOT_MODELLED)
    ]


def reasons(row: CentreSizing) -> list[Reason]:
    """Every named reason that applies to the row, in the order above."""
    found = not_in_mmc(row)
    found += [r for r in (absences(row), filling(row), saturation(row)) if r is not None]
    return found

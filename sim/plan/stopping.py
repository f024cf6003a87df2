"""When a candidate's replications already show that it misses a target.

``tsim-plan`` simulates a candidate one replication at a time and, from the
``first``-th on, looks after each one whether to stop. A look that stops a candidate
whose true mean meets the target is an error: it throws away a candidate the search
might have chosen. Looked at often enough, a one-sided bound at the plan's confidence
crosses the target by chance sooner or later, so each look spends only its share of
the error rate: with ``L`` looks (after replications ``first, …, n − 1`` of ``n``; the
last replication is judged by the search, not by this rule) and ``T`` targets, a target
is *clearly missed* when even the favourable end of its one-sided t interval at level
``1 − α/(L·T)`` misses it.

**Error rate.** If the candidate's true means meet every target, the chance that some
look stops it is at most ``α`` (Bonferroni over the looks and targets; the t interval
treats replication means as roughly normal, which the planner's 10 replications of a
county-year approximate). The planner uses ``α = 1 − plan.confidence`` (5% at the
default 0.95): the same risk it accepts in calling a met target met.

**The verification** of the chosen plan on fresh seeds calls it *verified* only on
all ``plan.verify_replications`` replications, when every target's one-sided bound at
``plan.confidence`` meets it: one look, so the t bound's error rate is the stated one
for roughly normal replication values. It may stop earlier only to reject: at
``first``, ``2·first``, … (:func:`verification_looks`) when a target's mean misses.
Calling a plan verified at the first of many looks where its bound met the target
(before this version: after every replication from ``plan.replications`` on) verified
a plan whose true mean sits on the target far more often: about 17% of the time for
normal values between 10 and 40 replications, and 43% for replication values like a
backlog's (right-skewed, CV about 1), against 11% with the one look. The t bound itself
is optimistic for such skewed values at any fixed count — that remains (see README,
"Staffing planner").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from sim.analysis.stats import confidence_interval
from sim.plan.plan_config import Target

Replications = Mapping[str, Sequence[float | None]]


def look_level(alpha: float, looks: int, targets: int) -> float:
    """The one-sided confidence of each look at each target (Bonferroni's share)."""
    return 1.0 - alpha / (max(looks, 1) * max(targets, 1))


def verification_looks(first: int, last: int) -> tuple[int, ...]:
    """After which replications the verification may stop because a target's mean
    misses: ``first``, then twice as many each time, and ``last``, the only one at which
    a plan can be verified (see the module docstring); none when ``last`` is 0.
    """
    if last <= 0:
        return ()
    looks, n = [], max(2, min(first, last))
    while n < last:
        looks.append(n)
        n *= 2
    return (*looks, last)


def futile(reps: Replications, targets: Sequence[Target], looks: Sequence[int]) -> bool:
    """At one of ``looks``, whether a target's mean misses it."""
    return len(next(iter(reps.values()), [])) in looks and mean_misses(reps, targets)


def mean_misses(reps: Replications, targets: Sequence[Target]) -> bool:
    """Whether a target's mean misses it (no value: misses)."""
    return any(misses(t, _mean(reps.get(t.metric, []))) for t in targets)


def _mean(values: Sequence[float | None]) -> float:
    """The mean of the values given, as the intervals compute it (NaN when none is)."""
    mean = confidence_interval([math.nan if v is None else v for v in values])["mean"]
    return math.nan if mean is None else float(mean)


def favourable_end(values: Sequence[float | None], t: Target, level: float) -> float:
    """The end of the one-sided ``level`` interval most favourable to the target (the
    lower end for a maximum): NaN when fewer than two replications give a value.
    """
    ci = confidence_interval([math.nan if v is None else v for v in values], 2 * level - 1)
    end = ci["ci_low"] if t.upper else ci["ci_high"]
    return math.nan if end is None else float(end)


def misses(t: Target, value: float) -> bool:
    """Whether ``value`` misses the target (NaN: no value, which misses)."""
    if math.isnan(value):
        return True
    return value > t.limit if t.upper else value < t.limit


def clearly_missed(reps: Replications, targets: Sequence[Target], alpha: float, looks: int) -> bool:
    """Whether a target is missed even at the favourable end of its interval at the
    look's level (see the module docstring): stop simulating the candidate.
    """
    level = look_level(alpha, looks, len(targets))
    return any(misses(t, favourable_end(reps.get(t.metric, []), t, level)) for t in targets)

"""Which system is best: the Kim–Nelson fully sequential procedure, and multiple
comparisons with the best.

Kim & Nelson (2001), "A fully sequential procedure for indifference-zone selection in
simulation", ACM TOMACS 11(3): given ``k`` systems whose replication ``r`` shares its
random numbers (common random numbers), it selects, with probability at least
``1 - alpha``, a system whose mean is within ``delta`` of the best (the indifference
zone). It takes ``n0`` replications of every system, then one more at a time of every
system still in play, and drops a system as soon as its mean falls clearly behind
another's; unequal variances and correlation across systems are allowed. Outputs are
assumed normal per replication (a replication's mean over a county-year is close to
it).

The procedure is pure: it asks ``observe(system, replication)`` for the numbers, so a
test can feed it draws with known means and the command can feed it simulations.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

Observe = Callable[[int, int], float]
"""``observe(system, replication)``: replication ``replication`` of ``system``'s output."""
Prepare = Callable[[list[tuple[int, int]]], None]
"""``prepare(pairs)``: the ``(system, replication)`` pairs a stage is about to observe,
told before it observes any (so their simulations can run side by side)."""


@dataclass(frozen=True)
class SelectionRule:
    """What the procedure guarantees and may spend."""

    delta: float
    """Indifference zone: a difference smaller than this is not worth telling apart."""
    pcs: float = 0.95
    """Probability of correct selection promised (``1 - alpha``)."""
    n0: int = 10
    """First-stage replications of every system (at least 2)."""
    max_replications: int = 200
    """Replications any one system may use; past it the procedure stops undecided."""
    larger_is_better: bool = False

    def __post_init__(self) -> None:
        if not (self.delta > 0 and math.isfinite(self.delta)):
            raise ValueError(f"delta = {self.delta}: must be a positive number")
        if not 0.0 < self.pcs < 1.0:
            raise ValueError(f"pcs = {self.pcs}: must lie in (0, 1)")
        if self.n0 < 2:
            raise ValueError(f"n0 = {self.n0}: must be at least 2")
        if self.max_replications < self.n0:
            raise ValueError(
                f"max_replications = {self.max_replications}: must be at least n0 = {self.n0}"
            )


@dataclass
class Selection:
    """The outcome of :func:`kim_nelson`."""

    best: int
    """Index of the selected system."""
    decided: bool
    """False when ``max_replications`` ran out with more than one system in play: the
    probability guarantee does not hold and ``best`` is only the best sample mean."""
    replications: list[int]
    """Replications each system used (a system dropped early used fewer)."""
    means: list[float]
    """Each system's mean over the replications it used."""
    dropped_at: list[int | None]
    """The replication count at which each system was dropped (None: never)."""
    contenders: list[int] = field(default_factory=list)
    """Systems still in play when the procedure stopped."""


def kn_constants(k: int, pcs: float, n0: int) -> tuple[float, float]:
    """``(eta, h2)`` of the procedure for ``k`` systems (Kim & Nelson 2001, eq. 1)."""
    alpha = 1.0 - pcs
    eta = 0.5 * ((2.0 * alpha / (k - 1)) ** (-2.0 / (n0 - 1)) - 1.0)
    return eta, 2.0 * eta * (n0 - 1)


def kim_nelson(
    k: int, observe: Observe, rule: SelectionRule, prepare: Prepare | None = None
) -> Selection:
    """Run the fully sequential procedure over systems ``0 … k-1`` (``prepare``, if
    given, hears each stage's pairs before they are observed).
    """
    if k < 1:
        raise ValueError("no system to select from")
    prepare = prepare or (lambda pairs: None)
    sign = 1.0 if rule.larger_is_better else -1.0  # the procedure maximises
    prepare([(i, r) for i in range(k) for r in range(rule.n0)])
    x: list[list[float]] = [[sign * observe(i, r) for r in range(rule.n0)] for i in range(k)]
    if k == 1:
        return _outcome(x, sign, [0], True, [None])
    _, h2 = kn_constants(k, rule.pcs, rule.n0)
    first = np.asarray(x)
    s2 = _difference_variances(first)  # fixed after the first stage, as the procedure says
    ratio = h2 * s2 / rule.delta**2
    n_pair = np.floor(ratio)  # N_il: past it the pair is decided by its means alone
    alive = list(range(k))
    dropped: list[int | None] = [None] * k
    r = rule.n0
    while True:
        means = {i: float(np.mean(x[i])) for i in alive}
        if r > max(n_pair[i].max() for i in alive):  # every region has closed: best mean wins
            return _outcome(x, sign, [max(alive, key=means.__getitem__)], True, dropped)
        keep = [
            i
            for i in alive
            if all(
                means[i] >= means[j] - max(0.0, rule.delta / (2 * r) * (ratio[i, j] - r))
                for j in alive
                if j != i
            )
        ]
        for i in set(alive) - set(keep):
            dropped[i] = r
        alive = keep
        if len(alive) == 1:
            return _outcome(x, sign, alive, True, dropped)
        if r >= rule.max_replications:
            return _outcome(x, sign, alive, False, dropped)
        prepare([(i, r) for i in alive])
        for i in alive:
            x[i].append(sign * observe(i, r))
        r += 1


def _difference_variances(first: np.ndarray) -> np.ndarray:
    """``S²_il``: the sample variance of ``X_i - X_l`` over the first stage."""
    d = first[:, None, :] - first[None, :, :]
    return np.var(d, axis=2, ddof=1)


def _outcome(
    x: list[list[float]], sign: float, alive: list[int], decided: bool, dropped: list[int | None]
) -> Selection:
    means = [sign * float(np.mean(v)) for v in x]
    best = max(alive, key=lambda i: sign * means[i])
    return Selection(best, decided, [len(v) for v in x], means, dropped, list(alive))


@dataclass(frozen=True)
class ComparisonWithBest:
    """Multiple comparisons with the best: a simultaneous interval for
    ``mean_i - best of the others`` (in the KPI's own direction: a positive value is
    worse when smaller is better).
    """

    low: float
    high: float


def mcb_intervals(
    values: np.ndarray, pcs: float = 0.95, larger_is_better: bool = False
) -> list[ComparisonWithBest]:
    """Hsu's multiple comparisons with the best on paired replications.

    ``values[i, r]`` is replication ``r`` of system ``i`` (the replications all systems
    share, under common random numbers). Each pair's width is a one-sided paired t
    bound at ``1 - alpha / (k - 1)`` (Bonferroni over the others, as Nelson & Matejcik
    1995 do for correlated systems). An interval whose upper end is 0 (largest is best)
    says the system is not the best by more than its width; one whose lower end is 0
    and upper end positive says it may be the best.
    """
    v = np.asarray(values, dtype=float)
    k, n = v.shape
    if k < 2 or n < 2:
        raise ValueError("multiple comparisons need 2 systems and 2 replications")
    from scipy import stats  # lazily, as sim.analysis.stats does

    sign = 1.0 if larger_is_better else -1.0
    v = sign * v
    t = float(stats.t.ppf(1.0 - (1.0 - pcs) / (k - 1), n - 1))
    mean = v.mean(axis=1)
    width = t * np.sqrt(_difference_variances(v) / n)
    out = []
    for i in range(k):
        others = [j for j in range(k) if j != i]
        high = max(0.0, min(mean[i] - mean[j] + width[i, j] for j in others))
        low = min(0.0, min(mean[i] - mean[j] - width[i, j] for j in others))
        # Smaller is better: the negated values' interval, negated, swaps its ends.
        out.append(ComparisonWithBest(low, high) if sign > 0 else ComparisonWithBest(-high, -low))
    return out


def common_replications(counts: Sequence[int]) -> int:
    """The replications every system has (paired comparisons use only these)."""
    return min(counts) if counts else 0

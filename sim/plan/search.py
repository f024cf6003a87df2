"""The planner's search: the cheapest integer decisions whose KPIs meet every target.

A documented discrete method, chosen over a general optimiser because staffing
decisions are few small integers, cost is linear and known without simulating, and
every KPI target gets easier with more staff (monotone in each decision):

1. **Start** where the analytic sizing (:mod:`sim.plan.sizing`) puts it — on the M/M/c
   reduction that is already Erlang C's answer.
2. **Add** while the candidate misses a target: evaluate one more unit of each decision
   and keep the one that cuts the *shortfall* most per unit of cost (the shortfall sums
   each target's miss, relative to the target, judged by the one-sided confidence bound,
   so noise cannot pass a candidate that merely looks good on average). Stop when all
   targets are met, or no step fits the budget and bounds (infeasible).
3. **Remove**: from a feasible candidate, drop one unit of the dearest decision that
   stays feasible, and repeat until no single removal does.

Each distinct candidate is evaluated once (the caller caches evaluations, also across
runs). The search knows nothing of simulation: ``evaluate`` maps a point to an
:class:`Outcome`, so tests drive it with formulas.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

Point = tuple[int, ...]


@dataclass(frozen=True)
class Decision:
    """One decision: a config key, its integer range and the cost of one unit."""

    key: str
    low: int
    high: int
    unit_cost: float


@dataclass(frozen=True)
class Outcome:
    """An evaluated candidate: how far it misses the targets (0 = meets them all)."""

    shortfall: float
    feasible: bool


@dataclass
class Step:
    """One evaluation in search order."""

    point: Point
    cost: float
    outcome: Outcome
    phase: str  # "start", "add" or "remove"


@dataclass
class SearchResult:
    """The chosen point and every evaluation that led there."""

    point: Point
    cost: float
    outcome: Outcome
    feasible: bool
    steps: list[Step] = field(default_factory=list)
    stopped: str = ""  # why the search ended


def cost_of(decisions: Sequence[Decision], point: Point) -> float:
    """Total cost: units times unit cost, summed (costs count from zero units)."""
    return sum(d.unit_cost * x for d, x in zip(decisions, point, strict=True))


class _Budgeted:
    """Evaluates each point once, in order, within ``max_evaluations``."""

    def __init__(
        self,
        decisions: Sequence[Decision],
        evaluate: Callable[[Point], Outcome],
        max_evaluations: int,
    ):
        self.decisions = decisions
        self.evaluate = evaluate
        self.max_evaluations = max_evaluations
        self.seen: dict[Point, Outcome] = {}
        self.steps: list[Step] = []

    def exhausted(self) -> bool:
        return len(self.seen) >= self.max_evaluations

    def __call__(self, point: Point, phase: str) -> Outcome:
        if point not in self.seen:
            self.seen[point] = self.evaluate(point)
            self.steps.append(Step(point, cost_of(self.decisions, point), self.seen[point], phase))
        return self.seen[point]


def _moved(point: Point, i: int, by: int) -> Point:
    return tuple(x + by if j == i else x for j, x in enumerate(point))


def search(
    decisions: Sequence[Decision],
    start: Point,
    evaluate: Callable[[Point], Outcome],
    budget: float | None = None,
    max_evaluations: int = 200,
) -> SearchResult:
    """Greedy add from ``start``, then removals; see the module docstring."""
    ev = _Budgeted(decisions, evaluate, max_evaluations)
    x = tuple(min(max(v, d.low), d.high) for d, v in zip(decisions, start, strict=True))
    limit = math.inf if budget is None else budget
    while cost_of(decisions, x) > limit and any(
        v > d.low for d, v in zip(decisions, x, strict=True)
    ):
        # The start costs more than the budget: shed the dearest units first.
        i = max(
            (i for i, d in enumerate(decisions) if x[i] > d.low),
            key=lambda i: decisions[i].unit_cost,
        )
        x = _moved(x, i, -1)
    out = ev(x, "start")
    stopped = ""
    while not out.feasible:
        if ev.exhausted():
            stopped = "max_evaluations"
            break
        moves = [
            i
            for i, d in enumerate(decisions)
            if x[i] < d.high and cost_of(decisions, _moved(x, i, 1)) <= limit
        ]
        if not moves:
            stopped = "no step within the bounds and budget"
            break
        scored = []
        for i in moves:
            y = _moved(x, i, 1)
            o = ev(y, "add")
            gain = _gain(out.shortfall, o.shortfall) / max(decisions[i].unit_cost, 1e-12)
            scored.append((-gain, o.shortfall, decisions[i].unit_cost, i, y, o))
            if ev.exhausted():
                break
        _, _, _, _, x, out = min(scored, key=lambda t: t[:4])
    if out.feasible:
        x, out = _remove(decisions, x, out, ev)
        stopped = stopped or "no single removal stays feasible"
    else:
        # Infeasible: the candidate closest to the targets, the cheaper on ties.
        best = min(ev.steps, key=lambda s: (s.outcome.shortfall, s.cost))
        x, out = best.point, best.outcome
    return SearchResult(x, cost_of(decisions, x), out, out.feasible, ev.steps, stopped)


def _gain(before: float, after: float) -> float:
    """Cut in shortfall (none between two infinite ones)."""
    if math.isinf(before) and math.isinf(after):
        return 0.0
    return before - after


def _remove(
    decisions: Sequence[Decision], x: Point, out: Outcome, ev: _Budgeted
) -> tuple[Point, Outcome]:
    """Drop units, dearest decision first, while the candidate stays feasible."""
    order = sorted(range(len(decisions)), key=lambda i: -decisions[i].unit_cost)
    improved = True
    while improved and not ev.exhausted():
        improved = False
        for i in order:
            if x[i] <= decisions[i].low:
                continue
            y = _moved(x, i, -1)
            o = ev(y, "remove")
            if o.feasible:
                x, out, improved = y, o, True
                break
            if ev.exhausted():
                break
    return x, out

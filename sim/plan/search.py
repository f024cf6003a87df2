"""The planner's search: the cheapest integer decisions whose KPIs meet every target.

A documented discrete method, chosen over a general optimiser because staffing
decisions are few small integers, cost is linear and known without simulating, and
most KPI targets get easier with more staff:

1. **Start** where the analytic sizing (:mod:`sim.plan.sizing`) puts it — on the M/M/c
   reduction that is already Erlang C's answer.
2. **Add** while the candidate misses a target: evaluate one more unit of each decision
   and keep the one that cuts the *shortfall* most per unit of cost (the shortfall sums
   each target's miss, relative to the target, judged by the one-sided confidence bound,
   so noise cannot pass a candidate that merely looks good on average). A decision
   whose next unit makes the shortfall *worse* is not monotone there (one more clerk
   can regroup the windows and lengthen a wait): its next two units are tried as one
   step, and if those too make things worse it is not moved this round — so another
   decision's small gains do not push the search to that other decision's bounds.
   Stop when all targets are met, or no step of one or two units cuts the shortfall or
   fits the budget and bounds (infeasible).
3. **Remove**: from a feasible candidate, drop one unit of the dearest decision that
   stays feasible, and repeat until no single removal does.

Decisions and targets that share nothing (one township's staff, that township's
KPIs) form independent groups (:func:`groups`); :func:`search_groups` searches each
group alone (in parallel when the caller's runner does), the other groups' decisions
held at their start, and evaluates the union of the groups' choices once more
against every target.

Each distinct candidate is evaluated once (the caller caches evaluations, also across
runs). The search knows nothing of simulation: ``evaluate`` maps a point to an
:class:`Outcome`, so tests drive it with formulas.
"""

from __future__ import annotations

import functools
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
    missed: frozenset[int] = frozenset()  # indices of the targets it misses


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
    serves: Sequence[frozenset[int]] | None = None,
) -> SearchResult:
    """Greedy add from ``start``, then removals; see the module docstring.

    ``serves[i]``: the targets decision ``i`` can move (by the model's structure: the
    centres it staffs). An add step tries only the decisions that serve a missed
    target, and every decision when none does (or none of those helps).
    """
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
        useful = [i for i in moves if serves is None or serves[i] & out.missed]
        scored = _scored(decisions, x, out, useful or moves, limit, ev)
        if not scored and useful and len(useful) < len(moves):
            # The decisions that serve the missed targets do not help: try the rest.
            rest = [i for i in moves if i not in useful]
            scored = _scored(decisions, x, out, rest, limit, ev)
        each = tuple(v + 1 if i in moves else v for i, v in enumerate(x))
        if not scored and math.isinf(out.shortfall) and cost_of(decisions, each) <= limit:
            # Unstable queues whichever single unit is added: add one to each at once.
            x, out = each, ev(each, "add to each")
            continue
        if not scored:
            stopped = stopped or "no step of one or two units cuts the shortfall"
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


def _scored(
    decisions: Sequence[Decision],
    x: Point,
    out: Outcome,
    moves: Sequence[int],
    limit: float,
    ev: _Budgeted,
) -> list[tuple[float, float, float, int, Point, Outcome]]:
    """The steps of ``moves`` that help, each keyed for ``min``: best gain per unit of
    cost first, then the lower shortfall, the cheaper unit, the first decision.
    """
    scored = []
    for i in moves:
        step = _step(decisions, x, out, i, limit, ev)
        if step is not None:
            gain, y, o = step
            scored.append((-gain, o.shortfall, decisions[i].unit_cost, i, y, o))
        if ev.exhausted():
            break
    return scored


def _step(
    decisions: Sequence[Decision], x: Point, out: Outcome, i: int, limit: float, ev: _Budgeted
) -> tuple[float, Point, Outcome] | None:
    """Gain per unit of cost of one more unit of decision ``i`` or, when that one makes
    things worse (a non-monotone step), of two; None when neither helps.
    """
    for by in (1, 2):
        y = _moved(x, i, by)
        if y[i] > decisions[i].high or cost_of(decisions, y) > limit:
            return None
        o = ev(y, "add" if by == 1 else f"add {by}")
        gain = _gain(out.shortfall, o.shortfall) / max(by * decisions[i].unit_cost, 1e-12)
        if gain > 0:
            return gain, y, o
        if ev.exhausted():
            return None
    return None


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


@dataclass(frozen=True)
class Group:
    """Decisions and targets that share nothing with the rest (indices into the plan's)."""

    name: str
    decisions: tuple[int, ...]
    targets: tuple[int, ...]


def groups(
    decision_scopes: Sequence[str | None], target_scopes: Sequence[str | None]
) -> list[Group]:
    """Independent groups by scope (a township id; None: shared by every township).

    A shared decision (a kind's staff) or a county-wide target couples everything: one
    group. Otherwise each township's decisions and targets form their own group.
    """
    everything = Group("all", tuple(range(len(decision_scopes))), tuple(range(len(target_scopes))))
    if None in decision_scopes or None in target_scopes:
        return [everything]
    names = sorted({*decision_scopes, *target_scopes}, key=str)
    out = [
        Group(
            str(n),
            tuple(i for i, s in enumerate(decision_scopes) if s == n),
            tuple(j for j, s in enumerate(target_scopes) if s == n),
        )
        for n in names
    ]
    return out if len(out) > 1 else [everything]


GroupResult = tuple[Point, list[Step], str]
Runner = Callable[[Sequence[Callable[[], GroupResult]]], list[GroupResult]]


def in_turn(tasks: Sequence[Callable[[], GroupResult]]) -> list[GroupResult]:
    """Run the groups' searches one after the other (the default runner)."""
    return [task() for task in tasks]


def search_groups(
    decisions: Sequence[Decision],
    start: Point,
    evaluate: Callable[[Point, tuple[int, ...]], Outcome],
    parts: Sequence[Group],
    budget: float | None = None,
    max_evaluations: int = 200,
    serves: Sequence[frozenset[int]] | None = None,
    runner: Runner = in_turn,
) -> SearchResult:
    """Search each group alone, then evaluate their union against every target.

    ``evaluate(point, targets)`` judges a full point on the targets listed. A budget is
    shared by all groups, so with one the decisions are searched together. The groups'
    searches are independent tasks — each gets an equal share of ``max_evaluations``
    and sees only its own evaluations — so ``runner`` may run them in parallel and the
    answer is the same as in turn.
    """
    every = tuple(sorted({j for g in parts for j in g.targets}))
    if len(parts) == 1 or budget is not None:
        return search(
            decisions, start, lambda p: evaluate(p, every), budget, max_evaluations, serves
        )
    active = [g for g in parts if g.decisions]
    share = max(1, max_evaluations // max(len(active), 1))
    tasks = [
        functools.partial(_search_group, decisions, start, evaluate, g, share, serves)
        for g in active
    ]
    point = list(start)
    steps: list[Step] = []
    stops = []
    for g, (chosen, part, why) in zip(active, runner(tasks), strict=True):
        steps += part
        stops.append(f"{g.name}: {why}")
        for i in g.decisions:
            point[i] = chosen[i]
    x = tuple(point)
    out = evaluate(x, every)
    steps.append(Step(x, cost_of(decisions, x), out, "groups combined"))
    return SearchResult(x, cost_of(decisions, x), out, out.feasible, steps, "; ".join(stops))


def _search_group(
    decisions: Sequence[Decision],
    start: Point,
    evaluate: Callable[[Point, tuple[int, ...]], Outcome],
    g: Group,
    max_evaluations: int,
    serves: Sequence[frozenset[int]] | None,
) -> tuple[Point, list[Step], str]:
    """One group's search, the other decisions held at ``start``: its choice (a full
    point), its steps (full points, full costs) and why it stopped.
    """

    def full(sub: Point) -> Point:
        out = list(start)
        for i, v in zip(g.decisions, sub, strict=True):
            out[i] = v
        return tuple(out)

    part = search(
        [decisions[i] for i in g.decisions],
        tuple(start[i] for i in g.decisions),
        lambda sub: evaluate(full(sub), g.targets),
        None,
        max_evaluations,
        None if serves is None else [serves[i] for i in g.decisions],
    )
    steps = [
        Step(full(s.point), cost_of(decisions, full(s.point)), s.outcome, f"{g.name}: {s.phase}")
        for s in part.steps
    ]
    return full(part.point), steps, part.stopped

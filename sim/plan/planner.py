"""``tsim-plan``: the cheapest staffing that meets KPI targets with confidence.

A Hydra application over the same config tree as ``tsim`` (every override works) plus
a plan (``plan=NAME``, a file of ``configs/plan/``: decisions, targets, cost, budget,
confidence, replications; checked by :mod:`sim.plan.plan_config`). It starts from the
analytic sizing, searches with :mod:`sim.plan.search`, and simulates each candidate for
``plan.replications`` replications with the scenario's seed — common random numbers,
so candidates differ by their staffing, not by their dice — computing only the
targets' metrics, and stopping early once a target is clearly missed
(:mod:`sim.plan.stopping`, at most a 1 − confidence chance of stopping a candidate that
meets them). Townships that share nothing are searched in parallel (``run.jobs``).

Every evaluation is cached in the run directory (``evaluations/<config hash>-r<n>.json``,
written atomically, keyed by everything that changes results), so re-running the same
command after an interruption reads finished evaluations back instead of simulating
them again. The run directory then holds ``plan.json``, ``trace.csv``, ``frontier.png``,
``staffing.csv`` (each township's quota and present staff under the chosen plan),
``decisions.md`` (per decision: today, the plan, the cost, what one unit fewer would
miss) and ``command.txt`` (the chosen scenario as a ``tsim`` command). The chosen plan
is verified on seed + 1 and stepped up when it misses there (:func:`confirm`). Exit 0:
the plan meets every target; 3: it cannot (the candidate closest to the targets is
reported); 4: it meets them on the search's random numbers but not on fresh ones, even
after stepping up (decisions.md and plan.json open with NOT VERIFIED); 2: the plan or
the scenario is misconfigured (one line).
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from omegaconf import DictConfig, OmegaConf
from tqdm import tqdm

from sim.analysis.stats import CI, confidence_interval
from sim.config import config_hash
from sim.config.location import config_dir
from sim.model.quota import added_posts, township_ids, township_staff
from sim.plan import frontier, stopping
from sim.plan.candidates import TOWNSHIP_STAFF, candidate_scenario
from sim.plan.plan_config import (
    Plan,
    Target,
    analytic_start,
    as_dict,
    check,
    command,
    staffed_centres,
    target_centre,
    values,
)
from sim.plan.search import (
    GroupResult,
    Outcome,
    Point,
    SearchResult,
    cost_of,
    groups,
    in_turn,
    search_groups,
)
from sim.plan.sizing import DEPARTMENTS
from sim.run import engine, guard, parallel
from sim.run.results import atomic_write

EVALUATIONS = "evaluations"


@dataclass
class Evaluation:
    """One candidate simulated (or read back): its metrics across replications."""

    point: Point
    key: str
    replications: dict[str, list[float | None]]  # metric → value per replication (None: NaN)
    seconds: float
    cached: bool

    def ci(self, name: str, confidence: float) -> CI:
        """Mean and the two-sided (2·confidence − 1) interval: its ends are the
        one-sided bounds at ``confidence``.
        """
        return confidence_interval(self.replications.get(name, []), 2 * confidence - 1)


def bound(ev: Evaluation, t: Target, confidence: float) -> float:
    """The one-sided bound of a target's KPI: NaN, which misses, when it cannot be
    computed or when a replication has no value for it — a backlog that never cleared
    has no ``days_to_clear``, and leaving that run out would make the plan look better.
    """
    if any(v is None or math.isnan(v) for v in ev.replications.get(t.metric, [])):
        return math.nan
    ci = ev.ci(t.metric, confidence)
    end = ci["ci_high"] if t.upper else ci["ci_low"]
    return math.nan if end is None else float(end)


def miss(t: Target, b: float) -> float:
    """How far a bound misses its target, relative to the target (0 when met)."""
    if math.isnan(b):
        return 1.0
    scale = abs(t.limit) if t.limit != 0 else 1.0
    return max(0.0, (b - t.limit) if t.upper else (t.limit - b)) / scale


class Evaluator:
    """Evaluates candidates of a plan, with the on-disk cache of the run directory.

    The search judges a candidate by its targets alone, so its replications compute
    only the targets' metrics; the chosen plan's full metrics (plan.json, staffing.csv)
    come from its verification, or, without one, from its replications run again in
    full (:meth:`full`).
    """

    def __init__(self, cfg: DictConfig, plan: Plan, run_dir: Path, bar: Any = None):
        self.cfg, self.plan, self.bar = cfg, plan, bar
        self.dir = run_dir / EVALUATIONS
        self.dir.mkdir(parents=True, exist_ok=True)
        self.done: dict[Point, Evaluation] = {}
        self.verified: dict[Point, Evaluation] = {}
        self.complete: dict[Point, Evaluation] = {}
        self.simulated = 0
        self.rounds = 0  # of stepping up after a failed verification
        self.names = tuple(sorted({t.metric for t in plan.targets}))
        self.looks = stopping.verification_looks(plan.replications, plan.verify_replications)

    def scenario_of(self, point: Point, verify: bool = False) -> Any:
        """The scenario of a candidate, as simulated by the planner (``verify``: with
        the verification's replications on the next seed): the composed scenario with
        the candidate's decisions set (:mod:`sim.plan.candidates`).
        """
        run: dict[str, Any] = {"run.replications": self.plan.replications}
        if verify:
            run = {
                "run.replications": self.plan.verify_replications,
                "run.seed": int(self.cfg.run.seed) + 1,
            }
        s = candidate_scenario(
            self.cfg, {**values(self.plan, point), **run, "run.timeseries": False}
        )
        guard.check_scenario(s)  # the planner prints no warnings, only refuses
        return s

    def __call__(self, point: Point, targets: tuple[int, ...] | None = None) -> Outcome:
        """The candidate's shortfall from the targets (all, or those indexed), judged by
        one-sided bounds, and which it misses.
        """
        ev = self.evaluation(point)
        indices = range(len(self.plan.targets)) if targets is None else targets
        misses = {j: miss(self.plan.targets[j], self.bound(ev, j)) for j in indices}
        shortfall = sum(misses.values())
        return Outcome(shortfall, shortfall == 0.0, frozenset(j for j, m in misses.items() if m))

    def shortfall(self, ev: Evaluation) -> float:
        """An evaluation's shortfall from every target."""
        return sum(miss(t, self.bound(ev, j)) for j, t in enumerate(self.plan.targets))

    def meets(self, ev: Evaluation, indices: Any = None) -> bool:
        """Whether an evaluation meets the targets (all, or those indexed)."""
        every = range(len(self.plan.targets))
        return all(miss(self.plan.targets[j], self.bound(ev, j)) == 0 for j in indices or every)

    def bound(self, ev: Evaluation, j: int) -> float:
        """Target ``j``'s one-sided bound in ``ev``."""
        return bound(ev, self.plan.targets[j], self.plan.confidence)

    def best(self, point: Point) -> Evaluation:
        """The search's evaluation of a point, or its verification if the search never
        simulated it (a step up after a failed verification).
        """
        return self.done.get(point) or self.evaluation(point, verify=True)

    def full(self, point: Point) -> Evaluation:
        """Every metric of a candidate: its verification, or without one its search
        replications again with all the metrics.
        """
        if self.plan.verify_replications:
            return self.evaluation(point, verify=True)
        if point not in self.complete:
            s = self.scenario_of(point)
            self.complete[point] = self._run(point, s, s.run.replications, _never, None)
        return self.complete[point]

    def evaluation(self, point: Point, verify: bool = False, explain: bool = False) -> Evaluation:
        """Read back or simulate one candidate (or its verification, every metric;
        ``explain``: a neighbour of the chosen plan for the decisions table, which stops
        once a target's mean misses).
        """
        if point in self.done and not verify:
            return self.done[point]
        s = self.scenario_of(point, verify)
        enough = self.futile if verify else self.mean_missed if explain else self.clearly_missed
        first = self.looks[0] if verify else MIN_REPLICATIONS
        ev = self._run(point, s, first, enough, None if verify else self.names)
        if verify:
            self.verified[point] = ev
            return ev
        return self.keep(point, ev)

    def keep(self, point: Point, ev: Evaluation) -> Evaluation:
        """Remember a search's evaluation (and count it on the progress bar)."""
        self.done[point] = ev
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(f"{'read' if ev.cached else 'ran'} {values(self.plan, point)}")
        return ev

    def __getstate__(self) -> dict[str, Any]:
        """A copy for a worker process, without the progress bar (the main process's)."""
        return {**self.__dict__, "bar": None}

    def _run(
        self,
        point: Point,
        s: Any,
        first: int,
        enough: Callable[[Replications], bool],
        names: tuple[str, ...] | None,
    ) -> Evaluation:
        """Read back or simulate replications of ``s`` (``names``: only those metrics).
        An evaluation read back with fewer replications than asked (it stopped early) is
        continued when the rule at hand wants more.
        """
        key = f"{config_hash(s)}-r{s.run.replications}{_names_key(names)}"
        path = self.dir / f"{key}.json"
        have: Replications = {}
        if path.is_file():
            have = json.loads(path.read_text())["replications"]
            n = len(next(iter(have.values()), []))
            if n >= s.run.replications or (n >= first and enough(have)):
                return Evaluation(point, key, have, 0.0, True)
        t0 = time.perf_counter()
        reps = simulate(s, first, enough, have, names)
        ev = Evaluation(point, key, reps, time.perf_counter() - t0, False)
        record = {"values": values(self.plan, point), "replications": reps, "seconds": ev.seconds}
        atomic_write(path, lambda p: p.write_text(json.dumps(record)))
        self.simulated += 1
        return ev

    def mean_missed(self, reps: Replications) -> bool:
        """Whether a target's mean misses it (the decisions table's rule: it says what
        one unit fewer would miss, and decides nothing).
        """
        return stopping.mean_misses(reps, self.plan.targets)

    def clearly_missed(self, reps: Replications) -> bool:
        """Whether a target is missed even at the favourable end of its interval at a
        look's share of the error rate (:mod:`sim.plan.stopping`): the remaining
        replications are not simulated. A candidate whose true means meet every target
        is stopped with probability at most 1 − ``plan.confidence``.
        """
        looks = self.plan.replications - MIN_REPLICATIONS
        return stopping.clearly_missed(reps, self.plan.targets, 1 - self.plan.confidence, looks)

    def futile(self, reps: Replications) -> bool:
        """Whether the verification may stop before ``verify_replications``: at one of
        its looks a target's mean misses it (more replications narrow the interval
        around a mean that misses). A plan is verified only on all of them
        (:func:`stopping.verification_looks` says why).
        """
        return stopping.futile(reps, self.plan.targets, self.looks)


Replications = dict[str, list[float | None]]
MIN_REPLICATIONS = 3  # fewer give intervals too wide to stop on


def _never(reps: Replications) -> bool:
    return False


def _names_key(names: tuple[str, ...] | None) -> str:
    """The cache key's part for an evaluation of some metrics only (none: all)."""
    if names is None:
        return ""
    return "-m" + hashlib.sha256("\n".join(names).encode()).hexdigest()[:8]


def replicate(s: Any, k: int, names: tuple[str, ...] | None = None) -> dict[str, float]:
    """Replication ``k`` of ``s``: its metrics (``names``: only those), without what the
    planner never reads (daily series, lead-time quantiles, the steady-state series).
    """
    return engine.run_metrics(s, k, names)


def simulate(
    s: Any,
    first: int,
    enough: Callable[[Replications], bool],
    have: Replications | None = None,
    names: tuple[str, ...] | None = None,
) -> Replications:
    """Replications of ``s`` one by one, after those it ``have`` already, up to
    ``s.run.replications``: from the ``first``-th on, stop as soon as ``enough`` says so
    (``names``: only those metrics).

    A sequential rule: a candidate that clearly misses a target stops early, and so does
    a verification whose target's mean misses at one of its looks. Replication k's random numbers do
    not depend on how many follow, so the first k are those of a full run, and the
    processes of ``run.jobs`` change nothing: the rule still reads them in order.
    """
    rows = _rows(have or {})
    start, end = len(rows), s.run.replications
    # Replications before the ``first``-th are read whatever the rule says: those the
    # processes of run.jobs simulate at once; after, the rule reads them one by one.
    certain = max(first - start, 1)
    n = parallel.workers([s] * (end - start))
    reps = parallel.in_rounds(replicate, lambda k: (s, k, names), start, end, certain, n)
    for metrics in reps:
        rows.append(metrics)
        k = len(rows)
        if k >= first and k < end and enough(_columns(rows)):
            break
    reps.close()  # a stop drops the rest of its round (at most run.jobs - 1)
    return _columns(rows)


def _rows(columns: Replications) -> list[dict[str, float]]:
    """Per replication, metric → value (NaN for None): ``_columns`` undone."""
    n = len(next(iter(columns.values()), []))
    return [{name: _float(v[k]) for name, v in columns.items()} for k in range(n)]


def _float(v: float | None) -> float:
    return math.nan if v is None else float(v)


def _columns(rows: list[dict[str, float]]) -> Replications:
    return {name: [_num(r.get(name, math.nan)) for r in rows] for name in rows[0]}


def _num(v: Any) -> float | None:
    v = float(v)
    return None if math.isnan(v) else v


@dataclass
class PlanResult:
    """What a plan run decided and wrote."""

    feasible: bool
    chosen: dict[str, int]
    cost: float
    evaluations: int
    simulated: int
    path: Path
    verified: bool | None = None  # on fresh seeds (None: not verified, or infeasible)
    verdict: str = ""  # one line that says which


def run_plan(
    cfg: DictConfig,
    run_dir: Path,
    overrides: list[str],
    choices: dict[str, str | None] | None = None,
) -> PlanResult:
    """Check the plan, search, and write the outputs into ``run_dir`` (``choices``: the
    config groups Hydra chose, for the ``tsim`` command of the chosen plan).
    """
    plan = check(cfg)
    t0 = time.perf_counter()
    start = analytic_start(cfg, plan)
    run_dir.mkdir(parents=True, exist_ok=True)
    with tqdm(
        desc="tsim-plan evaluations",
        unit="cand",
        disable=not sys.stderr.isatty(),
        file=sys.stderr,
        leave=False,
    ) as bar:
        ev = Evaluator(cfg, plan, run_dir, bar)
        served = serves(cfg, plan, start)
        result = search_groups(
            plan.decisions,
            start,
            ev,
            independent(plan),
            budget=plan.budget,
            max_evaluations=plan.max_evaluations,
            serves=served,
            runner=GroupRunner(ev, start, jobs_of(cfg)),
        )
        result = confirm(ev, plan, result, served)
        rows = decision_table(cfg, plan, result, ev)
    chosen = values(plan, result.point)
    line = command(cfg, overrides, chosen, choices, tsim_defaults())
    write_trace(run_dir / "trace.csv", plan, result, ev)
    full = ev.full(result.point)
    write_staffing(run_dir / "staffing.csv", ev.scenario_of(result.point), full, plan)
    draw_frontier(run_dir / "frontier.png", plan, result, ev)
    atomic_write(run_dir / "command.txt", lambda p: p.write_text(line + "\n"))
    summary = plan_summary(plan, result, ev, start, line)
    summary["table"] = [row.as_json() for row in rows]
    summary["seconds"] = time.perf_counter() - t0
    verified, said = verdict(plan, result, summary["verification"], ev.rounds)
    summary["verified"], summary["verdict"] = verified, said
    text = f"{said}\n\n{table_text(plan, rows)}"
    atomic_write(run_dir / "decisions.md", lambda p: p.write_text(text))
    path = run_dir / "plan.json"
    atomic_write(path, lambda p: p.write_text(json.dumps(summary, indent=1, ensure_ascii=False)))
    return PlanResult(
        result.feasible, chosen, result.cost, len(result.steps), ev.simulated, path, verified, said
    )


def verdict(
    plan: Plan, result: SearchResult, check: dict[str, Any] | None, rounds: int
) -> tuple[bool | None, str]:
    """Whether the chosen plan is verified on fresh seeds, and one line that says so
    (the first of decisions.md and of the command's output): a plan is never presented
    as verified when it is not.
    """
    if not result.feasible:
        return None, (
            "INFEASIBLE: no candidate within the bounds and budget meets every target; "
            "the closest is shown, not verified."
        )
    if check is None:
        return None, (
            "NOT VERIFIED: plan.verify_replications = 0; the plan meets every target on the "
            "search's own random numbers only, which favour lucky candidates."
        )
    where = f"seed {check['seed']}, {check['replications']} replications"
    if check["meets_targets"]:
        stepped = f" after {rounds} step(s) up from the search's choice" if rounds else ""
        return True, f"Verified{stepped}: the plan meets every target on fresh seeds ({where})."
    missed = ", ".join(m for m, v in check["targets"].items() if not v["met"])
    return False, (
        f"NOT VERIFIED: on fresh seeds ({where}) the plan misses {missed} after {rounds} "
        f"round(s) of one more unit (at most {MAX_STEPS_UP}); widen the decisions' bounds "
        "or the budget, or raise plan.replications."
    )


def jobs_of(cfg: DictConfig) -> int:
    """Processes for the townships' searches: what ``run.jobs`` asks for where the
    config has it (``auto``: every core), else 1; a portable registry only (a fresh
    worker knows the built-in streams and centres alone).
    """
    jobs = OmegaConf.select(cfg, "run.jobs", default=None)
    if jobs is None or not parallel.portable():
        return 1
    return parallel.processes(jobs)


class GroupRunner:
    """Runs the independent groups' searches (:func:`sim.plan.search.search_groups`) on
    ``jobs`` processes (:func:`sim.run.parallel.ordered`, as a run's replications), each
    with its own copy of the evaluator, and brings their evaluations back: the answer,
    the trace and the counts are those of the serial run (a test compares them). The
    start, which every group evaluates first, is evaluated once before the groups part.
    """

    def __init__(self, ev: Evaluator, start: Point, jobs: int):
        self.ev, self.start, self.jobs = ev, start, jobs

    def __call__(self, tasks: Sequence[Callable[[], GroupResult]]) -> list[GroupResult]:
        """Every group's (choice, steps, why it stopped), in the groups' order."""
        if self.jobs == 1 or len(tasks) < 2:
            return in_turn(tasks)
        self.ev.evaluation(self.start)
        done = list(parallel.ordered(_in_worker, [(self.ev, task) for task in tasks], self.jobs))
        for _, found, simulated in done:
            for point, evaluation in found.items():
                self.ev.keep(point, evaluation)
            self.ev.simulated += simulated
        return [result for result, _, _ in done]


def _in_worker(
    ev: Evaluator, task: Callable[[], GroupResult]
) -> tuple[GroupResult, dict[Point, Evaluation], int]:
    """One group's search in a worker: its result, the evaluations it made and how many
    it simulated (``task`` evaluates with this process's copy of ``ev``: pickled in one
    call, they are one object here).
    """
    before, simulated = set(ev.done), ev.simulated
    with parallel.serial():  # this worker's candidates: one replication after another
        result = task()
    found = {p: e for p, e in ev.done.items() if p not in before}
    return result, found, ev.simulated - simulated


def independent(plan: Plan) -> list[Any]:
    """The plan's independent groups: a township's own staff keys
    (``county.township_staff.<id>.<pool>``) and its own KPIs (``<id>.…``) share nothing
    with another township's; kind-wide keys and county KPIs couple every township.
    """
    decision_scopes = [
        d.key[len(TOWNSHIP_STAFF) :].split(".")[0] if d.key.startswith(TOWNSHIP_STAFF) else None
        for d in plan.decisions
    ]
    target_scopes = [
        None if t.metric.split(".")[0] == "county" else t.metric.split(".")[0] for t in plan.targets
    ]
    return groups(decision_scopes, target_scopes)


def serves(cfg: DictConfig, plan: Plan, start: Point) -> list[frozenset[int]]:
    """Per decision, the targets it can move by the model's structure: those of a
    stream its centres serve, in its township or county-wide. A decision that staffs no
    township centre, and a target that is not one stream's or is the county
    departments' (returned work reaches them from every centre), are served by all.
    """
    every = frozenset(range(len(plan.targets)))
    out = []
    for touched in staffed_centres(cfg, plan, start):
        if not touched:
            out.append(every)
            continue
        mine = set()
        for j, t in enumerate(plan.targets):
            scope, centre = target_centre(t)
            if centre in (None, DEPARTMENTS) or any(
                c == centre and scope in ("county", tid) for tid, c in touched
            ):
                mine.add(j)
        out.append(frozenset(mine))
    return out


@dataclass(frozen=True)
class DecisionRow:
    """One line of the decisions table: what the plan changes and why it stops there."""

    key: str
    today: int | None
    plan: int
    unit_cost: float
    one_fewer: str  # what one unit fewer would miss

    @property
    def change_cost(self) -> float | None:
        """Cost of going from today's value to the plan's (None: today unknown)."""
        return None if self.today is None else (self.plan - self.today) * self.unit_cost

    def as_json(self) -> dict[str, Any]:
        """The row in plan.json."""
        return {
            "decision": self.key,
            "today": self.today,
            "plan": self.plan,
            "unit_cost": self.unit_cost,
            "change_cost": self.change_cost,
            "one_unit_fewer_misses": self.one_fewer,
        }


def decision_table(
    cfg: DictConfig, plan: Plan, result: SearchResult, ev: Evaluator
) -> list[DecisionRow]:
    """Per decision: today's value, the plan's, its cost, and what one unit fewer would
    miss (simulated now if the search did not try it).
    """
    base = candidate_scenario(cfg, {})
    rows = []
    for i, d in enumerate(plan.decisions):
        x = result.point
        if x[i] <= d.low:
            fewer = f"nothing to judge: {d.low} is the decision's lower bound"
        else:
            y = tuple(v - 1 if j == i else v for j, v in enumerate(x))
            fewer = one_fewer(plan, ev, y)
        rows.append(DecisionRow(d.key, today_value(cfg, base, d.key), x[i], d.unit_cost, fewer))
    return rows


def one_fewer(plan: Plan, ev: Evaluator, y: Point) -> str:
    """What candidate ``y`` misses: on the fresh seed if it was verified (a plan the
    search chose and the verification stepped up from), else on the search's seed.
    """
    if y in ev.verified:
        text = missed_text(plan, ev.verified[y])
        return f"{text} (fresh seed)" if text else "nothing: still meets every target"
    return missed_text(plan, ev.evaluation(y, explain=True)) or "nothing: still meets every target"


def today_value(cfg: DictConfig, s: Any, key: str) -> int | None:
    """A decision key's value in the scenario as configured (before the plan)."""
    if key.startswith(TOWNSHIP_STAFF):
        tid, pool = key[len(TOWNSHIP_STAFF) :].split(".")
        return int(township_staff(s, tid)[pool].headcount)
    value = OmegaConf.select(cfg, key, default=None, throw_on_missing=False)
    return value if isinstance(value, int) else None


def missed_text(plan: Plan, e: Evaluation) -> str:
    """The targets a candidate misses, each with its bound: ``metric bound > limit``."""
    out = []
    for t in plan.targets:
        b = bound(e, t, plan.confidence)
        if miss(t, b) > 0:
            sign = ">" if t.upper else "<"
            out.append(f"{t.metric} bound {b:.3g} {sign} {t.limit:g}")
    return "; ".join(out)


def table_text(plan: Plan, rows: list[DecisionRow]) -> str:
    """The decisions table as Markdown."""
    unit = "posts" if plan.cost_basis == "posts" else "thousand yuan a year"
    lines = [
        f"| decision | today | plan | cost of one unit ({unit}) | cost of the change "
        "| one unit fewer would miss |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        today = "?" if r.today is None else str(r.today)
        change = "?" if r.change_cost is None else f"{r.change_cost:+,.0f}"
        lines.append(
            f"| `{r.key}` | {today} | {r.plan} | {r.unit_cost:,.0f} | {change} | {r.one_fewer} |"
        )
    return "\n".join(lines) + "\n"


def plan_summary(
    plan: Plan, result: SearchResult, ev: Evaluator, start: Point, line: str
) -> dict[str, Any]:
    """The content of plan.json (see the module docstring and the README)."""
    best = ev.best(result.point)
    full = ev.full(result.point)
    return {
        "decisions": values(plan, result.point),
        "feasible": result.feasible,
        "cost": result.cost,
        "metrics_from": "verification" if plan.verify_replications else "search",
        "metrics": {
            name: ci_json(full.ci(name, plan.confidence)) for name in sorted(full.replications)
        },
        "evaluations": len(result.steps),
        "simulated_this_run": ev.simulated,
        "targets": {
            t.metric: {
                "max" if t.upper else "min": t.limit,
                "bound": _num(bound(best, t, plan.confidence)),
                "met": miss(t, bound(best, t, plan.confidence)) == 0.0,
            }
            for t in plan.targets
        },
        "verification": verification(ev, plan, result.point),
        "verified_in_turn": [
            {**values(plan, p), "meets_targets": ev.meets(ev.verified[p])} for p in ev.verified
        ],
        "start": values(plan, start),
        "stopped": result.stopped,
        "command": line,
        "plan": as_dict(plan),
        "interval": f"two-sided {2 * plan.confidence - 1:g}: ends are one-sided "
        f"{plan.confidence:g} bounds",
    }


MAX_STEPS_UP = 3  # rounds of one unit more after a failed verification


def confirm(
    ev: Evaluator, plan: Plan, result: SearchResult, served: list[frozenset[int]]
) -> SearchResult:
    """Verify the chosen plan on the fresh seed; while it misses, step one unit up.

    The search keeps the cheapest candidate that passes on its own random numbers, which
    favours candidates that were lucky. When the fresh seed disagrees, the single steps
    up that serve a missed target (then the others), cheapest first, are verified in
    turn and the first that meets every target is chosen; if none does, the one that
    misses least, and again, up to ``MAX_STEPS_UP`` rounds.
    """
    if plan.verify_replications == 0 or not result.feasible:
        return result
    x = result.point
    check = ev.evaluation(x, verify=True)
    for _ in range(MAX_STEPS_UP):
        missed = {j for j in range(len(plan.targets)) if not ev.meets(check, (j,))}
        if not missed:
            return _chosen(plan, result, x)
        ev.rounds += 1
        ups = [i for i, d in enumerate(plan.decisions) if x[i] < d.high]
        ups.sort(key=lambda i: (not served[i] & missed, plan.decisions[i].unit_cost, i))
        tried = []
        for i in ups:
            y = tuple(v + 1 if j == i else v for j, v in enumerate(x))
            if plan.budget is not None and cost_of(plan.decisions, y) > plan.budget:
                continue
            tried.append((ev.shortfall(ev.evaluation(y, verify=True)), y))
            if tried[-1][0] == 0:
                break
        if not tried:
            break
        _, x = min(tried, key=lambda s: (s[0], cost_of(plan.decisions, s[1])))
        check = ev.evaluation(x, verify=True)
    return _chosen(plan, result, x)


def _chosen(plan: Plan, result: SearchResult, x: Point) -> SearchResult:
    """The search's result with the verified choice (whether it meets the targets on
    the fresh seed is plan.json's ``verification``).
    """
    return dataclasses.replace(result, point=x, cost=cost_of(plan.decisions, x))


def verification(ev: Evaluator, plan: Plan, point: Point) -> dict[str, Any] | None:
    """The chosen plan re-simulated on an independent seed, and whether it still meets
    the targets (None when ``plan.verify_replications`` is 0).
    """
    if plan.verify_replications == 0:
        return None
    check_run = ev.evaluation(point, verify=True)
    targets = {}
    for t in plan.targets:
        b = bound(check_run, t, plan.confidence)
        ci = check_run.ci(t.metric, plan.confidence)
        targets[t.metric] = {"mean": ci["mean"], "bound": _num(b), "met": miss(t, b) == 0.0}
    return {
        "replications": len(next(iter(check_run.replications.values()), [])),
        "max_replications": plan.verify_replications,
        "looks": list(ev.looks),
        "seed": ev.scenario_of(point, verify=True).run.seed,
        "meets_targets": all(v["met"] for v in targets.values()),
        "targets": targets,
    }


def tsim_defaults() -> dict[str, str]:
    """The config groups ``tsim`` composes by default (configs/config.yaml)."""
    listed = yaml.safe_load((config_dir() / "config.yaml").read_text())["defaults"]
    return {k: v for entry in listed if isinstance(entry, dict) for k, v in entry.items()}


def ci_json(ci: CI) -> dict[str, Any]:
    """A CI with NaN and None as JSON null."""
    return {k: (None if v is None else _num(v) if k != "n" else v) for k, v in ci.items()}


def write_trace(path: Path, plan: Plan, result: SearchResult, ev: Evaluator) -> None:
    """One row per candidate in search order: decisions, cost, each target's KPI
    (mean and bound) and whether it is met, the shortfall and feasibility.
    """
    head = ["evaluation", "phase", "cached", *[d.key for d in plan.decisions], "cost"]
    for t in plan.targets:
        head += [f"{t.metric}:mean", f"{t.metric}:bound", f"{t.metric}:met"]
    head += ["shortfall", "feasible", "chosen"]
    rows = []
    for i, step in enumerate(result.steps, 1):
        e = ev.evaluation(step.point)
        row: list[Any] = [i, step.phase, e.cached, *step.point, step.cost]
        for t in plan.targets:
            b = bound(e, t, plan.confidence)
            row += [e.ci(t.metric, plan.confidence)["mean"], b, miss(t, b) == 0.0]
        row += [step.outcome.shortfall, step.outcome.feasible, step.point == result.point]
        rows.append(row)

    def write(p: Path) -> None:
        with p.open("w", newline="") as f:
            out = csv.writer(f)
            out.writerow(head)
            out.writerows(rows)

    atomic_write(path, write)


def write_staffing(path: Path, s: Any, ev: Evaluation, plan: Plan) -> None:
    """Each township's pools under the chosen plan: posts (quota) and staff present."""
    added = added_posts(s)

    def mean(name: str) -> float | None:
        return ev.ci(name, plan.confidence)["mean"]

    def write(p: Path) -> None:
        with p.open("w", newline="") as f:
            out = csv.writer(f)
            out.writerow(
                ["township", "pool", "centre", "quota", "headcount_mean", "vacancies_mean"]
            )
            for tid in township_ids(s):
                for name, spec in township_staff(s, tid).items():
                    quota = spec.headcount + added.get((tid, name), 0)
                    prefix = f"{tid}.staff.{name}"
                    out.writerow(
                        [
                            tid,
                            name,
                            spec.centre,
                            quota,
                            mean(f"{prefix}.headcount_mean"),
                            mean(f"{prefix}.vacancies_mean"),
                        ]
                    )

    atomic_write(path, write)


def draw_frontier(path: Path, plan: Plan, result: SearchResult, ev: Evaluator) -> None:
    """Cost against each target's KPI over the candidates (see :mod:`sim.plan.frontier`),
    the chosen plan among them even when the verification stepped up to it.
    """
    shown = [(s.point, s.cost, ev.evaluation(s.point)) for s in result.steps]
    if all(point != result.point for point, _, _ in shown):
        shown.append((result.point, result.cost, ev.best(result.point)))
    panels = []
    for t in plan.targets:
        points = []
        for point, cost, e in shown:
            b = bound(e, t, plan.confidence)
            mean = e.ci(t.metric, plan.confidence)["mean"]
            points.append(
                frontier.Point(
                    cost,
                    np.nan if mean is None else mean,
                    b,
                    miss(t, b) == 0.0,
                    point == result.point,
                )
            )
        panels.append(frontier.Panel(t.metric, t.limit, t.upper, points))
    unit = "posts" if plan.cost_basis == "posts" else "thousand yuan a year"
    frontier.draw(panels, path, f"cost ({unit})")

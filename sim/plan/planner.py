"""``tsim-plan``: the cheapest staffing that meets KPI targets with confidence.

A Hydra application over the same config tree as ``tsim`` (every override works) plus
a plan (``plan=NAME``, a file of ``configs/plan/``: decisions, targets, cost, budget,
confidence, replications; checked by :mod:`sim.plan.plan_config`). It starts from the
analytic sizing, searches with :mod:`sim.plan.search`, and simulates each candidate for
``plan.replications`` replications with the scenario's seed — common random numbers,
so candidates differ by their staffing, not by their dice.

Every evaluation is cached in the run directory (``evaluations/<config hash>-r<n>.json``,
written atomically, keyed by everything that changes results), so re-running the same
command after an interruption reads finished evaluations back instead of simulating
them again. The run directory then holds ``plan.json``, ``trace.csv``, ``frontier.png``,
``staffing.csv`` (each township's quota and present staff under the chosen plan) and
``command.txt`` (the chosen scenario as a ``tsim`` command). Exit 0: the plan meets
every target; 3: it cannot (the candidate closest to the targets is reported); 2: the
plan or the scenario is misconfigured (one line).
"""

from __future__ import annotations

import csv
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from omegaconf import DictConfig
from tqdm import tqdm

from sim.analysis.stats import CI, confidence_interval
from sim.config import config_hash, load_scenario
from sim.config.location import config_dir
from sim.model.quota import added_posts, township_ids, township_staff
from sim.plan import frontier
from sim.plan.plan_config import (
    Plan,
    Target,
    analytic_start,
    as_dict,
    candidate_config,
    check,
    command,
    values,
)
from sim.plan.search import Outcome, Point, SearchResult, search
from sim.run import engine, guard
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
    """The one-sided bound of a target's KPI (NaN when it cannot be computed)."""
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
    """Evaluates candidates of a plan, with the on-disk cache of the run directory."""

    def __init__(self, cfg: DictConfig, plan: Plan, run_dir: Path, bar: Any = None):
        self.cfg, self.plan, self.bar = cfg, plan, bar
        self.dir = run_dir / EVALUATIONS
        self.dir.mkdir(parents=True, exist_ok=True)
        self.done: dict[Point, Evaluation] = {}
        self.simulated = 0

    def scenario_of(self, point: Point, verify: bool = False) -> Any:
        """The scenario of a candidate, as simulated by the planner (``verify``: with
        the verification's replications on the next seed).
        """
        cfg = candidate_config(self.cfg, values(self.plan, point))
        cfg.run.replications = self.plan.replications
        cfg.run.timeseries = False
        if verify:
            cfg.run.replications = self.plan.verify_replications
            cfg.run.seed = cfg.run.seed + 1
        s = load_scenario(cfg)
        guard.check_scenario(s)  # the planner prints no warnings, only refuses
        return s

    def __call__(self, point: Point) -> Outcome:
        """The candidate's shortfall from the targets, judged by one-sided bounds."""
        ev = self.evaluation(point)
        bounds = [bound(ev, t, self.plan.confidence) for t in self.plan.targets]
        shortfall = sum(miss(t, b) for t, b in zip(self.plan.targets, bounds, strict=True))
        return Outcome(shortfall, shortfall == 0.0)

    def evaluation(self, point: Point, verify: bool = False) -> Evaluation:
        """Read back or simulate one candidate (or its verification)."""
        if point in self.done and not verify:
            return self.done[point]
        s = self.scenario_of(point, verify)
        key = f"{config_hash(s)}-r{s.run.replications}"
        path = self.dir / f"{key}.json"
        if path.is_file():
            data = json.loads(path.read_text())
            ev = Evaluation(point, key, data["replications"], data["seconds"], True)
        else:
            t0 = time.perf_counter()
            out = engine.run(s)
            table = out.replications.drop(columns="replication")
            reps = {name: [_num(v) for v in table[name]] for name in table.columns}
            ev = Evaluation(point, key, reps, time.perf_counter() - t0, False)
            record = {
                "values": values(self.plan, point),
                "replications": reps,
                "seconds": ev.seconds,
            }
            atomic_write(path, lambda p: p.write_text(json.dumps(record)))
            self.simulated += 1
        if verify:
            return ev
        self.done[point] = ev
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(f"{'read' if ev.cached else 'ran'} {values(self.plan, point)}")
        return ev


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
        result = search(
            plan.decisions, start, ev, budget=plan.budget, max_evaluations=plan.max_evaluations
        )
    chosen = values(plan, result.point)
    line = command(cfg, overrides, chosen, choices, tsim_defaults())
    best = ev.evaluation(result.point)
    write_trace(run_dir / "trace.csv", plan, result, ev)
    write_staffing(run_dir / "staffing.csv", ev.scenario_of(result.point), best, plan)
    draw_frontier(run_dir / "frontier.png", plan, result, ev)
    atomic_write(run_dir / "command.txt", lambda p: p.write_text(line + "\n"))
    summary = plan_summary(plan, result, ev, start, line)
    summary["seconds"] = time.perf_counter() - t0
    path = run_dir / "plan.json"
    atomic_write(path, lambda p: p.write_text(json.dumps(summary, indent=1, ensure_ascii=False)))
    return PlanResult(result.feasible, chosen, result.cost, len(result.steps), ev.simulated, path)


def plan_summary(
    plan: Plan, result: SearchResult, ev: Evaluator, start: Point, line: str
) -> dict[str, Any]:
    """The content of plan.json (see the module docstring and the README)."""
    best = ev.evaluation(result.point)
    return {
        "decisions": values(plan, result.point),
        "feasible": result.feasible,
        "cost": result.cost,
        "metrics": {
            name: ci_json(best.ci(name, plan.confidence)) for name in sorted(best.replications)
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
        "start": values(plan, start),
        "stopped": result.stopped,
        "command": line,
        "plan": as_dict(plan),
        "interval": f"two-sided {2 * plan.confidence - 1:g}: ends are one-sided "
        f"{plan.confidence:g} bounds",
    }


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
        "replications": plan.verify_replications,
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
    """Cost against each target's KPI over the candidates (see :mod:`sim.plan.frontier`)."""
    panels = []
    for t in plan.targets:
        points = []
        for step in result.steps:
            e = ev.evaluation(step.point)
            b = bound(e, t, plan.confidence)
            mean = e.ci(t.metric, plan.confidence)["mean"]
            points.append(
                frontier.Point(
                    step.cost,
                    np.nan if mean is None else mean,
                    b,
                    miss(t, b) == 0.0,
                    step.point == result.point,
                )
            )
        panels.append(frontier.Panel(t.metric, t.limit, t.upper, points))
    unit = "posts" if plan.cost_basis == "posts" else "thousand yuan a year"
    frontier.draw(panels, path, f"cost ({unit})")

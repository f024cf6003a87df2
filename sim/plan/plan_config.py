"""A plan's configuration (``plan.*``, configs/plan/): checks, candidates, costs, start.

Turns the composed config of ``tsim-plan`` into what the search needs: the decisions
with their bounds and unit costs, the targets, a way to build the scenario of any
candidate (the config with the decision keys set), the analytic starting point and the
``tsim`` command line of a candidate. Every mistake in a plan is one
:class:`~sim.config.ConfigError` line naming the key, before any simulation.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from omegaconf import DictConfig, OmegaConf

from sim.analysis import glossary
from sim.config import ConfigError, Scenario, load_scenario
from sim.config.loading import load_section
from sim.config.location import config_dir
from sim.config.schema import add_section, sections
from sim.config.validation import TOWNSHIP_VALUE, check_field, knob_of
from sim.core import registry
from sim.core.settings import Settings, knob
from sim.model.cost import yearly_pay
from sim.model.quota import township_ids, township_staff
from sim.plan.candidates import TOWNSHIP_STAFF, candidate_scenario
from sim.plan.search import Decision, Point
from sim.plan.sizing import DEPARTMENTS, size, township_centres
from sim.run import guard

NO_WAIT_LIMIT = 1e9  # hours: a centre without a wait target is sized for stability only


@dataclass
class TargetSpec(Settings):
    """A KPI target of a plan: a maximum or a minimum (exactly one is set)."""

    max: float | None = None
    min: float | None = None


@dataclass
class PlanConfig(Settings):
    """What ``tsim-plan`` searches (configs/plan/; checked by :mod:`sim.plan.plan_config`)."""

    decisions: dict[str, list[int]] = field(default_factory=dict)
    """Config key → [low, high]: the integer values (posts) the search may choose."""
    targets: dict[str, TargetSpec] = field(default_factory=dict)
    """Metric name → {max: x} or {min: x}."""
    cost: dict[str, float] = field(default_factory=dict)
    """Decision key → cost of one unit; unset: the posts one unit adds (``cost_basis:
    posts``) or their yearly pay (``cost_basis: pay``)."""
    cost_basis: str = knob("posts", choices=("posts", "pay"))
    budget: float | None = knob(None, 0.0)
    """Maximum total cost (None: no limit)."""
    confidence: float = knob(0.95, 0.5, 1.0)
    """A target is met when its one-sided bound at this level meets it (< 1)."""
    replications: int = knob(10, 2, 10_000, integer=True)
    verify_replications: int = knob(40, 0, 10_000, integer=True)
    """After the search, simulate the chosen plan on an independent seed (``run.seed +
    1``), this many replications, and report whether it still meets the targets (0:
    skip; otherwise at least 2). It stops sooner only when, after ``replications``,
    twice as many …, a target's mean misses. The search picks the candidate that looks
    best on its own random numbers, so a fresh check guards against that selection's
    optimism."""
    start: str = knob("analytic", choices=("analytic", "low"))
    """Where the search starts: the analytic sizing (tsim-size), or every decision low."""
    max_evaluations: int = knob(200, 1, 100_000, integer=True)
    """Stop the search after this many candidates (then report the best so far)."""


add_section("plan", PlanConfig)  # ``plan=NAME``: only tsim-plan reads it, simulations never


@dataclass(frozen=True)
class Target:
    """A KPI target: ``metric`` at most (``upper``) or at least ``limit``."""

    metric: str
    limit: float
    upper: bool  # True: {max: limit}; False: {min: limit}

    @property
    def label(self) -> str:
        """``name ≤ x`` or ``name ≥ x``."""
        return f"{self.metric} {'≤' if self.upper else '≥'} {self.limit:g}"


@dataclass(frozen=True)
class Plan:
    """A checked plan, ready to search."""

    decisions: tuple[Decision, ...]
    targets: tuple[Target, ...]
    budget: float | None
    confidence: float
    replications: int
    max_evaluations: int
    start: str
    cost_basis: str
    verify_replications: int


def _bad(path: str, message: str) -> ConfigError:
    return ConfigError(f"{path}: {message}")


def _check_key(cfg: DictConfig, key: str, s: Scenario) -> None:
    path = f"plan.decisions.{key}"
    if key.startswith(TOWNSHIP_STAFF):
        parts = key[len(TOWNSHIP_STAFF) :].split(".")
        if len(parts) != 2:
            raise _bad(path, "a township's staff key is county.township_staff.<township>.<pool>")
        tid, pool = parts
        if tid not in township_ids(s):
            raise _bad(path, f"no township {tid!r} (townships: {', '.join(township_ids(s))})")
        if pool not in township_staff(s, tid):
            raise _bad(path, f"no pool {pool!r} in {tid}")
        return
    value = OmegaConf.select(cfg, key, default=None, throw_on_missing=False)
    if value is None:
        raise _bad(path, "not a key of the configuration (see `tsim --cfg job`)")
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(path, f"the key holds {value!r}; a decision must be an integer key")


def _check_bounds(cfg: DictConfig, key: str, bounds: tuple[int, int], s: Scenario) -> None:
    """The bounds lie in the range the schema allows the key (a candidate outside it
    would stop the search halfway with the scenario's error).
    """
    section = key.split(".", 1)[0]
    meta: dict[str, Any] | None
    if key.startswith(TOWNSHIP_STAFF):
        meta = TOWNSHIP_VALUE
    elif section in sections():
        meta = knob_of(load_section(cfg, section), key.split(".", 1)[1])
    else:
        meta = knob_of(s, key)
    if meta is None:
        return
    for value in bounds:
        try:
            check_field(key, value, meta)
        except ConfigError as err:
            raise _bad(
                f"plan.decisions.{key}", f"{list(bounds)} leaves the key's range: {err}"
            ) from None


MAX_CORNERS = 256
"""Every corner of the bounds up to 8 decisions; beyond, the all-low and all-high corners
and each of these with one decision flipped (a rule between two keys, the usual kind,
breaks at one of them)."""


def corners(decisions: Sequence[Decision]) -> list[dict[str, int]]:
    """The corners of the decisions' bounds the search may reach, to check up front."""
    sides = [(d.low, d.high) for d in decisions]
    if 2 ** len(decisions) <= MAX_CORNERS:
        points = list(itertools.product(*sides))
    else:
        ends = [tuple(lh[e] for lh in sides) for e in (0, 1)]
        points = list(ends)
        for end, i in itertools.product(ends, range(len(decisions))):
            points.append((*end[:i], sides[i][1] + sides[i][0] - end[i], *end[i + 1 :]))
    return [{d.key: v for d, v in zip(decisions, p, strict=True)} for p in points]


def _check_corners(cfg: DictConfig, decisions: Sequence[Decision]) -> None:
    """Each bound lies in its key's range, but a corner of the bounds may break a rule
    across keys (``county.department_staff`` above ``county.quota_total``): found here,
    not when the search reaches it halfway through.
    """
    for corner in corners(decisions):
        try:
            guard.check_scenario(candidate_scenario(cfg, corner))
        except ConfigError as err:
            at = ", ".join(f"{k}={v}" for k, v in corner.items())
            raise ConfigError(
                f"plan.decisions: the bounds' corner {at} breaks a rule: {err}; narrow the bounds"
            ) from None


def _unit_cost(cfg: DictConfig, s: Scenario, key: str, low: int, basis: str) -> float:
    """Posts (or their yearly pay) that one more unit of ``key`` adds across townships."""
    a = candidate_scenario(cfg, {key: low})
    b = candidate_scenario(cfg, {key: low + 1})
    total = 0.0
    for tid in township_ids(s):
        before, after = township_staff(a, tid), township_staff(b, tid)
        for name, spec in after.items():
            posts = spec.headcount - before[name].headcount
            total += posts * (yearly_pay(s, spec.quota_type, True) if basis == "pay" else 1.0)
    return total if total > 0 else 1.0  # a key that adds no post: one unit costs 1


def check(cfg: DictConfig) -> Plan:
    """The plan of a composed ``tsim-plan`` config, or one ConfigError line."""
    if cfg.get("plan") is None:
        raise ConfigError("plan: no plan chosen (add plan=NAME, a file of configs/plan/)")
    s = load_scenario(cfg)  # ranges of plan.* and of the scenario itself
    guard.check_scenario(s)  # its data files and size, before the first candidate
    p: PlanConfig = load_section(cfg, "plan")
    if not p.decisions:
        raise ConfigError("plan.decisions: needs at least one key: [low, high]")
    if not p.targets:
        raise ConfigError("plan.targets: needs at least one metric: {max: x} or {min: x}")
    if not 0.5 <= p.confidence < 1.0:
        raise ConfigError(f"plan.confidence = {p.confidence:g}: must be ≥ 0.5 and < 1")
    if p.verify_replications == 1:
        raise ConfigError(
            "plan.verify_replications = 1: must be 0 (no verification) or at least 2 "
            "(one replication has no confidence bound)"
        )
    decisions = []
    for key, bounds in p.decisions.items():
        path = f"plan.decisions.{key}"
        if len(bounds) != 2:
            raise _bad(path, f"{list(bounds)} must be [low, high]")
        low, high = bounds
        if low < 0 or low > high:
            raise _bad(path, f"[{low}, {high}]: needs 0 ≤ low ≤ high")
        _check_key(cfg, key, s)
        _check_bounds(cfg, key, (low, high), s)
        decisions.append(Decision(key, low, high, 0.0))
    _check_corners(cfg, decisions)
    for key, value in p.cost.items():
        if key not in p.decisions:
            raise _bad(f"plan.cost.{key}", "not one of plan.decisions")
        if not (value >= 0 and math.isfinite(value)):
            raise _bad(f"plan.cost.{key}", f"{value:g} must be a number ≥ 0")
    decisions = [
        Decision(
            d.key,
            d.low,
            d.high,
            p.cost[d.key] if d.key in p.cost else _unit_cost(cfg, s, d.key, d.low, p.cost_basis),
        )
        for d in decisions
    ]
    return Plan(
        tuple(decisions),
        tuple(_targets(p, s)),
        p.budget,
        p.confidence,
        p.replications,
        p.max_evaluations,
        p.start,
        p.cost_basis,
        p.verify_replications,
    )


def _targets(p: PlanConfig, s: Scenario) -> list[Target]:
    out = []
    for name, spec in p.targets.items():
        path = f"plan.targets.{name}"
        if not glossary.emits(s, name):
            raise _bad(
                path,
                "not a metric of this scenario (names are <scope>.<stream>.<metric>, "
                "scope county or a township id; see the README's metric glossary)",
            )
        if (spec.max is None) == (spec.min is None):
            raise _bad(path, "give exactly one of {max: x} or {min: x}")
        limit = spec.max if spec.max is not None else spec.min
        assert limit is not None
        if not math.isfinite(limit):
            raise _bad(path, f"{limit:g} must be a finite number")
        out.append(Target(name, float(limit), spec.max is not None))
    return out


def values(plan: Plan, point: Point) -> dict[str, int]:
    """Decision key → value of a candidate."""
    return {d.key: v for d, v in zip(plan.decisions, point, strict=True)}


def wait_targets(plan: Plan, s: Scenario, tid: str) -> dict[str, float]:
    """Per centre, the tightest wait target that applies to township ``tid``."""
    out: dict[str, float] = {}
    for t in plan.targets:
        scope, _, rest = t.metric.partition(".")
        stream, _, metric = rest.partition(".")
        if not t.upper or metric != "wait_mean_h" or scope not in ("county", tid):
            continue
        try:
            centre = registry.stream(stream).centre
        except KeyError:
            continue
        out[centre] = min(out.get(centre, math.inf), t.limit)
    return out


def _short_of_staff(s: Scenario, plan: Plan, centres: set[tuple[str, str]]) -> bool:
    """Whether a centre among ``centres`` has fewer posts than Erlang C needs."""
    for tid in sorted({tid for tid, _ in centres}):
        targets = dict.fromkeys(sizing_centres(), NO_WAIT_LIMIT) | wait_targets(plan, s, tid)
        for r in size(s, targets):
            if r.scope == tid and (tid, r.centre) in centres and r.quota < r.needed:
                return True
    return False


def sizing_centres() -> list[str]:
    """Centres the sizing covers."""
    return [*township_centres(), DEPARTMENTS]


def analytic_start(cfg: DictConfig, plan: Plan) -> Point:
    """Per decision in turn, the smallest value at which every centre it staffs has
    the Erlang C staff for its wait target (or, without one, a stable queue); every
    decision at its low bound with ``plan.start: low``.
    """
    point = [d.low for d in plan.decisions]
    if plan.start == "low":
        return tuple(point)
    for i, d in enumerate(plan.decisions):
        touched = _touched(cfg, plan, i, point)
        while point[i] < d.high:
            s = candidate_scenario(cfg, values(plan, tuple(point)))
            if not _short_of_staff(s, plan, touched):
                break
            point[i] += 1
    return tuple(point)


def _touched(cfg: DictConfig, plan: Plan, i: int, point: list[int]) -> set[tuple[str, str]]:
    """(township, centre) whose staff decision ``i`` changes."""
    d = plan.decisions[i]
    if point[i] >= d.high:
        return set()
    here = tuple(point)
    there = tuple(v + 1 if j == i else v for j, v in enumerate(point))
    a = candidate_scenario(cfg, values(plan, here))
    b = candidate_scenario(cfg, values(plan, there))
    out = set()
    for tid in township_ids(a):
        before, after = township_staff(a, tid), township_staff(b, tid)
        for name, spec in after.items():
            if spec.headcount != before[name].headcount:
                out.add((tid, spec.centre))
    return out


def staffed_centres(cfg: DictConfig, plan: Plan, point: Point) -> list[set[tuple[str, str]]]:
    """Per decision, the (township, centre) whose staff one more unit changes (empty
    when the key staffs no township centre or is at its upper bound).
    """
    return [_touched(cfg, plan, i, list(point)) for i in range(len(plan.decisions))]


def target_centre(t: Target) -> tuple[str, str | None]:
    """A target's scope and the centre serving its stream (None: not one stream's)."""
    scope, _, rest = t.metric.partition(".")
    try:
        return scope, registry.stream(rest.partition(".")[0]).centre
    except KeyError:
        return scope, None


SCENARIO_GROUPS = ("county", "workload", "policy")


def command(
    cfg: DictConfig,
    overrides: Sequence[str],
    chosen: Mapping[str, int],
    choices: Mapping[str, str | None] | None = None,
    defaults: Mapping[str, str] | None = None,
) -> str:
    """The ``tsim`` command line of a candidate: the plan's overrides with the decisions
    (``+`` where the key is new to the configuration). ``choices`` are the config groups
    the plan ran with; those that differ from ``tsim``'s ``defaults`` without being on
    the command line (a study config chose them) are spelled out.
    """
    kept = [o for o in overrides if not o.lstrip("+~").startswith(("plan=", "plan.", "hydra."))]
    kept = [o for o in kept if o.lstrip("+").split("=", 1)[0] not in chosen]
    given = {o.lstrip("+~").split("=", 1)[0] for o in kept}
    groups = [
        f"{g}={choices[g]}"
        for g in SCENARIO_GROUPS
        if choices
        and defaults
        and g not in given
        and choices.get(g) not in (None, defaults.get(g))
        and "validation" not in given
    ]
    sets = plan_settings(choices.get("plan") if choices else None, given | set(chosen))
    for key, value in chosen.items():
        present = OmegaConf.select(cfg, key, default=None, throw_on_missing=False) is not None
        sets.append(f"{'' if present else '+'}{key}={value}")
    return " ".join(["tsim", *groups, *kept, *sets])


def plan_settings(name: str | None, given: set[str]) -> list[str]:
    """``key=value`` of the scenario keys a global plan file sets (``# @package
    _global_``, as configs/plan/surge_town1.yaml sets its backlog file and report day),
    but those on the command line: ``tsim`` without the plan would miss them.
    """
    path = config_dir() / "plan" / f"{name}.yaml"
    if name is None or not path.is_file():
        return []
    text = path.read_text()
    if "@package _global_" not in text:
        return []
    tree = OmegaConf.to_container(OmegaConf.create(text))
    assert isinstance(tree, dict), f"{path} holds a mapping"
    scenario_keys = {k: v for k, v in tree.items() if k not in ("plan", "defaults")}
    flat = _flatten(scenario_keys, "")
    return [f"{key}={_shown(v)}" for key, v in flat.items() if key not in given]


def _flatten(tree: Any, prefix: str) -> dict[str, Any]:
    if not isinstance(tree, dict):
        return {prefix: tree}
    out: dict[str, Any] = {}
    for key, value in tree.items():
        out |= _flatten(value, f"{prefix}{key}." if isinstance(value, dict) else f"{prefix}{key}")
    return out


def _shown(v: Any) -> str:
    """A value as a Hydra override spells it (lists without quotes around ids)."""
    if isinstance(v, list):
        return "[" + ",".join(str(x) for x in v) + "]"
    return "null" if v is None else str(v).lower() if isinstance(v, bool) else str(v)


def as_dict(plan: Plan) -> dict[str, Any]:
    """The plan as recorded in plan.json."""
    return {
        "decisions": {d.key: [d.low, d.high] for d in plan.decisions},
        "unit_costs": {d.key: d.unit_cost for d in plan.decisions},
        "targets": {t.metric: {"max" if t.upper else "min": t.limit} for t in plan.targets},
        "budget": plan.budget,
        "confidence": plan.confidence,
        "replications": plan.replications,
        "start": plan.start,
    }

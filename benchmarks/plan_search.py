"""How many evaluations the planner's search needs, against Optuna, on Erlang C cases.

Each case is a set of independent M/M/c stations, one decision (servers) and one wait
target each; an "evaluation" is one candidate, here scored by the formula instead of a
simulation, so the count is what a plan would simulate. Compared:

* ``greedy (analytic start)`` — sim.plan.search from the Erlang C sizing, as tsim-plan runs;
* ``greedy (low start)`` — the same search from every decision at its low bound;
* ``optuna TPE`` — current Optuna's TPE sampler with constraints (cost as objective,
  each target's miss as a constraint): trials until its best feasible trial is the
  optimum, median over seeds (capped; "not found" when it never gets there);
* ``grid`` — every candidate.

    python benchmarks/plan_search.py [--seeds 5] [--cap 300]

Optuna is not a dependency of township-sim: install it to include that column.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.plan import analytic, search  # noqa: E402
from sim.plan.search import Decision, Outcome  # noqa: E402

Station = tuple[float, float, float]  # λ, μ, wait target

CASES: dict[str, tuple[list[Station], int, int]] = {
    "M/M/c λ=4 μ=1 Wq≤0.3": ([(4.0, 1.0, 0.3)], 1, 20),
    "M/M/c λ=9 μ=1 Wq≤0.15": ([(9.0, 1.0, 0.15)], 1, 20),
    "two stations": ([(4.0, 1.0, 0.3), (4.8, 1.0, 0.25)], 1, 20),
    "four stations": (
        [(4.0, 1.0, 0.3), (4.8, 1.0, 0.25), (9.0, 1.0, 0.15), (1.7, 0.5, 0.5)],
        1,
        20,
    ),
}


def wait(lam: float, mu: float, c: int) -> float:
    """Erlang C's Wq; an overloaded station's wait grows with its load (as in a finite
    run, where the queue grows for the whole horizon) instead of being infinite.
    """
    rho = lam / (c * mu)
    return analytic.mmc_wait_mean(lam, mu, c) if rho < 1 else 1e3 * rho


def misses(stations: list[Station], point: tuple[int, ...]) -> list[float]:
    """Each station's wait minus its target (≤ 0: met)."""
    return [wait(lam, mu, c) - w for (lam, mu, w), c in zip(stations, point, strict=True)]


def outcome(stations: list[Station], point: tuple[int, ...]) -> Outcome:
    """Shortfall as tsim-plan computes it: misses relative to the target, summed."""
    short = sum(
        max(0.0, m) / w for m, (_, _, w) in zip(misses(stations, point), stations, strict=True)
    )
    return Outcome(short, short == 0.0)


def greedy(stations: list[Station], low: int, high: int, analytic_start: bool) -> int:
    decisions = [Decision(f"x{i}", low, high, 1.0) for i in range(len(stations))]
    if analytic_start:
        start = tuple(analytic.mmc_servers_for_wait(lam, mu, w) for lam, mu, w in stations)
    else:
        start = tuple(low for _ in stations)
    result = search.search(decisions, start, lambda p: outcome(stations, p))
    optimum = tuple(analytic.mmc_servers_for_wait(lam, mu, w) for lam, mu, w in stations)
    assert result.point == optimum, (result.point, optimum)
    return len(result.steps)


def optuna_trials(stations: list[Station], low: int, high: int, seed: int, cap: int) -> float:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    optimum = sum(analytic.mmc_servers_for_wait(lam, mu, w) for lam, mu, w in stations)
    sampler = optuna.samplers.TPESampler(seed=seed)  # constraints: Trial.set_constraint
    study = optuna.create_study(direction="minimize", sampler=sampler)

    def objective(trial: optuna.Trial) -> float:
        point = tuple(trial.suggest_int(f"x{i}", low, high) for i in range(len(stations)))
        trial.set_user_attr("misses", misses(stations, point))
        for i, m in enumerate(misses(stations, point)):
            trial.set_constraint(f"wait_{i}", m)
        return float(sum(point))

    best = math.inf
    for n in range(1, cap + 1):
        study.optimize(objective, n_trials=1)
        t = study.trials[-1]
        if all(m <= 0 for m in t.user_attrs["misses"]):
            best = min(best, t.value)
        if best == optimum:
            return n
    return math.inf


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--cap", type=int, default=300)
    args = p.parse_args()
    try:
        import optuna

        version = optuna.__version__
    except ImportError:
        version = None
    print(f"| case | grid | greedy (analytic start) | greedy (low start) | optuna {version} TPE |")
    print("| --- | --- | --- | --- | --- |")
    for name, (stations, low, high) in CASES.items():
        grid = (high - low + 1) ** len(stations)
        g_a = greedy(stations, low, high, True)
        g_l = greedy(stations, low, high, False)
        cell = "—"
        if version:
            runs = [optuna_trials(stations, low, high, s, args.cap) for s in range(args.seeds)]
            found = [r for r in runs if r < math.inf]
            med = statistics.median(runs)
            cell = (
                f"{med:g} (found {len(found)}/{len(runs)} within {args.cap})"
                if med < math.inf
                else f"not found by most seeds ({len(found)}/{len(runs)} within {args.cap})"
            )
        print(f"| {name} | {grid} | {g_a} | {g_l} | {cell} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``tsim-plan plan=NAME [overrides…]``: the cheapest staffing that meets KPI targets.

The search and what it writes are :mod:`sim.plan.planner`'s; this is the command.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.cli.common import module_doc, one_line_errors, plain, run_cli, run_hydra
from sim.config import ConfigError
from sim.config.location import config_dir

if TYPE_CHECKING:
    from sim.plan.planner import PlanResult


@one_line_errors("tsim-plan")
def app(cfg: DictConfig) -> None:
    """Run a plan (Hydra calls this)."""
    from sim.plan.planner import run_plan  # SimPy, pandas, matplotlib: once a plan runs

    hc = HydraConfig.get()
    run_dir = Path(hc.runtime.output_dir)
    choices = dict(hc.runtime.choices)
    result = run_plan(cfg, run_dir, list(hc.overrides.task), choices)
    verdict = "meets every target" if result.feasible else "INFEASIBLE: closest candidate"
    chosen = ", ".join(f"{k}={v}" for k, v in result.chosen.items())
    print(
        f"tsim-plan: {verdict}: {chosen}; cost {result.cost:,.0f} "
        f"({result.evaluations} evaluations, {result.simulated} simulated now)"
    )
    # decisions.md opens with the verdict on fresh seeds: verified, or NOT VERIFIED.
    print((result.path.parent / "decisions.md").read_text().rstrip())
    print(f"plan: {result.path}")
    print((result.path.parent / "command.txt").read_text().strip())
    sys.exit(exit_status(result))


def exit_status(result: PlanResult) -> int:
    """0: the plan meets every target (verified on fresh seeds unless verification is
    off); 3: no candidate meets them; 4: the search's plan meets them on its own random
    numbers but fails its verification on fresh seeds, even after stepping up.
    """
    if not result.feasible:
        return 3
    return 4 if result.verified is False else 0


USAGE = "usage: tsim-plan plan=NAME [overrides…]"


def _plans() -> list[str]:
    """The plans shipped in ``configs/plan/``."""
    return sorted(p.stem for p in (config_dir() / "plan").glob("*.yaml"))


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``tsim-plan``: its own help, and one line for a missing plan."""
    return run_cli("tsim-plan", _plan, argv)


def _plan(args: list[str]) -> int:
    if any(a in ("-h", "--help") for a in args):
        about = plain(module_doc("sim.plan.planner"))
        print(f"{USAGE}\n\n{about}\nPlans in configs/plan/: {', '.join(_plans())}.")
        print("Overrides: every tsim override works (tsim --help lists the groups and keys).")
        return 0
    own_configs = any(a.split("=")[0] in ("-cd", "--config-dir") for a in args)
    if not own_configs and not any(a.startswith(("plan=", "+plan=")) for a in args):
        raise ConfigError(
            f"choose a plan: plan=NAME (one of: {', '.join(_plans())}); tsim-plan --help explains"
        )
    from sim.plan import plan_config  # declares the plan section Hydra composes

    # The plan is checked before Hydra runs the app: a refused plan is one line before
    # the planner loads, and leaves no plan directory behind.
    run_hydra("tsim-plan", app, args, config_name="planner", check=plan_config.check)
    return 0


if __name__ == "__main__":
    sys.exit(main())

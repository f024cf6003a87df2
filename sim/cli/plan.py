"""``tsim-plan plan=NAME [overrides…]``: the cheapest staffing that meets KPI targets.

The search and what it writes are :mod:`sim.plan.planner`'s; this is the command.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.cli.common import module_doc, one_line_errors, plain, run_cli, run_hydra
from sim.config import ConfigError
from sim.config.location import config_dir


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
    print((result.path.parent / "decisions.md").read_text().rstrip())
    check_run = json.loads(result.path.read_text()).get("verification")
    if check_run and not check_run["meets_targets"]:
        missed = [m for m, v in check_run["targets"].items() if not v["met"]]
        print(
            f"tsim-plan: warning: on seed {check_run['seed']} ({check_run['replications']} "
            f"replications) the plan misses {', '.join(missed)}; raise plan.replications"
        )
    print(f"plan: {result.path}")
    print((result.path.parent / "command.txt").read_text().strip())
    sys.exit(0 if result.feasible else 3)


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

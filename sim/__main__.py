"""``tsim``: the Hydra application that simulates one composed scenario.

A single run simulates ``run.replications`` replications and writes one run directory
(``hydra.run.dir``, by default under ``results/runs/``); ``tsim -m …`` writes one per job
under ``hydra.sweep.dir``. Bad configuration stops the job before any simulation with
one line naming the key, the value and the allowed range.
"""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from hydra.core.config_store import ConfigStore
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from . import engine, results
from .config import ConfigError, Scenario, load_scenario
from .table import scope_table

CONFIG_DIR = str(Path(__file__).resolve().parent.parent / "configs")  # editable install
ConfigStore.instance().store(name="base_config", node=Scenario)


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="config")
def app(cfg: DictConfig) -> None:
    try:
        scenario = load_scenario(cfg)
    except ConfigError as err:
        print(f"tsim: configuration error: {err}", file=sys.stderr)
        sys.exit(2)
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    out = engine.run(scenario)
    summary = results.write_run(run_dir, scenario, out)
    metrics = results.read_summary(run_dir)["metrics"]
    print(f"county summary ({scenario.county.name}, policy {scenario.policy.name}, "
          f"{scenario.run.replications} replications, {scenario.run.horizon_days:g} "
          f"working days, mean ±95% CI):")
    print(scope_table(metrics))
    print(f"results: {summary.parent}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()

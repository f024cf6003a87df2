"""What ``tsim-calibrate`` checks before it calibrates: the scenario (its values, the
checks before a run, replications enough for the fit check) and that the counts file
can be read.

Apart from :mod:`.calibration`, which loads scipy.stats and pandas: the command runs
these checks on the composed config before Hydra starts the calibration, so that a bad
input is one line at once and leaves no output directory behind.
"""

from __future__ import annotations

from omegaconf import DictConfig

from sim.config import ConfigError, Scenario, load_scenario
from sim.config.loading import file_digest
from sim.run import guard


def check_inputs(cfg: DictConfig, data: str) -> tuple[Scenario, str]:
    """The scenario of ``cfg`` and the SHA-256 of the counts file ``data``, or one
    :class:`ConfigError` line.
    """
    scenario = load_scenario(cfg)
    guard.check_scenario(scenario)  # calibration prints no warnings, only refuses
    if scenario.run.replications < 2:
        raise ConfigError("run.replications = 1: the fit check needs ≥ 2 replications")
    return scenario, file_digest(data)  # an edited file gives another record, never the same

"""Shared helpers: compose a scenario exactly as ``tsim`` would, and run it."""

from __future__ import annotations

import pytest
from hydra import compose, initialize_config_dir

from sim import __main__ as cli
from sim import preflight, registry
from sim.config import Scenario, load_scenario


def scenario(*overrides: str) -> Scenario:
    with initialize_config_dir(config_dir=cli.CONFIG_DIR, version_base="1.3"):
        return load_scenario(compose("config", overrides=list(overrides)))


def checked_scenario(*overrides: str) -> Scenario:
    """The scenario with the checks ``tsim`` makes before simulating (data files, size)."""
    s = scenario(*overrides)
    preflight.check_scenario(s)
    return s


def raw_config(*overrides: str):
    with initialize_config_dir(config_dir=cli.CONFIG_DIR, version_base="1.3"):
        return compose("config", overrides=list(overrides))


@pytest.fixture
def make_scenario():
    return scenario


def stream_ids() -> list[str]:
    """Ids of the registered streams (services, enforcement, delegated, grid …)."""
    return [s.id for s in registry.streams()]

"""Shared helpers: compose a scenario exactly as ``tsim`` would, and run it.

Composing is most of the quick tier's time (Hydra reads and merges every YAML file, then
:func:`load_scenario` merges into the schema), so both steps are cached:

* Hydra composes the defaults list (``county=…``, ``policy=…``, ``+validation=…``) once per
  choice of groups; the other overrides (``run.horizon_days=30``, ``+county.x=…``) are then
  applied to a copy by Hydra's own code, as Hydra does after composing.
* A validated :class:`Scenario` is sealed (immutable), so the same overrides return the
  same object. A raw ``DictConfig`` is mutable: every call gets its own copy.

A registered stream or centre changes the schema Hydra composes into, so it starts afresh.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import gc
import io
import os
import subprocess
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override
from omegaconf import DictConfig

from sim.cli import tsim as cli
from sim.config import Scenario, load_scenario, schema
from sim.core import registry
from sim.run import guard

if "PYTEST_XDIST_WORKER" in os.environ:
    # pytest-xdist already runs tests on every core: a long run's run.jobs=auto takes
    # one (joblib's core count reads this cap, and subprocesses inherit it), so that
    # runs do not start workers of their own on cores the other tests hold.
    os.environ.setdefault("LOKY_MAX_CPU_COUNT", "1")

GROUPS = frozenset(p.name for p in Path(cli.CONFIG_DIR).iterdir() if p.is_dir()) - {"hydra"}
"""Config groups: an override naming one changes the defaults list, not a value."""


def _registry_key() -> tuple[object, ...]:
    """What the registry holds now: a stream or centre added for a test, or an app's
    section declared by importing the app (``plan`` of tsim-plan), changes the schema
    Hydra composes into, so its configs are composed afresh.
    """
    return (
        *((s.id, s.config) for s in registry.streams()),
        *registry.centres(),
        *schema.sections(),
    )


def scenario(*overrides: str) -> Scenario:
    """The validated scenario ``tsim OVERRIDES`` would run (shared: it is immutable)."""
    if any("/" in o for o in overrides):  # a file (run.initial_backlog) may change on disk
        return load_scenario(_composed("config", overrides))
    return _scenario(_registry_key(), overrides)


def checked_scenario(*overrides: str) -> Scenario:
    """The scenario with the checks ``tsim`` makes before simulating (data files, size)."""
    s = scenario(*overrides)
    guard.check_scenario(s)
    return s


@functools.lru_cache(maxsize=256)
def _scenario(_registry: tuple[object, ...], overrides: tuple[str, ...]) -> Scenario:
    return load_scenario(_composed("config", overrides))


def raw_config(*overrides: str) -> DictConfig:
    """Hydra's composed config for ``tsim OVERRIDES`` (a fresh copy: tests may edit it)."""
    return _composed("config", overrides)


def compose_config(config_name: str, *overrides: str) -> DictConfig:
    """Hydra's composed config ``config_name`` (e.g. ``planner``), a fresh copy."""
    return _composed(config_name, overrides)


def _composed(config_name: str, overrides: tuple[str, ...]) -> DictConfig:
    """A fresh config: the defaults list composed once per choice of groups (cached),
    then the value overrides applied to a copy.
    """
    parsed = OverridesParser.create().parse_overrides(list(overrides))
    values = [o for o in parsed if o.key_or_group not in GROUPS]
    if any(o.package is not None or o.key_or_group.startswith("hydra") for o in values):
        return _hydra_compose(config_name, overrides)  # Hydra's own path for anything unusual
    groups = tuple(o.input_line for o in parsed if o.key_or_group in GROUPS)
    cfg = copy.deepcopy(_defaults(_registry_key(), config_name, groups))
    _apply(values, cfg)
    return cfg


def _apply(values: list[Override], cfg: DictConfig) -> None:
    """What Hydra does with the value overrides once the defaults list is composed."""
    ConfigLoaderImpl._apply_overrides_to_config(values, cfg)


@functools.lru_cache(maxsize=64)
def _defaults(
    _registry: tuple[object, ...], config_name: str, groups: tuple[str, ...]
) -> DictConfig:
    return _hydra_compose(config_name, groups)


def _hydra_compose(config_name: str, overrides: tuple[str, ...]) -> DictConfig:
    with initialize_config_dir(config_dir=cli.CONFIG_DIR, version_base="1.3"):
        return compose(config_name, overrides=list(overrides))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Freeze what collection loaded (modules, Hydra, pandas, the test files): the
    engine's ``gc.collect()`` after each replication then scans only what tests make,
    not these ~170,000 objects each time (about a quarter of a short replication).
    """
    gc.freeze()


@pytest.fixture
def make_scenario():
    return scenario


def tsim_in_process(*args: str) -> subprocess.CompletedProcess[str]:
    """``tsim ARGS`` run in this process (``main([...])``, as ``python -m sim`` calls it):
    its exit status and what it printed. A start-up of its own would cost an interpreter,
    Hydra and pandas (~2 s) for nothing a test of the command's behaviour reads.
    """
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(list(args))
    return subprocess.CompletedProcess(list(args), status, out.getvalue(), err.getvalue())


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def unrendered_figures(monkeypatch):
    """Build every figure but write a placeholder PNG instead of rasterising it: for
    tests of what a report's tables and text say, rendering is most of its time (~5 s of
    7 for two jobs). test_figures and the tests that read a figure render them.
    """
    import matplotlib.pyplot as plt

    from sim.report import plots

    def save(fig, path: Path) -> Path:
        plt.close(fig)
        path.write_bytes(PNG_SIGNATURE)
        return path

    monkeypatch.setattr(plots, "_save", save)


def stream_ids() -> list[str]:
    """Ids of the registered streams (services, enforcement, delegated, grid …)."""
    return [s.id for s in registry.streams()]


def one_line(capsys) -> str:
    """The one line a refused command printed on stderr (fails if it printed more)."""
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


@pytest.fixture
def no_simulation(monkeypatch):
    """Fail the test if anything simulates: these inputs must be refused before."""
    from sim.run import engine

    def refuse(*_a, **_k):
        raise AssertionError("simulated before refusing")

    monkeypatch.setattr(engine, "run", refuse)

"""Checks of the command line that must run before Hydra composes anything.

Hydra reports some mistakes only with a traceback or several lines, because they
happen while it composes the config or prepares the output directory, before the
command (``tsim``, ``tsim-plan`` … through :mod:`sim.cli.common`) gets control: a
malformed YAML file in the config tree or in a ``--config-dir``, an output directory
that is an existing file, and a switch (a true/false key) set to something else.
:func:`check` finds them first and raises one :class:`~sim.core.settings.ConfigError` line
naming the file or key.

Once a scenario is loaded, :func:`sim.run.guard.check_scenario` makes the checks that
need more than the configuration (data files, posts moved, run size, unserved work).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import yaml
from omegaconf import OmegaConf
from omegaconf.errors import ValidationError
from omegaconf.nodes import BooleanNode

from sim.config import schema
from sim.core.settings import ConfigError

DIR_FLAGS = ("--config-dir", "-cd", "--config-path", "-cp")
OUTPUT_KEYS = ("hydra.run.dir", "hydra.sweep.dir")


def check(argv: Sequence[str], primary: Path) -> None:
    """Raise :class:`ConfigError` for the first problem of the command line ``argv``."""
    for given in _flag_values(argv, ("--config-dir", "-cd")):
        if not Path(given).is_dir():
            raise ConfigError(f"--config-dir {given}: no such directory")
    for directory in [primary, *map(Path, _flag_values(argv, DIR_FLAGS))]:
        _check_yaml_tree(directory)
    for arg in argv:
        key, _, value = arg.partition("=")
        if key.lstrip("+~") in OUTPUT_KEYS and value and "${" not in value:
            _check_output_dir(key.lstrip("+~"), Path(value.strip("'\"")))
    _check_switches(argv)


def _check_switches(argv: Sequence[str]) -> None:
    """A key that is a switch in the schema (``policy.rebalancing.enabled``) gets a
    true/false value, in a single run or in each value of a sweep's comma list.
    """
    overrides = [a for a in argv if "=" in a and not a.startswith("-")]
    if not overrides:
        return
    defaults = OmegaConf.structured(schema.scenario_schema())
    for arg in overrides:
        key, _, value = arg.partition("=")
        key = key.lstrip("+~")
        if key.startswith("hydra") or "@" in key or "(" in value or "${" in value:
            continue
        if not isinstance(OmegaConf.select(defaults, key, default=None), bool):
            continue
        for one in value.split(","):
            if not _is_switch_value(one.strip().strip("'\"")):
                raise ConfigError(f"{key} = {one!r}: must be true or false")


def _is_switch_value(text: str) -> bool:
    """A word OmegaConf reads as a boolean (true, false, yes, no, on, off): not a number,
    which it would take for true unless 0 (``enabled=2`` switched a policy on silently).
    """
    try:
        BooleanNode(text)
    except ValidationError:
        return False
    try:
        float(text)
    except ValueError:
        return True
    return False


def _flag_values(argv: Sequence[str], flags: Sequence[str]) -> Iterator[str]:
    for i, arg in enumerate(argv):
        name, eq, value = arg.partition("=")
        if name in flags:
            if eq:
                yield value
            elif i + 1 < len(argv):
                yield argv[i + 1]


def _check_yaml_tree(directory: Path) -> None:
    """Every ``*.yaml`` file under ``directory`` parses (a ``--config-path`` is relative
    to Hydra's search path: a missing one is Hydra's to report).
    """
    if not directory.is_dir():
        return
    for path in sorted(directory.rglob("*.yaml")):
        try:
            yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
            problem = getattr(err, "problem", None) or str(err).splitlines()[0]
            raise ConfigError(f"{path}{where}: malformed YAML ({problem})") from None
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError(f"{path}: cannot be read ({err})") from None


def _check_output_dir(key: str, path: Path) -> None:
    """The output directory, or the first of its parents that exists, is a directory."""
    for candidate in [path, *path.parents]:
        if candidate.exists():
            if not candidate.is_dir():
                raise ConfigError(
                    f"{key} = {str(path)!r}: {str(candidate)!r} is a file, not a "
                    "directory; choose another output directory"
                )
            return

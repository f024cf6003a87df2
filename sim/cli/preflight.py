"""Checks of the command line that must run before Hydra composes anything.

Hydra reports some mistakes only with a traceback or several lines, or not at all,
because they happen while it composes the config or prepares the output directory,
before the command (``tsim``, ``tsim-plan`` … through :mod:`sim.cli.common`) gets
control: a malformed YAML file among the config files the command composes, an output
directory that is an existing file or where no directory can be created (``/proc``), a
switch (a true/false key) set to something else on the command line or in a YAML file,
and ``~section`` deleting a whole section or group (its keys would fall back to the
schema's defaults unnoticed). :func:`check` finds them first and raises one
:class:`~sim.core.settings.ConfigError` line naming the file or key.

Once a scenario is loaded, :func:`sim.run.guard.check_scenario` makes the checks that
need more than the configuration (data files, posts moved, run size, unserved work).
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml
from omegaconf.errors import ValidationError
from omegaconf.nodes import BooleanNode

from sim.config import schema
from sim.core.settings import ConfigError

DIR_FLAGS = ("--config-dir", "-cd", "--config-path", "-cp")
OUTPUT_KEYS = ("hydra.run.dir", "hydra.sweep.dir")

Choices = dict[str, set[str]]
"""A config group (``county``, ``hydra/help``) → the options a command composes of it."""


def check(argv: Sequence[str], primary: Path) -> None:
    """Raise :class:`ConfigError` for the first problem of the command line ``argv``."""
    for given in _flag_values(argv, ("--config-dir", "-cd")):
        if not Path(given).is_dir():
            raise ConfigError(f"--config-dir {given}: no such directory")
    trees = [d for d in [primary, *map(Path, _flag_values(argv, DIR_FLAGS))] if d.is_dir()]
    switches = _switches()
    for path in _composed_files(trees, argv):
        _check_yaml_file(path, trees, switches)
    for arg in argv:
        key, _, value = arg.partition("=")
        if key.lstrip("+~") in OUTPUT_KEYS and value and "${" not in value:
            _check_output_dir(key.lstrip("+~"), Path(value.strip("'\"")))
    _check_deletions(argv, trees)
    _check_switches(argv)


def _check_deletions(argv: Sequence[str], trees: Sequence[Path]) -> None:
    """``~run`` or ``~policy`` would delete a whole section or group, and the run
    would go on with the schema's defaults in its place (the user's ``run.*`` overrides
    and the group's file ignored, without a word): refused.
    """
    sections = {f.name for f in dataclasses.fields(schema.scenario_schema())}
    groups = {d.name for t in trees for d in t.iterdir() if d.is_dir()} - {"hydra"}
    for arg in argv:
        if not arg.startswith("~"):
            continue
        name = arg[1:].partition("=")[0]
        if name in groups:
            options = sorted({f.stem for t in trees for f in (t / name).glob("*.yaml")})
            raise ConfigError(
                f"{arg}: cannot delete the {name} group (the run would go on without it, "
                f"on the schema's defaults); choose an option instead: {name}=NAME "
                f"(options: {', '.join(options)})"
            )
        if name in sections:
            raise ConfigError(
                f"{arg}: cannot delete the {name} section (the run would go on with the "
                f"schema's defaults in its place); set its keys instead, {name}.KEY=VALUE"
            )


def _check_switches(argv: Sequence[str]) -> None:
    """A key that is a switch in the schema (``policy.rebalancing.enabled``) gets a
    true/false value, in a single run or in each value of a sweep's comma list.
    """
    overrides = [a for a in argv if "=" in a and not a.startswith("-")]
    if not overrides:
        return
    switches = _switches()
    for arg in overrides:
        key, _, value = arg.partition("=")
        key = key.lstrip("+~")
        if key.startswith("hydra") or "@" in key or "(" in value or "${" in value:
            continue
        if key not in switches:
            continue
        for one in value.split(","):
            if not _is_switch_value(one.strip().strip("'\"")):
                raise ConfigError(f"{key} = {one!r}: must be true or false")


_SWITCHES: dict[type, frozenset[str]] = {}
"""Schema → its true/false keys (a stream registered later makes another schema)."""


def _switches() -> frozenset[str]:
    """The dotted keys of the scenario schema's true/false keys
    (``policy.rebalancing.enabled``), read from its default instance: the schema's
    OmegaConf tree would tell the same but costs ~0.1 s to build, and every command
    checks its command line before it answers.
    """
    cls = schema.scenario_schema()
    if cls not in _SWITCHES:
        _SWITCHES[cls] = frozenset(_true_false_leaves(cls(), ""))
    return _SWITCHES[cls]


def _true_false_leaves(value: object, prefix: str) -> Iterator[str]:
    """Dotted key of every true/false leaf of ``value`` (dataclasses, mappings and
    lists entered, as OmegaConf enters them).
    """
    if dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from _true_false_leaves(getattr(value, f.name), f"{prefix}{f.name}.")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _true_false_leaves(item, f"{prefix}{key}.")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _true_false_leaves(item, f"{prefix}{i}.")
    elif isinstance(value, bool):
        yield prefix.removesuffix(".")


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


def _composed_files(trees: Sequence[Path], argv: Sequence[str]) -> list[Path]:
    """The YAML files of ``trees`` the command may compose: every file at a tree's top
    (the primary configs), and of each group the options chosen on the command line or
    by those files' defaults lists, with the siblings these name in their own defaults;
    every option of a group whose choice is not known here. A malformed file of an
    option not chosen (another plan in a ``--config-dir``) is not in the way.
    """
    top = sorted(f for t in trees for f in t.glob("*.yaml"))
    for path in top:  # a malformed primary config is reported before its defaults are read
        _load(path)
    choices = _default_choices(top)
    choices.update(_argv_choices(argv))
    files = list(top)
    for tree in trees:
        for path in sorted(tree.rglob("*.yaml")):
            group = path.parent.relative_to(tree).as_posix()
            if group != "." and (group not in choices or path.stem in choices[group]):
                files += [path, *_sibling_defaults(path)]
    return list(dict.fromkeys(files))


def _default_choices(primary: Sequence[Path]) -> Choices:
    """Group → options, from the defaults lists of the primary configs."""
    choices: Choices = {}
    for path in primary:
        for group, option in _defaults_of(_load(path)):
            if not group.startswith("/") and option not in ("???", None):
                choices.setdefault(group, set()).add(str(option))
    return choices


def _argv_choices(argv: Sequence[str]) -> Choices:
    """Group → options chosen on the command line (``plan=small``, ``county=a,b``); a
    sweep function (``glob(…)``) leaves the group's choice open.
    """
    choices: Choices = {}
    for arg in argv:
        key, eq, value = arg.partition("=")
        key = key.lstrip("+")
        if not eq or "." in key or key.startswith(("-", "~")) or "(" in value:
            continue
        choices[key.partition("@")[0]] = {v.strip().strip("'\"") for v in value.split(",")}
    return choices


def _defaults_of(config: Any) -> Iterator[tuple[str, object]]:
    """``(group, option)`` of each ``group: option`` entry of a config's defaults list
    (``override hydra/help: tsim`` → ``hydra/help``); a plain name is ``("", name)``.
    """
    entries = config.get("defaults") if isinstance(config, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, str):
            yield "", entry
        elif isinstance(entry, dict):
            for key, option in entry.items():
                group = re.sub(r"^(override|optional)\s+", "", str(key)).partition("@")[0]
                yield group, option


def _sibling_defaults(path: Path) -> list[Path]:
    """The options of its own group a group's file names in its defaults list
    (``defaults: [pre_reform, _self_]``), and theirs.
    """
    found: list[Path] = []
    todo = [path]
    while todo:
        for group, name in _defaults_of(_load(todo.pop())):
            sibling = path.parent / (f"{group}/{name}.yaml" if group else f"{name}.yaml")
            if group.startswith("/") or name == "_self_" or sibling in found:
                continue
            if sibling.is_file():
                found.append(sibling)
                todo.append(sibling)
    return found


def _load(path: Path) -> Any:
    """The YAML of ``path``, or one line naming the file, line and column."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ConfigError(f"{path}{where}: malformed YAML ({problem})") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot be read ({err})") from None


def _check_yaml_file(path: Path, trees: Sequence[Path], switches: frozenset[str]) -> None:
    """``path`` parses, and sets no switch of the scenario to a number: Hydra would
    convert ``integrated: 2`` to true while composing, so the file's mistake would go
    unseen.
    """
    config = _load(path)
    if not isinstance(config, dict):
        return
    prefix = _package(path, trees)
    if prefix is None:
        return
    for key, value in _leaves(config, prefix):
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if number and key in switches:
            raise ConfigError(f"{path}: {key} = {value!r}: must be true or false")


def _package(path: Path, trees: Sequence[Path]) -> str | None:
    """Where the keys of ``path`` land in the composed config: its ``# @package``
    header, else its group (``policy/x.yaml`` → ``policy.``); None for Hydra's own.
    """
    first = path.read_text(encoding="utf-8").lstrip().partition("\n")[0]
    header = re.fullmatch(r"#\s*@package\s+(\S+)\s*", first)
    tree = next(t for t in trees if path.is_relative_to(t))
    group = path.parent.relative_to(tree).as_posix()
    package = header.group(1) if header else ("_group_" if group != "." else "_global_")
    if package == "_group_":
        package = group.replace("/", ".")
    if package == "_global_":
        package = ""
    if package.split(".")[0] == "hydra":
        return None
    return f"{package}." if package else ""


def _leaves(config: dict[Any, Any], prefix: str) -> Iterator[tuple[str, Any]]:
    """Dotted key and value of every leaf of a mapping (lists not entered)."""
    for key, value in config.items():
        if key in ("defaults", "hydra") and not prefix:
            continue
        if isinstance(value, dict):
            yield from _leaves(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _check_output_dir(key: str, path: Path) -> None:
    """The output directory, or the first of its parents that exists, is a directory
    in which a directory can be created (not so in ``/proc``, or on a read-only disk).
    """
    for candidate in [path, *path.parents]:
        if candidate.exists():
            if not candidate.is_dir():
                raise ConfigError(
                    f"{key} = {str(path)!r}: {str(candidate)!r} is a file, not a "
                    "directory; choose another output directory"
                )
            _try_mkdir(key, path, candidate)
            return


def _try_mkdir(key: str, path: Path, parent: Path) -> None:
    """Create and remove a directory in ``parent``, where Hydra will create ``path``'s."""
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".tsim-probe-", dir=parent))
    except OSError as err:
        raise ConfigError(
            f"{key} = {str(path)!r}: cannot create a directory in {str(parent)!r} "
            f"({err.strerror or err}); choose another output directory"
        ) from None

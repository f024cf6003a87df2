"""What the six commands share: composing a scenario, pre-flight checks, errors, help.

``tsim``, ``tsim-report``, ``tsim-plan``, ``tsim-size``, ``tsim-calibrate`` and
``tsim-sensitivity`` each define a ``main(argv=None)`` that hands its work to
:func:`run_cli`, so every command

* reports bad input as one line ``<prog>: configuration error: <what>`` on standard
  error with exit status 2, never a traceback (130 after Ctrl-C);
* ends quietly when its reader goes away (``tsim --help | head -1``);
* runs the pre-flight checks of :mod:`sim.cli.preflight` on its overrides before Hydra
  composes anything (:func:`compose`, :func:`run_hydra`);
* prints help without Sphinx markup (:func:`plain`).

The Hydra-based commands get their arguments as a list, not through ``sys.argv``:
:func:`run_hydra` gives Hydra the list and the task its extra inputs by closure.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import difflib
import errno
import functools
import importlib.util
import itertools
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from omegaconf import DictConfig, OmegaConf

# Every command composes the same tree, +validation=mmc included: its section, mmc.*
from sim.cli import mmc as _mmc  # noqa: F401
from sim.cli import preflight
from sim.config.location import config_dir
from sim.core.settings import ConfigError

if TYPE_CHECKING:
    from sim.config import Scenario

CONFIG_DIR = str(config_dir())  # the wheel's copy of configs/, or the checkout's

EXIT_CONFIG = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell tool cut off by its reader returns

Task = Callable[[DictConfig], None]
Check = Callable[[DictConfig], object]  # raises ConfigError on a configuration to refuse


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one :class:`ConfigError` line (status
    2 through :func:`run_cli`), not argparse's usage block.
    """

    def error(self, message: str) -> NoReturn:
        """Raise ``message`` as a configuration error (an unknown flag: with the flags
        the command accepts).
        """
        if message.startswith(UNRECOGNIZED):
            flag_error(self, (), message)
        raise ConfigError(f"{message} ({self.prog} --help lists the options)")


def plain(text: str) -> str:
    """``text`` (a docstring) without Sphinx markup, for ``--help``:
    ``:func:`~sim.x.f``` → ``f``, ``:mod:`sim.x``` → ``sim.x``, double backticks → none.
    """

    def role(m: re.Match[str]) -> str:
        target = m.group(2)
        return target.rsplit(".", 1)[-1] if m.group(1) else target

    text = re.sub(r":[a-z]+:`(~?)([^`]+)`", role, text)
    return re.sub(r"``([^`]+)``", r"\1", text)


def module_doc(name: str) -> str:
    """The docstring of module ``name``, read from its source without importing it: a
    command's help quotes modules (the planner) whose imports load SimPy and pandas.
    """
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return ""
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    return ast.get_docstring(tree, clean=False) or ""


def check_overrides(argv: Sequence[str]) -> None:
    """The pre-flight checks of :mod:`sim.cli.preflight` (config tree, output directory,
    switches), raising one :class:`ConfigError` line.
    """
    preflight.check(list(argv), Path(CONFIG_DIR))


def compose(overrides: Sequence[str], config_name: str = "config") -> DictConfig:
    """The config ``tsim`` would compose from ``overrides`` (one line on bad input)."""
    check_overrides(overrides)
    return _compose(overrides, config_name)


def _compose(overrides: Sequence[str], config_name: str) -> DictConfig:
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    try:
        with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
            return hydra_compose(config_name, overrides=list(overrides))
    except Exception as exc:
        raise ConfigError(_one_line(exc)) from None


def _one_line(exc: Exception) -> str:
    """Hydra's message in one line: its first line, with the options (and the closest
    one) or the hint it lists after it, the reason a value does not fit its key, or the
    override it cannot read.
    """
    from hydra.errors import OverrideParseException

    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    first, rest = lines[0], lines[1:]
    if isinstance(exc, OverrideParseException):
        return f"{exc.override!r}: not an override key=value ({first})"
    merging = re.fullmatch(r"Error merging override (.*)", first)
    if merging and exc.__cause__ is not None:
        return f"{merging.group(1)}: {_type_error(exc.__cause__)}"
    composing = re.fullmatch(r"In '([^']+)': \w+ raised while composing config:", first)
    if composing and rest:  # a config file's value of the wrong type: the file, the key
        key = next((r.split(":", 1)[1].strip() for r in rest if r.startswith("full_key:")), "")
        return f"{composing.group(1)}.yaml: {key}: {_type_error(ValueError(rest[0]))}"
    if rest and rest[0].startswith("Available options"):
        options = list(itertools.takewhile(lambda o: not o.endswith(":"), rest[1:]))
        return f"{first}{_closest(first, options)} (options: {', '.join(options)})"
    if rest and rest[0].startswith("To append"):
        return f"{first}{_closest_key(first)} {rest[0]}"
    if first.startswith("Ambiguous value"):
        return f"{first}: a sweep needs -m, a list is key=[a,b], a string key='a,b'"
    return first


TYPE_ERRORS = (  # OmegaConf's words for a value of the wrong type → what the key takes
    (r"could not be converted to Integer", "must be a whole number"),
    (r"could not be converted to Float", "must be a number"),
    (r"could not be converted to Boolean", "must be true or false"),
    (r"is not a ListConfig, list or tuple", "must be a list, e.g. key=[a,b]"),
    (r"is not a subclass of", "must be a mapping, e.g. key={a: 1}"),
)


def _type_error(cause: BaseException) -> str:
    """OmegaConf's reason, first line, in the words of the key's type."""
    reason = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    for pattern, meaning in TYPE_ERRORS:
        if re.search(pattern, reason):
            return f"{meaning} ({reason})"
    return reason


def _closest_key(message: str) -> str:
    """`` Did you mean run.seed?`` for ``Could not override 'run.sed'``, when a key of
    the scenario's schema at that level is close.
    """
    from sim.config import schema

    found = re.search(r"Could not override '([^']+)'", message)
    if not found:
        return ""
    parent, _, name = found.group(1).rpartition(".")
    tree = OmegaConf.structured(schema.scenario_schema())
    node = OmegaConf.select(tree, parent, default=None) if parent else tree
    if not isinstance(node, DictConfig):
        return ""
    close = difflib.get_close_matches(name, [str(k) for k in node], n=1)
    return f" Did you mean {parent + '.' if parent else ''}{close[0]}?" if close else ""


def _closest(message: str, options: list[str]) -> str:
    """``; did you mean group=option?`` for ``Could not find 'group/name'``, when an
    option is close to the name.
    """
    found = re.search(r"Could not find '([^']+)/([^'/]+)'", message)
    if not found:
        return ""
    close = difflib.get_close_matches(found.group(2), options, n=1, cutoff=0.6)
    return f"; did you mean {found.group(1)}={close[0]}?" if close else ""


def first_job(overrides: Sequence[str]) -> list[str]:
    """``overrides`` of a sweep with each swept key (``a=x,y``, ``range(…)``) at its
    first value: the first job, which a composition check can try (a ``glob`` sweep is
    left out).
    """
    job = []
    for o in _parse(overrides):
        values = _sweep_values(o)
        if values:
            job.append(values[0])
        elif not o.is_sweep_override():
            job.append(o.input_line or "")
    return job


def sweep_jobs(overrides: Sequence[str]) -> list[list[str]] | None:
    """Every job of a sweep as the basic sweeper lists them: the cartesian product of
    the swept keys' values, the first key varying slowest, a repeated key where it first
    appears with its last value; None when a sweep cannot be listed without Hydra's
    config loader (``glob(…)``, the Optuna sweeper's ``interval(…)``).
    """
    keys: dict[str, list[str]] = {}
    for o in _parse(overrides):
        if not o.is_sweep_override():
            keys[o.get_key_element()] = [o.input_line or ""]
            continue
        values = _sweep_values(o)
        if not values:
            return None
        keys[o.get_key_element()] = values
    return [list(job) for job in itertools.product(*keys.values())]


def _parse(overrides: Sequence[str]) -> list[Any]:
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    try:
        return OverridesParser.create().parse_overrides(list(overrides))
    except HydraException as exc:
        raise ConfigError(_one_line(exc)) from None


def _sweep_values(o: Any) -> list[str]:
    """The overrides a swept key expands to (``a=x,y`` → ``a=x``, ``a=y``); none for a
    key that is not swept or a sweep only Hydra's config loader can list (``glob``).
    """
    from hydra.errors import HydraException

    if not o.is_sweep_override():
        return []
    try:
        values = list(o.sweep_string_iterator())
    except HydraException:
        return []
    if not values:
        raise ConfigError(f"{o.input_line}: the sweep has no value")
    return [f"{o.get_key_element()}={v}" for v in values]


def compose_scenario(overrides: Sequence[str]) -> Scenario:
    """The validated :class:`~sim.config.Scenario` of ``overrides`` (one line on bad input)."""
    from sim.config import load_scenario

    return load_scenario(compose(overrides))


def one_line_errors(prog: str) -> Callable[[Task], Task]:
    """Decorate a Hydra task so that a :class:`ConfigError` it raises, or an output it
    cannot write (:func:`unwritable_one_line`), ends the command with one line and
    status 2 (Hydra itself would print it as a failure, status 1).
    """

    def decorate(task: Task) -> Task:
        @functools.wraps(task)  # Hydra names the job after the wrapped task's module
        def wrapped(cfg: DictConfig) -> None:
            try:
                task(cfg)
            except ConfigError as err:
                print(f"{prog}: configuration error: {err}", file=sys.stderr)
                sys.exit(EXIT_CONFIG)

        return unwritable_one_line(prog)(wrapped)

    return decorate


def unwritable_one_line(prog: str) -> Callable[[Task], Task]:
    """Decorate a Hydra task so that an output it cannot write ends the command with
    :func:`cannot_write`'s line and status 2: raised through Hydra, it would add
    Hydra's "Error executing job" line, and in a sweep go on to fail every other job.
    """

    def decorate(task: Task) -> Task:
        @functools.wraps(task)
        def wrapped(cfg: DictConfig) -> None:
            try:
                task(cfg)
            except OSError as err:
                if (line := cannot_write(prog, err)) is None:
                    raise
                print(line, file=sys.stderr)
                sys.exit(EXIT_CONFIG)

        return wrapped

    return decorate


def run_hydra(
    prog: str,
    task: Task,
    argv: Sequence[str],
    config_name: str = "config",
    check: Check | None = None,
    own_flags: Sequence[str] = (),
) -> None:
    """Run ``task`` as a Hydra application over the arguments ``argv`` (what
    ``@hydra.main`` does with ``sys.argv``), after the pre-flight checks and a trial
    composition (Hydra would report a bad override in several lines, status 1): of the
    run, or of every job of a sweep, each also passed to ``check`` — so a sweep stops
    before its first job, and a run or sweep before it writes anything, when any job
    would fail. An unknown flag is one line naming it and the accepted ones (Hydra's
    and the command's ``own_flags``, read before), not Hydra's usage block.

    Hydra has no public entry point taking an argument list; this calls the one
    ``@hydra.main`` calls (hydra-core is pinned below 1.4).
    """
    from hydra import version
    from hydra._internal.utils import _run_hydra, get_args_parser

    check_overrides(argv)
    version.setbase("1.3")
    parser = get_args_parser()
    parser.prog = prog
    parser.error = functools.partial(flag_error, parser, own_flags)  # type: ignore[method-assign]
    args = parser.parse_intermixed_args(list(argv))  # overrides before and after -m
    if not _hydra_reports(args):
        if args.multirun:
            check_sweep(args.overrides, config_name, check)
        else:  # checked here too, so that a refused run leaves no run directory behind
            cfg = _compose(args.overrides, config_name)
            if check is not None and not args.cfg:  # --cfg shows even a config to refuse
                check(cfg)
    listing = _groups_listed_once() if args.help or args.hydra_help else contextlib.nullcontext()
    with _hydra_raises(), listing:
        _run_hydra(
            args=args,
            args_parser=parser,
            task_function=task,
            config_path=CONFIG_DIR,
            config_name=config_name,
        )


UNRECOGNIZED = "unrecognized arguments: "  # argparse's words for an unknown flag


def flag_error(parser: argparse.ArgumentParser, own: Sequence[str], message: str) -> NoReturn:
    """An argument error as one line: the unknown flags (argparse lists the overrides
    after one too) and the flags the command accepts, ``own`` ones (read before) first.
    """
    accepted = [
        *own,
        *(max(a.option_strings, key=len) for a in parser._actions if a.option_strings),
    ]
    given = message.removeprefix(UNRECOGNIZED)
    flags = [a for a in given.split() if a.startswith("-")] if given != message else []
    what = f"unknown option {' '.join(flags)}" if flags else message
    raise ConfigError(f"{what} (accepted: {', '.join(accepted)}; {parser.prog} --help explains)")


@contextlib.contextmanager
def _hydra_raises() -> Iterator[None]:
    """Let what fails inside Hydra (creating the output directory, a job's error)
    reach :func:`run_cli` as the exception, not as Hydra's printout and status 1: an
    output that cannot be written becomes one line, a configuration error Hydra finds
    (a tree of ``--config-dir``, not composed beforehand) one line too.
    """
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    before = os.environ.get("HYDRA_FULL_ERROR")
    os.environ["HYDRA_FULL_ERROR"] = "1"  # Hydra's switch to re-raise instead of print
    try:
        yield
    except (HydraException, OmegaConfBaseException) as exc:
        raise ConfigError(_one_line(exc)) from None
    finally:
        if before is None:
            del os.environ["HYDRA_FULL_ERROR"]
        else:
            os.environ["HYDRA_FULL_ERROR"] = before


@contextlib.contextmanager
def _groups_listed_once() -> Iterator[None]:
    """Let Hydra's help list the config groups from one copy of its config repository.

    Its help lists the groups and their options with some 70 calls of
    ``ConfigLoaderImpl.get_group_options``, each deep-copying the whole repository (the
    scenario's schema included): about 2 s of ``tsim --help``. Within one help the
    repository does not change, so one copy per loader (and per ``config_name`` and
    overrides asked) answers every call with the same lists.
    """
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra.core.object_type import ObjectType

    per_call = ConfigLoaderImpl.get_group_options
    copies: dict[tuple[int, str | None, tuple[str, ...]], Any] = {}

    def get_group_options(
        self: ConfigLoaderImpl,
        group_name: str,
        results_filter: ObjectType | None = ObjectType.CONFIG,
        config_name: str | None = None,
        overrides: list[str] | None = None,
    ) -> list[str]:
        key = (id(self), config_name, tuple(overrides or ()))
        if key not in copies:
            made = self._parse_overrides_and_create_caching_repo(config_name, list(key[2]))
            copies[key] = made[1]
        return list(copies[key].get_group_options(group_name, results_filter))

    ConfigLoaderImpl.get_group_options = get_group_options  # type: ignore[method-assign]
    try:
        yield
    finally:
        ConfigLoaderImpl.get_group_options = per_call  # type: ignore[method-assign]


def check_sweep(overrides: Sequence[str], config_name: str, check: Check | None) -> None:
    """Compose every job of the sweep ``overrides`` and pass it to ``check``; raise one
    :class:`ConfigError` line naming the first job that fails and why.

    One Hydra composition (~0.2 s) per choice of config groups, then each job's values
    applied to a copy, plus what ``check`` takes (tsim's ``load_scenario`` and run-size
    check): measured ~0.12 s a job, so a 200-job sweep spends ~25 s here — small next to
    simulating it, so every job is checked, however many.
    """
    jobs = sweep_jobs(overrides)
    if jobs is None:  # glob(…): only Hydra lists the jobs; try the first, as Hydra would
        _compose(first_job(overrides), config_name)
        return
    fixed = set(jobs[0]).intersection(*jobs)
    compose_job = _job_composer(config_name)
    for n, job in enumerate(jobs, 1):
        try:
            cfg = compose_job(job)
            if check is not None:
                check(cfg)
        except ConfigError as err:
            swept = " ".join(o for o in job if o not in fixed)
            label = f"sweep job {n}/{len(jobs)}" + (f" ({swept})" if swept else "")
            raise ConfigError(f"{label}: {err}") from None


def _job_composer(config_name: str) -> Callable[[list[str]], DictConfig]:
    """Compose a job as Hydra does, composing the defaults list once per choice of
    config groups (and ``hydra.*`` and ``@package`` overrides, left to Hydra) and
    applying the job's value overrides to a copy, as Hydra applies them after the
    defaults list.
    """
    from hydra._internal.config_loader_impl import ConfigLoaderImpl

    groups = {d.name for d in Path(CONFIG_DIR).iterdir() if d.is_dir()}
    bases: dict[tuple[str, ...], DictConfig] = {}

    def compose_job(job: list[str]) -> DictConfig:
        parsed = _parse(job)
        by_hydra = [
            o.key_or_group.split("/")[0] in groups
            or o.key_or_group.startswith("hydra")
            or o.package is not None
            for o in parsed
        ]
        base = tuple(o.input_line or "" for o, h in zip(parsed, by_hydra, strict=True) if h)
        if base not in bases:
            bases[base] = _compose(base, config_name)
        cfg = copy.deepcopy(bases[base])
        values = [o for o, h in zip(parsed, by_hydra, strict=True) if not h]
        try:
            ConfigLoaderImpl._apply_overrides_to_config(values, cfg)
        except Exception as exc:
            raise ConfigError(_one_line(exc)) from None
        return cfg

    return compose_job


def _hydra_reports(args: Any) -> bool:
    """Hydra prints help or information, or composes from another config tree: leave
    the composition to it.
    """
    own_tree = args.config_dir or args.config_path or args.config_name
    return bool(own_tree or args.help or args.hydra_help or args.info or args.shell_completion)


def run_cli(
    prog: str,
    command: Callable[[list[str]], int | None],
    argv: Sequence[str] | None = None,
    interrupted: str = "interrupted",
) -> int:
    """Run ``command(args)`` (``args``: ``argv``, by default the command line) and
    return its exit status: a :class:`ConfigError` as one line and 2, Ctrl-C as one
    line (``interrupted``) and 130, a reader that closed the pipe as silence and 141.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        try:
            status = command(args) or 0
        except SystemExit as done:  # Hydra ends its help and tasks with sys.exit
            status = _status(done.code)
        sys.stdout.flush()  # inside the try: a closed pipe shows here, not at exit
    except ConfigError as err:
        print(f"{prog}: configuration error: {err}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        print(f"{prog}: {interrupted}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as err:
        if (line := cannot_write(prog, err)) is None:
            raise
        print(line, file=sys.stderr)
        return EXIT_CONFIG
    return status


# A destination that cannot take the output: read-only, full, not ours, not a directory
WRITE_ERRORS = {
    errno.EROFS,
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EACCES,
    errno.EPERM,
    errno.EISDIR,
    errno.ENOTDIR,
    errno.EEXIST,  # a directory to create where a file is
}


def cannot_write(prog: str, err: OSError) -> str | None:
    """``<prog>: cannot write <path>: <why>`` for an output that cannot be written (the
    file meant, not :func:`~sim.run.results.atomic_write`'s temporary name); None for
    another OSError, which is a fault to show in full.
    """
    path = str(err.filename2 or err.filename or "the output")  # a rename's target first
    temporary = re.search(r"(^|/)\.([^/]+)\.tmp-\d+$", path)
    # No such file for atomic_write's temporary name: its directory takes no new file
    # (/proc, a directory removed meanwhile); for any other file it is a missing input.
    if err.errno not in WRITE_ERRORS and not (err.errno == errno.ENOENT and temporary):
        return None
    path = re.sub(r"(^|/)\.([^/]+)\.tmp-\d+$", r"\1\2", path)
    return f"{prog}: cannot write {path}: {err.strerror or err}"


def _status(code: object) -> int:
    """The exit status ``sys.exit(code)`` means (a message is printed, status 1)."""
    if code is None or isinstance(code, int):
        return code or 0
    print(code, file=sys.stderr)
    return 1


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that Python's flush at exit does not
    report the closed pipe a second time.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (captured in tests)
        pass

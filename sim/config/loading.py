"""From a composed Hydra config to a validated, immutable :class:`Scenario`.

:func:`load_scenario` reports a required value left ``???`` before anything else (Hydra
would only notice when the code reads it), turns interpolation and type errors into
one line, validates, and seals the result. :func:`config_hash` identifies everything
that changes results — the configuration, the contents of its input files and the
simulator's own code — so that a finished run is recognised when a sweep resumes, and
one made by other code or from an edited input file is not.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import ConfigKeyError

from sim.config import schema
from sim.config.validation import check_ranges, validate
from sim.core.settings import ConfigError, no_such_file, seal


def load_scenario(cfg: DictConfig | dict[str, Any]) -> schema.Scenario:
    """Composed Hydra config → validated, sealed scenario (or :class:`ConfigError`)."""
    if not isinstance(cfg, DictConfig):
        cfg = OmegaConf.create(cfg)
    try:
        missing = sorted(OmegaConf.missing_keys(cfg))
    except Exception as exc:  # it resolves interpolations: `run.seed='${oops}'` fails here
        raise ConfigError(_one_line(exc)) from None
    if missing:
        raise ConfigError(
            f"{missing[0]} = ???: a value is required "
            f"(set it on the command line, e.g. {missing[0]}=…)"
        )
    # Plain values: the schema classes of the composing process need not be the ones
    # here (a worker process, or a stream registered since). Resolved before the apps'
    # sections leave: the scenario's keys may refer to them (``${mmc.servers}``).
    plain = OmegaConf.to_container(cfg, resolve=False)
    assert isinstance(plain, dict)
    plain.pop("hydra", None)
    try:
        values = OmegaConf.create(plain)
        OmegaConf.resolve(values)
        for name in schema.sections():
            if values.pop(name, None) is not None:
                load_section(cfg, name)  # its ranges, before anything runs
        merged = OmegaConf.merge(_template(schema.scenario_schema()), values)
        scenario = OmegaConf.to_object(merged)
    except ConfigError:
        raise
    except Exception as exc:  # interpolation or type errors, e.g. a bad resolver argument
        raise ConfigError(_one_line(exc)) from None
    assert isinstance(scenario, schema.Scenario)
    return seal(validate(scenario))


def _template(cls: type[schema.Scenario]) -> DictConfig:
    """The schema as an OmegaConf node, built once per schema class: building it from
    the dataclasses is over a third of loading a scenario, and ``OmegaConf.merge``
    copies its first argument, so the one built stays as it was. The copy detaches
    each child from its parent for a moment; copies made at once in threads still come
    out whole, as each copy's children take the copy as their parent.
    """
    if cls not in _TEMPLATES:
        _TEMPLATES[cls] = OmegaConf.structured(cls)
    return _TEMPLATES[cls]


_TEMPLATES: dict[type[schema.Scenario], DictConfig] = {}


def load_section(cfg: DictConfig, name: str) -> Any:
    """An app's section of the composed config (:func:`schema.add_section`), its ranges
    checked (or :class:`ConfigError`).
    """
    node = cfg.get(name)
    if node is None:
        raise ConfigError(f"{name}: not set")
    try:
        plain = OmegaConf.to_container(node, resolve=True)
        section = OmegaConf.to_object(
            OmegaConf.merge(OmegaConf.structured(schema.sections()[name]), plain)
        )
    except Exception as exc:
        raise ConfigError(_one_line(exc, prefix=f"{name}.")) from None
    check_ranges(section, name)
    return section


def _one_line(exc: Exception, prefix: str = "") -> str:
    """OmegaConf's error as one line that starts with the full key at fault (below
    ``prefix``, for an app's section).
    """
    first = str(exc).splitlines()[0]
    key = getattr(exc, "full_key", None)
    if not key:
        return first
    key = prefix + key
    if isinstance(exc, ConfigKeyError):  # a `+key=…` typo: Hydra adds, the schema refuses
        return f"{key}: unknown key ({first})"
    return f"{key}: {first}"


def replace(obj: Any, **changes: Any) -> Any:
    """``dataclasses.replace`` for sealed settings: the copy is sealed too."""
    return seal(dataclasses.replace(obj, **changes))


def scenario_dict(s: schema.Scenario) -> dict[str, Any]:
    """The scenario as plain nested dicts (for hashing and records)."""
    return dataclasses.asdict(s)


RESULT_NEUTRAL = (
    "replications",
    "precision",
    "min_replications",
    "max_replications",
    "precision_kpis",
    "label",
    "jobs",
    "max_items",
    "max_items_per_replication",
)
"""Keys of ``run`` that do not change what a replication yields: how many replications,
a label, how many processes simulate them and size limits (a run records its
replication rule beside the hash)."""


INPUT_FILES = ("initial_backlog",)
"""Keys of ``run`` that name a data file the simulation reads."""


def config_hash(s: schema.Scenario) -> str:
    """Stable hash of everything that changes results (replication count and size limits
    excluded), the simulator's code and the contents of its input files included.

    An input file counts by its contents, not its path: editing the backlog CSV in place
    makes another configuration (a resumed sweep simulates again), while the same file
    under another name is the same one. A scenario without input files hashes as before.
    """
    d = scenario_dict(s)
    d["run"] = {k: v for k, v in d["run"].items() if k not in RESULT_NEUTRAL}
    for key in INPUT_FILES:
        if d["run"].get(key):
            d["run"][key] = {"sha256": file_digest(d["run"][key])}
    d["code"] = code_fingerprint()
    blob = json.dumps(d, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


@functools.cache
def code_fingerprint() -> str:
    """Hash of the ``sim`` package's source: after an upgrade or an edit, a resumed
    sweep (or the planner's cache) simulates again rather than reuse older results.
    """
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _register_resolvers() -> None:
    """Arithmetic used by presets (e.g. the M/M/c reduction turns λ per hour into a
    daily rate): ``${tsim.mul:a,b}`` and ``${tsim.div:a,b}``.
    """
    if not OmegaConf.has_resolver("tsim.mul"):
        OmegaConf.register_new_resolver("tsim.mul", lambda a, b: float(a) * float(b))
    if not OmegaConf.has_resolver("tsim.div"):
        OmegaConf.register_new_resolver("tsim.div", lambda a, b: float(a) / float(b))


_register_resolvers()


def file_digest(path: str | Path) -> str:
    """SHA-256 of a data file's bytes: what a configuration hash records of the file, so
    that the same path with other contents is another configuration (one line naming
    the file when it cannot be read). Only the bytes: reading the file is for the checks
    before a run.
    """
    file = Path(path)
    digest = hashlib.sha256()
    try:
        with file.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    except FileNotFoundError:
        raise ConfigError(no_such_file(file)) from None
    except OSError as err:
        raise ConfigError(f"{file}: cannot be read ({err.strerror or err})") from None
    return digest.hexdigest()

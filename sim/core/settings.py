"""Building blocks of the configuration schema: fields with ranges, durations, sealing.

Every config dataclass derives from :class:`Settings` and declares its fields with
:func:`knob` (a default and its allowed range, checked by :mod:`sim.config.validation`),
so the schema and its validation cannot drift apart. Hydra composes into these classes
while they are mutable; once a scenario is validated, :func:`seal` makes the whole tree
immutable (dicts become :class:`FrozenDict`, lists tuples), so no part of the model can
change the scenario it was given.

This module imports nothing of the model or of SimPy: stream declarations
(:mod:`sim.streams`) build their workload settings from it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

INF = math.inf

MAX_SCALE = 10.0
"""Largest combined demand scale (global × per stream), checked by validation: the
thinning of :mod:`sim.model.demand` draws extra candidates at ``MAX_SCALE − 1`` times the base
rate, so the bound also bounds the work per source."""


class Settings:
    """Base of every config dataclass: mutable while Hydra composes, sealed after."""

    def __setattr__(self, name: str, value: Any) -> None:
        if self.__dict__.get("_sealed"):
            raise dataclasses.FrozenInstanceError(
                f"cannot set {type(self).__name__}.{name}: a validated scenario is immutable "
                "(use dataclasses.replace)"
            )
        object.__setattr__(self, name, value)


class FrozenDict(dict[Any, Any]):
    """A dict that refuses changes (the mappings of a sealed scenario)."""

    def _refuse(self, *_args: Any, **_kwargs: Any) -> NoReturn:
        raise TypeError("a validated scenario is immutable")

    __setitem__ = __delitem__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))

    def __or__(self, other: Any) -> dict[Any, Any]:
        return {**self, **other}


def seal(obj: Any) -> Any:
    """Make a validated settings tree immutable, in place where possible; returns it."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            object.__setattr__(obj, f.name, seal(getattr(obj, f.name)))
        if isinstance(obj, Settings):
            object.__setattr__(obj, "_sealed", True)
        return obj
    if isinstance(obj, dict):
        return FrozenDict({k: seal(v) for k, v in obj.items()})
    if isinstance(obj, list | tuple):
        return tuple(seal(v) for v in obj)
    return obj


def knob(
    default: Any,
    lo: float = -INF,
    hi: float = INF,
    *,
    lo_open: bool = False,
    integer: bool = False,
    choices: Iterable[str] = (),
) -> Any:
    """A config field with its allowed range, checked by validation."""
    meta = {"lo": lo, "hi": hi, "lo_open": lo_open, "integer": integer, "choices": tuple(choices)}
    return field(default=default, metadata=meta)


def share(default: float) -> Any:
    """A fraction in [0, 1]."""
    return knob(default, 0.0, 1.0)


DIST_KINDS = ("exponential", "lognormal", "gamma", "deterministic")


@dataclass
class Dist(Settings):
    """A non-negative random duration in working hours.

    ``cv`` (coefficient of variation, sd/mean) shapes lognormal and gamma; exponential
    has cv 1 and deterministic cv 0 whatever the field says.
    """

    kind: str = knob("exponential", choices=DIST_KINDS)
    mean_h: float = knob(1.0, 0.0, 10_000.0)
    cv: float = knob(1.0, 0.0, 10.0)

    @property
    def mean(self) -> float:
        """Mean duration in working hours (what :func:`sim.core.rng.sample` draws around)."""
        return float(self.mean_h)

    @property
    def variance(self) -> float:
        """Variance in hours², as the sampler draws it (exponential: cv 1; deterministic: 0)."""
        if self.kind == "deterministic":
            return 0.0
        cv = 1.0 if self.kind == "exponential" else float(self.cv)
        return (cv * self.mean) ** 2


def dist(kind: str, mean_h: float, cv: float = 1.0) -> Any:
    """A :class:`Dist` field with the given default."""
    return field(default_factory=lambda: Dist(kind, mean_h, cv))


@dataclass
class StreamSettings(Settings):
    """Base of every stream's workload settings (``workload.<id>``)."""

    demand_scale: float = knob(1.0, 0.0, 10.0)
    """Multiplies every arrival rate of the stream (with ``workload.demand_scale``;
    see sim.model.demand): 1.2 is 20% more work arriving, 0 none of the stream's own."""
    monthly_profile: list[float] | None = None
    """12 factors (January first) on the stream's arrival rates by calendar month, e.g.
    fitted by tsim-calibrate; None: the same rate all year."""


class ConfigError(ValueError):
    """A configuration value is outside what the model accepts (one line, naming the key)."""


def no_such_file(file: Path) -> str:
    """The line for a data file that is not there; a relative path names the directory
    it was looked for in (a ready plan's file is found from the repository root only).
    """
    where = "" if file.is_absolute() else f" (looked for from {Path.cwd()})"
    return f"{file}: no such file{where}"


def check_range(
    path: str,
    value: Any,
    lo: float = -INF,
    hi: float = INF,
    *,
    lo_open: bool = False,
    integer: bool = False,
) -> None:
    """Raise :class:`ConfigError` naming ``path`` unless ``value`` is in the range."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    bad = (
        not math.isfinite(value)
        or value > hi
        or (value <= lo if lo_open else value < lo)
        or (integer and value != int(value))
    )
    if bad:
        kind = "an integer" if integer else "a number"
        op = ">" if lo_open else "≥"
        rng = f"{op} {lo:g}" if hi == INF else f"{op} {lo:g} and ≤ {hi:g}"
        shown = f"{value:g}" if isinstance(value, float) else repr(value)
        raise ConfigError(f"{path} = {shown}: must be {kind} {rng}")


def check_shares_sum(path: str, shares: dict[str, float]) -> None:
    """Shares of a mix: at least one entry, each in [0, 1], summing to 1."""
    if not shares:
        raise ConfigError(f"{path}: needs at least one entry")
    for key, value in shares.items():
        check_range(f"{path}.{key}", value, 0.0, 1.0)
    total = sum(shares.values())
    if abs(total - 1.0) > 1e-6:
        raise ConfigError(f"{path}: shares sum to {total:g}; they must sum to 1")

"""The registry of work streams and work centres: what a township is made of.

A **work stream** (services, enforcement cases, delegated tasks, grid reports …) is
declared once, in its own module under :mod:`sim.streams`, as a :class:`StreamSpec`:
its id, label and unit, the dataclass of its workload settings (``workload.<id>``),
the centre that serves it, its extra metrics with their glossary entries, and the
sources of its parameters. Everything downstream — the config schema, the metrics, the
daily series, console tables, the report's figures and the parameter and metric
references — iterates over :func:`streams`, so a new stream is one new module, not an
edit in each of those places.

A **centre** (service centre, enforcement office, general office, grid; the county's
departments) is a class registered with :func:`register_centre` under a name that
staff pools point at (``county.kinds.<kind>.staff.<pool>.centre``). The classes live in
:mod:`sim.model.centres`; this module only holds them, so that it stays importable by the
report and the config without pulling in SimPy.

**Nothing is derived and kept.** The registry is two tables filled when
:mod:`sim.streams` and :mod:`sim.model.centres` are imported; it calls nobody back when they
change. Whatever depends on the set of streams asks for it when it needs it: the
config schema is built from the streams registered at that moment
(:func:`sim.config.schema.scenario_schema`, cached by the streams it is built from),
metrics and outputs iterate over :func:`streams` as they run. A stream or centre that
exists only for a while — a test's toy stream — is added with :func:`extended`, which
puts the tables back as they were when its block ends, so no caller undoes anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from sim.core.workload import Declare

C = TypeVar("C")

Scope = Literal["township", "county"]
Better = Literal["higher", "lower"] | None


@dataclass(frozen=True)
class MetricDoc:
    """A glossary entry: a metric's name after the scope, its meaning and unit."""

    name: str
    meaning: str
    unit: str
    better: Better = None
    """Which direction of change is an improvement; None for a metric that is neither
    good nor bad by itself (arrivals, utilisation, headcount, cost …)."""


@dataclass(frozen=True)
class ParameterSource:
    """Unit and source of config keys matching ``pattern`` (relative to ``workload.<id>``)."""

    pattern: str
    unit: str
    source: str


@dataclass(frozen=True)
class StreamSpec(Generic[C]):
    """One work stream: everything the rest of the code needs to know about it."""

    id: str
    label: str
    """Human label for tables and figures (English; the Chinese term in the docstring)."""
    unit: str
    """What one item is: "requests", "cases", "tasks" …"""
    centre: str
    """Name of the township centre that serves the stream (see :func:`register_centre`)."""
    config: type[C]
    """Dataclass of the stream's workload settings, composed under ``workload.<id>``."""
    workload: Declare | None = None
    """``scenario -> (Source, …)``: where the stream's arrivals come from and the work each
    makes (:mod:`sim.core.workload`); every tool that needs expected counts or loads reads it."""
    extra_metrics: Callable[[Any, float, float], dict[str, float]] | None = None
    """``(records, window_start_h, horizon_h) -> {metric: value}`` beyond the common KPIs."""
    extra_docs: tuple[MetricDoc, ...] = ()
    in_backlog_total: bool = True
    """Counted in the headline "items in the system" total of tables and fairness."""
    sources: tuple[ParameterSource, ...] = ()
    """Units and sources of the workload keys, for docs/PARAMETERS.md."""
    staff: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Default staff pools of the stream's centre (pool name → the fields of a
    ``PoolSpec``, e.g. ``{"quota_type": "administrative", "headcount": 1, "centre": …}``), given to
    every township kind that does not name them, while the stream is switched on — so
    a new stream needs no edit in each county file (they may still set their own)."""
    check: Callable[[Any, str], None] | None = None
    """``(settings, path)`` raises ``ConfigError`` for rules beyond single ranges (shares
    that must sum to one …); ranges themselves are checked from the field metadata."""
    index: int = field(default=0, compare=False)
    """Position in the registry (set by :func:`register_stream`); items carry the spec."""

    def settings(self, scenario: Any) -> C:
        """This stream's workload settings in a composed scenario."""
        value: C = getattr(scenario.workload, self.id)
        return value

    def info(self) -> dict[str, Any]:
        """What output files record about the stream (read by the report)."""
        return {
            "id": self.id,
            "label": self.label,
            "unit": self.unit,
            "in_backlog_total": self.in_backlog_total,
        }


@dataclass(frozen=True)
class CentreEntry:
    """A registered centre class and where it exists (each township, or the county)."""

    name: str
    factory: Any
    scope: Scope


_STREAMS: dict[str, StreamSpec[Any]] = {}
_CENTRES: dict[str, CentreEntry] = {}


def register_stream(spec: StreamSpec[C]) -> StreamSpec[C]:
    """Add (or replace) a stream; returns the spec with its registry index."""
    if not spec.id.isidentifier() or "." in spec.id:
        raise ValueError(f"stream id {spec.id!r} must be a Python identifier")
    index = list(_STREAMS).index(spec.id) if spec.id in _STREAMS else len(_STREAMS)
    spec = StreamSpec(**{**spec.__dict__, "index": index})
    _STREAMS[spec.id] = spec
    return spec


def streams() -> tuple[StreamSpec[Any], ...]:
    """Every registered stream, in registration order."""
    return tuple(_STREAMS.values())


def stream(stream_id: str) -> StreamSpec[Any]:
    """The stream registered as ``stream_id``."""
    try:
        return _STREAMS[stream_id]
    except KeyError:
        raise KeyError(f"no stream {stream_id!r} (streams: {', '.join(_STREAMS)})") from None


def register_centre(name: str, scope: Scope = "township") -> Callable[[Any], Any]:
    """Class decorator: register a centre class under ``name``."""

    def add(factory: Any) -> Any:
        _CENTRES[name] = CentreEntry(name, factory, scope)
        factory.name = name
        factory.scope = scope
        return factory

    return add


@contextmanager
def extended(
    *specs: StreamSpec[Any], centres: Mapping[str, Any] | None = None
) -> Iterator[tuple[StreamSpec[Any], ...]]:
    """Within the block, the registry also holds ``specs`` and the township ``centres``
    (name → class); afterwards it is exactly as before (a test's toy stream). Yields the
    specs as registered (with their index).
    """
    saved_streams, saved_centres = dict(_STREAMS), dict(_CENTRES)
    try:
        added = tuple(register_stream(spec) for spec in specs)
        for name, factory in (centres or {}).items():
            register_centre(name)(factory)
        yield added
    finally:
        _STREAMS.clear()
        _STREAMS.update(saved_streams)
        _CENTRES.clear()
        _CENTRES.update(saved_centres)


def centres(scope: Scope | None = None) -> tuple[CentreEntry, ...]:
    """Registered centres, optionally only those of one scope: those serving a stream
    first, in stream order (the order they are built in), then the others by name.
    """
    order = {name: i for i, name in enumerate(centre_names())}
    chosen = [c for c in _CENTRES.values() if scope is None or c.scope == scope]
    return tuple(sorted(chosen, key=lambda c: (order.get(c.name, len(order)), c.name)))


def centre_names() -> tuple[str, ...]:
    """Names a township staff pool may work in: every stream's centre (known without
    importing the centre classes, so that validation needs no SimPy).
    """
    return tuple(dict.fromkeys(s.centre for s in _STREAMS.values()))

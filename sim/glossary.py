"""The metric glossary: every metric name, its meaning and unit, from the declarations.

Generic per-stream metrics and the others are declared in :mod:`sim.metrics`, each
stream's extras in its declaration (:mod:`sim.streams`). ``python -m sim.glossary``
rewrites the glossary table in README.md between its markers; a test fails when the
README is stale or when a run emits a name the glossary lacks (or the reverse).
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import registry
from .metrics import OTHER_METRICS, STREAM_METRICS
from .registry import MetricDoc

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- glossary:start -->", "<!-- glossary:end -->"
STREAM = "<stream>"


def entries() -> list[MetricDoc]:
    """Every glossary entry, names after the scope (``<stream>``, ``<pool>`` stand for
    each stream's id and each staff pool's name).
    """
    rows = [MetricDoc(f"{STREAM}.{m.name}", m.meaning, m.unit) for m in STREAM_METRICS]
    rows += [
        MetricDoc(f"{s.id}.{m.name}", m.meaning, m.unit)
        for s in registry.streams()
        for m in s.extra_docs
    ]
    return rows + list(OTHER_METRICS)


def pattern_of(name: str) -> str:
    """The glossary entry a full metric name falls under (``town_1.staff.window_staff.
    utilisation_share`` → ``staff.<pool>.utilisation_share``).
    """
    rest = name.split(".", 1)[1]
    parts = rest.split(".")
    generic = {m.name for m in STREAM_METRICS}
    ids = {s.id for s in registry.streams()}
    if len(parts) == 2 and parts[0] in ids and parts[1] in generic:
        return f"{STREAM}.{parts[1]}"
    if len(parts) == 3 and parts[0] == "staff":
        return f"staff.<pool>.{parts[2]}"
    return rest


def table() -> str:
    """The glossary as a markdown table."""
    lines = ["| metric | meaning | unit |", "| --- | --- | --- |"]
    lines += [f"| `{e.name}` | {e.meaning} | {e.unit} |" for e in entries()]
    return "\n".join(lines)


def render(readme: str) -> str:
    """``readme`` with its glossary table replaced by the current one."""
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    if not rest:
        raise ValueError(f"README.md has no {START} … {END} markers")
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main() -> int:
    """Rewrite the README's glossary."""
    README.write_text(render(README.read_text()))
    print(f"wrote the metric glossary in {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

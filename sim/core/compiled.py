"""Which modules run compiled, and the guard that never lets a stale one run.

The model's hot modules — each ``.py`` with a ``.pxd`` beside it — are compiled by
Cython when the package is installed (``setup.py``), and Python then imports the
compiled extension instead of the source. The ``.py`` stays the one definition of what
the module does: the ``.pxd`` only declares C types for its classes, so the compiled
module gives the same results as the source (``tests/test_compiled.py``).

An extension is used only while it was built from the sources beside it: the build
records a hash of each ``.py`` and ``.pxd`` (:data:`HASHES_FILE`), and :class:`Guard`
imports the source instead whenever they differ — a module edited since the last
``pip install -e .`` runs as it now reads, only slower, and so then do the other
compiled modules (they share their classes' C layouts). ``TSIM_PURE_PYTHON=1`` runs
every module from source.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from functools import cache
from importlib.abc import MetaPathFinder
from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader, ModuleSpec, PathFinder
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

PACKAGE = Path(__file__).resolve().parent.parent
HASHES_FILE = PACKAGE / "_compiled.json"
"""Written by ``setup.py`` at build time: module name → hash of its sources."""
PURE_ENV = "TSIM_PURE_PYTHON"


def source_hash(source: Path) -> str:
    """The hash of a module's ``.py`` and, if it has one, its ``.pxd``."""
    digest = hashlib.sha256(source.read_bytes())
    pxd = source.with_suffix(".pxd")
    if pxd.exists():
        digest.update(pxd.read_bytes())
    return digest.hexdigest()


def _hash_or_none(source: Path) -> str | None:
    """:func:`source_hash`, or None for a module that is no longer there."""
    return source_hash(source) if source.exists() else None


@cache
def _built_hashes() -> dict[str, str]:
    return _read_record(HASHES_FILE)


def _read_record(path: Path) -> dict[str, str]:
    """The build record at ``path``: module name → hash; empty (no extension is
    trusted) when there is none or it is not such a mapping — a damaged record must
    leave the package importable from source, not stop every import of ``sim``.
    """
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(record, dict) or not all(isinstance(h, str) for h in record.values()):
        return {}
    return record


class Guard(MetaPathFinder):
    """Imports a ``sim`` module from source where its compiled extension is stale (or
    where ``TSIM_PURE_PYTHON`` is set); leaves every other import to Python.
    """

    compiled: set[str]
    """Modules imported as compiled extensions so far."""

    def __init__(self) -> None:
        self.compiled = set()
        self._fresh: dict[Path, bool] = {}

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None, /
    ) -> ModuleSpec | None:
        """The source's spec for a stale extension; None (Python's own search) otherwise."""
        if not name.startswith("sim."):
            return None
        spec = PathFinder.find_spec(name, path)
        if spec is None or not isinstance(spec.loader, ExtensionFileLoader):
            return None
        source = Path(spec.origin or "").parent / (name.rpartition(".")[2] + ".py")
        if not source.exists():
            return None
        root = source.parents[name.count(".")]  # the directory that holds ``sim``
        if name in _built_hashes() and self.build_fresh(root) and not os.environ.get(PURE_ENV):
            self.compiled.add(name)
            return spec
        return importlib.util.spec_from_file_location(name, source)

    def build_fresh(self, root: Path) -> bool:
        """Whether the build record under ``root`` names every module with a ``.pxd``
        and each still has the sources it was built from and an extension this Python
        loads (:func:`build_state`). All or none: the compiled modules read each other's
        classes as C structs (a ``.pxd`` cimports another's), so a compiled module beside
        one imported from source — edited, never built (a compiler's failure leaves an
        optional module out) or without its extension — would fail to import or read
        the wrong memory.
        """
        if root not in self._fresh:
            self._fresh[root] = not build_state(root).out_of_date
        return self._fresh[root]


class BuildState(NamedTuple):
    """What the build record does not vouch for, by module name."""

    unbuilt: list[str]  # a .pxd beside it, and not in the record
    changed: list[str]  # its .py or .pxd changed (or gone) since the build
    missing: list[str]  # in the record, with no extension this Python loads beside it

    @property
    def out_of_date(self) -> bool:
        """Whether any module is unbuilt, changed or missing: then every module runs
        from source.
        """
        return bool(self.unbuilt or self.changed or self.missing)


def build_state(root: Path) -> BuildState:
    """The modules of the ``sim`` under ``root`` that the build record does not vouch for."""
    built = _built_hashes()
    declared = {
        ".".join(p.relative_to(root).with_suffix("").parts) for p in root.glob("sim/**/*.pxd")
    }
    sources = {m: root.joinpath(*m.split(".")).with_suffix(".py") for m in built}
    changed = [m for m, h in built.items() if _hash_or_none(sources[m]) != h]
    missing = [m for m, source in sources.items() if not _has_extension(source)]
    return BuildState(sorted(declared - built.keys()), sorted(changed), sorted(missing))


def _has_extension(source: Path) -> bool:
    """Whether an extension this Python can import lies beside ``source``: one built by
    another Python (another ABI tag) or deleted leaves the module to its source, and
    then the others, which read its C classes, must follow.
    """
    return any(source.with_suffix(suffix).exists() for suffix in EXTENSION_SUFFIXES)


def install() -> Guard:
    """Put the guard ahead of Python's own finders (once)."""
    for finder in sys.meta_path:
        if isinstance(finder, Guard):
            return finder
    guard = Guard()
    sys.meta_path.insert(0, guard)
    return guard


def compiled_modules() -> list[str]:
    """The modules running compiled in this process, sorted (empty: pure Python)."""
    return sorted(install().compiled)


def status(root: Path = PACKAGE.parent) -> str:
    """One line on whether the model runs compiled here and, if not, why — a module
    edited since the last install slows every run about twice, without a word.
    """
    if os.environ.get(PURE_ENV):
        return f"from source: {PURE_ENV} is set"
    if not _built_hashes():
        return "from source: no compiled build (installed without a C compiler, or pure)"
    state = build_state(root)
    if not state.out_of_date:
        n = len(_built_hashes())
        return f"compiled: {n} module{'s' * (n != 1)}, built from the sources beside them"
    why = [f"changed since the build: {', '.join(state.changed)}"] if state.changed else []
    why += [f"not built: {', '.join(state.unbuilt)}"] if state.unbuilt else []
    why += [f"no extension for this Python: {', '.join(state.missing)}"] if state.missing else []
    return f"from source until the package is installed again ({'; '.join(why)})"


def runs_compiled() -> bool:
    """Whether this process runs the compiled modules (a fresh build, and no
    ``TSIM_PURE_PYTHON``), asked before any of them is imported: a run's time estimate
    depends on it (:func:`sim.run.guard.items_per_second`).
    """
    return (
        bool(_built_hashes())
        and not os.environ.get(PURE_ENV)
        and install().build_fresh(PACKAGE.parent)
    )

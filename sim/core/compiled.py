"""Which modules run compiled, and the guard that never lets a stale one run.

The model's hot modules — each ``.py`` with a ``.pxd`` beside it — are compiled by
Cython when the package is installed (``setup.py``), and Python then imports the
compiled extension instead of the source. The ``.py`` stays the one definition of what
the module does: the ``.pxd`` only declares C types for its classes, so the compiled
module gives the same results as the source (``tests/test_compiled.py``).

An extension is used only while it was built from the sources beside it: the build
records a hash of each ``.py`` and ``.pxd`` (:data:`HASHES_FILE`), and :class:`Guard`
imports the source instead whenever they differ — a module edited since the last
``pip install -e .`` runs as it now reads, only slower. ``TSIM_PURE_PYTHON=1`` runs
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
from importlib.machinery import ExtensionFileLoader, ModuleSpec, PathFinder
from pathlib import Path
from types import ModuleType

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


@cache
def _built_hashes() -> dict[str, str]:
    try:
        return dict(json.loads(HASHES_FILE.read_text()))
    except (OSError, ValueError):
        return {}  # no record of a build: no extension is trusted


class Guard(MetaPathFinder):
    """Imports a ``sim`` module from source where its compiled extension is stale (or
    where ``TSIM_PURE_PYTHON`` is set); leaves every other import to Python.
    """

    compiled: set[str]
    """Modules imported as compiled extensions so far."""

    def __init__(self) -> None:
        self.compiled = set()

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
        fresh = _built_hashes().get(name) == source_hash(source)
        if fresh and not os.environ.get(PURE_ENV):
            self.compiled.add(name)
            return spec
        return importlib.util.spec_from_file_location(name, source)


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

"""Build hooks: a wheel carries the repository's ``configs/`` as ``sim/_configs``, and the
model's hot modules are compiled with Cython (README, "Compiled core").

Everything else is declared in pyproject.toml.

- ``configs/`` stays the one source; the copy is made only into the build directory,
  never into the source tree, and editable installs read ``configs/`` in place (see
  ``sim/config/location.py``).
- Every module of ``sim/`` with a ``.pxd`` beside its ``.py`` is compiled; the ``.pxd``
  declares C types for the module's classes and the ``.py`` stays what the module does
  (``sim/core/compiled.py``). Without Cython or a C compiler, or with
  ``TSIM_PURE_PYTHON=1``, the package installs as pure Python and gives the same
  results, slower.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path
from types import ModuleType
from typing import ClassVar

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def _guard_module() -> ModuleType:
    """``sim/core/compiled.py`` loaded from its file (the guard's own hash and switch),
    without putting ``sim/core`` on the path, where its ``calendar.py`` would shadow
    the standard library's.
    """
    spec = importlib.util.spec_from_file_location("_tsim_guard", HERE / "sim/core/compiled.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_GUARD = _guard_module()
PURE_ENV, source_hash = _GUARD.PURE_ENV, _GUARD.source_hash


class BuildWithConfigs(build_py):
    """``build_py`` that also copies ``configs/`` into the built ``sim`` package."""

    def run(self) -> None:
        """Build as usual, then add the config tree (not for editable installs)."""
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "sim" / "_configs"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(HERE / "configs", target, ignore=shutil.ignore_patterns("*~", ".*"))


def hot_modules() -> list[Path]:
    """The ``.py`` files that have a ``.pxd`` beside them, relative to the root."""
    return sorted(p.with_suffix(".py").relative_to(HERE) for p in (HERE / "sim").rglob("*.pxd"))


class BuildRecordingSources(build_ext):
    """``build_ext`` that writes the record of the sources each compiled module was built
    from (``sim/_compiled.json``) once it has built them, naming only those it built.

    Written earlier — whenever setup.py runs (``egg_info``, ``sdist``, a wheel built
    elsewhere) or before a compiler fails an optional module — the record would vouch for
    extensions still built from older sources, and the guard would run them.
    """

    hashes: ClassVar[dict[str, str]] = {}
    """Module name → hash of the sources cythonized for it (set by :func:`extensions`)."""

    def finalize_options(self) -> None:
        """Compile the C files side by side (a newcomer's first install waits for them),
        however the command was made: pip's editable install makes its own, without
        ``setup()``'s options.
        """
        super().finalize_options()
        if not self.parallel:
            self.parallel = os.cpu_count() or 1

    def run(self) -> None:
        """Build, then write the record beside the extensions (and in place)."""
        self._built: set[str] = set()
        super().run()
        record = json.dumps({n: h for n, h in self.hashes.items() if n in self._built}, indent=1)
        places = [Path(self.build_lib) / "sim"] + ([HERE / "sim"] if self.inplace else [])
        for place in places:
            place.mkdir(parents=True, exist_ok=True)
            (place / "_compiled.json").write_text(record + "\n")

    def build_extension(self, ext: Extension) -> None:
        """Build one module; reached its end only if it built (or was up to date)."""
        super().build_extension(ext)
        self._built.add(ext.name)


def extensions() -> list[Extension]:
    """The compiled modules (their record is written once built: :class:`BuildRecordingSources`)."""
    if os.environ.get(PURE_ENV):
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        return []
    sources = hot_modules()
    names = [".".join(p.with_suffix("").parts) for p in sources]
    hashes = {n: source_hash(HERE / p) for n, p in zip(names, sources, strict=True)}
    BuildRecordingSources.hashes = hashes  # of the sources cythonized just below
    # optional: a module that fails to compile is left to run from source.
    modules = [Extension(n, [str(p)], optional=True) for n, p in zip(names, sources, strict=True)]
    # Types come from the .pxd files only: annotations are for mypy and readers (Cython
    # would otherwise turn `x: float` into a C double and `x: int` into an exact int check).
    directives = {"language_level": 3, "annotation_typing": False}
    cores = os.cpu_count() or 1
    return list(cythonize(modules, compiler_directives=directives, quiet=True, nthreads=cores))


setup(
    cmdclass={"build_py": BuildWithConfigs, "build_ext": BuildRecordingSources},
    ext_modules=extensions(),
)

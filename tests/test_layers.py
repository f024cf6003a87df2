"""The package's layers only point down, nothing imports in a cycle, and the README's
layout lists every module (issue 17, point 2).

Layers, bottom-up; a module may import its own layer and those listed before it. The
four tool layers sit side by side: none imports another.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SIM = ROOT / "sim"

LAYERS: list[tuple[str, ...]] = [
    ("core",),
    ("streams",),
    ("config",),
    ("model",),
    ("analysis",),
    ("run",),
    ("report", "plan", "calibrate", "sensitivity"),
    ("select",),
    ("cli",),
]
"""Bottom-up; a tuple holds layers that stand side by side."""

RANK = {name: i for i, group in enumerate(LAYERS) for name in group}


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package(path: Path) -> str:
    module = _module(path)
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _imports(path: Path, *, runtime_only: bool = False) -> set[str]:
    """The ``sim`` modules ``path`` imports (with ``runtime_only``: at import time, so not
    those inside functions or under ``TYPE_CHECKING``).
    """
    found: set[str] = set()

    def visit(node: ast.AST, at_import: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                if not runtime_only:
                    visit(child, at_import)
                continue
            inside = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.ImportFrom) and (at_import or not runtime_only):
                base = child.module or ""
                if child.level:
                    pkg = _package(path).split(".")
                    pkg = pkg[: len(pkg) - (child.level - 1)]
                    base = ".".join([*pkg, *([child.module] if child.module else [])])
                if base.split(".")[0] == "sim":
                    found.update(f"{base}.{a.name}" for a in child.names)
                    found.add(base)
            elif isinstance(child, ast.Import) and (at_import or not runtime_only):
                found.update(a.name for a in child.names if a.name.split(".")[0] == "sim")
            visit(child, at_import and not inside)

    visit(ast.parse(path.read_text()), True)
    return found


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else None


FILES = sorted(p for p in SIM.rglob("*.py") if _layer(_module(p)))


def test_every_module_lives_in_a_layer():
    loose = sorted(p.name for p in SIM.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert loose == [], f"modules outside the layer packages: {loose}"
    assert set(RANK) == {p.name for p in SIM.iterdir() if (p / "__init__.py").exists()}


@pytest.mark.parametrize("layer", list(RANK))
def test_a_layer_imports_only_itself_and_the_layers_beneath(layer):
    upward = []
    for path in FILES:
        if _layer(_module(path)) != layer:
            continue
        for target in _imports(path):
            other = _layer(target)
            if other is None or other == layer:
                continue
            if RANK[other] >= RANK[layer]:
                upward.append(f"{_module(path)} imports {target}")
    assert upward == [], "\n".join(sorted(set(upward)))


def test_no_module_imports_itself_through_a_cycle():
    modules = {_module(p): p for p in SIM.rglob("*.py")}
    graph = {
        m: {t for t in _imports(p, runtime_only=True) if t in modules and t != m}
        for m, p in modules.items()
    }
    state: dict[str, int] = {}
    cycles: list[str] = []

    def visit(m: str, trail: list[str]) -> None:
        state[m] = 1
        for t in sorted(graph[m]):
            if state.get(t) == 1 and not m.startswith(t + "."):  # a package's own __init__
                cycles.append(" → ".join([*trail[trail.index(t) :], t]))
            elif t not in state:
                visit(t, [*trail, t])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == [], "\n".join(cycles)


OPEN_PACKAGES = ("sim/streams/", "sim/model/centres/")
"""Packages that import every module they hold, so that a new stream or centre is a new
file alone: the README names the built-in ones, and need not name one added later."""


def _readme_layout() -> set[str]:
    """Module paths the README's layout section names: a line that starts with a package
    (``sim/run/``) opens its block, and each ``name.py`` in the block (its continuation
    lines included) is a module of that package.
    """
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    listed: set[str] = set()
    package = None
    for line in section.splitlines():
        opening = re.match(r"\s{4}(sim/(?:[a-z_]+/)*)\s", line + " ")
        if opening:
            package = opening.group(1)
        elif not line.startswith("      "):
            package = None  # the block ends with its indentation
        if package:
            listed.update(package + name for name in re.findall(r"\b([a-z_]+\.py)\b", line))
    return listed


def test_the_readme_layout_lists_every_module():
    actual = {str(p.relative_to(ROOT)) for p in SIM.rglob("*.py") if p.name != "__init__.py"}
    listed = _readme_layout()
    missing = [m for m in sorted(actual - listed) if not m.startswith(OPEN_PACKAGES)]
    assert missing == [], "README layout misses these modules"
    assert sorted(listed - actual) == [], "README layout names modules that do not exist"

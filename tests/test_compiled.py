"""The compiled model (setup.py, sim/core/compiled.py): the same results as the pure-Python
source, and never a stale extension.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import shutil
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader
from pathlib import Path

import pytest

from sim.core import compiled
from sim.model.build import build
from sim.model.work import Step
from sim.run import guard
from sim.run.engine import run_replication

from .conftest import scenario

CASES = {
    # crews, the county's desk and escalation, grid, delegated tasks, secondment
    "small_reform": ("county=small", "policy=reform_2019", "run.horizon_days=60"),
    "front_back": ("county=small", "policy=front_back_office", "run.horizon_days=40"),
    "give_up": (
        "county=small",
        "workload.services.give_up_line_per_clerk=1",
        "run.horizon_days=40",
    ),
    "mmc": ("+validation=mmc", "run.horizon_days=120"),
}

_PURE_RUN = """
import pickle, sys
from tests.conftest import scenario
from sim.core.compiled import compiled_modules
from sim.run.engine import run_replication
cases = pickle.loads(sys.stdin.buffer.read())
out = {k: run_replication(scenario(*ov), 1).metrics for k, ov in cases.items()}
sys.stdout.buffer.write(pickle.dumps((compiled_modules(), out)))
"""


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def test_compiled_and_pure_python_give_identical_results():
    ours = {k: run_replication(scenario(*ov), 1).metrics for k, ov in CASES.items()}
    if not compiled.compiled_modules():
        pytest.skip("no compiled modules in this install (pip install -e . compiles them)")
    assert "sim.model.station" in compiled.compiled_modules()
    env = {**os.environ, compiled.PURE_ENV: "1"}
    done = subprocess.run(
        [sys.executable, "-c", _PURE_RUN],
        input=pickle.dumps(CASES),
        capture_output=True,
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        check=True,
    )
    pure_compiled, pure = pickle.loads(done.stdout)
    assert pure_compiled == []  # the other side really ran the source
    for case, metrics in ours.items():
        assert metrics.keys() == pure[case].keys()
        differ = [k for k in metrics if not _same(metrics[k], pure[case][k])]
        assert not differ, f"{case}: {differ[:5]}"


def test_an_items_deadline_is_the_working_clocks_at_any_length_of_day():
    # Python's float // is not floor(a / b): at 7.2 hours a day, an arrival k days from
    # the start (a dated backlog's, k < 0) is often just below the day k * 7.2 names.
    model = build(scenario("county=single", "calendar.hours_per_day=7.2"), 1, keep_items=True)
    times = [k * 7.2 for k in range(-60, 60)]
    for t in times:
        model.new_item(0, None, t, 1.0, [Step(None, 1.0)])
    dues = [item.due for item in model.ledger.items]
    assert dues == [model.clock.due(t, 1.0) for t in times]


def _fake_module(tmp_path, source: str, name: str = "fake"):
    """A package ``sim`` in tmp_path with module ``name``: its source and an extension
    file beside it (never loaded: only found).
    """
    package = tmp_path / "sim"
    package.mkdir(exist_ok=True)
    (package / f"{name}.py").write_text(source)
    (package / f"{name}{EXTENSION_SUFFIXES[0]}").write_bytes(b"")
    return package


def _built(monkeypatch, package, *names: str) -> dict[str, str]:
    """Record ``names`` as built from their sources as they are now (compiled asked for)."""
    built = {f"sim.{n}": compiled.source_hash(package / f"{n}.py") for n in names}
    monkeypatch.setattr(compiled, "_built_hashes", lambda: built)
    monkeypatch.delenv(compiled.PURE_ENV, raising=False)
    return built


def _loader(package, name: str = "fake", guard: compiled.Guard | None = None):
    spec = (guard or compiled.Guard()).find_spec(f"sim.{name}", [str(package)])
    assert spec is not None
    return spec.loader


def _from_source(loader, package, name: str = "fake") -> bool:
    source = str(package / f"{name}.py")
    return not isinstance(loader, ExtensionFileLoader) and loader.path == source


def test_an_extension_built_from_the_sources_beside_it_is_used(tmp_path, monkeypatch):
    package = _fake_module(tmp_path, "X = 1\n")
    _built(monkeypatch, package, "fake")
    assert isinstance(_loader(package), ExtensionFileLoader)


@pytest.mark.parametrize("change", ["source edited", "pxd added", "no build record", "pure asked"])
def test_a_stale_or_unwanted_extension_is_passed_over_for_the_source(tmp_path, monkeypatch, change):
    package = _fake_module(tmp_path, "X = 1\n")
    built = _built(monkeypatch, package, "fake")
    if change == "source edited":
        (package / "fake.py").write_text("X = 2\n")
    elif change == "pxd added":
        (package / "fake.pxd").write_text("cdef int y\n")
    elif change == "no build record":
        built.clear()
    else:
        monkeypatch.setenv(compiled.PURE_ENV, "1")
    assert _from_source(_loader(package), package)


def test_a_fresh_extension_beside_a_stale_one_is_passed_over_too(tmp_path, monkeypatch):
    # Compiled modules cimport each other's classes: a compiled module beside another
    # imported from source fails to import or reads the wrong memory (a Staff's pool).
    package = _fake_module(tmp_path, "X = 1\n")
    _fake_module(tmp_path, "Y = 1\n", "other")
    _built(monkeypatch, package, "fake", "other")
    assert isinstance(_loader(package), ExtensionFileLoader)  # all fresh
    (package / "other.py").write_text("Y = 2\n")
    guard = compiled.Guard()  # one process: its verdict holds for every later import
    assert _from_source(_loader(package, "fake", guard), package, "fake")
    assert _from_source(_loader(package, "other", guard), package, "other")


def test_an_extension_is_passed_over_beside_a_module_left_out_of_the_build(tmp_path, monkeypatch):
    # A module whose C compiler failed (optional) is not in the record and runs from
    # source: the others, which cimport its classes, must too.
    package = _fake_module(tmp_path, "X = 1\n")
    (package / "other.py").write_text("Y = 1\n")
    (package / "other.pxd").write_text("cdef class Y:\n    pass\n")
    _built(monkeypatch, package, "fake")
    assert _from_source(_loader(package), package)


def test_a_module_without_its_extension_sends_every_module_to_source(tmp_path, monkeypatch):
    # Its extension deleted, or built by another Python (another ABI tag): that module
    # runs from source, so the others, which read its C classes, must too (they raised
    # "size changed, may indicate binary incompatibility"), and the status says so.
    package = _fake_module(tmp_path, "X = 1\n")
    _fake_module(tmp_path, "Y = 1\n", "other")
    _built(monkeypatch, package, "fake", "other")
    (package / f"other{EXTENSION_SUFFIXES[0]}").rename(package / "other.cpython-399-x.so")
    assert _from_source(_loader(package), package)
    assert compiled.build_state(tmp_path).missing == ["sim.other"]
    assert "(no extension for this Python: sim.other)" in compiled.status(tmp_path)


def test_the_status_line_says_what_sends_the_model_to_source(tmp_path, monkeypatch):
    package = _fake_module(tmp_path, "X = 1\n")
    _built(monkeypatch, package, "fake")
    assert compiled.status(tmp_path).startswith("compiled: 1 module, built")
    (package / "fake.py").write_text("X = 2\n")
    (package / "other.pxd").write_text("cdef class Y:\n    pass\n")
    line = compiled.status(tmp_path)
    assert line.startswith("from source until the package is installed again")
    assert "changed since the build: sim.fake" in line and "not built: sim.other" in line
    monkeypatch.setenv(compiled.PURE_ENV, "1")
    assert compiled.status(tmp_path) == f"from source: {compiled.PURE_ENV} is set"


@pytest.mark.parametrize("text", ["", "{", "3", "[1, 2]", '{"sim.fake": 1}', '{"sim.fake": "ab"}'])
def test_a_damaged_build_record_trusts_no_extension(tmp_path, text):
    record = tmp_path / "_compiled.json"
    record.write_text(text)
    want = {"sim.fake": "ab"} if text == '{"sim.fake": "ab"}' else {}
    assert compiled._read_record(record) == want
    assert compiled._read_record(tmp_path / "absent.json") == {}


def test_the_build_record_names_every_module_with_a_pxd():
    if not compiled.HASHES_FILE.exists():
        pytest.skip("no compiled build in this install")
    recorded = set(json.loads(compiled.HASHES_FILE.read_text()))
    root = compiled.PACKAGE.parent
    pxds = {
        ".".join(p.relative_to(root).with_suffix("").parts) for p in compiled.PACKAGE.rglob("*.pxd")
    }
    assert recorded == pxds


def test_the_guard_foretells_whether_the_model_runs_compiled():
    """Asked before a run, so that its time estimate uses the right rate."""
    from sim.core import timer

    assert compiled.runs_compiled() == timer.COMPILED


def test_a_run_from_source_is_estimated_at_the_source_rate(monkeypatch):
    monkeypatch.setenv(compiled.PURE_ENV, "1")
    assert not compiled.runs_compiled()
    assert guard.items_per_second() == guard.ITEMS_PER_SECOND < guard.COMPILED_ITEMS_PER_SECOND


def _one_module_tree(tmp_path: Path) -> Path:
    """A copy of the project whose only compiled module is ``sim.model.centres.teams``."""
    repo = Path(__file__).resolve().parent.parent
    for name in ("setup.py", "pyproject.toml", "README.md"):
        (tmp_path / name).write_bytes((repo / name).read_bytes())
    skip = ("*.so", "*.c", "*.pxd", "_compiled.json", "__pycache__", "_configs")
    shutil.copytree(repo / "sim", tmp_path / "sim", ignore=shutil.ignore_patterns(*skip))
    teams = Path("sim", "model", "centres", "teams.pxd")
    (tmp_path / teams).write_bytes((repo / teams).read_bytes())
    return tmp_path


@pytest.mark.slow
def test_the_build_record_is_written_once_the_modules_are_built(tmp_path):
    # Any setup.py command (egg_info, which every pip build runs first; sdist) used to
    # write the record of the current sources beside extensions built from older ones.
    pytest.importorskip("Cython")
    root = _one_module_tree(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != compiled.PURE_ENV}

    def setup_py(*command: str) -> None:
        subprocess.run([sys.executable, "setup.py", "-q", *command], cwd=root, env=env, check=True)

    record = root / "sim" / "_compiled.json"
    setup_py("egg_info")
    assert not record.exists()  # nothing built: nothing vouched for
    setup_py("build_ext", "--inplace")
    teams = root / "sim" / "model" / "centres" / "teams.py"
    assert json.loads(record.read_text()) == {
        "sim.model.centres.teams": compiled.source_hash(teams)
    }
    assert list(teams.parent.glob(f"teams*{EXTENSION_SUFFIXES[0]}"))

"""The built wheel works outside the repository: configs travel inside it.

The wheel is built from this checkout and unpacked into a directory of its own; every
command then runs from a directory with no ``configs/`` near it, importing ``sim`` from
the unpacked wheel (first on ``PYTHONPATH``), so the packaged copy of the configs must
be found.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory):
    dist = tmp_path_factory.mktemp("dist")
    # Pure Python: what travels in the wheel is the question here, and compiling the hot
    # modules would add half a minute (tests/test_compiled.py checks the compiled build).
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "TSIM_PURE_PYTHON": "1"},
    )
    if built.returncode != 0:
        pytest.fail(f"wheel build failed: {built.stderr[-2000:]}")
    (wheel,) = dist.glob("township_sim-*.whl")
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        zf.extractall(site)
    return site, names


def run_from(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )


@pytest.mark.slow
def test_wheel_carries_every_config_of_the_repository(unpacked_wheel):
    _, names = unpacked_wheel
    repo_configs = {  # the YAML files and the data files plans name (a backlog CSV)
        p.relative_to(REPO / "configs").as_posix()
        for p in REPO.glob("configs/**/*")
        if p.suffix in (".yaml", ".csv")
    }
    packaged = {n.removeprefix("sim/_configs/") for n in names if n.startswith("sim/_configs/")}
    assert repo_configs and repo_configs == packaged


@pytest.mark.slow
def test_wheel_runs_tsim_and_tsim_report_from_elsewhere(unpacked_wheel, tmp_path):
    site, _ = unpacked_wheel
    where = run_from(
        site, tmp_path, "-c", "import sim.cli.tsim as m; print(m.__file__, m.CONFIG_DIR)"
    )
    module_file, config_dir = where.stdout.split()
    assert module_file.startswith(str(site)) and config_dir == str(site / "sim" / "_configs")
    helped = run_from(site, tmp_path, "-m", "sim", "--help")
    assert helped.returncode == 0 and "county: single" in helped.stdout, helped.stderr
    run_dir = tmp_path / "run"
    ran = run_from(
        site,
        tmp_path,
        "-m",
        "sim",
        "county=single",
        "run.replications=2",
        "run.horizon_days=20",
        "run.warmup_days=2",
        f"hydra.run.dir={run_dir}",
    )
    assert ran.returncode == 0, ran.stderr
    assert json.loads((run_dir / "summary.json").read_text())["replications"] == 2
    report = run_from(site, tmp_path, "-c", "from sim.cli.report import main; main()", str(run_dir))
    assert report.returncode == 0, report.stderr
    assert (run_dir / "comparison.csv").is_file()

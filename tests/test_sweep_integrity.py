"""Sweeps that never mislead: a result is reported only under the configuration that
made it, whatever was in the directory before, whoever else writes there, and however
the previous attempt ended (issue 12, points 1–7).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.cli.report import main as report_main
from sim.report import jobs
from sim.run import results, sweepdir

from .conftest import tsim_in_process

pytestmark = pytest.mark.slow  # each test runs whole sweeps

QUICK = ["county=single", "run.replications=2", "run.horizon_days=40", "run.warmup_days=5"]


def tsim(*args: str) -> subprocess.CompletedProcess[str]:
    """``tsim ARGS`` in this process; the tests that kill a sweep start one of its own."""
    return tsim_in_process(*args)


def tsim_process(*args: str) -> subprocess.CompletedProcess[str]:
    """``tsim ARGS`` in a process of its own: a sweep keeps its directory's lock for the
    rest of its process's life, so a sweep run here would lock out a later process.
    """
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, timeout=600
    )


def arrivals(run_dir: Path) -> float:
    return json.loads((run_dir / "summary.json").read_text())["metrics"][
        "county.services.arrivals"
    ]["mean"]


def overrides(run_dir: Path) -> list[str]:
    return yaml.safe_load((run_dir / ".hydra" / "overrides.yaml").read_text())


# ------------------------------------------------------------------ 1. old numbers, new label
@pytest.mark.usefixtures("unrendered_figures")  # tables and text, not pixels
def test_a_job_killed_after_its_label_changed_never_shows_the_old_numbers(tmp_path):
    sweep = tmp_path / "sweep"
    values = "policy=pre_reform,escalation,merged_grid"
    old = ["county=small", "run.replications=3", "run.warmup_days=5"]
    assert (
        tsim_process(
            "-m", values, *old, "run.horizon_days=40", f"hydra.sweep.dir={sweep}"
        ).returncode
        == 0
    )
    before = {overrides(sweep / j)[0]: arrivals(sweep / j) for j in "012"}

    # The same sweep with a longer horizon, killed once job 1 has its new label.
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sim",
            "-m",
            values,
            *old,
            "run.horizon_days=120",
            f"hydra.sweep.dir={sweep}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    label = sweep / "1" / ".hydra" / "overrides.yaml"
    deadline = time.time() + 300
    while proc.poll() is None and time.time() < deadline:
        if label.exists() and "run.horizon_days=120" in label.read_text():
            break
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()

    report_main([str(sweep)])
    for job in jobs.load([sweep]):
        if job.ok and "run.horizon_days=120" in job.overrides:
            policy = job.overrides[0]
            assert arrivals(job.dir) != before[policy], f"{job.dir}: old numbers, new label"
    assert (sweep / "report.md").exists()


# ------------------------------------------------------------------ 2. jobs are positions
@pytest.mark.usefixtures("unrendered_figures")  # tables and text, not pixels
def test_a_smaller_sweep_into_a_used_directory_reports_only_its_own_jobs(tmp_path):
    sweep = tmp_path / "sweep"
    first = tsim(
        "-m", "policy=pre_reform,one_window,escalation", *QUICK, f"hydra.sweep.dir={sweep}"
    )
    assert first.returncode == 0, first.stderr
    pre_reform = arrivals(sweep / "0")

    second = tsim("-m", "policy=one_window,pre_reform", *QUICK, f"hydra.sweep.dir={sweep}")
    assert second.returncode == 0, second.stderr
    # Job 1 (pre_reform) finds its result where job 0 put it aside: found by configuration.
    assert "this configuration's result taken back" in second.stdout

    assert report_main([str(sweep)]) == 0
    table = pd.read_csv(sweep / "comparison.csv")
    assert sorted(table.job.unique()) == ["one_window", "pre_reform"]
    assert arrivals(sweep / "1") == pre_reform
    md = (sweep / "report.md").read_text()
    assert "## Stale job directories (not reported)" in md and str(sweep / "2") in md


# ------------------------------------------------------------------ 3. lock
def test_a_second_sweep_into_a_locked_directory_stops_with_one_line(tmp_path):
    sweep = tmp_path / "sweep"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from sim.run import sweepdir; "
            f"sweepdir.lock(Path({str(sweep)!r})); print('locked', flush=True); time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        res = tsim("-m", "policy=pre_reform,one_window", *QUICK, f"hydra.sweep.dir={sweep}")
    finally:
        holder.kill()
        holder.wait()
    assert res.returncode == 3
    assert f"is in use by another sweep (pid {holder.pid})" in res.stderr
    assert "Traceback" not in res.stderr
    assert not (sweep / "0").exists()  # nothing was run

    # The holder is dead now: its lock file (with its pid) does not block.
    assert (sweep / sweepdir.LOCK).read_text().strip() == str(holder.pid)
    again = tsim("-m", "policy=pre_reform,one_window", *QUICK, f"hydra.sweep.dir={sweep}")
    assert again.returncode == 0, again.stderr
    assert (sweep / "1" / "summary.json").exists()


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the workers")
def test_joblib_workers_stop_when_the_sweep_is_killed(tmp_path):
    sweep = tmp_path / "sweep"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sim",
            "-m",
            "policy=pre_reform,one_window",
            "county=small",
            "run.replications=30",
            "run.horizon_days=250",
            "hydra/launcher=joblib",
            "hydra.launcher.n_jobs=2",
            f"hydra.sweep.dir={sweep}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while time.time() < deadline and not (sweep / "1" / sweepdir.JOB).exists():
        time.sleep(0.05)
    workers = [p for p in _children(proc.pid) if "loky" in Path(f"/proc/{p}/cmdline").read_text()]
    assert workers, "no joblib worker found"
    proc.kill()  # the main process only, as an OOM killer or a lost terminal would
    proc.wait()
    deadline = time.time() + 20
    while time.time() < deadline and any(map(_running, workers)):
        time.sleep(0.2)
    assert not any(map(_running, workers)), "workers outlived the sweep"
    assert not (sweep / "0" / "summary.json").exists()


# ------------------------------------------------------------------ 4. corrupt summary
@pytest.mark.usefixtures("unrendered_figures")  # tables and text, not pixels
def test_a_corrupt_summary_is_unfinished_named_and_redone(tmp_path, capsys):
    sweep = tmp_path / "sweep"
    cmd = ("-m", "policy=pre_reform,one_window,escalation", *QUICK, f"hydra.sweep.dir={sweep}")
    assert tsim(*cmd).returncode == 0
    good = arrivals(sweep / "0")
    text = (sweep / "0" / "summary.json").read_text()
    (sweep / "0" / "summary.json").write_text(text[: len(text) // 2])  # cut short
    (sweep / "1" / "summary.json").write_text("{}")

    assert report_main([str(sweep)]) == 0
    out = capsys.readouterr().out
    assert f"{sweep / '0' / 'summary.json'}: not valid JSON" in out
    assert f"{sweep / '1' / 'summary.json'}: lacks metrics" in out
    assert set(pd.read_csv(sweep / "comparison.csv").job) == {"escalation"}

    again = tsim(*cmd)  # resuming redoes them instead of stopping with a traceback
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr
    assert arrivals(sweep / "0") == good
    assert results.summary_or_none(sweep / "1") is not None


def test_writes_reach_the_disk_before_the_rename(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(
        os, "replace", lambda a, b: (calls.append("replace"), real_replace(a, b))[1]
    )
    results.atomic_write(tmp_path / "x.txt", lambda p: p.write_text("done"))
    assert calls[:2] == ["fsync", "replace"]
    assert (tmp_path / "x.txt").read_text() == "done"

    def half_then_fail(p):
        p.write_text("cut mi")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        results.atomic_write(tmp_path / "x.txt", half_then_fail)
    assert (tmp_path / "x.txt").read_text() == "done"  # the old file, whole
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]  # no temporary left


# ------------------------------------------------------------------ 7. git
def test_reading_the_commit_writes_nothing_in_the_repository(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)

    git("init", "-q")
    (repo / "a.txt").write_text("a\n")
    git("add", "a.txt")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "a")
    time.sleep(1.1)
    (repo / "a.txt").write_text("a\n")  # same content, newer stat: git status would refresh
    index = repo / ".git" / "index"
    before = (index.read_bytes(), index.stat().st_mtime_ns)
    commit = results.git_commit(repo)
    assert commit is not None and len(commit) == 40  # unchanged content: not dirty
    assert (index.read_bytes(), index.stat().st_mtime_ns) == before
    assert not (repo / ".git" / "index.lock").exists()


def test_begin_quarantines_another_configurations_result_and_restores_by_hash(tmp_path):
    store = tmp_path / ".stale"
    job = tmp_path / "0"
    job.mkdir()
    summary = {"metrics": {}, "seed": 1, "replications": 2, "config_hash": "aaa", "streams": []}
    (job / "summary.json").write_text(json.dumps(summary))
    (job / "replications.csv").write_text("replication\n0\n1\n")

    other = sweepdir.JobRecord("bbb", 2, ["x=2"], None)
    assert sweepdir.begin(job, other, store) is False
    assert not (job / "summary.json").exists() and not (job / "replications.csv").exists()
    assert sweepdir.read_job(job) == other

    again = tmp_path / "1"
    mine = sweepdir.JobRecord("aaa", 2, ["x=1"], None)
    assert sweepdir.begin(again, mine, store) is True  # found by its configuration
    assert json.loads((again / "summary.json").read_text()) == summary
    assert (again / "replications.csv").read_text() == "replication\n0\n1\n"
    assert list(store.iterdir()) == []
    # Another replication count is another result: not taken.
    (again / "summary.json").write_text(json.dumps(summary))
    assert sweepdir.begin(again, sweepdir.JobRecord("aaa", 3, [], None), store) is False

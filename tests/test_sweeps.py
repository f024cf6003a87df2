"""The planner's loop: sweeps that never lose work, and reports that compare policies."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from sim.analysis.stats import paired_difference, welch_difference
from sim.cli.report import main as report_main
from sim.cli.tsim import main as tsim_main
from sim.run import engine

from .conftest import scenario, tsim_in_process

pytestmark = pytest.mark.slow  # sweeps and paired lever runs: the full tier

QUICK = ["county=single", "run.replications=2", "run.horizon_days=60", "run.warmup_days=5"]


def tsim_beside(
    in_process: list[str], own_process: list[str]
) -> list[subprocess.CompletedProcess[str]]:
    """Two ``tsim`` commands at once: one in a process of its own (started first), the
    other in this process meanwhile — a second interpreter's start-up (~2 s) only where
    the process is what is tested, and no core left idle while pytest waits.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *own_process],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    here = tsim_in_process(*in_process)
    out, err = proc.communicate(timeout=600)
    return [here, subprocess.CompletedProcess(proc.args, proc.returncode, out, err)]


@pytest.mark.usefixtures("unrendered_figures")  # tables and text, not pixels
def test_killed_sweep_resumes_without_redoing_finished_jobs(tmp_path):
    sweep = tmp_path / "sweep"
    cmd = [
        sys.executable,
        "-m",
        "sim",
        "-m",
        "policy=pre_reform,escalation,merged_grid",
        "county=single",
        "run.replications=3",
        "run.horizon_days=150",
        f"hydra.sweep.dir={sweep}",
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    first = sweep / "0" / "summary.json"
    deadline = time.time() + 300
    while not first.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert first.exists()
    assert not (sweep / "2" / "summary.json").exists()  # killed before the end
    kept = {
        p.name: p.stat().st_mtime_ns
        for p in (sweep / "0").iterdir()
        if p.is_file() and (p.suffix in (".csv", ".parquet") or p.name == "summary.json")
    }  # job.json is rewritten: it records which sweep the job belongs to

    again = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "0 is complete for this configuration; skipped" in again.stdout
    for name, mtime in kept.items():
        assert (sweep / "0" / name).stat().st_mtime_ns == mtime, f"{name} was rewritten"
    for job in ("1", "2"):
        assert (sweep / job / "summary.json").exists()
        assert not list((sweep / job).glob(".*.tmp-*"))
    assert report_main([str(sweep)]) == 0
    table = pd.read_csv(sweep / "comparison.csv")
    assert set(table.job) == {"pre_reform", "escalation", "merged_grid"}


@pytest.mark.usefixtures("unrendered_figures")  # tables and text, not pixels
def test_failed_job_is_recorded_and_the_report_covers_the_rest(tmp_path, capsys, monkeypatch):
    """A job that fails while it runs (a bad configuration stops the sweep before it
    starts: test_cli_edges2.py).
    """
    real_run = engine.run

    def run(s, *args, **kw):
        if s.run.warmup_days == 6:
            raise RuntimeError("the job died")
        return real_run(s, *args, **kw)

    monkeypatch.setattr(engine, "run", run)
    sweep = tmp_path / "sweep"
    status = tsim_main(["-m", "run.warmup_days=5,6,10", *QUICK[:3], f"hydra.sweep.dir={sweep}"])
    printed = capsys.readouterr()
    assert status == 1  # the sweep says a job failed, in one line...
    assert printed.err.strip().splitlines()[-1].startswith("tsim: a job of the sweep failed")
    assert "job 3/3 run.warmup_days=10" in printed.out  # progress counts the sweep
    error = json.loads((sweep / "1" / "error.json").read_text())
    assert "RuntimeError: the job died" in error["exception"]
    assert "run.warmup_days=6" in error["overrides"] and error["traceback"]
    assert not (sweep / "1" / "summary.json").exists()
    assert (sweep / "0" / "summary.json").exists() and (sweep / "2" / "summary.json").exists()

    assert report_main([str(sweep)]) == 0  # ...and the report covers the others
    printed = capsys.readouterr().out
    assert "FAILED warmup_days=6" in printed
    assert set(pd.read_csv(sweep / "comparison.csv").job) == {"warmup_days=5", "warmup_days=10"}


@pytest.mark.usefixtures("unrendered_figures")  # tables and text, not pixels
def test_serial_and_joblib_sweeps_give_identical_numbers(tmp_path):
    serial, parallel = tmp_path / "serial", tmp_path / "joblib"
    sweep = ["-m", "policy=pre_reform,one_window", *QUICK]
    launcher = ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"]
    for res in tsim_beside(  # joblib's workers in a sweep process of its own, as users run it
        [*sweep, f"hydra.sweep.dir={serial}"],
        [*sweep, *launcher, f"hydra.sweep.dir={parallel}"],
    ):
        assert res.returncode == 0, res.stderr
    for d in (serial, parallel):
        assert report_main([str(d)]) == 0
    a = pd.read_csv(serial / "comparison.csv").sort_values(["job", "metric"])
    b = pd.read_csv(parallel / "comparison.csv").sort_values(["job", "metric"])
    assert len(a) > 200  # 2 jobs × every metric of one township and the county
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_report_writes_every_artefact_of_a_study(tmp_path):
    sweep = tmp_path / "sweep"
    assert (
        tsim_in_process(
            "-m",
            "policy=pre_reform,reform_2019",
            "county=small",
            "run.replications=3",
            "run.horizon_days=60",
            "run.warmup_days=5",
            f"hydra.sweep.dir={sweep}",
        ).returncode
        == 0
    )
    out = tmp_path / "report"
    assert report_main([str(sweep), "--out", str(out), "--baseline", "pre_reform"]) == 0
    for name in (
        "comparison.csv",
        "differences.csv",
        "report.md",
        "backlog_over_time.png",
        "kpi_bars.png",
        "differences.png",
        "fairness.png",
        "lead_time_ecdf.png",
    ):
        assert (out / name).stat().st_size > 0, name
    table = pd.read_csv(out / "comparison.csv")
    assert list(table.columns) == ["job", "metric", "mean", "ci_low", "ci_high", "replications"]
    assert table.replications.max() == 3  # fewer where a replication has no such event
    assert (table[table.metric == "county.services.wait_mean_h"].replications == 3).all()
    diffs = pd.read_csv(out / "differences.csv")
    assert set(diffs.job) == {"reform_2019"} and diffs.paired.all()
    md = (out / "report.md").read_text()
    for section in (
        "## 1. Objective",
        "## 2. Model scope",
        "## 3. Inputs",
        "## 4. Experimentation",
        "## 5. Implementation",
        "## 6. Results",
        "common random numbers",
        "`policy`",
        "![backlog_over_time]",
    ):
        assert section in md, section


def test_unknown_baseline_is_a_clear_error(tmp_path, capsys):
    run = tmp_path / "run"
    assert tsim_in_process(*QUICK, f"hydra.run.dir={run}").returncode == 0
    assert report_main([str(run), "--baseline", "nope"]) == 2
    assert "--baseline 'nope': no finished job of that name (jobs: run)" in capsys.readouterr().err
    assert report_main([str(tmp_path / "missing")]) == 2


def test_paired_differences_are_narrower_than_unpaired_for_a_small_effect():
    # Escalation barely touches the service centre: a small effect on service waiting.
    args = (
        "county=small",
        "run.replications=8",
        "run.horizon_days=120",
        "run.warmup_days=10",
        "run.timeseries=false",
    )
    metric = "county.services.backlog_mean"
    base = engine.run(scenario("policy=pre_reform", *args)).replications[metric].to_numpy()
    lever = engine.run(scenario("policy=escalation", *args)).replications[metric].to_numpy()
    p = paired_difference(lever, base)
    u = welch_difference(lever, base)
    assert p["ci_high"] - p["ci_low"] < 0.5 * (u["ci_high"] - u["ci_low"]), (p, u)
    assert np.isclose(p["mean"], u["mean"])


def test_jobs_share_random_numbers_unless_told_otherwise(tmp_path):
    sweep, indep = tmp_path / "sweep", tmp_path / "indep"
    both = ["-m", "policy=pre_reform,one_window", *QUICK]
    for res in (
        tsim_in_process(*both, f"hydra.sweep.dir={sweep}"),
        tsim_in_process(*both, "run.common_random_numbers=false", f"hydra.sweep.dir={indep}"),
    ):
        assert res.returncode == 0, res.stderr
    seeds = {json.loads((sweep / j / "summary.json").read_text())["seed"] for j in "01"}
    assert seeds == {20191101}
    seeds = {json.loads((indep / j / "summary.json").read_text())["seed"] for j in "01"}
    assert len(seeds) == 2

"""End to end through the installed commands, as a planner runs them: in this process
(``main([...])``, what ``python -m sim`` calls), and once through ``python -m sim`` itself
for what only a process shows, its exit status and standard error.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd

from sim.analysis.county_queues import COUNTY_QUEUES

from .conftest import stream_ids, tsim_in_process


def tsim(*args):
    """``python -m sim ARGS`` in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, timeout=300
    )


def test_single_run_writes_complete_run_directory(tmp_path):
    run_dir = tmp_path / "run"
    res = tsim_in_process(
        "run.replications=2",
        "run.horizon_days=60",
        "run.warmup_days=10",
        f"hydra.run.dir={run_dir}",
    )
    assert res.returncode == 0, res.stderr
    assert "county summary" in res.stdout and "services" in res.stdout
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["replications"] == 2 and summary["seed"] == 20191101
    assert len(summary["config_hash"]) == 16
    metrics = summary["metrics"]
    scopes = ["county"] + [f"town_{i}" for i in (1, 2, 3)] + [f"rural_{i}" for i in range(1, 7)]
    for scope in scopes:
        for stream in ("services", "enforcement", "delegated"):
            for m in (
                "arrivals",
                "completions",
                "backlog_mean",
                "backlog_end",
                "wait_mean_h",
                "lead_time_mean_h",
                "lead_time_p90_h",
                "on_time_share",
            ):
                entry = metrics[f"{scope}.{stream}.{m}"]
                assert set(entry) == {"mean", "ci_low", "ci_high", "n"}
        assert metrics[f"{scope}.services.visits_mean"]["n"] == 2
        assert f"{scope}.staff.window_staff.utilisation_share" in metrics
    arr = metrics["county.services.arrivals"]
    assert arr["ci_low"] <= arr["mean"] <= arr["ci_high"]
    meta = summary["meta"]
    assert meta["events"] > meta["work_items"] > 0 and meta["sim_seconds"] > 0
    assert meta["versions"]["simpy"] and "git_commit" in meta
    reps = pd.read_csv(run_dir / "replications.csv")
    assert list(reps["replication"]) == [0, 1]
    series = pd.read_parquet(run_dir / "timeseries.parquet")
    assert list(series.columns) == ["replication", "day", "township", "stream", "metric", "value"]
    assert series["day"].min() == 10 and series["day"].max() == 59
    assert set(series["stream"]) == {*stream_ids(), "staff", *(q.id for q in COUNTY_QUEUES)}
    staff = series[
        (series.stream == "staff") & (series.township == "county") & (series.metric == "headcount")
    ]
    assert (staff.value > 0).all()
    assert (run_dir / ".hydra" / "config.yaml").is_file()


def test_bad_value_fails_in_one_line_without_result(tmp_path):
    # Through ``python -m sim``: the status and the one line as a shell sees them.
    run_dir = tmp_path / "bad"
    res = tsim("run.warmup_days=300", f"hydra.run.dir={run_dir}")
    assert res.returncode == 2
    assert res.stderr.strip() == (
        "tsim: configuration error: run.warmup_days = 300: must be "
        "shorter than run.horizon_days = 250"
    )
    assert "Traceback" not in res.stderr
    assert not (run_dir / "summary.json").exists()


def test_mmc_preset_runs_from_the_command(tmp_path):
    res = tsim_in_process(
        "+validation=mmc",
        "mmc.lam_per_h=2",
        "mmc.mu_per_h=1",
        "mmc.servers=3",
        "run.replications=2",
        "run.horizon_days=30",
        "run.warmup_days=2",
        f"hydra.run.dir={tmp_path}",
    )
    assert res.returncode == 0, res.stderr
    metrics = json.loads((tmp_path / "summary.json").read_text())["metrics"]
    assert metrics["county.enforcement.arrivals"]["mean"] == 0
    assert metrics["county.services.arrivals"]["mean"] > 0
    working = [
        k
        for k in metrics
        if k.startswith("town_1.staff.")
        and k.endswith("utilisation_share")
        and metrics[k]["mean"] is not None
    ]
    assert working == ["town_1.staff.window_staff.utilisation_share"]
    assert metrics["town_1.staff.window_staff.headcount_mean"]["mean"] == 3
    assert metrics["town_1.staff.headcount_mean"]["mean"] == 3

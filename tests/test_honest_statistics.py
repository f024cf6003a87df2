"""Overload is shown, not hidden, and no interval claims an impossible value (issue 12,
points 11 and 12).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.metrics import open_items_metrics
from sim.analysis.stats import bounds_of, confidence_interval
from sim.core.records import Records
from sim.report.outputs import StreamInfo, unstable_streams
from sim.run import engine, results

from .conftest import scenario, tsim_in_process


def records(arr, done):
    n = len(arr)
    nan = np.full(n, np.nan)
    return Records(
        township=np.zeros(n, int), stream=np.zeros(n, int), arr=np.asarray(arr, float),
        start=nan, done=np.asarray(done, float), due=nan, visits=nan, up=nan, answer=nan,
        decided=nan, tag=np.zeros(n, int),
    )  # fmt: skip


def test_growth_and_open_ages_of_a_hand_made_case():
    # One item an hour for 20 days of 8 h, none ever finished: the backlog grows by 8 a
    # day; at the horizon (h = 160) the oldest item arrived at 0 and is 20 days old, and
    # the mean age of items arriving at 0..159 is (160 - 79.5) / 8 days.
    r = records(np.arange(160), np.full(160, np.nan))
    m = open_items_metrics(r, 0.0, 160.0, 8.0)
    assert m["backlog_growth_per_day"] == pytest.approx(8.0)
    assert m["open_age_max_d"] == pytest.approx(20.0)
    assert m["open_age_mean_d"] == pytest.approx((160 - 79.5) / 8)
    # Each item done one hour after it arrived: the backlog is flat, nothing is open.
    flat = open_items_metrics(records(np.arange(160), np.arange(160) + 1), 0.0, 160.0, 8.0)
    assert flat["backlog_growth_per_day"] == pytest.approx(0.0, abs=1e-9)
    assert flat["open_age_max_d"] == 0.0 and math.isnan(flat["open_age_mean_d"])


MMC = ("+validation=mmc", "run.horizon_days=60", "run.warmup_days=5", "run.timeseries=false")


@pytest.mark.slow
def test_an_overloaded_queue_is_flagged_and_grows_at_lambda_minus_c_mu():
    # M/M/5 with λ = 6 > cμ = 5 per hour: once all servers are busy the queue grows by
    # (λ − cμ) × 8 h = 8 items per working day; with λ = 3 it is stable.
    over = engine.run(scenario(*MMC, "mmc.lam_per_h=6", "run.replications=4"))
    summary = results.summarise(over)
    growth = summary["county.services.backlog_growth_per_day"]
    assert growth["mean"] == pytest.approx(8.0, rel=0.25)
    streams = [StreamInfo("services", "Services")]
    assert unstable_streams(summary, "county", streams) == ["services"]
    # FIFO: the oldest open item arrived when the queue now ahead of it started to
    # build, (λ − cμ) / cμ × 60 days = 12 days before the horizon.
    assert summary["county.services.open_age_max_d"]["mean"] == pytest.approx(12.0, rel=0.25)

    calm = results.summarise(engine.run(scenario(*MMC, "mmc.lam_per_h=3", "run.replications=4")))
    assert unstable_streams(calm, "county", streams) == []


def test_intervals_never_leave_the_possible_values():
    heavy = [0.0, 0.0, 0.0, 0.0, 500.0]  # a heavy tail from five replications
    assert confidence_interval(heavy)["ci_low"] < 0  # the plain t-interval does
    ci = confidence_interval(heavy, lo=0.0)
    assert ci["ci_low"] == 0.0 and ci["ci_high"] > ci["mean"] == 100.0
    lo, hi = bounds_of("county.services.on_time_share")
    share = confidence_interval([1.0, 1.0, 0.5, 1.0], lo=lo, hi=hi)
    assert share["ci_low"] >= 0.0 and share["ci_high"] == 1.0
    assert bounds_of("county.services.backlog_mean") == (0.0, None)
    assert bounds_of("county.services.backlog_growth_per_day") == (None, None)

    out = results.RunOutput(
        pd.DataFrame({"replication": range(5), "county.services.backlog_mean": heavy}),
        None,
        pd.DataFrame(),
    )
    assert results.summarise(out)["county.services.backlog_mean"]["ci_low"] == 0.0


AUTO = ("county=single", "run.horizon_days=30", "run.warmup_days=5", "run.timeseries=false")


def test_auto_replications_stop_at_the_precision_or_the_maximum():
    loose = engine.run(
        scenario(*AUTO, "run.replications=auto", "run.precision=9", "run.min_replications=3")
    )
    assert len(loose.replications) == 3  # ±900% is met at once
    tight = engine.run(
        scenario(
            *AUTO,
            "run.replications=auto",
            "run.precision=0.001",
            "run.min_replications=2",
            "run.max_replications=4",
        )
    )
    assert len(tight.replications) == 4
    rec = tight.meta["precision"]
    assert rec["reached"] is False and rec["rule"]["max"] == 4
    # The recorded half-widths are the KPIs' own: recompute one from the replications.
    kpi = "county.services.wait_mean_h"
    ci = confidence_interval(tight.replications[kpi])
    half = (ci["ci_high"] - ci["ci_low"]) / 2
    assert rec["relative_half_width"][kpi] == pytest.approx(half / ci["mean"])


def test_auto_replications_are_recorded_and_bad_values_are_one_line(tmp_path):
    import json

    def tsim(*args):
        return tsim_in_process(*AUTO, *args)

    run_dir = tmp_path / "run"
    res = tsim("run.replications=auto", "run.precision=0.5", f"hydra.run.dir={run_dir}")
    assert res.returncode == 0, res.stderr
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["replication_rule"]["precision"] == 0.5
    assert summary["replications"] == summary["meta"]["precision"]["replications"] >= 5
    bad = tsim("run.replications=lots", f"hydra.run.dir={tmp_path / 'bad'}")
    assert bad.returncode == 2
    assert bad.stderr.strip() == (
        "tsim: configuration error: run.replications = 'lots': must be an integer ≥ 1 "
        "and ≤ 10000, or auto (see run.precision)"
    )


def _stream(stream_id):
    """A stream as summary.json records it."""
    return {"id": stream_id, "label": stream_id, "unit": "items", "in_backlog_total": True}


def test_the_run_table_flags_a_growing_stream():
    from sim.report.table import scope_table

    growing = {"mean": 8.0, "ci_low": 6.0, "ci_high": 10.0, "n": 4}
    flat = {"mean": 0.1, "ci_low": -0.5, "ci_high": 0.7, "n": 4}
    summary = {
        "metrics": {
            "county.services.backlog_growth_per_day": growing,
            "county.enforcement.backlog_growth_per_day": flat,
        },
        "streams": [_stream("services"), _stream("enforcement")],
    }
    assert "UNSTABLE (backlog grows: 95% CI above 0" in scope_table(summary)
    assert "): services —" in scope_table(summary)


def test_a_significant_but_practically_flat_growth_is_not_flagged():
    # reform_2019's enforcement: +0.016 cases a day [+0.0002, +0.03] on a backlog of 73
    # was flagged UNSTABLE beside a flat line; 0.1% of the mean a day is the floor.
    streams = [StreamInfo("enforcement", "Enforcement")]
    growth = {"mean": 0.016, "ci_low": 0.0002, "ci_high": 0.03}
    flat = {
        "county.enforcement.backlog_growth_per_day": growth,
        "county.enforcement.backlog_mean": {"mean": 73.0},
    }
    assert unstable_streams(flat, "county", streams) == []
    small = {**flat, "county.enforcement.backlog_mean": {"mean": 5.0}}  # 0.3% a day
    assert unstable_streams(small, "county", streams) == ["enforcement"]


def test_auto_jobs_with_different_counts_pair_their_common_replications():
    from pathlib import Path

    from sim.report.jobs import Job
    from sim.report.stats import difference

    def job(values):
        j = Job(Path("x"), [], summary={"seed": 7, "replications": len(values), "metrics": {}})
        j._cache["replications"] = pd.DataFrame({"replication": range(len(values)), "m": values})
        return j

    long, short = job([10.0, 20.0, 30.0, 40.0, 50.0]), job([9.0, 19.0, 28.0])
    d = difference(long, short, "m")
    assert d["n"] == 3 and d["mean"] == pytest.approx((1 + 1 + 2) / 3)


def test_report_and_console_mark_the_kpis_of_a_growing_stream():
    from pathlib import Path

    from sim.report import console as report_table
    from sim.report import markdown as report_markdown
    from sim.report import plots
    from sim.report.jobs import Job

    metrics = {
        "county.delegated.backlog_growth_per_day": {"mean": 2.0, "ci_low": 1.5, "ci_high": 2.5},
        "county.delegated.overdue_share": {"mean": 0.2, "ci_low": 0.1, "ci_high": 0.3},
        "county.services.backlog_growth_per_day": {"mean": 0.0, "ci_low": -1.0, "ci_high": 1.0},
        "county.services.wait_mean_h": {"mean": 3.0, "ci_low": 2.0, "ci_high": 4.0},
    }
    streams = [_stream("services"), _stream("delegated")]
    job = Job(Path("0"), [], summary={"metrics": metrics, "seed": 1, "streams": streams})
    job.name = "pre_reform"
    row = report_markdown._kpi_rows([job], plots.KPIS)[-1]
    assert "0.20 ±0.10 ⚠ unstable" in row and "3.0 ±1.0 ⚠" not in row
    console = report_table.console_table([job]).splitlines()[1]
    assert console.rstrip().endswith("delegated")
    assert "UNSTABLE delegated" in "\n".join(report_markdown._stability([job]))

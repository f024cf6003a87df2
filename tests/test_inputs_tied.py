"""A result always tied to its input files (issue 22): an input file edited in place is
another configuration, so a resumed sweep simulates again; a finished job whose output
files do not read back is redone on resume and named by the report, which covers the
other jobs.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.calibrate.calibration import calibrate
from sim.cli.report import main as report_main
from sim.config import ConfigError, config_hash
from sim.config.loading import file_digest
from sim.report import jobs
from sim.run import engine, results, sweepdir

from .conftest import raw_config, scenario, tsim_in_process

QUICK = ("county=single", "run.replications=2", "run.horizon_days=20", "run.warmup_days=0")


# ------------------------------------------------------------ 1. input file contents
EDITS = {
    # layout: (the file, the same file edited in place)
    "counts, 12 → 300 items": (
        "township,stream,open_items\ntown_1,services,12\n",
        "township,stream,open_items\ntown_1,services,300\n",
    ),
    "dated items, one date moved": (
        "township,stream,arrival_date\ntown_1,services,2019-12-30\n",
        "township,stream,arrival_date\ntown_1,services,2019-11-04\n",
    ),
}


@pytest.mark.parametrize("layout", EDITS)
def test_an_input_file_edited_in_place_is_another_configuration_and_its_job_runs_again(
    tmp_path, layout, capsys
):
    before, after = EDITS[layout]
    backlog = tmp_path / "backlog.csv"
    backlog.write_text(before)
    s = scenario(*QUICK, f"run.initial_backlog={backlog}")
    first = config_hash(s)

    job, store = tmp_path / "sweep" / "0", tmp_path / "sweep" / sweepdir.STALE
    assert sweepdir.begin(job, sweepdir.JobRecord(first, 2, [], None), store) is False
    results.write_run(job, engine.run(s), seed=s.run.seed, replications=2, config_hash=first)
    assert sweepdir.begin(job, sweepdir.JobRecord(first, 2, [], None), store) is True  # resumed

    backlog.write_text(after)  # same path, same scenario object, other contents
    edited = config_hash(s)
    assert edited != first
    assert sweepdir.begin(job, sweepdir.JobRecord(edited, 2, [], None), store) is False  # re-run
    assert not (job / results.SUMMARY).exists()
    assert "another configuration's result" in capsys.readouterr().out

    # The contents count, not the file's name or its time: the old contents elsewhere are
    # the old configuration, and its result comes back from quarantine.
    elsewhere = tmp_path / "copy.csv"
    elsewhere.write_text(before)
    again = config_hash(scenario(*QUICK, f"run.initial_backlog={elsewhere}"))
    assert again == first
    assert sweepdir.begin(job, sweepdir.JobRecord(again, 2, [], None), store) is True


def test_a_calibration_records_the_contents_of_its_counts_file(tmp_path):
    counts = tmp_path / "counts.csv"
    header = "township,stream,period_start,period_end,arrivals,completions,kind\n"
    recorded = []
    for arrivals in (6, 60):  # the same file edited in place
        counts.write_text(
            header + f"town_1,enforcement,2020-01-06,2020-01-31,{arrivals},,inspections\n"
        )
        out = tmp_path / f"calibration-{arrivals}"
        out.mkdir()
        calibrate(raw_config("county=small", "run.replications=2"), str(counts), out)
        record = json.loads((out / "calibration.json").read_text())
        assert record["data_sha256"] == file_digest(counts)
        recorded.append(record["data_sha256"])
    assert recorded[0] != recorded[1]


def test_an_input_file_that_cannot_be_read_is_one_line_naming_it(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match=rf"^{tmp_path / 'gone.csv'}: no such file$"):
        file_digest(tmp_path / "gone.csv")
    # A relative path says where it was looked for: a ready plan's data file is found
    # from the repository root only.
    monkeypatch.chdir(tmp_path)
    with pytest.raises(
        ConfigError, match=rf"^gone.csv: no such file \(looked for from {tmp_path}\)$"
    ):
        file_digest("gone.csv")


@pytest.mark.slow
def test_a_sweep_rerun_after_the_backlog_file_is_edited_simulates_both_jobs_again(tmp_path):
    backlog = tmp_path / "backlog.csv"
    backlog.write_text("township,stream,open_items\ntown_1,services,12\n")
    sweep = tmp_path / "sweep"
    cmd = [
        "-m",
        "policy=pre_reform,one_window",
        *QUICK,
        f"run.initial_backlog={backlog}",
        f"hydra.sweep.dir={sweep}",
    ]

    def run() -> subprocess.CompletedProcess[str]:
        done = tsim_in_process(*cmd)
        assert done.returncode == 0, done.stderr
        return done

    def backlog_start(job: str) -> float:
        summary = json.loads((sweep / job / results.SUMMARY).read_text())
        return summary["metrics"]["county.services.backlog_start"]["mean"]

    run()
    assert [backlog_start(j) for j in "01"] == [12, 12]
    # Unchanged, a re-run skips both jobs: test_sweeps' killed sweep resumes so.
    backlog.write_text("township,stream,open_items\ntown_1,services,300\n")
    assert "skipped" not in run().stdout
    assert [backlog_start(j) for j in "01"] == [300, 300]


# ------------------------------------------------------------ 2. outputs that read back
@pytest.fixture(scope="module")
def output() -> results.RunOutput:
    return engine.run(scenario(*QUICK))


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _garble(path: Path) -> None:
    path.write_text("\x00garbage, not a table\n")


def _drop_last_row(path: Path) -> None:
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-1]))


def _non_numeric_cell(path: Path) -> None:
    table = pd.read_csv(path)
    table[table.columns[-1]] = table[table.columns[-1]].astype(object)
    table.iloc[0, -1] = "n/a"  # same rows, one cell no longer a number
    table.to_csv(path, index=False)


DAMAGE = {
    "truncated timeseries.parquet": (results.TIMESERIES, _truncate),
    "truncated lead_times.parquet": (results.LEAD_TIMES, _truncate),
    "missing timeseries.parquet": (results.TIMESERIES, Path.unlink),
    "corrupt replications.csv": (results.REPLICATIONS, _garble),
    "replications.csv a row short": (results.REPLICATIONS, _drop_last_row),
    "replications.csv with a non-numeric cell": (results.REPLICATIONS, _non_numeric_cell),
}
POLICIES = ("pre_reform", "one_window", "escalation")  # job 0 is the default baseline


def _finished_sweep(sweep: Path, out: results.RunOutput) -> list[sweepdir.JobRecord]:
    """A sweep directory of three finished jobs, written as tsim writes them."""
    sweep.mkdir()
    sweep_id = sweepdir.start_sweep(sweep, [f"policy={','.join(POLICIES)}"])["id"]
    records = []
    for n, policy in enumerate(POLICIES):
        job = sweep / str(n)
        (job / ".hydra").mkdir(parents=True)
        (job / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump([f"policy={policy}"]))
        record = sweepdir.JobRecord(f"hash{n}", 2, [f"policy={policy}"], sweep_id)
        assert sweepdir.begin(job, record, sweep / sweepdir.STALE) is False
        results.write_run(job, out, seed=1, replications=2, config_hash=record.config_hash)
        records.append(record)
    return records


@pytest.mark.parametrize(
    "damage",
    # one kind of damage in the quick tier; every kind in the full one
    [d if i == 0 else pytest.param(d, marks=pytest.mark.slow) for i, d in enumerate(DAMAGE)],
)
@pytest.mark.usefixtures("unrendered_figures")  # tables and text, not pixels
def test_a_finished_job_whose_outputs_do_not_read_back_is_redone_and_named(
    tmp_path, output, damage, capsys
):
    sweep = tmp_path / "sweep"
    records = _finished_sweep(sweep, output)
    name, spoil = DAMAGE[damage]
    broken = sweep / "0" / name
    spoil(broken)

    # The report names the file and covers the other jobs.
    loaded = jobs.load([sweep])
    assert [j.ok for j in loaded] == [False, True, True]
    assert str(broken) in loaded[0].error["exception"]
    assert report_main([str(sweep)]) == 0
    printed = capsys.readouterr().out
    assert f"FAILED pre_reform ({sweep / '0'}): {broken}" in printed
    assert str(broken) in (sweep / "report.md").read_text()
    assert set(pd.read_csv(sweep / "comparison.csv").job) == {"one_window", "escalation"}
    differences = pd.read_csv(sweep / "differences.csv")
    assert differences.drop(columns="job").notna().any().any()  # against a finished job

    # Resuming redoes it, names the file, and never takes the broken result back.
    store = sweep / sweepdir.STALE
    assert sweepdir.begin(sweep / "0", records[0], store) is False
    assert str(broken) in capsys.readouterr().err
    assert not (sweep / "0" / results.SUMMARY).exists()
    assert [p.name.split("-")[0] for p in store.iterdir()] == ["corrupt"]
    assert sweepdir.begin(sweep / "0", records[0], store) is False
    assert sweepdir.begin(sweep / "1", records[1], store) is True  # the others stay done


def test_the_summary_records_each_output_as_written(tmp_path, output):
    results.write_run(tmp_path, output, seed=1, replications=2, config_hash="h")
    recorded = json.loads((tmp_path / results.SUMMARY).read_text())["outputs"]
    assert recorded[results.REPLICATIONS]["rows"] == 2
    for name, entry in recorded.items():
        assert entry["bytes"] == (tmp_path / name).stat().st_size
    results.check_outputs(tmp_path, results.read_summary(tmp_path))  # reads back: no error

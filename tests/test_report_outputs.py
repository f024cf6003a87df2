"""Where ``tsim-report`` writes and what ``report.md`` says about each job (issue 12,
points 5 and 6): one report never overwrites another, a destination it cannot write
gives one line, and jobs run differently are described one by one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.cli.report import main as report_main
from sim.cli.tsim import main as tsim_main

pytestmark = pytest.mark.slow  # two runs of the model

RUNS = {
    "a": ["run.replications=2", "run.horizon_days=40"],
    "b": ["run.replications=3", "run.horizon_days=60"],
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("runs")
    made = {}
    for name, args in RUNS.items():
        run_dir = root / name
        assert (
            tsim_main(["county=single", "run.warmup_days=5", *args, f"hydra.run.dir={run_dir}"])
            == 0
        )
        made[name] = run_dir
    return made


def copy(run_dir: Path, to: Path) -> Path:
    shutil.copytree(run_dir, to)
    return to


@pytest.mark.usefixtures("unrendered_figures")  # tables and text, not pixels
def test_several_paths_without_out_write_a_new_directory(runs, tmp_path, monkeypatch, capsys):
    a, b = copy(runs["a"], tmp_path / "a"), copy(runs["b"], tmp_path / "b")
    assert report_main([str(a)]) == 0
    own = {p.name: p.read_bytes() for p in a.iterdir() if p.suffix in (".md", ".csv", ".png")}
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert report_main([str(a), str(b)]) == 0
    assert {p.name: p.read_bytes() for p in a.iterdir() if p.name in own} == own
    made = list((tmp_path / "results" / "reports").iterdir())
    assert len(made) == 1 and (made[0] / "report.md").is_file()
    assert str(Path("results") / "reports" / made[0].name / "report.md") in capsys.readouterr().out
    assert set(pd.read_csv(made[0] / "comparison.csv").job) == {
        "horizon_days=40, replications=2",
        "horizon_days=60, replications=3",
    }
    assert not list(made[0].glob(".*tmp*"))  # every output renamed into place


@pytest.mark.usefixtures("unrendered_figures")  # tables and text, not pixels
def test_report_md_describes_each_job_as_it_was_run(runs, tmp_path):
    out = tmp_path / "out"
    assert report_main([str(runs["a"]), str(runs["b"]), "--out", str(out)]) == 0
    md = (out / "report.md").read_text()
    assert "The jobs differ in how they were run" in md
    assert "| horizon_days=40, replications=2 | single (1) | 40.0 (" in md
    assert "| 5.0 | 2 | 20191101 |" in md
    assert "| horizon_days=60, replications=3 | single (1) | 60.0 (" in md
    assert "| 5.0 | 3 | 20191101 |" in md
    assert "Replications: 2 per job" not in md


def test_a_destination_that_cannot_be_written_is_one_line(runs, tmp_path, monkeypatch, capsys):
    a = copy(runs["a"], tmp_path / "a")
    real_mkdir = Path.mkdir

    def read_only(self, *args, **kwargs):
        if self == a:
            raise PermissionError(13, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", read_only)
    assert report_main([str(a)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"tsim-report: cannot write the report into {a} (Permission denied); give --out DIR"
    ]

    monkeypatch.undo()
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    assert report_main([str(a), "--out", str(a_file)]) == 2
    assert (
        capsys.readouterr().err.strip()
        == f"tsim-report: --out {a_file}: is a file; give a directory"
    )


@pytest.mark.parametrize("content", ["", "{}", '{"metrics": {"county.x": {"mean"'])
def test_no_finished_job_is_a_non_zero_exit_naming_the_files(runs, tmp_path, capsys, content):
    a = copy(runs["a"], tmp_path / "a")
    (a / "summary.json").write_text(content)
    assert report_main([str(a)]) == 1
    cap = capsys.readouterr()
    assert f"{a / 'summary.json'}: " in cap.out and "treated as unfinished" in cap.out
    [line] = cap.err.strip().splitlines()
    assert line.startswith(
        f"tsim-report: no finished job under {a} (1 job directory, all failed, unfinished "
        f"or stale; {a / 'summary.json'}: "
    )
    assert line.endswith("treated as unfinished): nothing to compare")
    assert "Traceback" not in cap.out + cap.err

"""The edges, third pass (issue 22): a sweep checks every job before its first starts,
Hydra's own errors and the commands' usage errors are one line with status 2, and an
output that cannot be written is one line, with nothing half-written.

One parametrised test per class of the campaign; the commands run in-process
(``main([...])``), so a monkeypatched disk or simulator is the one they use.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import OmegaConf

from sim.cli import calibrate, plan, report, sensitivity, tsim
from sim.cli import size as sizing
from sim.cli.common import _compose, _job_composer, sweep_jobs
from sim.run import results

from .conftest import one_line, tsim_in_process

TINY = ["county=single", "run.replications=1", "run.horizon_days=10", "run.warmup_days=1"]


# ------------------------------------------------------------ a sweep checks every job
@pytest.mark.parametrize(
    "sweep, words",
    [
        (
            ["county.cover.share=0.5,1.5"],
            ["job 2/2 (county.cover.share=1.5)", "county.cover.share"],
        ),
        (
            ["run.warmup_days=5,500", "run.seed=range(1,3)"],
            ["job 3/4 (run.warmup_days=500 run.seed=1)", "run.warmup_days = 500"],
        ),
        (["policy=pre_reform,reform2019"], ["job 2/2 (policy=reform2019)", "reform_2019"]),
        (["run.seed=1,x"], ["job 2/2 (run.seed=x)", "run.seed=x: must be a whole number"]),
        (["county.cover.share=1.5"], ["sweep job 1/1: county.cover.share = 1.5"]),
    ],
)
def test_a_sweep_with_one_bad_job_stops_before_the_first(
    sweep, words, tmp_path, capsys, no_simulation
):
    status = tsim.main(["-m", *TINY, *sweep, f"hydra.sweep.dir={tmp_path / 'sweep'}"])
    line = one_line(capsys)
    assert status == 2 and line.startswith("tsim: configuration error: sweep job "), line
    for word in words:
        assert word in line, line
    assert not (tmp_path / "sweep").exists()


@pytest.mark.parametrize(
    "overrides",
    [
        ["run.seed=3,4", "policy=pre_reform,one_window", "county=single"],
        ["+a=range(5,8)", "run.seed=1", "run.seed=2,3"],  # a repeated key: Hydra's order
        ["county=single"],
    ],
)
def test_the_jobs_listed_are_the_basic_sweepers(overrides):
    parsed = OverridesParser.create().parse_overrides(overrides)
    assert sweep_jobs(overrides) == BasicSweeper.split_arguments(parsed, None)[0]


def test_a_glob_sweep_is_left_to_hydra():
    assert sweep_jobs(["policy=glob(*)", "run.seed=1,2"]) is None


@pytest.mark.parametrize(
    "job",
    [
        ["county=wuchuan", "run.seed=4", "+county.township_staff.town_2.window_staff=9"],
        ["+validation=mmc", "mmc.lam_per_h=6", "policy=staff_plus25"],
        ["workload.services.monthly_profile=[1,1,1,1,1,1,1,1,1,1,1,2]", "workload=quiet"],
    ],
)
def test_a_job_composes_as_hydra_composes_it(job):
    fast = _job_composer("config")(job)
    assert OmegaConf.to_yaml(fast) == OmegaConf.to_yaml(_compose(job, "config"))


# ---------------------------------------------------------- bad input: one line, exit 2
@pytest.mark.parametrize(
    "main, argv, words",
    [
        (tsim.main, ["run.horizon_days=abc"], ["run.horizon_days=abc: must be a number"]),
        (tsim.main, ["run.seed=1.5"], ["run.seed=1.5: must be a whole number"]),
        (tsim.main, ["policy.quota.pools=window_staff"], ["policy.quota.pools", "a list"]),
        (tsim.main, ["policy=reform2019"], ["did you mean policy=reform_2019?"]),
        (tsim.main, ["county=nowhere"], ["county/nowhere", "options: single, small"]),
        (tsim.main, ["run.sed=1"], ["run.sed'. Did you mean run.seed?", "+run.sed=1"]),
        (tsim.main, ["county.cover.share=1.5"], ["county.cover.share = 1.5"]),  # no run dir
        (tsim.main, ["==="], ["'===': not an override key=value"]),
        (tsim.main, ["--config-dir", "/nonexistent"], ["--config-dir /nonexistent"]),
        (sizing.main, ["--wait-h", "abc"], ["--wait-h: invalid float value: 'abc'"]),
        (report.main, ["--nope", "x"], ["unknown option --nope (accepted: --help, --out"]),
        (
            plan.main,
            ["plan=mmc_servers", "plan.replications=abc"],
            ["plan.replications=abc: must be a whole number"],
        ),
        (
            sensitivity.main,
            ["--kpi", "county.enforcment.backlog_mean", "--params", "run.seed"],
            ["--kpi county.enforcment.backlog_mean: no such metric", "county.enforcement."],
        ),
        (sensitivity.main, ["--kpi", "unknown", "--delta", "x"], ["--delta"]),
        (calibrate.main, ["counts.csv", "run.seed=1.5"], ["run.seed=1.5: must be a whole"]),
    ],
)
def test_bad_input_is_one_line_and_exit_2(main, argv, words, tmp_path, capsys, no_simulation):
    status = main([*argv, f"hydra.run.dir={tmp_path / 'out'}"])
    line = one_line(capsys)
    assert status == 2 and ": configuration error: " in line, line
    for word in words:
        assert word in line, line
    assert not (tmp_path / "out").exists()


def test_a_plan_file_of_the_wrong_type_names_the_file_and_key(tmp_path, capsys, no_simulation):
    (tmp_path / "plan").mkdir()
    (tmp_path / "plan" / "bad.yaml").write_text("defaults:\n  - mmc_servers\nreplications: abc\n")
    argv = ["-cd", str(tmp_path), "plan=bad", f"hydra.run.dir={tmp_path / 'out'}"]
    assert plan.main(argv) == 2
    line = one_line(capsys)
    assert "plan/bad.yaml: plan.replications: must be a whole number" in line, line
    assert not (tmp_path / "out").exists()


def test_size_reads_overrides_after_out(tmp_path, capsys):
    out = tmp_path / "sizing.csv"
    assert sizing.main(["county=single", "--out", str(out), "county=nowhere"]) == 2
    assert "county/nowhere" in one_line(capsys)  # the override after --out was read
    assert not out.exists()


# ----------------------------------------------- an output that cannot be written
def _full_disk(monkeypatch) -> None:
    def fsync(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fsync)


def _read_only(root: Path):
    """``Path.mkdir`` as on a read-only file system for everything under ``root`` (root
    ignores permission bits, so a chmod'ed directory would not stop these tests).
    """
    real = Path.mkdir

    def mkdir(self: Path, *args, **kwargs) -> None:
        if Path(self).is_relative_to(root):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        real(self, *args, **kwargs)

    return mkdir


@pytest.mark.parametrize(
    "case",
    [
        "size: out is a directory",
        "size: out under a file",
        "size: full disk",
        "tsim: read-only",
        "tsim: full disk",
    ],
)
def test_an_unwritable_output_is_one_line(case, tmp_path, capsys, monkeypatch):
    prog, _, fault = case.partition(": ")
    target = tmp_path / ("ro" if fault == "read-only" else "out")
    if fault == "read-only":
        monkeypatch.setattr(Path, "mkdir", _read_only(target))
    if fault == "full disk":
        _full_disk(monkeypatch)
    if fault == "out is a directory":
        target.mkdir()
    if fault == "out under a file":
        target.write_text("")
    if prog == "size":
        out = target / "x.csv" if fault == "out under a file" else target
        status = sizing.main(["county=single", "--out", str(out)])
        where = target
    else:
        status = tsim.main([*TINY, f"hydra.run.dir={target}"])
        where = target / "job.json" if fault == "full disk" else target
    line = one_line(capsys)
    why = {
        "read-only": "Read-only",
        "full disk": "No space left",
        "out is a directory": "Is a directory",
        "out under a file": "File exists",
    }
    assert status == 2 and line.startswith(f"{'tsim-size' if prog == 'size' else 'tsim'}: ")
    assert f"cannot write {where}: {why[fault]}" in line, line
    leftovers = list(tmp_path.rglob(".*.tmp-*")) + list(tmp_path.rglob("summary.json"))
    assert not leftovers and not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    "main, argv",
    [
        (tsim.main, TINY),
        (tsim.main, ["-m", *TINY, "run.seed=1,2"]),
        (plan.main, ["plan=mmc_servers"]),
        (sensitivity.main, ["--kpi", "county.services.backlog_mean", "--params", "run.seed"]),
    ],
)
def test_a_file_as_the_output_directory_is_one_line(main, argv, tmp_path, capsys, no_simulation):
    afile = tmp_path / "afile"
    afile.write_text("kept")
    key = "hydra.sweep.dir" if "-m" in argv else "hydra.run.dir"
    assert main([*argv, f"{key}={afile / 'run'}"]) == 2
    line = one_line(capsys)
    assert f"{key} = '{afile / 'run'}': '{afile}' is a file, not a directory" in line, line
    assert afile.read_text() == "kept"


def test_a_write_cut_short_leaves_no_file(tmp_path, monkeypatch):
    _full_disk(monkeypatch)
    path = tmp_path / "summary.json"
    with pytest.raises(OSError, match="No space left"):
        results.atomic_write(path, lambda p: p.write_text("{half"))
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_sweep_directory_is_one_line(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("")
    sweep = "/proc/self/tsim-sweep" if Path("/proc/self").is_dir() else str(afile / "x")
    done = tsim_in_process("-m", *TINY, "run.seed=1,2", f"hydra.sweep.dir={sweep}")
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert lines[0].startswith("tsim: ") and "Traceback" not in done.stderr


# ------------------------------------------------- survey leftovers: /proc, study files
def test_an_output_where_no_file_can_be_created_is_one_line(capsys):
    # /proc takes no new file: the temporary file's "no such file" is a write failure.
    status = sizing.main(["county=single", "--out", "/proc/tsim-survey.csv"])
    line = one_line(capsys)
    assert status == 2 and line.startswith("tsim-size: cannot write /proc/tsim-survey.csv: ")


def test_a_missing_input_is_not_called_an_unwritable_output(tmp_path, capsys):
    status = sensitivity.main(["--study", str(tmp_path / "gone.yaml")])
    line = one_line(capsys)
    assert status == 2 and "cannot write" not in line and "gone.yaml" in line


@pytest.mark.parametrize(
    "study, words",
    [
        ("- just\n- a list\n", "must be a mapping"),
        ("kpi: county.services.backlog_mean\nparamz: [run.seed]\n", "unknown key 'paramz'"),
        ("kpi: county.services.backlog_mean\nparams: 5\n", "params = 5: must be a list"),
        ("kpi: county.services.backlog_mean\nparams: [1, 2]\n", "must be a list of strings"),
        ("kpi: [a, b]\n", "kpi = ['a', 'b']: must be a string"),
        ("kpi: county.services.backlog_mean\ndelta: ten\n", "delta = 'ten': must be a number"),
    ],
)
def test_a_study_file_of_the_wrong_shape_is_one_line(study, words, tmp_path, capsys, no_simulation):
    path = tmp_path / "study.yaml"
    path.write_text(study)
    status = sensitivity.main(["--study", str(path), "county=single"])
    line = one_line(capsys)
    assert status == 2 and f"--study {path}" in line and words in line, line

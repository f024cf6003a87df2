"""The edges, last gaps (issue 22): every class of bad input the survey still found is
one line — an output directory where none can be created, an unknown flag, a report
with no readable job, a calibration count too large, ``~section``, a switch set to a
number in a YAML file, a plan whose bounds' corner breaks a cross-key rule — and a
malformed plan file no longer blocks its valid siblings.

One parametrised test per class; the commands run in-process (``main([...])``).
"""

from __future__ import annotations

import math
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from sim.calibrate.observed import read_counts
from sim.calibrate.rates import check_ranges, estimate
from sim.cli import calibrate, plan, preflight, report, sensitivity, tsim
from sim.cli import size as sizing
from sim.cli.common import CONFIG_DIR, compose_scenario
from sim.config import ConfigError
from sim.plan.plan_config import MAX_CORNERS, corners
from sim.plan.search import Decision

from .conftest import one_line

pytestmark = pytest.mark.slow  # the survey's last classes, one command run each: the full tier

TINY = ["county=single", "run.replications=1", "run.horizon_days=10", "run.warmup_days=1"]
KPI = ["--kpi", "county.services.wait_mean_h", "--params", "run.seed"]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# ------------------------------------------- 1. an output directory that cannot be made
@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
@pytest.mark.parametrize(
    "main, argv, key",
    [
        (tsim.main, [*TINY, "hydra.run.dir=/proc/tsim_out"], "hydra.run.dir"),
        (tsim.main, ["-m", *TINY, "run.seed=1,2", "hydra.sweep.dir=/proc/s/x"], "hydra.sweep.dir"),
        (plan.main, ["plan=mmc_servers", "hydra.run.dir=/proc/p"], "hydra.run.dir"),
        (sensitivity.main, [*KPI, *TINY, "hydra.run.dir=/proc/s"], "hydra.run.dir"),
        (calibrate.main, ["c.csv", *TINY, "hydra.run.dir=/proc/c"], "hydra.run.dir"),
    ],
)
def test_an_output_directory_that_cannot_be_created_is_one_line(
    main, argv, key, capsys, no_simulation
):
    assert main(argv) == 2
    line = one_line(capsys)
    assert f"configuration error: {key} = '/proc/" in line, line
    assert "cannot create a directory in '/proc'" in line, line


def test_a_read_only_output_parent_is_one_line_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    def read_only(*_a, **_k):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(preflight.tempfile, "mkdtemp", read_only)
    assert tsim.main([*TINY, f"hydra.run.dir={tmp_path / 'out'}"]) == 2
    assert "(Read-only file system)" in one_line(capsys)
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------- 2. unknown flags
@pytest.mark.parametrize(
    "main, argv, accepted",
    [
        (tsim.main, ["--bogus", *TINY], ["--multirun", "--config-dir"]),
        (tsim.main, ["--bogus=3", *TINY], ["--cfg"]),
        (sensitivity.main, [*KPI, "--bogus", *TINY], ["--study", "--delta", "--multirun"]),
        (plan.main, ["plan=mmc_servers", "--bogus"], ["--config-dir"]),
        (calibrate.main, ["c.csv", "--bogus", *TINY], ["--config-dir"]),
        (report.main, ["--bogus", "x"], ["--out", "--baseline", "--kpi"]),
        (sizing.main, ["--bogus", "county=single"], ["--wait-h", "--out"]),
    ],
)
def test_an_unknown_flag_is_one_line_naming_it_and_the_accepted_ones(
    main, argv, accepted, tmp_path, capsys, no_simulation
):
    status = main([*argv, f"hydra.run.dir={tmp_path / 'out'}"])
    line = one_line(capsys)
    assert status == 2 and ": configuration error: unknown option --bogus" in line, line
    for flag in accepted:
        assert flag in line.partition("(accepted: ")[2], line
    assert "county=single" not in line  # the overrides after the flag are not "unknown"


# ------------------------------------------ 3. a report with no job whose outputs read
@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    run_dir = tmp_path_factory.mktemp("edges3") / "run"
    assert tsim.main([*TINY, f"hydra.run.dir={run_dir}"]) == 0
    return run_dir


@pytest.mark.parametrize(
    "damage, file",
    [
        ("garbage", "replications.csv"),
        ("garbage", "summary.json"),
        ("garbage", "timeseries.parquet"),
        ("remove", "timeseries.parquet"),
    ],
)
def test_a_report_with_no_readable_job_names_the_file(finished_run, damage, file, tmp_path, capsys):
    run_dir = shutil.copytree(finished_run, tmp_path / "run")
    if damage == "remove":
        (run_dir / file).unlink()
    else:
        (run_dir / file).write_text("garbage")
    capsys.readouterr()
    assert report.main([str(run_dir), "--out", str(tmp_path / "rep")]) == 1
    line = one_line(capsys)
    assert line.startswith(f"tsim-report: no finished job under {run_dir} ("), line
    assert f"; {run_dir / file}: " in line and line.endswith("nothing to compare"), line


# ------------------------------------------------- 4. a calibration count out of range
COUNTS = "township,stream,period_start,period_end,arrivals\n"


@pytest.mark.parametrize("count", ["1e15", "1e300", "99999999999999999999"])
def test_a_count_too_large_names_the_file_row_and_the_most_the_row_may_hold(count, tmp_path):
    data = write(
        tmp_path / "counts.csv",
        COUNTS
        + "town_1,services,2020-01-06,2020-01-31,1000\n"
        + f"town_1,services,2020-02-03,2020-02-28,{count}\n",
    )
    s = compose_scenario(["county=single", "calendar.start_date=2020-01-06"])

    def check(periods):
        check_ranges(s, periods, estimate(s, periods), str(data))

    periods = read_counts(str(data), s)
    with pytest.raises(ConfigError) as err:
        check(periods)
    line = str(err.value)
    assert line.startswith(f"{data}, row 3, column arrivals: ")
    assert "workload.services.requests_per_10k_pop_per_day" in line and "maximum 1e+06" in line
    most = float(line.rpartition("at most about ")[2].split()[0])
    # The bound the line gives is the one the check applies: just under it passes.
    check([periods[0], replace(periods[1], arrivals=math.floor(most * 0.999))])
    with pytest.raises(ConfigError):
        check([periods[0], replace(periods[1], arrivals=math.ceil(most * 1.001))])


# ------------------------------------------------ 5. deleting a whole section or group
@pytest.mark.parametrize(
    "deletion, words",
    [
        ("~run", ["the run section", "run.KEY=VALUE"]),
        ("~calendar", ["the calendar section"]),
        ("~policy", ["the policy group", "policy=NAME", "reform_2019"]),
        ("~county", ["the county group", "single"]),
        ("~workload", ["the workload group", "default"]),
        ("~policy=pre_reform", ["the policy group"]),
    ],
)
def test_deleting_a_whole_section_or_group_is_refused(
    deletion, words, tmp_path, capsys, no_simulation
):
    assert tsim.main([*TINY, deletion, f"hydra.run.dir={tmp_path / 'out'}"]) == 2
    line = one_line(capsys)
    assert f"configuration error: {deletion}: cannot delete " in line, line
    for word in words:
        assert word in line, line
    assert not (tmp_path / "out").exists()


# ------------------------------------------ 6. only the composed config files are read
PLAN = "decisions:\n  mmc.servers: [4, 8]\ntargets:\n  county.services.wait_mean_h: {max: 0.3}\n"
BROKEN = "decisions: [a: 1\n  b: 2]\n"


@pytest.mark.parametrize(
    "files, argv, broken",
    [
        ({"plan/ok.yaml": PLAN, "plan/broken.yaml": BROKEN}, ["plan=ok"], None),
        ({"plan/ok.yaml": PLAN, "plan/broken.yaml": BROKEN}, ["plan=broken"], "plan/broken"),
        ({"plan/ok.yaml": PLAN, "plan/broken.yaml": BROKEN}, ["plan=ok,broken"], "plan/broken"),
        ({"county/broken.yaml": BROKEN}, ["county=single"], None),
        ({"county/broken.yaml": BROKEN}, [], None),  # the default county is chosen
        ({"county/broken.yaml": BROKEN}, ["county=broken"], "county/broken"),
        (  # a sibling named in the chosen file's defaults list is read too
            {"policy/mine.yaml": "defaults: [base, _self_]\n", "policy/base.yaml": BROKEN},
            ["policy=mine"],
            "policy/base",
        ),
        ({"config.yaml": BROKEN}, [], "config"),  # a primary config is always read
    ],
)
def test_a_malformed_file_blocks_only_the_runs_that_compose_it(files, argv, broken, tmp_path):
    for name, text in files.items():
        write(tmp_path / name, text)
    check = [*argv, "--config-dir", str(tmp_path)]
    if broken is None:
        preflight.check(check, Path(CONFIG_DIR))
        return
    with pytest.raises(ConfigError) as err:
        preflight.check(check, Path(CONFIG_DIR))
    assert str(err.value).startswith(f"{tmp_path / broken}.yaml:2:")
    assert "malformed YAML" in str(err.value)


# ------------------------------------------------ 7. a switch set to a number in a file
@pytest.mark.parametrize(
    "name, text, choice, key",
    [
        (
            "policy/mine.yaml",
            "defaults: [pre_reform, _self_]\nenforcement: {integrated: 2}\n",
            "policy=mine",
            "policy.enforcement.integrated = 2",
        ),
        (
            "policy/mine.yaml",
            "defaults: [pre_reform, _self_]\nrebalancing:\n  enabled: 1.0\n",
            "policy=mine",
            "policy.rebalancing.enabled = 1.0",
        ),
        (
            "county/mine.yaml",
            "defaults: [single, _self_]\ncover: {across_centres: 0}\n",
            "county=mine",
            "county.cover.across_centres = 0",
        ),
        (
            "extra/mine.yaml",
            "# @package _global_\nrun:\n  common_random_numbers: 2\n",
            "+extra=mine",
            "run.common_random_numbers = 2",
        ),
    ],
)
def test_a_switch_set_to_a_number_in_a_yaml_file_is_refused(
    name, text, choice, key, tmp_path, capsys, no_simulation
):
    path = write(tmp_path / "configs" / name, text)
    argv = ["--config-dir", str(tmp_path / "configs"), choice, *TINY[1:]]
    assert tsim.main([*argv, f"hydra.run.dir={tmp_path / 'out'}"]) == 2
    line = one_line(capsys)
    assert line == f"tsim: configuration error: {path}: {key}: must be true or false"


def test_a_switch_set_to_true_or_false_in_a_yaml_file_is_accepted(tmp_path):
    write(
        tmp_path / "policy" / "mine.yaml",
        "defaults: [pre_reform, _self_]\nenforcement: {integrated: true}\n",
    )
    preflight.check(["--config-dir", str(tmp_path), "policy=mine"], Path(CONFIG_DIR))


# ------------------------------------ 8. a corner of the plan's bounds breaks a rule
CROSS = (
    "decisions:\n  county.department_staff: [5, {staff}]\n  county.quota_total: [60, 80]\n"
    "targets:\n  county.services.wait_mean_h: {{max: 0.3}}\n"
)


@pytest.mark.parametrize("staff", [61, 100])
def test_a_plan_whose_bounds_corner_breaks_a_cross_key_rule_is_refused_up_front(
    staff, tmp_path, capsys, no_simulation
):
    write(tmp_path / "plan" / "cross.yaml", CROSS.format(staff=staff))
    argv = ["--config-dir", str(tmp_path), "plan=cross", "county=small"]
    assert plan.main([*argv, f"hydra.run.dir={tmp_path / 'out'}"]) == 2
    line = one_line(capsys)
    corner = f"county.department_staff={staff}, county.quota_total=60"
    assert f"plan.decisions: the bounds' corner {corner} breaks a rule: " in line, line
    assert f"county.department_staff = {staff}: must be ≤ county.quota_total = 60" in line


@pytest.mark.parametrize("n", [1, 3, 8, 9, 12])
def test_corners_cover_every_corner_or_every_single_flip(n):
    decisions = [Decision(f"k{i}", i, i + 10, 1.0) for i in range(n)]
    found = corners(decisions)
    low = {d.key: d.low for d in decisions}
    high = {d.key: d.high for d in decisions}
    assert low in found and high in found
    for d in decisions:  # each key alone at the other end: where a pairwise rule breaks
        assert {**low, d.key: d.high} in found and {**high, d.key: d.low} in found
    assert len(found) == (2**n if 2**n <= MAX_CORNERS else 2 + 2 * n)

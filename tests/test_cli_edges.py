"""Bad input at the command line: one line on standard error, never a traceback (issue 13).

The checks themselves are tested in test_config_errors.py; these make sure the line is
what ``tsim`` prints, with exit status 2 (130 after Ctrl-C), and that no run directory
looks complete afterwards. The command runs in this process (``main([...])``), except
after Ctrl-C: a signal to a process of its own is what that test is about.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from .conftest import tsim_in_process

TINY = ("county=single", "run.replications=1", "run.horizon_days=10", "run.warmup_days=1")


def assert_one_line(res, status: int, *parts: str) -> None:
    lines = res.stderr.strip().splitlines()
    assert res.returncode == status, res.stderr
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    for part in parts:
        assert part in lines[0], lines[0]


def test_unknown_plus_key_is_refused(tmp_path):
    res = tsim_in_process(*TINY, "+run.horizon_day=500", f"hydra.run.dir={tmp_path / 'run'}")
    assert_one_line(res, 2, "tsim: configuration error: run.horizon_day: unknown key")


def test_interpolation_error_names_the_key(tmp_path):
    res = tsim_in_process(*TINY, "run.seed=${oops}", f"hydra.run.dir={tmp_path / 'run'}")
    assert_one_line(res, 2, "run.seed: Interpolation key 'oops' not found")


def test_malformed_yaml_in_config_dir_names_the_file(tmp_path):
    (tmp_path / "sweep.yaml").write_text("defaults:\n  - config\nrun: {seed: 1\n")
    res = tsim_in_process("-cd", str(tmp_path), "-cn", "sweep", f"hydra.run.dir={tmp_path / 'run'}")
    assert_one_line(res, 2, f"{tmp_path / 'sweep.yaml'}:4:1: malformed YAML")


def test_existing_file_as_run_directory_is_refused(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("")
    res = tsim_in_process(*TINY, f"hydra.run.dir={afile}")
    assert_one_line(res, 2, "hydra.run.dir", "is a file, not a directory")


def test_oversized_run_is_refused_before_it_starts(tmp_path):
    started = time.perf_counter()
    res = tsim_in_process(*TINY, "county.townships.town=10000", f"hydra.run.dir={tmp_path / 'run'}")
    assert_one_line(res, 2, "run too large", "run.max_items_per_replication")
    assert time.perf_counter() - started < 60
    assert not (tmp_path / "run" / "summary.json").exists()


def test_unserved_work_is_warned_about_and_the_run_goes_on(tmp_path):
    res = tsim_in_process(
        *TINY,
        "county.kinds.town.staff.window_staff.headcount=0",
        "county.kinds.town.staff.window_aux.headcount=0",
        f"hydra.run.dir={tmp_path / 'run'}",
    )
    assert_one_line(res, 0, "tsim: warning: county.kinds.town: no staff and no posts")
    assert (tmp_path / "run" / "summary.json").is_file()


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT as a terminal sends it")
def test_ctrl_c_ends_in_one_line_and_leaves_an_unfinished_run(tmp_path):
    run_dir = tmp_path / "run"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sim",
            "county=yishui",
            "run.replications=3",
            f"hydra.run.dir={run_dir}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A background shell may have set SIGINT to "ignore"; a terminal would deliver it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    while not (run_dir / ".hydra").is_dir() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # inside the first replication (yishui takes several seconds)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert err.strip() == "tsim: interrupted; unfinished runs have no summary.json"
    assert not (run_dir / "summary.json").exists()

"""What the six commands share (sim.cli.common): one line and exit 2 on a bad override,
help without Sphinx markup, a quiet end when the reader closes the pipe.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from sim.cli import calibrate, plan, report, select, sensitivity, tsim
from sim.cli import size as sizing
from sim.cli.common import first_job, plain

MODULES = (
    "sim",
    "sim.cli.report",
    "sim.cli.size",
    "sim.cli.plan",
    "sim.cli.calibrate",
    "sim.cli.sensitivity",
)
SPHINX = re.compile(r"``|:(func|mod|class|meth|data|attr):`")


def test_plain_drops_roles_and_double_backticks():
    text = "See :func:`~sim.x.check`, :mod:`sim.report.plots` and ``tsim --help``."
    assert plain(text) == "See check, sim.report.plots and tsim --help."


def test_the_first_job_of_a_sweep_takes_each_swept_value_first():
    job = first_job(["run.seed=3,4", "+a=range(5,8)", "county=small"])
    assert job == ["run.seed=3", "+a=5", "county=small"]
    assert first_job(["policy=glob(*)", "county=small"]) == ["county=small"]  # Hydra's to list


@pytest.mark.parametrize(
    "main, shows",
    [
        (tsim.main, "tsim"),  # Hydra's own help, with the app's docstring
        (report.main, "usage: tsim-report"),
        (sizing.main, "usage: tsim-size"),
        (plan.main, "usage: tsim-plan"),
        (calibrate.main, "usage: tsim-calibrate"),
        (sensitivity.main, "tsim-sensitivity"),
        (select.main, "usage: tsim-select"),
    ],
    ids=["tsim", "report", "size", "plan", "calibrate", "sensitivity", "select"],
)
def test_help_has_no_sphinx_markup(main, shows, capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert shows in out, out
    assert not SPHINX.search(out), SPHINX.search(out)


@pytest.mark.parametrize(
    "main, argv, prog",
    [
        (tsim.main, ["county=nowhere"], "tsim"),
        (tsim.main, ["run.seedx=3"], "tsim"),
        (tsim.main, ["-m", "run.seed=1,2", "run.seedy=1,2"], "tsim"),
        (sizing.main, ["county=nowhere"], "tsim-size"),
        (sizing.main, ["policy.rebalancing.enabled=maybe"], "tsim-size"),
        (plan.main, ["plan=mmc_servers", "run.seedx=3"], "tsim-plan"),
        (plan.main, ["plan=mmc_servers", "run.seed=1,x"], "tsim-plan"),
        (calibrate.main, ["counts.csv", "county=nowhere"], "tsim-calibrate"),
        (
            sensitivity.main,
            ["--kpi", "county.services.backlog_mean", "--params", "run.seed", "run.seedx=3"],
            "tsim-sensitivity",
        ),
    ],
)
def test_a_bad_override_is_one_line_and_exit_2(main, argv, prog, capsys, tmp_path):
    status = main([*argv, f"hydra.run.dir={tmp_path / 'out'}"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert len(err) == 1 and err[0].startswith(f"{prog}: configuration error: "), err
    assert not (tmp_path / "out").exists()


def _help_into_closed_pipe(module: str) -> subprocess.CompletedProcess[str]:
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the command writes a byte
    try:
        return subprocess.run(
            [sys.executable, "-m", module, "--help"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write)


@pytest.mark.slow  # six interpreters, Hydra's start-up in four (~12 s)
@pytest.mark.parametrize("module", MODULES)
def test_help_into_a_closed_pipe_ends_without_a_traceback(module):
    done = _help_into_closed_pipe(module)
    assert "Traceback" not in done.stderr and "Exception" not in done.stderr, done.stderr
    assert done.returncode in (0, 141), done.stderr

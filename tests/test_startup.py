"""Commands that answer at once (issue 21, item 4): help and argument errors load none
of pandas, matplotlib, scipy.stats and SimPy, and ``tsim --help`` lists the config
groups from one copy of Hydra's config repository without losing any.

What is loaded is checked, not how long it takes: timing is benchmarks/bench_startup.py's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hydra import initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from scipy import stats

from sim.analysis.stats import _t_quantile
from sim.cli import tsim
from sim.cli.common import CONFIG_DIR, _groups_listed_once

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "matplotlib", "scipy.stats", "simpy")
"""Libraries a command needs only once it works (0.1–0.6 s each to import)."""

ANSWERS = [  # command module, arguments it answers (help, or one error line)
    *[("sim.cli.tsim", argv) for argv in (["--help"], ["--hydra-help"], ["--bogus"])],
    ("sim.cli.tsim", ["run.replications=-1"]),
    ("sim.cli.tsim", ["county=nowhere"]),
    ("sim.cli.tsim", ["--config-dir", "/nonexistent"]),
    *[("sim.cli.report", argv) for argv in (["--help"], ["--bogus", "x"], [])],
    ("sim.cli.report", ["/nonexistent"]),
    ("sim.cli.report", ["/", "--township", "t1"]),  # not a run: was a traceback
    *[("sim.cli.plan", argv) for argv in (["--help"], [])],
    ("sim.cli.plan", ["plan=mmc_servers", "run.replications=-1"]),
    *[("sim.cli.size", argv) for argv in (["--help"], ["--bogus"], ["run.replications=-1"])],
    *[("sim.cli.calibrate", argv) for argv in (["--help"], [])],
    *[("sim.cli.sensitivity", argv) for argv in (["--help"], ["--bogus"])],
    ("sim.cli.sensitivity", ["--kpi", "county.nosuch"]),
    ("sim.cli.sensitivity", ["--study", "/nonexistent.yaml"]),
    *[
        ("sim.cli.sensitivity", ["--kpi", "county.services.backlog_mean", *more])
        for more in (["run.replications=-1"], ["--params", "run.seed", "run.replications=-1"])
    ],
    *[("sim.cli.select", argv) for argv in (["--help"], ["--bogus"], ["/nonexistent"])],
    ("sim.cli.select", ["/nonexistent", "--kpi", "county.services.wait_mean_h", "--delta", "1"]),
]
AFTER_THE_CHECKS = [  # a missing input file, found once the scenario passes its checks
    ("sim.cli.tsim", ["run.initial_backlog=/nonexistent.csv"]),
    ("sim.cli.calibrate", ["/nonexistent.csv"]),
]
"""Last: the checks before a run import the centres they check (SimPy with them), in a
process that has not loaded the model."""

# Runs each command's main in one fresh interpreter (this one has them all loaded) and
# prints, after each answer, its status, its standard error and the heavy libraries
# loaded so far.
SCRIPT = textwrap.dedent(
    """
    import contextlib, importlib, io, json, sys
    answers, heavy = json.loads(sys.argv[1]), json.loads(sys.argv[2])
    loaded = lambda: [m for m in heavy if m in sys.modules]
    seen = []
    for module, argv in answers:
        main = importlib.import_module(module).main
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(argv)
        seen.append([status, err.getvalue(), loaded()])
    print(json.dumps(seen))
    """
)


def test_help_and_argument_errors_load_no_heavy_library(tmp_path):
    answers = ANSWERS + AFTER_THE_CHECKS
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(answers), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,  # nothing to write here: every answer comes before any output
        env={**os.environ, "PYTHONPATH": str(ROOT)},  # this checkout's sim, not another
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert len(seen) == len(answers)
    for n, ((module, argv), (status, err, loaded)) in enumerate(zip(answers, seen, strict=True)):
        checked = n >= len(ANSWERS)
        assert set(loaded) <= ({"simpy"} if checked else set()), f"{module} {argv} loads {loaded}"
        assert not checked or err.endswith("/nonexistent.csv: no such file\n"), err
        if "--help" in argv or "--hydra-help" in argv:
            assert status == 0, (module, argv, err)
        else:  # one line (the usage, or prog: …) and status 2
            assert status == 2 and len(err.splitlines()) == 1, (module, argv, status, err)
    assert not any(tmp_path.iterdir())


def test_help_lists_every_group_and_option_of_the_config_tree(capsys):
    assert tsim.main(["--help"]) == 0
    lines = capsys.readouterr().out.splitlines()
    groups = [d for d in Path(CONFIG_DIR).iterdir() if d.is_dir() and d.name != "hydra"]
    assert groups
    for group in groups:
        options = sorted(f.stem for f in group.glob("*.yaml"))
        assert f"{group.name}: {', '.join(options)}" in lines


def test_one_repository_copy_lists_what_hydra_lists_with_a_copy_per_call():
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        hydra = GlobalHydra.instance().hydra
        assert hydra is not None
        every = hydra.format_config_groups(lambda group: True)
        with _groups_listed_once():
            once = hydra.format_config_groups(lambda group: True)
    assert once == every
    assert "hydra/launcher: " in once and "\ncounty: " in f"\n{once}"


@pytest.mark.parametrize("dof", [1, 2, 4.5, 9, 29, 1000.25])
@pytest.mark.parametrize("p", [0.5, 0.9, 0.975, 0.995])
def test_the_t_quantile_without_scipy_stats_is_scipy_stats_own(p, dof):
    assert _t_quantile(p, dof) == float(stats.t.ppf(p, dof))

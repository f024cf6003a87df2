"""Scale-out: the Ray launcher gives the basic launcher's numbers; parallel progress bars
each keep a line of their own.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pandas as pd
import pytest

from sim.cli.report import main as report_main
from sim.run import progress

from .test_sweeps import QUICK

HAS_RAY = all(importlib.util.find_spec(m) for m in ("ray", "hydra_plugins.hydra_ray_launcher"))


def tsim(*args: str, **kw) -> subprocess.CompletedProcess[str]:
    """``python -m sim ARGS`` in a process of its own: the Ray launcher's workers and its
    environment (``RAY_AUTH_MODE``) are part of what is compared.
    """
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, timeout=600, **kw
    )


def test_running_jobs_claim_distinct_progress_lines(tmp_path):
    first, second = progress.claim_line(tmp_path), progress.claim_line(tmp_path)
    assert first and second and (first.number, second.number) == (0, 1)
    first.release()
    third = progress.claim_line(tmp_path)
    assert third and third.number == 0  # the freed line is reused, the held one is not
    (tmp_path / "line-5").write_text("999999999")  # a job that died holding its line
    lines = [progress.claim_line(tmp_path) for _ in range(4)]
    assert [line.number for line in lines if line] == [2, 3, 4, 5]


@pytest.mark.slow
@pytest.mark.skipif(not HAS_RAY, reason="the ray extra is not installed (pip install .[ray])")
def test_ray_and_basic_launchers_give_the_same_comparison(tmp_path):
    basic, ray = tmp_path / "basic", tmp_path / "ray"
    sweep = ["-m", "policy=pre_reform,one_window", *QUICK]
    assert tsim(*sweep, f"hydra.sweep.dir={basic}").returncode == 0
    env = {**os.environ, "RAY_AUTH_MODE": "disabled"}
    res = tsim(
        *sweep,
        "hydra/launcher=ray",
        "+hydra.launcher.ray.init.num_cpus=2",
        "+hydra.launcher.ray.init.include_dashboard=false",
        f"hydra.sweep.dir={ray}",
        env=env,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    for d in (basic, ray):
        assert report_main([str(d)]) == 0
    a = pd.read_csv(basic / "comparison.csv").sort_values(["job", "metric"])
    b = pd.read_csv(ray / "comparison.csv").sort_values(["job", "metric"])
    assert len(a) > 200  # 2 jobs × every metric of one township and the county
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))

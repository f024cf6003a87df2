"""One-at-a-time sensitivity: the tornado ranks an obviously dominant parameter first,
effects are paired under common random numbers, bad requests get one line.
"""

from __future__ import annotations

import json

import pytest

from sim.config import ConfigError
from sim.sensitivity.oat import Study, analyse, move

from .conftest import raw_config

# An M/M/5 queue at load 0.9: the arrival rate moves the wait steeply (heavy traffic),
# the return delay of incomplete requests cannot move it (there are none), and the
# enforcement stream is switched off.
MMC = (
    "+validation=mmc",
    "mmc.lam_per_h=4.5",
    "run.horizon_days=60",
    "run.warmup_days=5",
    "run.replications=4",
)


@pytest.mark.slow
def test_the_dominant_parameter_tops_the_tornado(tmp_path):
    study = Study(
        "county.services.wait_mean_h",
        [
            "workload.services.return_delay_days",
            "mmc.lam_per_h",
            "workload.enforcement.refer_up_share",
        ],
        0.1,
    )
    done = analyse(raw_config(*MMC), study, tmp_path, say=lambda _msg: None)
    top, *others = done["parameters"]
    assert top["key"] == "mmc.lam_per_h"
    assert top["swing"]["ci_low"] > 0  # more arrivals, longer waits: a real effect
    for p in others:  # no effect at all: the same replications, item for item
        assert p["low"]["mean"] == 0.0 and p["high"]["mean"] == 0.0
    assert json.loads((tmp_path / "sensitivity.json").read_text())["parameters"][0]["key"] == (
        "mmc.lam_per_h"
    )
    assert (tmp_path / "tornado.png").stat().st_size > 0


def test_whole_numbers_move_by_at_least_one():
    cfg = raw_config(*MMC)
    m = move(cfg, "mmc.servers", 0.1)
    assert (m.low, m.base, m.high) == (4, 5, 6)
    f = move(cfg, "mmc.lam_per_h", 0.2)
    assert f.low == pytest.approx(3.6) and f.high == pytest.approx(5.4)


@pytest.mark.parametrize(
    "params, delta, kpi, words",
    [
        (["mmc.lam_per_h"], 1.5, "county.services.wait_mean_h", "--delta 1.5"),
        (["policy.workforce.attrition_per_year"], 0.1, "county.services.wait_mean_h", "= 0"),
        (["policy.windows.mode"], 0.1, "county.services.wait_mean_h", "not a number"),
        (["mmc.lam_per_hour"], 0.1, "county.services.wait_mean_h", "no such key"),
        (["workload.services.online_share"], 0.1, "x", "--params workload.services.online_share"),
        (["mmc.lam_per_h"], 0.1, "county.services.wait_h", "did you mean"),
    ],
)
def test_bad_requests_get_one_line(tmp_path, params, delta, kpi, words):
    cfg = raw_config(*MMC, "run.horizon_days=2", "run.warmup_days=0", "run.replications=2")
    with pytest.raises(ConfigError) as err:
        analyse(cfg, Study(kpi, params, delta), tmp_path, say=lambda _msg: None)
    assert words in str(err.value) and "\n" not in str(err.value), str(err.value)


def test_the_tornado_chart_imports_nothing_of_simpy_or_the_model():
    import subprocess
    import sys

    code = (
        "import sys, sim.sensitivity.tornado;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'simpy' "
        "or m in ('sim.run.engine', 'sim.model.state', 'sim.model.build')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_ready_study_names_valid_keys():
    from pathlib import Path

    from sim.cli.sensitivity import _parse
    from sim.sensitivity.oat import check

    path = Path(__file__).parent.parent / "experiments/enforcement_sensitivity/study.yaml"
    study, overrides = _parse(["--study", str(path)])
    cfg = raw_config(*[o for o in overrides if not o.startswith("hydra.")])
    moves = check(cfg, study)
    assert [m.key for m in moves] == study.params and study.kpi.startswith("county.")

"""Replications over several processes give the serial run's numbers (issue 21, item 3).

Each comparison runs the same scenario with ``run.jobs=1`` (serial, in this process) and
``run.jobs=2`` (two loky workers, started once for the whole module).
"""

from __future__ import annotations

import operator
import sys
import types

import joblib
import numpy as np
import pandas as pd
import pytest
from joblib._parallel_backends import MultiprocessingBackend
from omegaconf import OmegaConf

from sim.analysis.selection import SelectionRule, kim_nelson
from sim.cli import tsim
from sim.core import registry
from sim.plan import planner
from sim.report.jobs import Job
from sim.run import engine, parallel, seeding
from sim.select.contenders import Contender, simulate_missing

from .conftest import one_line, scenario
from .test_architecture import TOY, ToyDesk

SMALL = ("county=small", "run.horizon_days=30", "run.warmup_days=5")


def test_a_fixed_count_gives_the_serial_numbers_in_two_processes():
    calls: list[tuple[int, int]] = []
    serial = engine.run(scenario(*SMALL, "run.replications=3", "run.jobs=1"))
    spread = engine.run(
        scenario(*SMALL, "run.replications=3", "run.jobs=2"), lambda *a: calls.append(a)
    )
    pd.testing.assert_frame_equal(serial.replications, spread.replications)
    pd.testing.assert_frame_equal(serial.timeseries, spread.timeseries)
    pd.testing.assert_frame_equal(serial.lead_times, spread.lead_times)
    assert serial.steady_state == spread.steady_state
    for key in ("events", "work_items"):
        assert serial.meta[key] == spread.meta[key]
    assert calls == [(1, 3), (2, 3), (3, 3)]  # progress still counts replications in order


def test_auto_stops_at_the_serial_replication_and_drops_the_rest_of_its_round():
    auto = (
        "run.replications=auto",
        "run.min_replications=2",
        "run.max_replications=8",
        "run.precision=0.15",
        "run.precision_kpis=[county.enforcement.lead_time_mean_h]",
        "run.timeseries=false",
    )
    serial, spread = (engine.run(scenario(*SMALL, *auto, f"run.jobs={j}")) for j in (1, 2))
    n = len(serial.replications)
    # The rule, not the maximum, stopped it, after an odd count: the round of two
    # that held the last replication also simulated one the serial run never did.
    assert 2 < n < 8 and n % 2 == 1
    pd.testing.assert_frame_equal(serial.replications, spread.replications)
    assert serial.meta["precision"] == spread.meta["precision"]


def test_in_rounds_simulates_what_is_certain_then_one_round_at_a_time():
    asked: list[int] = []

    def task(k: int) -> tuple[int, int]:
        asked.append(k)
        return (k, 10)

    out = []
    for value in parallel.in_rounds(operator.mul, task, 1, 20, 3, 2):
        out.append(value)
        if len(out) == 5:
            break
    # 3 certain: 1 and 2 at once, 3 in a round with 4 (the second worker's), then
    # 5 and 6: 6 simulated, 5 read.
    assert out == [10, 20, 30, 40, 50] and asked == [1, 2, 3, 4, 5, 6]
    asked.clear()
    serial = parallel.in_rounds(operator.mul, task, 0, 20, 1, 1)
    assert [next(serial) for _ in range(3)] == [0, 10, 20] and asked == [0, 1, 2]


def test_the_planner_stops_where_the_serial_planner_stops():
    s1, s2 = (scenario(*SMALL, "run.replications=6", f"run.jobs={j}") for j in (1, 2))

    def enough(reps):
        return len(reps["county.services.arrivals"]) >= 3

    serial, spread = (planner.simulate(s, 2, enough) for s in (s1, s2))
    assert serial == spread and len(serial["county.services.arrivals"]) == 3


def test_the_selection_hears_each_stage_before_it_observes_it():
    prepared: list[tuple[int, int]] = []
    observed: list[tuple[int, int]] = []

    def observe(i: int, r: int) -> float:
        assert (i, r) in prepared, "observed before it was prepared"
        observed.append((i, r))
        return float(np.random.default_rng([i, r]).normal([5.0, 5.1, 5.2][i], 1.0))

    rule = SelectionRule(delta=0.5, n0=3, max_replications=10)
    kim_nelson(3, observe, rule, prepared.extend)
    assert len(prepared) > 3 * 3  # stages after the first were prepared too
    assert sorted(observed) == sorted(prepared)  # and each one observed, no more


def test_replications_added_for_the_selection_are_those_a_serial_one_adds(tmp_path):
    s = scenario(*SMALL, "run.jobs=2")

    def contender(name: str) -> Contender:
        empty = pd.DataFrame({"replication": pd.Series(dtype=int)})
        return Contender(Job(tmp_path, []), tmp_path / f"{name}.csv", empty, empty.copy(), s)

    spread, serial = [contender("a"), contender("b")], contender("c")
    simulate_missing(spread, [(0, 0), (1, 0), (0, 1)])
    kpi = "county.services.wait_mean_h"
    assert [spread[0].value(kpi, r) for r in (0, 1)] == [serial.value(kpi, r) for r in (0, 1)]
    assert spread[0].simulated == 2 and spread[1].simulated == 1


@pytest.mark.parametrize(
    "launcher,expected",
    [
        ("", 2),
        ("hydra._internal.core_plugins.basic_launcher.BasicLauncher", 2),
        ("hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher", 1),
        ("hydra_plugins.hydra_submitit_launcher.submitit_launcher.LocalLauncher", 1),
        ("hydra_plugins.hydra_ray_launcher.ray_local_launcher.RayLocalLauncher", 6),
    ],
)
def test_auto_takes_the_cores_unless_the_launcher_runs_jobs_side_by_side(
    launcher, expected, monkeypatch
):
    monkeypatch.setattr(parallel, "_launcher", lambda: launcher)
    monkeypatch.setattr(parallel, "_cluster_cpus", lambda: 6)  # the Ray cluster's
    monkeypatch.setattr(parallel, "_local_cores", lambda: 2)
    long = scenario("county=wuchuan")  # 0.4 s a replication compiled, 0.9 s from source
    assert parallel.workers([long] * 16) == expected  # worth spreading either way


def test_auto_keeps_a_short_run_serial_and_a_count_is_capped_by_the_replications():
    short = scenario(*SMALL)
    assert parallel.workers([short] * 5) == 1
    assert parallel.workers([scenario(*SMALL, "run.jobs=4")] * 3) == 3


@pytest.mark.parametrize("value", ["0", "2.5", "many", "1025"])
def test_a_bad_jobs_value_is_one_line(value, tmp_path, capsys, no_simulation):
    status = tsim.main(["county=single", f"run.jobs={value}", f"hydra.run.dir={tmp_path}/o"])
    line = one_line(capsys)
    assert status == 2 and "configuration error: run.jobs = " in line, line
    assert "must be auto or an integer ≥ 1 and ≤ 1024" in line, line


def test_a_sweep_job_without_common_random_numbers_draws_the_same_seed_whatever_its_jobs():
    s = scenario(*SMALL, "run.common_random_numbers=false")
    alone = seeding.job_seed(s, ["policy=reform_2019"]).run.seed
    assert seeding.job_seed(s, ["policy=reform_2019", "run.jobs=2"]).run.seed == alone
    assert seeding.job_seed(s, ["policy=pre_reform"]).run.seed != alone


def test_a_job_of_the_ray_launcher_hands_its_replications_to_rays_backend(monkeypatch):
    # Ray's joblib backend is joblib's multiprocessing backend run on Ray's pool: the
    # stand-in registers that backend itself, so joblib's limits on it are the real ones.
    registered = []

    def register_ray() -> None:
        registered.append(True)
        monkeypatch.setitem(joblib.parallel.BACKENDS, "ray", MultiprocessingBackend)

    fake = types.ModuleType("ray.util.joblib")
    fake.register_ray = register_ray  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ray.util.joblib", fake)
    monkeypatch.setattr(parallel, "_launcher", lambda: "hydra_plugins.hydra_ray_launcher.x")
    assert parallel._backend() == "ray" and registered
    tasks = [(k, 10) for k in range(5)]
    assert list(parallel.ordered(operator.mul, tasks, 2)) == [10 * k for k in range(5)]
    monkeypatch.setattr(parallel, "_launcher", lambda: "")
    assert parallel._backend() == "loky"


def test_a_stream_registered_at_run_time_keeps_the_run_in_this_process():
    assert parallel.portable()  # the built-in streams: a fresh worker knows them
    with registry.extended(TOY, centres={"toy": ToyDesk}):
        assert not parallel.portable()
        assert parallel.workers([scenario(*SMALL, "run.jobs=2")] * 4) == 1


def test_loky_max_cpu_count_caps_what_auto_takes(monkeypatch):
    monkeypatch.setenv("LOKY_MAX_CPU_COUNT", "1")
    assert parallel._local_cores() == 1


def test_a_worker_of_a_parallel_search_runs_its_own_replications_serially():
    s = OmegaConf.create({"run": {"jobs": 2}})
    assert parallel.processes(3) == 3 and parallel.processes(parallel.AUTO) >= 1
    with parallel.serial():
        assert parallel.processes(3) == 1 and parallel.workers([s, s, s]) == 1
    assert parallel.workers([s, s, s]) == (2 if parallel.portable() else 1)  # counts again

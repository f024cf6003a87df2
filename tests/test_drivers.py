"""What drives the baseline (issue 18 item 2): the table of experiments/baseline_drivers.

The builder is checked on a synthetic sweep whose per-replication values are made up
here, so each row's change against pre_reform is known before the table is built; one
slow test runs the study's own sweep file (two jobs, one township) through
``tsim-report --drivers``.
"""

from __future__ import annotations

import copy
import itertools
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.cli.report import main as report_main
from sim.cli.tsim import main as tsim_main
from sim.report import drivers
from sim.report.jobs import Job

from .test_seed_quotes import FOLDER, _seed, quotes

ROOT = Path(__file__).resolve().parent.parent
WAIT = "county.services.wait_mean_h"
BASE_WAIT = [10.0, 14.0, 12.0, 20.0, 16.0]
EFFECT = {"attrition": -3.0, "secondment": -5.0, "dedicated windows": -1.0, "desk cover": 2.0}
"""Each disruption's made-up effect on the service wait when switched off (h)."""
NOISE = [0.5, -0.5, 0.0, 1.0, -1.0]
"""Added to the attrition row's effect replication by replication: its CI is not a point."""
CONFIG = {
    "run": {"horizon_days": 250, "warmup_days": 20},
    "county": {"name": "toy", "cover": {"share": 0.5}},
    "policy": {
        "workforce": {"attrition_per_year": 0.08},
        "secondment": {"requests_per_township_per_day": 0.008},
        "windows": {"mode": "dedicated"},
    },
}


def _set(cfg: dict, key: str, value: object) -> None:
    *path, last = key.split(".")
    for part in path:
        cfg = cfg[part]
    cfg[last] = value


def make_job(off: tuple[str, ...], n: int, seed: int = 1) -> Job:
    """A finished job with ``off`` switched off in its configuration; named misleadingly
    so that the test shows the table reads the configuration, not the name.
    """
    cfg = copy.deepcopy(CONFIG)
    for d in drivers.DISRUPTIONS:
        if d.name in off:
            _set(cfg, d.key, d.off)
    waits = [
        w + sum(EFFECT[o] for o in off) + (NOISE[i] if "attrition" in off else 0.0)
        for i, w in enumerate(BASE_WAIT)
    ]
    reps = pd.DataFrame({"replication": range(len(waits)), WAIT: waits})
    mean = sum(waits) / len(waits)
    summary = {
        "metrics": {WAIT: {"mean": mean, "ci_low": mean - 1, "ci_high": mean + 1, "n": 5}},
        "seed": seed,
        "replications": len(waits),
        "streams": [],
    }
    job = Job(Path(f"/sweep/{n}"), [], summary=summary, name=f"job {15 - n}")
    job._cache.update(replications=reps, config=cfg)
    return job


def full_sweep() -> list[Job]:
    names = [d.name for d in drivers.DISRUPTIONS]
    combos = [c for k in range(len(names) + 1) for c in itertools.combinations(names, k)]
    return [make_job(off, n) for n, off in enumerate(reversed(combos))]  # baseline last


def rows(table: str) -> list[list[str]]:
    """The body rows of the first markdown table, as lists of cells."""
    lines = table.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("| "))
    block = list(itertools.takewhile(lambda ln: ln.startswith("| "), lines[start:]))
    return [[c.strip() for c in ln.strip("|").split("|")] for ln in block[2:]]


def test_one_row_per_combination_baseline_first_then_fewest_switched_off():
    table = drivers.drivers_table(full_sweep())
    body = rows(table)
    assert len(body) == 16
    labels = [r[0] for r in body]
    assert labels[0] == "none (pre_reform)"
    assert labels[1:5] == [
        "no attrition",
        "no secondment",
        "no dedicated windows",
        "no desk cover",
    ]
    assert labels[-1] == "no attrition + no secondment + no dedicated windows + no desk cover"
    assert len(set(labels)) == 16


def test_each_row_shows_its_paired_change_against_pre_reform():
    body = {r[0]: r[1] for r in rows(drivers.drivers_table(full_sweep()))}
    # secondment and desk cover together: -5 + 2 in every replication, so a point CI
    assert body["no secondment + no desk cover"].endswith("(-3 [-3, -3])")
    # all four: -3 - 5 - 1 + 2 = -7 on average, the attrition noise widens the CI
    change = body["no attrition + no secondment + no dedicated windows + no desk cover"]
    mean, ci = change.split("(")[1].rstrip(")").split(" ", 1)
    low, high = (float(x) for x in ci.strip("[]").split(", "))
    assert float(mean) == pytest.approx(-7.0)
    assert low < -7.0 < high
    assert "(" not in body["none (pre_reform)"]  # the baseline: its level only


def test_unpaired_jobs_are_compared_by_welch_and_the_caption_says_so():
    jobs = full_sweep()
    jobs[0] = make_job(("attrition", "secondment", "dedicated windows", "desk cover"), 0, seed=2)
    assert "Welch" in drivers.drivers_table(jobs).splitlines()[0]
    assert "paired by replication" in drivers.drivers_table(full_sweep()).splitlines()[0]


def test_a_subset_of_the_combinations_gives_only_their_rows():
    jobs = [make_job((), 0), make_job(("attrition",), 1), make_job(("desk cover",), 2)]
    labels = [r[0] for r in rows(drivers.drivers_table(jobs))]
    assert labels == ["none (pre_reform)", "no attrition", "no desk cover"]


def test_without_the_baseline_the_table_is_refused_with_the_keys_named():
    jobs = [make_job(("attrition",), 1), make_job(("desk cover",), 2)]
    with pytest.raises(ValueError, match=r"every disruption on .*attrition_per_year"):
        drivers.drivers_table(jobs)


def test_two_jobs_of_one_combination_are_refused_naming_both():
    jobs = [make_job((), 0), make_job(("attrition",), 1), make_job(("attrition",), 2)]
    with pytest.raises(ValueError, match=r"/sweep/1 and /sweep/2 both run no attrition"):
        drivers.drivers_table(jobs)


def test_the_sources_table_gives_the_preset_as_run_and_a_source_for_each():
    table = drivers.sources_table(make_job((), 0))
    body = {r[0]: r for r in rows(table)}
    assert list(body) == [d.name for d in drivers.DISRUPTIONS]
    assert "0.08 → 0.0" in body["attrition"][1]
    assert "dedicated → pooled" in body["dedicated windows"][1]
    for name in ("attrition", "secondment", "desk cover"):
        assert body[name][3].startswith("assumption")


def test_the_study_keeps_each_preset_first_and_switches_off_what_the_table_reads():
    study = ROOT / "experiments" / "baseline_drivers"
    params = yaml.safe_load((study / "sweep.yaml").read_text())["hydra"]["sweeper"]["params"]
    switched = {}
    for group, options in params.items():
        preset, off = options.split(",")
        assert yaml.safe_load((study / group.lstrip("+") / f"{preset}.yaml").read_text()) == {}
        flat = pd.json_normalize(
            yaml.safe_load((study / group.lstrip("+") / f"{off}.yaml").read_text())
        )
        switched.update(flat.iloc[0].to_dict())
    assert switched == {d.key: d.off for d in drivers.DISRUPTIONS}


@pytest.mark.skipif(not FOLDER.is_dir(), reason=f"no seed folder at {FOLDER}")
def test_the_sources_quote_the_seeds():
    found = quotes("\n".join(d.source for d in drivers.DISRUPTIONS))
    assert len(found) >= 4
    assert [(n, q) for n, q in found if "".join(c for c in q if c.isalnum()) not in _seed(n)] == []


@pytest.mark.slow
@pytest.mark.usefixtures("unrendered_figures")  # tables and text, not pixels
def test_the_study_runs_and_tsim_report_writes_its_table(tmp_path, capsys):
    sweep = tmp_path / "sweep"
    args = [
        *("-cd", str(ROOT / "experiments" / "baseline_drivers"), "-cn", "sweep"),
        *("county=single", "run.replications=2", "run.horizon_days=30", "run.warmup_days=5"),
        *("+attrition=attrition,no_attrition", "+secondment=secondment"),
        *("+windows=dedicated", "+cover=cover", f"hydra.sweep.dir={sweep}"),
    ]
    assert tsim_main(args) == 0
    capsys.readouterr()  # the sweep's lines: what follows is the report's
    assert report_main([str(sweep), "--drivers"]) == 0
    text = (sweep / drivers.FILE).read_text()
    assert [r[0] for r in rows(text)] == ["none (pre_reform)", "no attrition"]
    assert "County single, 2 replications" in text
    assert text in capsys.readouterr().out
    # a sweep without the baseline: one line, exit 2
    assert report_main([str(sweep / "1"), "--drivers", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("tsim-report: no finished job runs the baseline")

"""The report's plain conclusion (issue 20, point 2): rankings per KPI, real differences
after the multiple-comparison correction, costs, instability; numbers rounded to their
CIs; the console's backlog column with its CI.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.stats import confidence_interval
from sim.report import options
from sim.report.conclusion import conclusion
from sim.report.console import console_table
from sim.report.jobs import Job
from sim.report.table import cell, rounded

WAIT = "county.services.wait_mean_h"
BACKLOG = ["county.services.backlog_mean", "county.enforcement.backlog_mean"]
STREAMS = [
    {"id": "services", "label": "Services", "unit": "items", "in_backlog_total": True},
    {"id": "enforcement", "label": "Cases", "unit": "cases", "in_backlog_total": True},
]


def job(name: str, wait: np.ndarray, backlog: float, cost: float) -> Job:
    reps = pd.DataFrame({"replication": np.arange(wait.size), WAIT: wait})
    for i, col in enumerate(BACKLOG):
        reps[col] = backlog / 2 + 0.1 * np.arange(wait.size) * (i + 1)
    metrics = {c: confidence_interval(reps[c]) for c in reps.columns if c != "replication"}
    metrics["county.staff.cost"] = {"mean": cost, "ci_low": cost, "ci_high": cost, "n": 10}
    j = Job(Path(name), [], summary={"metrics": metrics, "seed": 1, "streams": STREAMS})
    j.name = name
    j._cache["replications"] = reps
    return j


def test_ranking_says_which_differences_are_real(capsys):
    rng = np.random.default_rng(4)
    noise = rng.normal(0, 0.3, 10)
    base = job("pre_reform", 10 + noise, 40.0, 1000.0)
    better = job("reform", 4 + noise + rng.normal(0, 0.1, 10), 20.0, 1200.0)
    same = job("cosmetic", 10 + noise + np.tile([-0.05, 0.04], 5), 40.0, 1000.0)
    worse = job("worse", 13 + noise, 55.0, 900.0)
    kpis = [options.kpi(WAIT)]
    text = "\n".join(conclusion([base, better, same, worse], base, kpis))
    lines = text.splitlines()
    ranking = [ln for ln in lines if ln[:2] in ("1.", "2.", "3.", "4.")]
    assert [ln.split(":")[0][3:] for ln in ranking[:4]] == [
        "reform",
        "cosmetic",
        "pre_reform",
        "worse",
    ]
    assert "reform: 4" in text and "**better**" in ranking[0]
    assert "no detectable difference: " in ranking[1] and "(10 pairs)" in ranking[1]
    # Read first: the best policy on each result, against the baseline, with its verdict.
    at = next(i for i, ln in enumerate(lines) if ln.startswith("**In short**"))
    short = lines[at + 2]
    assert short.startswith(f"- {kpis[0].label}: reform, ") and " against 9." in short
    assert "**better**" in short
    assert "**worse**" in ranking[3]
    # The total backlog is ranked too, and costs show the change from the baseline.
    assert "Backlog, items in the system (services + enforcement)" in text
    assert "| reform | 1200 (+200) |" in text.replace(",", "")
    assert "Benjamini–Hochberg" in text


def test_a_gap_its_own_interval_shows_but_the_correction_does_not_is_not_confirmed():
    # One policy 12 h better on a baseline that swings between replications (as Wuchuan's
    # pre_reform hall does over 5), among ten that change nothing: its own interval
    # excludes zero, but with 11 × 2 comparisons Benjamini–Hochberg does not pass it.
    rng = np.random.default_rng(8)
    swing = rng.normal(12, 8, 5)
    base = job("pre_reform", swing, 40.0, 1000.0)
    maybe = job("reform", swing - 12 + rng.normal(0, 6, 5), 40.0, 1000.0)
    others = [job(f"same_{i}", swing + rng.normal(0, 0.5, 5), 40.0, 1000.0) for i in range(10)]
    text = "\n".join(conclusion([base, maybe, *others], base, [options.kpi(WAIT)]))
    line = next(ln for ln in text.splitlines() if ln.startswith("1. reform"))
    assert "not confirmed: -" in line and "more replications would settle it" in line
    assert "**better**" not in line and "no detectable difference" not in line


def test_rounding_follows_the_ci():
    assert rounded(-3.33e-17, 3.78e-17) == "0"
    assert cell({"mean": -3.33e-17, "ci_low": -7.1e-17, "ci_high": 4.5e-18}) == "0 ±0"
    assert rounded(15.234, 0.512) == "15.23"
    assert rounded(-14.93, 1.2, signed=True) == "-14.9"
    assert rounded(3.0, 0.5, signed=True) == "+3.00"
    assert rounded(0.5) == "0.5"


def test_console_backlog_column_has_its_ci():
    a = job("a", np.linspace(1, 2, 10), 40.0, 1.0)
    out = console_table([a], [options.kpi(WAIT)])
    row = out.splitlines()[1]
    total = a.replications()[BACKLOG].sum(axis=1)
    assert cell(confidence_interval(total, lo=0.0)) in row


def test_differences_say_how_many_replications_they_pair():
    """With run.replications=auto a job may have more replications than its baseline:
    the pairs are those both have, and the report says how many.
    """
    from sim.report.markdown import _pairs_used
    from sim.report.stats import differences

    rng = np.random.default_rng(1)
    base = job("pre_reform", 10 + rng.normal(0, 1, 6), 40.0, 1.0)
    more = job("reform", 5 + rng.normal(0, 1, 30), 20.0, 1.0)
    table, by_job = differences([base, more], base)
    assert set(table.loc[table.metric == WAIT, "replications"]) == {6}
    assert _pairs_used(by_job, [options.kpi(WAIT)]) == (
        "Each difference pairs the 6 replications both jobs have."
    )

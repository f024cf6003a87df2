"""Reports a county committee can read (issue 12, points 8–10): short unique job names,
the KPIs one asks for, townships, what each preset changes, which way is better, and a
``tsim --help`` that tells where to start.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.analysis import glossary
from sim.cli.report import main as report_main
from sim.report import jobs, plots
from sim.report.jobs import Job

from .conftest import tsim_in_process as tsim

TOWN = "county.kinds.town.staff.window_staff.headcount"
RURAL = "county.kinds.rural.staff.window_staff.headcount"
SHORT = ["county=small", "run.replications=2", "run.horizon_days=30", "run.warmup_days=5"]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("readable") / "sweep"
    res = tsim("-m", f"{TOWN}=3,4", f"{RURAL}=1,2", *SHORT, f"hydra.sweep.dir={where}")
    assert res.returncode == 0, res.stderr
    return where


def test_names_are_short_unique_and_tell_the_keys_apart():
    names = jobs.short_keys([TOWN, RURAL, "policy.quota.township_increase_share"])
    assert names == {
        TOWN: "town.headcount",
        RURAL: "rural.headcount",
        "policy.quota.township_increase_share": "township_increase_share",
    }


def _job(name: str, dir_name: str, overrides: list[str], metrics=None) -> Job:
    j = Job(Path(dir_name), overrides, summary={"metrics": metrics or {}, "seed": 1})
    j.name = name
    return j


def test_long_names_are_cut_and_labels_win():
    many = [f"policy.lever_{i}.some_long_setting_name={i}" for i in range(8)]
    a = Job(Path("0"), many, summary={"metrics": {}})
    b = Job(Path("1"), [o.replace("=", "=1") for o in many], summary={"metrics": {}})
    c = Job(Path("2"), ["run.label=reform+25%"], summary={"metrics": {}})
    jobs._name([a, b, c])
    assert len(a.name) <= jobs.MAX_NAME and a.name.startswith("#0 ") and a.name != b.name
    assert c.name == "reform+25%"


def test_each_panel_keeps_the_lever_that_matters_to_it():
    # Seven levers move services a lot; one moves only enforcement (a little in total).
    def backlog(services, enforcement):
        return {
            "county.services.backlog_mean": {"mean": services},
            "county.enforcement.backlog_mean": {"mean": enforcement},
        }

    base = _job("pre_reform", "b", [], backlog(50.0, 10.0))
    movers = [_job(f"s{i}", f"s{i}", [], backlog(100.0 + i, 10.0)) for i in range(7)]
    enforce = _job("integrated_enforcement", "e", [], backlog(50.0, 2.0))
    everyone = [base, *movers, enforce]
    assert enforce in plots._most_different(everyone, base, "enforcement")
    assert enforce not in plots._most_different(everyone, base, "services")


def test_the_baseline_colour_is_its_own():
    many = [_job(f"j{i}", f"j{i}", []) for i in range(15)]
    colours = plots._colours(many, many[3])
    assert sum(c == colours["j3"] for c in colours.values()) == 1
    # No other job is drawn in a grey that reads as the baseline's black or its band.
    greys = [n for n, c in colours.items() if n != "j3" and len(set(c[:3])) == 1]
    assert greys == []


def test_better_directions():
    assert glossary.better("county.services.wait_mean_h") == "lower"
    assert glossary.better("town_1.services.on_time_share") == "higher"
    assert glossary.better("county.delegated.overdue_share") == "lower"
    assert glossary.better("county.staff.window_staff.utilisation_share") is None


@pytest.mark.slow
@pytest.mark.usefixtures("unrendered_figures")  # names, tables and text: figures exist, unread
def test_report_of_a_two_key_sweep_is_readable(sweep, tmp_path, capsys):
    out = tmp_path / "out"
    kpi = "county.services.backlog_mean"
    assert (
        report_main([str(sweep), "--out", str(out), "--kpi", kpi, "town_1.services.wait_mean_h"])
        == 0
    )
    printed = capsys.readouterr().out
    table = pd.read_csv(out / "comparison.csv")
    names = sorted(table.job.unique())
    assert names == sorted(
        f"town.headcount={t}, rural.headcount={r}" for t in (3, 4) for r in (1, 2)
    ) or names == sorted(f"rural.headcount={r}, town.headcount={t}" for t in (3, 4) for r in (1, 2))
    assert "town_1.services.wait_mean_h" in printed.splitlines()[0]  # the console shows it
    for figure in ("townships.png", "fairness.png", "differences.png", "kpi_bars.png"):
        assert (out / figure).stat().st_size > 0
    md = (out / "report.md").read_text()
    assert "Δ backlog_mean" not in md and "Δ services.backlog_mean (lower is better)" in md
    # Per township per 10,000 inhabitants, recomputed from comparison.csv and the config.
    job = next(j for j in jobs.load([sweep]) if j.ok)
    counted = [s.id for s in jobs.streams([job]) if s.in_backlog_total]
    mine = table[table.job == job.name].set_index("metric")["mean"]
    total = sum(mine.get(f"town_1.{s}.backlog_mean", 0.0) for s in counted)
    pop = job.config()["county"]["kinds"]["town"]["population"]
    assert "### Per township: mean items in the system per 10,000 inhabitants" in md
    assert f"| town_1 | {total * 10_000 / pop:,.1f} |" in md


@pytest.mark.slow
@pytest.mark.usefixtures("unrendered_figures")  # tables and text, not pixels
def test_presets_are_described_by_what_they_change(tmp_path):
    sweep = tmp_path / "sweep"
    res = tsim("-m", "policy=pre_reform,one_window", *SHORT, f"hydra.sweep.dir={sweep}")
    assert res.returncode == 0, res.stderr
    assert report_main([str(sweep)]) == 0
    md = (sweep / "report.md").read_text()
    assert "### What each job's policy changes against pre_reform" in md
    assert "`policy.windows.mode` dedicated → pooled" in md


def test_help_names_commands_groups_presets_run_keys_and_the_glossary():
    res = tsim("--help")
    assert res.returncode == 0
    text = res.stdout
    assert len(text.splitlines()) < 60  # not a config dump
    for needle in (
        "tsim-report",
        "tsim -m",
        "policy: admission_control",
        "reform_2019",
        "county: single",
        "run.replications",
        "run.horizon_days",
        "glossary",
        "docs/PARAMETERS.md",
    ):
        assert needle in text, needle


def test_a_figure_title_stays_clear_of_its_panels_titles(tmp_path, monkeypatch):
    # The differences figure's title overlapped the "better (higher) →" label of the
    # top middle panel: tight_layout leaves no room for a suptitle.
    import matplotlib.pyplot as plt

    fig, axes = plots._panels(10, 14 / 3, 5.6)  # as tall as a sweep of 10 jobs draws
    for ax in axes:
        ax.barh(range(10), range(10))
        ax.set_title("better (higher) →", loc="right", fontsize=9)
    fig.suptitle("Change against pre_reform (paired replications, 95% CI)")
    seen = {}
    monkeypatch.setattr(plt, "close", lambda f: seen.setdefault("fig", f))
    plots._save(fig, tmp_path / "f.png")
    renderer = fig.canvas.get_renderer()
    title = fig._suptitle.get_window_extent(renderer)
    for ax in axes:
        assert ax._right_title.get_window_extent(renderer).y1 <= title.y0
    plt.close(fig)

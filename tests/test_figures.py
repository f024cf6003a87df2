"""Figures readable at any size (issue 20, point 4): no figure taller than a printed page
for 1, 9 or 18 townships and 2, 6 or 11 jobs; the backlog figure's legends name exactly
the lines drawn; day ticks are whole days; the palette is colour-blind safe.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest

from sim.report import plots
from sim.report.jobs import Job

STREAMS = ["services", "enforcement", "delegated", "grid"]
DPI = 110


def fake_job(name: str, towns: int, shift: float, days: int = 12) -> Job:
    """A finished job with metrics for ``towns`` townships and a daily series."""
    townships = [f"town_{i}" for i in range(1, towns + 1)]
    metrics = {
        f"{t}.{s}.backlog_mean": {
            "mean": 5 + shift + i,
            "ci_low": 4 + shift + i,
            "ci_high": 7 + shift + i,
        }
        for i, t in enumerate(["county", *townships])
        for s in STREAMS
    }
    summary = {
        "metrics": metrics,
        "seed": 1,
        "streams": [
            {"id": s, "label": s.title(), "unit": "items", "in_backlog_total": True}
            for s in STREAMS
        ],
    }
    job = Job(Path(name), [], summary=summary)
    job.name = name
    rows = [
        {"replication": r, "day": d, "township": "county", "stream": s, "metric": "backlog",
         "value": shift * d + r}
        for r in range(3) for d in range(days) for s in STREAMS
    ]  # fmt: skip
    job._cache["timeseries"] = pd.DataFrame(rows)
    job._cache["lead"] = pd.DataFrame(
        [{"replication": 0, "stream": s, "quantile": q, "lead_time_h": q * (1 + shift)}
         for s in STREAMS for q in (0.1, 0.5, 0.9)]
    )  # fmt: skip
    return job


def height_in(path: Path) -> float:
    return mpimg.imread(path).shape[0] / DPI


def _fits(paths: list[Path | None]) -> None:
    for path in paths:
        assert path is not None
        assert height_in(path) <= plots.PAGE_HEIGHT_IN * 1.02, path.name


SLOW = pytest.mark.slow


@pytest.mark.parametrize("n_jobs", [2, pytest.param(6, marks=SLOW), pytest.param(11, marks=SLOW)])
def test_no_figure_is_taller_than_a_page(tmp_path, n_jobs):
    jobs = [fake_job(f"policy_{i}", 1, float(i)) for i in range(n_jobs)]
    base = jobs[0]
    diffs = {j.name: {k.metric: {"mean": 1.0, "ci_low": 0.5, "ci_high": 1.5} for k in plots.KPIS}
             for j in jobs[1:]}  # fmt: skip
    _fits(
        [
            plots.backlog_over_time(jobs, tmp_path, base),
            plots.kpi_bars(jobs, tmp_path, base),
            plots.differences(diffs, base.name, jobs, tmp_path),
            plots.lead_time_ecdf(jobs, tmp_path, base),
        ]
    )


@pytest.mark.parametrize("towns", [pytest.param(1, marks=SLOW), 9, pytest.param(18, marks=SLOW)])
@pytest.mark.parametrize("n_jobs", [pytest.param(2, marks=SLOW), 6, pytest.param(11, marks=SLOW)])
def test_township_figures_are_pages(tmp_path, towns, n_jobs):
    jobs = [fake_job(f"policy_{i}", towns, float(i)) for i in range(n_jobs)]
    pages = plots.townships(jobs, tmp_path, jobs[0])
    _fits([plots.fairness(jobs, tmp_path), *pages])
    assert sorted(tmp_path.glob("townships*.png")) == sorted(pages)  # no stale pages
    if towns == 18 and n_jobs == 11:
        assert len(pages) > 1
        plots.townships(jobs[:2], tmp_path, jobs[0])  # a shorter report after a longer one
        assert len(list(tmp_path.glob("townships*.png"))) == len(
            plots.townships(jobs[:2], tmp_path, jobs[0])
        )


def test_backlog_figure_legends_name_what_each_panel_draws(tmp_path, monkeypatch):
    """Eleven jobs: each panel draws at most MAX_LINES and its own legend lists exactly
    those (not the union of every panel's).
    """
    drawn: list[tuple[list[str], list[str]]] = []
    save = plots._save

    def spy(fig, path):
        for ax in fig.axes:
            if ax.get_visible() and ax.get_legend() is not None:
                lines = [
                    ln.get_label() for ln in ax.get_lines() if not ln.get_label().startswith("_")
                ]
                legend = [t.get_text() for t in ax.get_legend().get_texts()]
                drawn.append((lines, legend))
        return save(fig, path)

    monkeypatch.setattr(plots, "_save", spy)
    jobs = [fake_job(f"p{i}", 2, float(i)) for i in range(11)]
    plots.backlog_over_time(jobs, tmp_path, jobs[0])
    assert len(drawn) == len(STREAMS)
    for lines, legend in drawn:
        assert sorted(lines) == sorted(legend) and len(lines) <= plots.MAX_LINES


def test_day_ticks_are_whole_days(tmp_path, monkeypatch):
    ticks: list[np.ndarray] = []
    save = plots._save

    def spy(fig, path):
        fig.canvas.draw()
        ticks.extend(np.asarray(ax.get_xticks()) for ax in fig.axes if ax.get_visible())
        return save(fig, path)

    monkeypatch.setattr(plots, "_save", spy)
    plots.backlog_over_time([fake_job("a", 1, 1.0, days=8)], tmp_path)
    assert ticks and all(np.allclose(t, np.round(t)) for t in ticks)


def test_every_backlog_panel_shows_its_day_numbers(tmp_path, monkeypatch):
    # Shared x axes used to hide the tick labels of the top row: a panel read alone
    # said "working day" under an axis without a single number.
    labelled: list[bool] = []
    save = plots._save

    def spy(fig, path):
        fig.canvas.draw()
        for ax in fig.axes:
            if ax.get_visible():
                labelled.append(any(t.get_text() for t in ax.get_xticklabels()))
        return save(fig, path)

    monkeypatch.setattr(plots, "_save", spy)
    plots.backlog_over_time([fake_job("a", 1, 1.0), fake_job("b", 1, 2.0)], tmp_path)
    assert len(labelled) >= 4 and all(labelled)


def test_palette_is_okabe_ito_and_repeats_with_another_style():
    jobs = [fake_job(f"j{i}", 1, 0.0) for i in range(10)]
    colours, styles = plots._colours(jobs, jobs[0]), plots._styles(jobs, jobs[0])
    assert colours["j0"] == (0.0, 0.0, 0.0) and styles["j0"] == "--"
    others = [(colours[j.name], str(styles[j.name])) for j in jobs[1:]]
    assert len(set(others)) == len(others)  # colour and style together tell every job apart
    assert (0.902, 0.624, 0.0) in plots.PALETTE  # Okabe–Ito orange


def test_a_ci_clipped_a_rounding_error_inside_its_mean_still_draws(tmp_path):
    """A share busy 100% reads 1.000000000000001 with its CI clipped at 1.0: the whisker
    is 0, not a failure of the whole report (seen on reform_package).
    """
    jobs = [fake_job(f"p{i}", 1, float(i)) for i in range(2)]
    metric = "county.staff.departments.utilisation_share"
    jobs[1].metrics[metric] = {
        "mean": 1.000000000000001,
        "ci_low": 0.9999999999999988,
        "ci_high": 1.0,
    }
    assert plots.kpi_bars(jobs, tmp_path, jobs[0]) is not None

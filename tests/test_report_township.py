"""``tsim-report PATH --township ID``: one township's view (issue 19 item 5) holds that
township only, and its backlog figure has the calendar's dates on the x axis.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from sim.cli.report import main as report_main
from sim.cli.tsim import main as tsim_main
from sim.core.calendar import WorkingClock
from sim.report import plots
from sim.report.jobs import load

pytestmark = pytest.mark.slow  # a sweep and its report: the full tier


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """A two-township county (town_1, rural_1), services backlog question switched on."""
    out = tmp_path_factory.mktemp("run") / "run"
    status = tsim_main(
        [
            "county=small",
            "county.townships.town=1",
            "county.townships.rural=1",
            "run.replications=2",
            "run.horizon_days=25",
            "run.warmup_days=0",
            "run.report_day=10",
            "calendar.start_date=2024-03-01",
            f"hydra.run.dir={out}",
        ]
    )
    assert status == 0
    return out


def test_the_township_view_names_that_township_only(run_dir, capsys):
    assert report_main([str(run_dir), "--township", "rural_1"]) == 0
    out = run_dir / "township_rural_1"
    text = (out / "report.md").read_text()
    assert "rural_1" in text and "town_1" not in text and "county" not in text.lower()
    assert "Working day 0 is 2024-03-01" in text and "days to clear" in text
    table = pd.read_csv(out / "comparison.csv")
    assert len(table) > 0 and table.metric.str.startswith("rural_1.").all()
    assert (out / "backlog_over_time.png").stat().st_size > 0
    assert not (out / "differences.csv").exists()  # nothing county-wide is written
    assert "town_1" not in capsys.readouterr().out


def test_an_unknown_township_is_one_line(run_dir, capsys):
    assert report_main([str(run_dir), "--township", "town_9"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "tsim-report: --township town_9: no such township in the runs " + (
        "(townships: rural_1, town_1)"
    )


def test_the_backlog_lines_run_over_the_calendar_dates(run_dir):
    job = next(j for j in load([run_dir]) if j.ok)
    clock = WorkingClock(8.0, 5, "2024-03-01")  # a Friday: day 1 is Monday 4 March
    fig, ax = plt.subplots()
    plots._backlog_line(ax, job, "town_1", "services", "k", "-", clock)
    xs = list(ax.lines[0].get_xdata())
    plt.close(fig)
    assert xs[0] == dt.date(2024, 3, 1) and xs[1] == dt.date(2024, 3, 4)
    assert all(x.weekday() < 5 for x in xs)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", str(xs[-1]))

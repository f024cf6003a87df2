"""Today's backlog as the starting state: N open items give backlog_start = N, their lead
times include their age, conservation holds; bad files get one line.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sim.analysis.metrics import daily_series, replication_metrics
from sim.config.datafiles import DataError
from sim.model.build import build

from .conftest import checked_scenario, scenario

RUN = ("county=small", "run.horizon_days=30", "run.warmup_days=0", "policy=pre_reform")
STREAMS = ("services", "enforcement", "delegated")  # grid reports bring duplicates


def _write(tmp_path, text: str):
    path = tmp_path / "backlog.csv"
    path.write_text(text)
    return path


def _run(path):
    model = build(scenario(*RUN, f"run.initial_backlog={path}"), 0, keep_items=True)
    model.run()
    rec = model.ledger.records()
    return model, replication_metrics(model, rec), rec


def test_dated_items_start_in_the_system_with_their_age(tmp_path):
    # start_date 2020-01-06 (a Monday); 2019-12-30 is 5 working days earlier.
    rows = [("town_1", "services", "2019-12-30"), ("rural_2", "enforcement", "2019-11-04")]
    rows += [("town_2", "delegated", "2020-01-03")] * 3
    body = "".join(f"{t},{s},{d}\n" for t, s, d in rows)
    path = _write(tmp_path, "township,stream,arrival_date\n" + body)
    model, m, rec = _run(path)
    hpd = model.clock.hours_per_day
    start = dt.date(2020, 1, 6)
    ages = sorted(np.busday_count(dt.date.fromisoformat(d), start) * hpd for _t, _s, d in rows)
    opened = [i for i in model.ledger.items if i.t_arr < 0]
    assert sorted(-i.t_arr for i in opened) == ages
    limit = model.scenario.workload.delegated.routine_deadline_days
    for item in opened:
        if item.stream.id == "delegated":  # arrived on day −1: due 10 working days later
            assert item.due == (-1 + 1 + limit) * hpd
        if item.t_done is not None:  # lead time counts from arrival, age included
            assert item.t_done - item.t_arr > -item.t_arr
    assert sum(m[f"county.{s}.backlog_start"] for s in STREAMS) == len(rows)
    _assert_conservation(m)
    daily_series(model, rec, 0)  # open items before day 0 do not break the series


def test_counted_items_give_backlog_start_n(tmp_path):
    counts = {("town_1", "services"): 7, ("rural_1", "enforcement"): 4, ("town_2", "delegated"): 5}
    body = "".join(f"{t},{s},{n}\n" for (t, s), n in counts.items())
    _model, m, _rec = _run(_write(tmp_path, "township,stream,open_items\n" + body))
    assert m["county.services.backlog_start"] == 7
    assert m["town_1.services.backlog_start"] == 7
    assert m["county.enforcement.backlog_start"] == 4
    assert m["county.delegated.backlog_start"] == 5
    _assert_conservation(m)


def _assert_conservation(m):
    for s in STREAMS:
        assert (
            m[f"county.{s}.backlog_start"] + m[f"county.{s}.arrivals"]
            == m[f"county.{s}.completions"] + m[f"county.{s}.backlog_end"]
        )


COUNTS, DATED = "township,stream,open_items\n", "township,stream,arrival_date\n"


@pytest.mark.parametrize(
    "text, where",
    [
        (COUNTS + "town_9,services,3\n", "row 2, column township"),
        (COUNTS + "town_1,roads,3\n", "row 2, column stream"),
        (
            "township,stream,open_items\ntown_1,services,2\ntown_1,services,-1\n",
            "row 3, column open_items",
        ),
        (
            "township,stream,arrival_date\ntown_1,services,2020-02-01\n",
            "row 2, column arrival_date",
        ),
        (
            "township,stream,arrival_date\ntown_1,services,01/02/2019\n",
            "row 2, column arrival_date",
        ),
        ("township,open_items\ntown_1,3\n", "row 1: missing column stream"),
        ("township,stream\ntown_1,services\n", "row 1: missing column open_items or arrival_date"),
    ],
)
def test_bad_backlog_files_get_one_line(tmp_path, text, where):
    path = _write(tmp_path, text)
    with pytest.raises(DataError) as err:
        checked_scenario(*RUN, f"run.initial_backlog={path}")
    msg = str(err.value)
    assert msg.startswith(str(path)) and where in msg and "\n" not in msg, msg


def test_missing_backlog_file_is_one_line(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        checked_scenario(*RUN, f"run.initial_backlog={tmp_path / 'nope.csv'}")

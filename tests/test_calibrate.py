"""Calibration from observed counts: exact Poisson estimates, a round trip from a known
scenario, the fit check, and one line for each bad file.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hydra import compose, initialize_config_dir

from sim.calibrate.calibration import calibrate
from sim.calibrate.observed import read_counts
from sim.calibrate.rates import estimate, garwood
from sim.cli import calibrate as calibrate_cli
from sim.cli import tsim as tsim
from sim.config import load_scenario
from sim.config.datafiles import DataError
from sim.core.calendar import WorkingClock
from sim.run import engine

from .conftest import one_line, raw_config, scenario

HEADER = "township,stream,period_start,period_end,arrivals"


def test_garwood_matches_the_published_table():
    # Garwood (1936) / standard tables: n = 10 → (4.795, 18.39); n = 0 → (0, 3.689).
    low, high = garwood(10)
    assert low == pytest.approx(4.795, abs=1e-3) and high == pytest.approx(18.39, abs=1e-2)
    assert garwood(0) == (0.0, pytest.approx(3.689, abs=1e-3))


def test_a_rate_by_kind_is_count_over_exposure(tmp_path):
    s = scenario("county=small")
    villages = s.county.kinds["town"].villages
    path = tmp_path / "counts.csv"
    # 2020-01-06 … 2020-01-31 is 20 working days; two towns.
    path.write_text(
        HEADER + ",completions,kind\n"
        "town_1,enforcement,2020-01-06,2020-01-31,6,,inspections\n"
        "town_2,enforcement,2020-01-06,2020-01-31,4,,inspections\n"
    )
    est = estimate(s, read_counts(str(path), s))
    (rate,) = [r for r in est.rates if r.key.endswith("inspections_per_village_per_day")]
    exposure = 2 * 20 * villages
    assert rate.value == pytest.approx(10 / exposure)
    assert rate.ci_low == pytest.approx(4.795 / exposure, rel=1e-3)
    unknown = {k for u in est.unidentified for k in u.keys}
    assert "workload.enforcement.complaints_per_10k_pop_per_day" in unknown  # no such rows


def _monthly_counts(series, clock):
    """Township arrivals of a daily series (a run's ``timeseries``, one replication) as
    rows of the counts format, one per calendar month: a simulated year as observed data.
    """
    arr = series[(series["metric"] == "arrivals") & (series["township"] != "county")]
    days = sorted(set(arr["day"].tolist()))
    date = {d: clock.date_of_day(d) for d in days}
    arr = arr.assign(month=[date[d].replace(day=1) for d in arr["day"]])
    rows = [
        {
            "township": township,
            "stream": stream,
            "period_start": min(date[d] for d in g["day"]).isoformat(),
            "period_end": max(date[d] for d in g["day"]).isoformat(),
            "arrivals": int(g["value"].sum()),
        }
        for (township, stream, _month), g in arr.groupby(["township", "stream", "month"])
    ]
    return pd.DataFrame(rows)


def _observed_year(tmp_path, *overrides):
    """A known scenario (seed 99) simulated for a year, aggregated by month."""
    s = scenario(
        "county=small", "run.seed=99", "run.replications=1", "run.warmup_days=0", *overrides
    )
    out = engine.run(s)
    clock = WorkingClock(s.calendar.hours_per_day, s.calendar.days_per_week, s.calendar.start_date)
    path = tmp_path / "counts.csv"
    _monthly_counts(out.timeseries, clock).to_csv(path, index=False)
    return s, path


@pytest.mark.slow
def test_round_trip_recovers_the_rates_and_fits(tmp_path):
    truth, path = _observed_year(tmp_path)
    out = tmp_path / "calibration"
    out.mkdir()
    done = calibrate(raw_config("county=small", "run.replications=5"), str(path), out)
    assert len(done["rates"]) == 8  # no monthly profile: these counts have none
    assert all("monthly_profile" not in k for k in done["rates"])
    for key, r in done["rates"].items():
        _, stream, name = key.split(".")
        true = getattr(getattr(truth.workload, stream), name)
        assert r["ci_low"] <= true <= r["ci_high"], (key, true, r)
    assert done["fit"]["inside_share"] >= 0.9
    assert json.loads((out / "calibration.json").read_text())["config"]["override"] == (
        "workload=calibrated"
    )
    assert (out / "fit.png").stat().st_size > 0 and (out / "fit.csv").exists()
    # The preset is a workload option tsim composes as it is.
    with initialize_config_dir(config_dir=tsim.CONFIG_DIR, version_base="1.3"):
        cfg = compose(
            "config",
            overrides=["workload=calibrated", f"hydra.searchpath=[file://{out / 'configs'}]"],
        )
    s = load_scenario(cfg)
    key = "workload.services.requests_per_10k_pop_per_day"
    assert s.workload.services.requests_per_10k_pop_per_day == done["rates"][key]["value"]


@pytest.mark.slow
def test_a_seasonal_year_gets_its_monthly_profile_back(tmp_path):
    profile = [1.5, 1.5, 1.2, 1.0, 1.0, 0.8, 0.6, 0.6, 0.9, 1.0, 1.2, 1.4]
    services = ("workload.streams=[services]",)
    truth, path = _observed_year(
        tmp_path, *services, f"workload.services.monthly_profile=[{','.join(map(str, profile))}]"
    )
    out = tmp_path / "calibration"
    out.mkdir()
    cfg = raw_config("county=small", "run.replications=5", *services)
    done = calibrate(cfg, str(path), out)
    rate = done["rates"]["workload.services.requests_per_10k_pop_per_day"]["value"]
    true_rate = truth.workload.services.requests_per_10k_pop_per_day
    for month, factor in enumerate(profile):
        found = done["rates"][f"workload.services.monthly_profile[{month}]"]["value"]
        # The month's rate (flat rate × factor) is what the counts identify: ±10% is
        # five standard deviations of a month's ~2,900 requests.
        assert rate * found == pytest.approx(true_rate * factor, rel=0.10), month
    assert done["fit"]["inside_share"] >= 0.9
    preset = (out / "configs" / "workload" / "calibrated.yaml").read_text()
    assert "monthly_profile" in preset


ROW = "town_1,services,2020-01-06,2020-01-31,100\n"


@pytest.mark.parametrize(
    "text, where",
    [
        (
            "township,stream,period_start,arrivals\n" + "town_1,services,2020-01-06,3\n",
            "row 1: missing column period_end",
        ),
        (HEADER + "\ntown_7,services,2020-01-06,2020-01-31,100\n", "row 2, column township"),
        (
            HEADER + "\n" + ROW + "town_1,services,2020-02-03,2020-02-28,-4\n",
            "row 3, column arrivals",
        ),
        (
            HEADER + "\n" + ROW + "town_1,services,2020-01-27,2020-02-28,90\n",
            "row 3, column period_start: 2020-01-27 … 2020-02-28 overlaps row 2",
        ),
        (
            HEADER + "\ntown_1,services,2019-12-02,2019-12-31,100\n",
            "row 2, column period_start: 2019-12-02 is outside the calendar",
        ),
        (HEADER + "\ntown_1,services,2020-02-01,2020-01-31,100\n", "row 2, column period_end"),
        (HEADER + "\ntown_1,services,2020-01-06,31/01/2020,100\n", "row 2, column period_end"),
        (
            HEADER + ",kind\ntown_1,enforcement,2020-01-06,2020-01-31,4,roads\n",
            "row 2, column kind",
        ),
        (
            HEADER + ",kind\ntown_1,enforcement,2020-01-06,2020-01-31,4,inspections\n"
            "town_2,enforcement,2020-01-06,2020-01-31,4,\n",
            "row 3, column kind",
        ),
    ],
)
def test_bad_count_files_get_one_line(tmp_path, text, where):
    path = tmp_path / "counts.csv"
    path.write_text(text)
    with pytest.raises(DataError) as err:
        read_counts(str(path), scenario("county=small"))
    msg = str(err.value)
    assert msg.startswith(str(path)) and where in msg and "\n" not in msg, msg


def test_the_command_prints_one_line_and_exits_2_on_a_bad_file(tmp_path, capsys):
    path = tmp_path / "counts.csv"
    path.write_text(HEADER + "\ntown_1,services,2020-01-06,2020-01-31,-1\n")
    status = calibrate_cli.main([str(path), "county=small", f"hydra.run.dir={tmp_path / 'out'}"])
    assert status == 2
    assert "row 2, column arrivals" in one_line(capsys)


def test_the_data_file_is_found_among_hydra_options():
    from sim.cli.calibrate import _data_file

    assert _data_file(["-cd", "confs", "counts.csv", "county=small"]) == 2
    assert _data_file(["county=small", "--config-dir", "x", "data.csv"]) == 3
    assert _data_file(["county=small"]) is None

"""Steady state from a run's own output: MSER-5 warm-up, the growth verdict that tells
start-up fill from growth, the "including open" waits and Little's law.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis import steady
from sim.run import engine

from .conftest import scenario

pytestmark = pytest.mark.slow  # simulated M/M/c and Wuchuan series: the full tier


def mm1_daily(lam: float, mu: float, days: int, rng: np.random.Generator) -> np.ndarray:
    """Items in an M/M/1 queue (rates per day, empty at day 0) at the end of each day."""
    t, n, out = 0.0, 0, np.empty(days)
    for day in range(days):
        while True:
            rate = lam + (mu if n else 0.0)
            t += rng.exponential(1 / rate)
            if t >= day + 1:
                t = day + 1.0  # memoryless: restart the clock at the day's end
                break
            n += 1 if rng.random() < lam / rate else -1
        out[day] = n
    return out


def ar1(days: int, phi: float, level: float, rng: np.random.Generator) -> np.ndarray:
    x = np.empty(days)
    x[0] = level
    for i in range(1, days):
        x[i] = level + phi * (x[i - 1] - level) + rng.normal()
    return x


@pytest.mark.parametrize("end", [40, 80, 120])
def test_mser5_truncates_near_the_end_of_a_known_transient(end):
    cuts = []
    for seed in range(20):
        series = np.random.default_rng(seed).normal(10.0, 1.0, 500)
        series[:end] += np.linspace(30.0, 0.0, end)  # a start-up bias that fades by `end`
        cuts.append(steady.mser(series))
    assert all(c % steady.BATCH == 0 for c in cuts)
    assert min(cuts) >= end - 10  # never keeps the bulk of the transient
    assert abs(np.median(cuts) - end) <= 5  # and typically cuts where it ends


def test_mser5_keeps_a_stationary_series_and_searches_its_first_half_only():
    cuts = [steady.mser(np.random.default_rng(seed).normal(0.0, 1.0, 400)) for seed in range(20)]
    assert np.median(cuts) <= 20
    rising = np.arange(300.0)  # the best cut of a trend is as late as allowed: the half
    assert steady.mser(rising) == 150


def test_stationary_queues_are_not_growing():
    rng = np.random.default_rng(7)
    mm1 = np.vstack([mm1_daily(7.0, 10.0, 400, rng) for _ in range(5)])  # ρ = 0.7
    assert steady.steady_state(mm1).verdict == "not growing"
    one = ar1(400, 0.8, 50.0, rng)
    assert steady.steady_state(one).verdict == "not growing"


@pytest.mark.parametrize("reps", [1, 5])
def test_a_linear_trend_is_growing(reps):
    rng = np.random.default_rng(reps)
    days = np.arange(300.0)
    series = np.vstack([20 + 0.5 * days + rng.normal(0, 3, days.size) for _ in range(reps)])
    reading = steady.steady_state(series, first_day=20)
    assert reading.verdict == "growing"
    assert "search limit" in reading.reason  # a trend's best cut is as late as allowed
    assert reading.slope_per_day == pytest.approx(0.5, rel=0.1)
    assert reading.warmup_days >= 20  # the configured warm-up stays the floor


def test_start_up_fill_is_not_called_growth():
    # A backlog filling towards 100 items with a 60-day time constant: a whole-window
    # slope is clearly positive, yet nothing grows without bound.
    days = np.arange(250.0)
    fill = 100 * (1 - np.exp(-days / 60))
    rng = np.random.default_rng(3)
    series = np.vstack([fill + rng.normal(0, 4, days.size) for _ in range(5)])
    assert np.polyfit(days, series.mean(axis=0), 1)[0] > 0.2
    assert steady.steady_state(series).verdict != "growing"


def test_a_short_run_is_undetermined_not_unstable():
    series = 5 + 0.5 * np.arange(60.0)  # rising, but 60 days leave < 50 after MSER's cut
    reading = steady.steady_state(series)
    assert reading.verdict == "undetermined"
    assert "run longer" in reading.reason


def test_an_insignificant_slope_with_too_wide_a_ci_is_undetermined():
    # Three replications, one of which runs away: no significant rise, yet the data
    # cannot rule out a backlog that doubles over the window.
    days = np.arange(200.0)
    rng = np.random.default_rng(5)
    series = np.vstack([100 + k * days + rng.normal(0, 5, days.size) for k in (-0.5, 0.0, 2.0)])
    reading = steady.steady_state(series)
    assert reading.slope_ci[0] < 0 < reading.slope_ci[1]
    assert reading.verdict == "undetermined" and "more replications" in reading.reason


def test_the_reading_is_json_ready():
    reading = steady.steady_state(np.ones(20)).as_dict()
    assert reading["slope_per_day"] is None and reading["verdict"] == "undetermined"


MMC = ("+validation=mmc", "mmc.mu_per_h=1", "mmc.servers=5", "run.warmup_days=20")


def fluid_waits(lam: float, c_mu: float, w: float, h: float) -> tuple[float, float]:
    """Mean wait (hours) of items arriving in [w, h) at a FIFO queue overloaded from empty
    at time 0, in the fluid limit: the queue holds (λ − cμ)t items at t, so an item
    arriving at t waits W(t) = (λ − cμ)t / cμ and has started by h if t + W(t) ≤ h.
    Returns (over started items only, over every item with open ones' ages at h).
    """
    a = h * c_mu / lam  # the last arrival that has started by h
    slope = (lam - c_mu) / c_mu
    started = slope * (a**2 - w**2) / 2
    open_ages = (h - a) ** 2 / 2
    return started / (a - w), (started + open_ages) / (h - w)


def test_incl_open_waits_count_every_arrival_of_an_overloaded_queue():
    # λ = 6 > cμ = 5 an hour: the backlog grows by an item an hour from the start.
    s = scenario(*MMC, "mmc.lam_per_h=6", "run.horizon_days=80", "run.replications=2")
    t = engine.run(s).replications
    hpd = s.calendar.hours_per_day
    w, h = s.run.warmup_days * hpd, s.run.horizon_days * hpd
    finished, incl_open = fluid_waits(6.0, 5.0, w, h)
    p = "county.services."
    assert np.allclose(t[p + "wait_mean_h"], finished, rtol=0.1)
    assert np.allclose(t[p + "wait_mean_incl_open_h"], incl_open, rtol=0.1)
    # Under FIFO the open items are the youngest, so counting them lowers the mean here;
    # what the variant restores is Little's law, which the finished-only mean breaks.
    lam = t[p + "arrivals"] / (h - w)
    incl = lam * t[p + "lead_time_mean_incl_open_h"] / t[p + "backlog_mean"]
    fin = lam * t[p + "lead_time_mean_h"] / t[p + "backlog_mean"]
    assert ((incl > 0.97) & (incl <= 1 + 1e-9)).all(), incl
    assert (abs(fin - 1) > abs(incl - 1)).all(), (fin, incl)


def test_littles_law_holds_with_open_items_counted_in_mmc():
    s = scenario(*MMC, "mmc.lam_per_h=4", "run.horizon_days=200", "run.replications=4")
    out = engine.run(s)
    span_h = (s.run.horizon_days - s.run.warmup_days) * s.calendar.hours_per_day
    t = out.replications
    p = "county.services."
    ratio = t[p + "arrivals"] / span_h * t[p + "lead_time_mean_incl_open_h"] / t[p + "backlog_mean"]
    # λW counts the window's own arrivals; L also the few items open when it opens.
    assert ((ratio > 0.99) & (ratio <= 1 + 1e-9)).all(), ratio
    reading = out.steady_state["services"]
    assert reading["verdict"] == "not growing"
    assert reading["warmup_days"] >= reading["from_day"] == s.run.warmup_days  # the floor


@pytest.mark.slow
def test_stable_wuchuan_variant_is_not_flagged_at_250_days():
    # Without attrition and secondment pre_reform's backlog fills for ~100 days and then
    # stays flat (issue 18: the whole-window slope flagged it at 250 days).
    s = scenario(
        "county=wuchuan",
        "policy=pre_reform",
        "policy.workforce.attrition_per_year=0",
        "policy.secondment.requests_per_township_per_day=0",
        "run.horizon_days=250",
        "run.warmup_days=20",
        "run.replications=4",
        "run.timeseries=false",
    )
    out = engine.run(s)
    verdicts = {stream: r["verdict"] for stream, r in out.steady_state.items()}
    assert "growing" not in verdicts.values(), out.steady_state


def _job(steady_state, metrics, warmup=20):
    from pathlib import Path

    from sim.report.jobs import Job

    streams = [
        {"id": s, "label": s, "unit": "items", "in_backlog_total": True}
        for s in ("services", "enforcement")
    ]
    summary = {"metrics": metrics, "seed": 1, "streams": streams, "steady_state": steady_state}
    job = Job(Path("0"), [], summary=summary, name="pre_reform")
    cfg = {"run": {"horizon_days": 120, "warmup_days": warmup}, "calendar": {"hours_per_day": 8}}
    job._cache["config"] = cfg
    return job


FILL = {"mean": 0.3, "ci_low": 0.1, "ci_high": 0.5}  # a whole-window slope that start-up
# fill produces: flagged by the slope rule, not when the verdict says the rise faded.


def test_the_verdict_decides_the_county_flag_and_the_slope_rule_the_rest():
    from sim.report.outputs import StreamInfo, unstable_streams

    metrics = {f"{scope}.services.backlog_growth_per_day": FILL for scope in ("county", "t_1")}
    infos = [StreamInfo("services", "Services")]
    filling = {"services": {"verdict": "undetermined"}}
    assert unstable_streams(metrics, "county", infos, filling) == []
    assert unstable_streams(metrics, "county", infos, {"services": {"verdict": "growing"}}) == [
        "services"
    ]
    assert unstable_streams(metrics, "county", infos) == ["services"]  # an older run
    assert unstable_streams(metrics, "t_1", infos, filling) == ["services"]


def test_report_shows_warm_up_verdict_and_littles_law_per_stream():
    from sim.report import markdown
    from sim.report.steady import little_ratio, steady_lines

    reading = {"verdict": "undetermined", "reason": "rises … run longer", "warmup_days": 65}
    # 100 window days × 8 h; 1,600 arrivals = 2 an hour; L = 10 items.
    metrics = {
        "county.services.arrivals": {"mean": 1600.0},
        "county.services.backlog_mean": {"mean": 10.0},
        "county.services.lead_time_mean_h": {"mean": 4.0},
        "county.services.lead_time_mean_incl_open_h": {"mean": 4.9},
        "county.services.backlog_growth_per_day": FILL,
    }
    job = _job({"services": reading}, metrics)
    assert little_ratio(metrics, "services", 800.0, "lead_time_mean_h") == pytest.approx(0.8)
    text = "\n".join(steady_lines([job]))
    row = next(line for line in text.splitlines() if "| services |" in line)
    assert "20 → 65 ⚠" in row and "undetermined" in row and "run longer" in row
    assert row.rstrip(" |").endswith("0.80 | 0.98")
    assert "later than `run.warmup_days`" in text
    assert "| enforcement | 20 | — | not recorded" in text  # no reading, no ratio
    stability = "\n".join(markdown._stability([job]))
    assert "UNSTABLE" not in stability and "undetermined (run longer): services" in stability


def test_the_run_table_follows_the_verdict_and_names_a_later_warm_up():
    from sim.report.table import scope_table

    def reading(verdict, warmup):
        return {"verdict": verdict, "warmup_days": warmup, "from_day": 20}

    summary = {
        "metrics": {f"county.{s}.backlog_growth_per_day": FILL for s in ("services", "grid")},
        "streams": [
            {"id": s, "label": s, "unit": "items", "in_backlog_total": True}
            for s in ("services", "grid")
        ],
        "steady_state": {"services": reading("undetermined", 75), "grid": reading("growing", 20)},
    }
    lines = scope_table(summary).splitlines()
    assert lines[-3].startswith("UNSTABLE (backlog still grows after the MSER-5 warm-up")
    assert lines[-3].endswith(
        "): grid — their waits and lead times count finished items only; "
        "see backlog_growth_per_day, open_age_max_d"
    )
    assert lines[-2].startswith("undetermined (run longer): services —")
    assert lines[-1].startswith(
        "warm-up: MSER-5 ends it after run.warmup_days for services (day 75) —"
    )

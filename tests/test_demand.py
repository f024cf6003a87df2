"""Demand scaling: exact Poisson rates, nested arrivals, common random numbers kept."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from sim.analysis.stats import confidence_interval
from sim.core.rng import poisson_times, stream
from sim.core.settings import ConfigError
from sim.model.build import build
from sim.model.demand import MAX_SCALE, scaled
from sim.run import engine

from .conftest import scenario

RATE, HORIZON = 2.0, 500.0  # arrivals per hour, hours: 1000 expected


def _scaled(scale: float, rep: int) -> tuple[np.ndarray, np.ndarray]:
    base = poisson_times(stream(1, rep, "x/arrivals"), RATE, HORIZON)
    out, _added = scaled(
        base,
        RATE,
        scale,
        HORIZON,
        stream(1, rep, "x/arrivals/thinning"),
        stream(1, rep, "x/arrivals/extra"),
    )
    return base, out


@pytest.mark.parametrize("rate", [1e-307, 3e-308, 5e-324])
def test_a_vanishing_rate_brings_nothing_and_no_warning(rate):
    """Gaps whose sum passes the largest float are arrivals after any horizon (found by
    the hypothesis test of any small township, as a numpy overflow warning).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(poisson_times(stream(1, 0, "x/arrivals"), rate, 1e6)) == 0


def test_scale_one_is_the_base_stream_itself():
    base, out = _scaled(1.0, 0)
    assert out is base


@pytest.mark.parametrize("scale", [0.0, 0.5, 1.2, 3.0])
def test_scaled_counts_are_poisson_at_the_scaled_rate(scale):
    counts = np.array([len(_scaled(scale, rep)[1]) for rep in range(200)])
    expected = scale * RATE * HORIZON
    # Poisson: mean and variance both equal the expected count; 200 draws.
    assert abs(counts.mean() - expected) <= 4 * np.sqrt(max(expected, 1) / 200)
    if expected:
        assert 0.7 < counts.var(ddof=1) / expected < 1.4


def test_scaled_streams_are_nested_and_keep_every_base_epoch():
    for rep in range(5):
        base, low = _scaled(0.7, rep)
        _, mid = _scaled(1.3, rep)
        _, high = _scaled(1.8, rep)
        assert set(low) <= set(base) <= set(mid) <= set(high)
        assert np.all(np.diff(high) >= 0)


def test_demand_scale_raises_model_arrivals_by_20_percent_under_crn():
    run = ("county=small", "workload.streams=[services]", "run.horizon_days=40")
    run += ("run.warmup_days=0", "run.replications=5", "run.timeseries=false")
    key = "county.services.arrivals"
    base = engine.run(scenario(*run)).replications[key].to_numpy()
    more = engine.run(scenario(*run, "workload.demand_scale=1.2")).replications[key].to_numpy()
    ci = confidence_interval(more / base - 1.0)
    assert ci["ci_low"] <= 0.2 <= ci["ci_high"]
    assert ci["ci_high"] - ci["ci_low"] < 0.04  # paired: only the added arrivals vary


def _items(*overrides: str) -> list:
    model = build(scenario("county=small", "run.horizon_days=30", *overrides), 0, keep_items=True)
    model.run()
    return model.ledger.items


def test_base_arrivals_stay_and_other_streams_are_untouched():
    plain = _items()
    scaled = _items("workload.services.demand_scale=1.5")

    def epochs(items, sid):
        return sorted(i.t_arr for i in items if i.stream.id == sid)

    assert set(epochs(plain, "services")) < set(epochs(scaled, "services"))
    # Grid reports (own sources only) are the same reports at the same moments.
    assert epochs(plain, "grid") == epochs(scaled, "grid")


@pytest.mark.parametrize(
    "override, key",
    [
        ("workload.demand_scale=-0.1", "workload.demand_scale"),
        ("workload.services.demand_scale=11", "workload.services.demand_scale"),
        ("workload.demand_scale=4", "workload.demand_scale × workload.services.demand_scale"),
    ],
)
def test_bad_scales_get_one_line(override, key):
    extra = ("workload.services.demand_scale=3",) if "×" in key else ()
    with pytest.raises(ConfigError) as err:
        scenario(override, *extra)
    assert key in str(err.value) and "\n" not in str(err.value)
    assert MAX_SCALE == 10.0


PROFILE = [2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 1.0, 1.0, 1.0]


def test_monthly_profile_sets_each_months_rate():
    s = scenario(
        "county=single",
        "workload.streams=[services]",
        "run.horizon_days=250",
        f"workload.services.monthly_profile=[{','.join(map(str, PROFILE))}]",
    )
    model = build(s, 0)
    model.run()
    flat = (
        s.workload.services.requests_per_10k_pop_per_day * s.county.kinds["town"].population / 1e4
    )
    days = (np.array(model.ledger.records().arr) // model.clock.hours_per_day).astype(int)
    months = np.array([model.clock.date_of_day(d).month - 1 for d in range(250)])
    per_month = np.bincount(months[days], minlength=12)
    for m in range(12):
        expected = flat * PROFILE[m] * (months == m).sum()
        if expected:  # Poisson: within 4 sd
            assert abs(per_month[m] - expected) < 4 * np.sqrt(expected), (m, per_month[m], expected)


@pytest.mark.parametrize(
    "profile, words",
    [("[1,1,1]", "has 3 factors: needs 12"), ("[1,1,1,1,1,1,1,1,1,1,1,-1]", "monthly_profile[11]")],
)
def test_bad_profiles_get_one_line(profile, words):
    with pytest.raises(ConfigError) as err:
        scenario(f"workload.grid.monthly_profile={profile}")
    assert words in str(err.value) and "\n" not in str(err.value)


def _by_epoch(items, sid):
    return {i.t_arr: i for i in items if i.stream.id == sid and i.tag == 0}


def test_base_arrivals_keep_their_items_when_demand_grows():
    plain = _items()
    scaled = _items("workload.demand_scale=1.3")
    for sid in ("services", "grid"):
        before, after = _by_epoch(plain, sid), _by_epoch(scaled, sid)
        assert set(before) < set(after)
        for t, item in before.items():  # same category, channel and efforts, step by step
            twin = after[t]
            assert [s.hours for s in twin.route] == [s.hours for s in item.route], (sid, t)
            assert twin.visits == item.visits  # (a deadline moves with congestion: 受理)

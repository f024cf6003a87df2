"""The simulator against queueing theory: Erlang C, Little's law, conservation.

The expected values come from formulas (sim.plan.analytic, checked here against an
independent birth–death computation), never from the simulator's own past output.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.county_queues import COUNTY_QUEUES
from sim.analysis.stats import confidence_interval
from sim.plan import analytic
from sim.run import engine

from .conftest import scenario, stream_ids


def birth_death_mmc(lam, mu, c, n_max=2000):
    """Stationary M/M/c distribution by brute force: (P(wait), L)."""
    weights = [1.0]
    for n in range(1, n_max):
        weights.append(weights[-1] * lam / (mu * min(n, c)))
    p = np.array(weights) / sum(weights)
    n = np.arange(n_max)
    return p[c:].sum(), float((n * p).sum())


@pytest.mark.parametrize("lam,mu,c", [(4.0, 1.0, 5), (9.0, 1.0, 10), (1.7, 0.5, 4)])
def test_erlang_c_formula_matches_birth_death_chain(lam, mu, c):
    p_wait, in_system = birth_death_mmc(lam, mu, c)
    assert analytic.erlang_c(lam, mu, c) == pytest.approx(p_wait, rel=1e-9)
    assert analytic.mmc_in_system_mean(lam, mu, c) == pytest.approx(in_system, rel=1e-9)


def ci_of(out, name):
    return confidence_interval(out.replications[name])


# (λ per hour, μ per hour, c, working days); the second has ρ = 0.9.
MMC_CASES = [(4.0, 1.0, 5, 1500), (9.0, 1.0, 10, 1500)]


@pytest.mark.slow
@pytest.mark.parametrize("lam,mu,c,days", MMC_CASES)
def test_mmc_reduction_matches_erlang_c(lam, mu, c, days):
    s = scenario(
        "+validation=mmc",
        f"mmc.lam_per_h={lam}",
        f"mmc.mu_per_h={mu}",
        f"mmc.servers={c}",
        f"run.horizon_days={days}",
        "run.warmup_days=50",
        "run.replications=10",
        "run.timeseries=false",
    )
    out = engine.run(s)
    expected = {
        "county.services.wait_mean_h": analytic.mmc_wait_mean(lam, mu, c),
        "county.services.backlog_mean": analytic.mmc_in_system_mean(lam, mu, c),
        "county.staff.window_staff.utilisation_share": analytic.mmc_utilisation(lam, mu, c),
    }
    for name, theory in expected.items():
        ci = ci_of(out, name)
        assert ci["ci_low"] <= theory <= ci["ci_high"], (name, theory, ci)


@pytest.mark.slow
def test_littles_law_holds_for_every_stream():
    # Little's law needs a stationary system: the reform package keeps every stream stable,
    # and without attrition or secondment the staffing does not drift during the run.
    s = scenario(
        "county=wuchuan",
        "policy=reform_2019",
        "run.replications=4",
        "policy.workforce.attrition_per_year=0",
        "policy.secondment.requests_per_township_per_day=0",
        "run.horizon_days=400",
        "run.warmup_days=30",
        "run.timeseries=false",
    )
    out = engine.run(s)
    span_h = (s.run.horizon_days - s.run.warmup_days) * s.calendar.hours_per_day
    t = out.replications
    for stream in stream_ids():
        p = f"county.{stream}."
        lam_w = t[p + "arrivals"] / span_h * t[p + "lead_time_mean_h"]
        # L = λW up to the edge effect of items open at the window's ends.
        assert np.allclose(t[p + "backlog_mean"], lam_w, rtol=0.02), stream


def test_conservation_is_exact_for_every_scope_and_stream():
    s = scenario(
        "county=wuchuan",
        "run.replications=2",
        "run.horizon_days=80",
        "run.warmup_days=15",
        "run.timeseries=false",
    )
    t = engine.run(s).replications
    checked = 0
    for name in t.columns:
        if name.endswith(".arrivals"):
            p = name[: -len("arrivals")]
            lhs = t[p + "backlog_start"] + t[p + "arrivals"]
            rhs = t[p + "completions"] + t[p + "backlog_end"]
            assert (lhs == rhs).all(), p
            checked += 1
    assert checked == len(stream_ids()) * (1 + 9) + len(COUNTY_QUEUES)  # and the county's own


def test_visits_per_request_match_channel_and_rework_shares():
    s = scenario(
        "county=single",
        "run.replications=5",
        "run.horizon_days=200",
        "run.warmup_days=10",
        "run.timeseries=false",
    )
    sv = s.workload.services
    expected = (1 - sv.online_share) * (1 + sv.incomplete_share)
    ci = ci_of(engine.run(s), "county.services.visits_mean")
    assert ci["ci_low"] <= expected <= ci["ci_high"]

"""The service centre's front and back office (受办分离, ``policy.windows.mode: front_back``).

Its reduction is a tandem network: Poisson requests, an M/M/c front desk, then the
request's category's M/M/c back office (the township's, or the county departments').
By Jackson's theorem every station behaves as an M/M/c queue with its own arrival
rate, so the mean time in the system is the sum of the stations' mean sojourns; the
expected values come from Erlang C (sim.plan.analytic), never from the simulator.
"""

from __future__ import annotations

import pytest

from sim.analysis.stats import confidence_interval
from sim.config import ConfigError
from sim.model import load
from sim.model.centres.back_office import front_count
from sim.plan import analytic
from sim.run import engine

from .conftest import scenario

pytestmark = pytest.mark.slow  # tandem-network reductions simulated: the full tier

LAM = 4.0  # requests per working hour
BACK_MU = 1.0  # each category's handling rate an hour, before online_effort_factor


def tandem(servers: int, front_share: float, *overrides: str):
    """The front and back office reduction (+validation=front_back)."""
    return scenario(
        "+validation=front_back",
        f"mmc.lam_per_h={LAM}",
        f"mmc.mu_per_h={BACK_MU}",
        f"mmc.servers={servers}",
        f"policy.windows.front_desk_share={front_share}",
        "run.warmup_days=30",
        "run.timeseries=false",
        *overrides,
    )


def sojourn(lam: float, mu: float, c: int) -> float:
    """Mean time in an M/M/c station: the wait (Erlang C) and the service."""
    return analytic.mmc_wait_mean(lam, mu, c) + 1.0 / mu


@pytest.mark.parametrize(
    "servers,front_share,at_county",
    # 6 clerks: 2 at the front, 2 in each back office; 4 clerks: 2 at the front, 2 in
    # other's back office, and any's back office is the county's 3 department staff.
    [(6, 1 / 3, False), (4, 0.5, True)],
)
def test_tandem_reduction_matches_jackson_network(servers, front_share, at_county):
    county = ("policy.windows.back_at_county=[any]", "county.department_staff=3")
    s = tandem(
        servers,
        front_share,
        "run.horizon_days=400",
        "run.replications=4",
        *(county if at_county else ()),
    )
    back_mu = BACK_MU / s.workload.services.online_effort_factor  # no counter work
    expected = sojourn(LAM, 1.0 / s.policy.windows.front_intake.mean_h, 2)
    expected += 0.5 * sojourn(LAM / 2, back_mu, 3 if at_county else 2)  # category "any"
    expected += 0.5 * sojourn(LAM / 2, back_mu, 2)  # category "other"
    ci = confidence_interval(engine.run(s).replications["county.services.lead_time_mean_h"])
    assert ci["ci_low"] <= expected <= ci["ci_high"], (expected, ci)


def test_hand_out_is_not_another_visit():
    # The applicant who came in person collects the result on the same visit, as at any
    # window: visits per request are the channel and rework shares' (最多跑一次).
    s = scenario(
        "county=single",
        "policy.windows.mode=front_back",
        "run.replications=3",
        "run.horizon_days=120",
        "run.warmup_days=10",
        "run.timeseries=false",
    )
    sv = s.workload.services
    expected = (1 - sv.online_share - s.policy.windows.proxy_share) * (1 + sv.incomplete_share)
    ci = confidence_interval(engine.run(s).replications["county.services.visits_mean"])
    assert ci["ci_low"] <= expected <= ci["ci_high"], (expected, ci)


@pytest.mark.parametrize("clerks,share,front", [(1, 0.3, 1), (2, 0.9, 1), (5, 0.3, 2), (6, 0.0, 1)])
def test_front_desk_keeps_one_clerk_and_leaves_one_for_the_back(clerks, share, front):
    assert front_count(clerks, share) == front


@pytest.mark.parametrize("at_county", [(), ("real_estate", "civil_affairs")])
def test_declared_work_covers_every_step(at_county):
    # tsim-size, the guard and calibration read the declaration: it must hold the front
    # desk's acceptance, the back offices (township or county) and the hand-out.
    s = scenario(
        "county=single",
        "policy.windows.mode=front_back",
        "policy.windows.proxy_share=0.1",
        f"policy.windows.back_at_county=[{','.join(at_county)}]",
    )
    cfg, lever = s.workload.services, s.policy.windows
    (source,) = load.sources(s, "services")
    hours = {"service": 0.0, "departments": 0.0}
    for v in source.visits:
        hours[v.centre] += v.per_arrival * v.effort.mean
    remote, f = cfg.online_share + lever.proxy_share, cfg.online_effort_factor
    cats = cfg.categories
    front = (remote * f + 1 - remote) * lever.front_intake.mean_h
    intake = cfg.incomplete_share * (remote * f + 1 - remote) * cfg.incomplete_effort.mean_h
    handout = (1 - remote) * lever.handout.mean_h
    county = sum(c.share * c.effort.mean_h * f for k, c in cats.items() if k in at_county)
    local = sum(c.share * c.effort.mean_h * f for k, c in cats.items() if k not in at_county)
    assert hours["service"] == pytest.approx(front + intake + handout + local)
    assert hours["departments"] == pytest.approx(county)


def test_unknown_county_back_office_is_one_line_naming_the_key():
    with pytest.raises(ConfigError, match=r"policy\.windows\.back_at_county: 'tax' is not a"):
        scenario("policy.windows.mode=front_back", "policy.windows.back_at_county=[tax]")


def test_county_back_office_without_department_staff_is_refused():
    with pytest.raises(ConfigError, match=r"county\.department_staff = 0"):
        scenario(
            "policy.windows.mode=front_back",
            "policy.windows.back_at_county=[real_estate]",
            "county.department_staff=0",
        )

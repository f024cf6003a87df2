"""``tsim-size``'s approximations against theory and hand-computed cases, and ``--check``."""

from __future__ import annotations

import dataclasses
import math

import pytest

from sim.cli import size as size_cli
from sim.model.centres.teams import members_per_station
from sim.model.load import Work
from sim.plan import analytic, check, sizing
from sim.plan.present import mean_secondment_days, vacancy_share

from .conftest import scenario

NO_LOSSES = (
    "policy.workforce.attrition_per_year=0",
    "policy.secondment.requests_per_township_per_day=0",
)


def row_of(rows, scope, centre):
    return next(r for r in rows if r.scope == scope and r.centre == centre)


def test_a_one_clerk_station_is_mm1_with_its_own_arrivals():
    lam, mu = 0.6, 1.0
    st = sizing.Station(Work(lam, 1 / mu), 1)
    rho = lam / mu
    assert sizing.station_wait(st) == pytest.approx(rho / (mu - lam), rel=1e-12)


def test_allen_cunneen_is_pollaczek_khinchine_for_one_server():
    # M/D/1: Wq = ρ / (2 μ (1 − ρ)); deterministic service has cv² = 0.
    lam, mu = 0.7, 1.0
    wq = analytic.allen_cunneen(analytic.mmc_wait_mean(lam, mu, 1), 0.0)
    assert wq == pytest.approx(0.7 / (2 * 1.0 * 0.3), rel=1e-12)


@pytest.mark.parametrize("mean,square", [(2.0, 4.0), (3.0, 12.0)])
def test_batches_give_the_exact_mx_m1_wait(mean, square):
    # M^X/M/1 (Gross & Harris): the per-item wait is
    # [ρ E[S²] / 2E[S] + E[S] (E[N²] − E[N]) / 2E[N]] / (1 − ρ).
    from sim.core.workload import Batch, Effort, Source, Visit
    from sim.model.load import Flow, centre_work

    batches_per_h, mu, hours = 0.2, 1.0, 8.0
    src = Source("lists", (Visit("general", mean, Effort(1 / mu, 1 / mu**2)),))
    src = dataclasses.replace(src, items=Batch(mean, square))
    work = centre_work([Flow("town_1", "delegated", src, batches_per_h * hours)], "general", hours)
    rho = batches_per_h * mean / mu
    exact = (rho * (2 / mu**2) / (2 / mu) + (square - mean) / (2 * mean) / mu) / (1 - rho)
    assert sizing.station_wait(sizing.Station(work, 1)) == pytest.approx(exact, rel=1e-12)
    # Allen–Cunneen alone (the dispersion as ca²) misses the batch-mates ahead.
    assert work.batch_ahead_h == pytest.approx((square / mean - 1) / 2 / mu, rel=1e-12)


def fifo_batch_waits(batch_rate, sizes, mu, c, batches, seed=1):
    """Mean wait of an M^X/M/c FIFO queue by direct simulation (a heap of the servers'
    free times), independent of the model: the items of a batch join in order.
    """
    import heapq

    import numpy as np

    rng = np.random.default_rng(seed)
    free, waits = [0.0] * c, []
    for t in np.cumsum(rng.exponential(1 / batch_rate, batches)):
        for _ in range(sizes(rng)):
            start = max(t, heapq.heappop(free))
            waits.append(start - t)
            heapq.heappush(free, start + rng.exponential(1 / mu))
    return float(np.mean(waits[len(waits) // 10 :]))


def test_batch_mates_term_is_close_to_an_mx_m_c_queue_where_allen_cunneen_alone_is_not():
    # Lists of 1 + Poisson(4) items (mean 5, mean square 29), 2 servers, utilisation 0.78.
    from sim.core.workload import Batch, Effort, Source, Visit
    from sim.model.load import Flow, centre_work

    batch_rate, mu, c, hours = 0.25, 0.8, 2, 8.0
    src = Source("lists", (Visit("general", 5.0, Effort(1 / mu, 1 / mu**2)),))
    src = dataclasses.replace(src, items=Batch(5.0, 29.0))
    work = centre_work([Flow("t", "delegated", src, batch_rate * hours)], "general", hours)
    simulated = fifo_batch_waits(batch_rate, lambda rng: 1 + rng.poisson(4), mu, c, 30_000)
    with_mates = sizing.station_wait(sizing.Station(work, c))
    alone = sizing.station_wait(sizing.Station(dataclasses.replace(work, batch_ahead_h=0.0), c))
    assert with_mates == pytest.approx(simulated, rel=0.2)
    assert alone < 0.85 * simulated


def test_a_periodic_release_adds_the_fluid_backlog_by_numeric_integration():
    # Fluid: B = released·T hours arrive at t = 0 and drain at c − other; work arriving
    # at t waits backlog(t) / c. Average over the period by a Riemann sum.
    released, other, c, period = 2.4, 25.0, 36, 40.0
    backlog, steps, total = released * period, 400_000, 0.0
    dt = period / steps
    for _ in range(steps):
        total += backlog / c * dt
        backlog = max(0.0, backlog - (c - other) * dt)
    numeric = total / period
    assert analytic.periodic_release_wait(released, other, c, period) == pytest.approx(
        numeric, rel=1e-3
    )
    assert analytic.periodic_release_wait(released, other, c, 0.0) == 0.0
    assert analytic.periodic_release_wait(released, 36.0, c, period) == math.inf


def test_own_work_waits_behind_calls_served_first_as_cobham_says():
    # M/M/c, two classes, one service rate: class k waits W0 / ((1 − σ_{k−1})(1 − σ_k)),
    # W0 = C(c, a) / (c μ); the FIFO wait of all is W0 / (1 − ρ).
    lam_first, lam_own, mu, c = 1.0, 2.0, 1.0, 4
    rho, sigma1 = (lam_first + lam_own) / (c * mu), lam_first / (c * mu)
    w0 = analytic.erlang_c(lam_first + lam_own, mu, c) / (c * mu)
    fifo = analytic.mmc_wait_mean(lam_first + lam_own, mu, c)
    assert fifo == pytest.approx(w0 / (1 - rho), rel=1e-12)
    low = w0 / ((1 - sigma1) * (1 - rho))
    assert analytic.behind_priority(fifo, lam_first / mu, c) == pytest.approx(low, rel=1e-12)


def test_the_departments_wait_counts_the_inbox_without_escalation_and_priority_with_it():
    s = scenario("county=wuchuan", "policy=pre_reform")
    work = sizing.departments_work(s)
    calls = work.calls_load
    assert calls > 0 and sizing.inbox_period_h(s) == 5 * s.calendar.hours_per_day
    assert work.batch_ahead_h == 0  # no lists come back to the county without admission
    adhoc = row_of(sizing.size(s), "county", "departments")
    quick = row_of(
        sizing.size(
            scenario("county=wuchuan", "policy=pre_reform", "policy.escalation.enabled=true")
        ),
        "county",
        "departments",
    )
    c = adhoc.servers
    fifo = analytic.allen_cunneen(
        analytic.mmc_wait_mean(work.visits_per_h, 1 / work.staff_h_per_visit, c),
        work.service_scv,
    )
    extra = analytic.periodic_release_wait(
        calls, work.offered_load - calls, c, sizing.inbox_period_h(s)
    )
    assert extra > 0 and adhoc.wait_h == pytest.approx(fifo + extra, rel=1e-9)
    assert quick.wait_h == pytest.approx(fifo / (1 - calls / c), rel=1e-9)
    assert "calls go first" in quick.approximations


def test_sizing_lays_out_the_windows_the_service_centre_builds():
    """tsim-size and the simulation share one layout: the hall manager's."""
    from sim.model.build import build

    s = scenario("county=wuchuan", "policy=pre_reform", *NO_LOSSES)
    model = build(s, 0)
    for tid in ("town_1", "rural_1"):
        township = next(t for t in model.townships if t.id == tid)
        centre = township.centres["service"]
        work = sizing.load.centre_work(
            sizing.load.township_flows(s, tid), "service", s.calendar.hours_per_day
        )
        layout = sizing.desk_layout(s, work, township.present("service"))
        assert [w.clerks for w in layout] == centre.planned
        assert [list(w.categories) for w in layout] == [
            [c for c, d in enumerate(centre.desk_of) if d == i] for i in range(len(layout))
        ]
    assert members_per_station([0.5, 0.3, 0.2], 3) == [1, 1, 1]  # nobody left unstaffed
    assert members_per_station([0.6, 0.2, 0.2], 4) == [2, 1, 1]


def test_dedicated_desks_are_visit_weighted_mgc_queues():
    # Each window of the hall manager's layout is its departments' M/G/c (Allen–Cunneen).
    s = scenario("county=wuchuan", "policy=pre_reform", *NO_LOSSES)
    r = row_of(sizing.size(s), "town_1", "service")
    cfg = s.workload.services
    intake = cfg.incomplete_share * cfg.incomplete_effort.mean_h
    per_cat = [c.share * (c.effort.mean_h + intake) for c in cfg.categories.values()]
    shares = [c.share for c in cfg.categories.values()]
    work = sizing.load.centre_work(
        sizing.load.township_flows(s, "town_1"), "service", s.calendar.hours_per_day
    )
    layout = sizing.desk_layout(s, work, r.servers)
    assert r.desks == len(layout)
    expected = 0.0
    for w in layout:
        lam = r.visits_per_h * sum(shares[c] for c in w.categories)
        service = r.offered_load * sum(per_cat[c] for c in w.categories) / sum(per_cat) / lam
        wq = analytic.mmc_wait_mean(lam, 1 / service, w.clerks)
        expected += lam * wq * (1 + work.service_scv) / 2
    assert r.wait_h == pytest.approx(expected / r.visits_per_h, rel=1e-9)


def test_crews_are_certified_officers_in_pairs():
    # Wuchuan town: 4 certified officers and 1 auxiliary → 2 crews, not 2.5.
    s = scenario("county=wuchuan", *NO_LOSSES)
    r = row_of(sizing.size(s), "town_1", "enforcement")
    assert (r.present, r.crew, r.servers) == (5, 2, 2)
    crew_h = r.staff_h_per_visit / 2
    mmc = analytic.mmc_wait_mean(r.visits_per_h, 1 / crew_h, 2)
    assert r.wait_h >= mmc * 0.5 and math.isfinite(r.wait_h)


def test_vacancy_share_is_the_renewal_share_by_hand():
    # 25% a year over 250 working days: a = 0.001 a day; a vacated post waits half a
    # 60-day round, 20 days' lag, and 40 training days at 0.6 cost 16 more: D = 66.
    s = scenario("county=wuchuan", "policy.workforce.attrition_per_year=0.25")
    assert vacancy_share(s.policy.workforce, 5) == pytest.approx(0.066 / 1.066, rel=1e-12)


def test_staff_present_is_quota_less_vacancies_and_secondment_by_hand():
    s = scenario(
        "county=wuchuan",
        "policy.workforce.attrition_per_year=0.25",
        "policy.secondment.requests_per_township_per_day=0.01",
        "policy.secondment.duration_mean_days=50",
    )
    r = row_of(sizing.size(s), "town_1", "general")
    # Town borrowable (administrative, institutional) staff: 4 + 4 + 3 = 11; 0.5 away.
    away = 0.01 * 50 / 11
    assert r.expected_present == pytest.approx(3 * (1 - 0.066 / 1.066) * (1 - away), rel=1e-12)


def test_capped_secondment_is_cut_at_max_days():
    s = scenario("policy.secondment.capped=true", "policy.secondment.max_days=30")
    d = s.policy.secondment.duration_mean_days
    assert mean_secondment_days(s.policy.secondment) == pytest.approx(d * (1 - math.exp(-30 / d)))


def test_county_enforcement_pool_is_the_officers_at_home():
    s = scenario("county=wuchuan")
    r = row_of(sizing.size(s), "county", "county_enforcement")
    lever = s.policy.enforcement
    at_home = s.county.enforcement_officers - 9 * lever.stationed_officers - lever.on_call_officers
    assert r.present == at_home


@pytest.mark.parametrize(
    "analytic_h,simulated_h,unstable,expected",
    [
        (1.0, 1.9, False, "agree"),
        (1.0, 2.5, False, "off: x2.5"),
        (1.0, 2.5, True, "unstable in simulation"),
        (0.01, 0.04, False, "agree"),
        (math.inf, 3.0, False, "overloaded analytically"),
    ],
)
def test_verdict(analytic_h, simulated_h, unstable, expected):
    assert check.verdict(analytic_h, simulated_h, unstable) == expected


def test_check_agrees_with_the_simulation_on_the_mmc_reduction(capsys, tmp_path):
    # One township, one pooled M/M/c station: Erlang C is exact, so the short run's
    # mean wait is within a factor 2 of it.
    args = ["+validation=mmc", "mmc.lam_per_h=3", "mmc.mu_per_h=1", "mmc.servers=4"]
    out = tmp_path / "s.csv"
    assert size_cli.main([*args, "--check", "--check-days", "150", "--out", str(out)]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if " service " in ln]
    assert lines and "agree;" in lines[-1]
    s = scenario(*args)
    r = row_of(sizing.size(s), "town_1", "service")
    assert r.wait_h == pytest.approx(analytic.mmc_wait_mean(3, 1, 4), rel=1e-12)


def test_work_carries_service_and_batch_variability_by_hand():
    from sim.core.workload import Batch, Effort, Source, Visit
    from sim.model.load import Flow, centre_work

    # Exponential effort of mean 2 h (variance 4): cv² 1. Lists of 1–3 items (mean 2,
    # mean square 14/3): index of dispersion 7/3; single items beside them weigh 1.
    exp = Effort(2.0, 4.0)
    lists = Source("lists", (Visit("general", 2.0, exp),), items=Batch(2.0, 14 / 3))
    single = Source("single", (Visit("general", 1.0, Effort(2.0, 0.0)),))
    w = centre_work([Flow("t", "x", lists, 1.0), Flow("t", "x", single, 2.0)], "general", 8.0)
    assert w.visits_per_h == pytest.approx(4 / 8)
    assert w.arrival_scv == pytest.approx((2 * 7 / 3 + 2 * 1) / 4)
    # Second moment: half the visits 4 + 4 = 8, half 4 → 6; mean 2: cv² = 6/4 − 1.
    assert w.service_scv == pytest.approx(0.5)


def test_a_row_names_the_mechanisms_it_leaves_out_and_check_gives_them_as_the_reason():
    s = scenario("county=wuchuan", "policy=reform_2019")
    r = row_of(sizing.size(s), "town_1", "service")
    assert sizing.NOT_MODELLED + "flexible staff use" in r.approximations
    off = {f"{r.scope}.services.wait_mean_h": {"mean": 100 * r.wait_h + 1.0}}
    (c,) = check.compare([r], off)
    assert c.verdict.startswith("off: x") and "flexible staff use" in c.verdict
    plain = row_of(sizing.size(scenario("county=wuchuan", *NO_LOSSES)), "town_1", "grid")
    (c,) = check.compare([plain], {"town_1.grid.wait_mean_h": {"mean": 100.0}})
    assert c.verdict.endswith("reason unknown")

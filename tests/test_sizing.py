"""``tsim-size`` against queueing theory and hand-computed loads."""

from __future__ import annotations

import csv
import time

import pytest

from sim.cli import size as size_cli
from sim.model.quota import township_ids
from sim.plan import analytic, sizing

from .conftest import scenario


@pytest.mark.parametrize("lam,mu,max_wait", [(4.0, 1.0, 0.3), (9.0, 1.0, 0.1), (1.7, 0.5, 0.5)])
def test_servers_for_wait_is_the_smallest_c_meeting_the_target(lam, mu, max_wait):
    c = analytic.mmc_servers_for_wait(lam, mu, max_wait)
    assert analytic.mmc_wait_mean(lam, mu, c) <= max_wait
    assert analytic.mmc_wait_mean(lam, mu, c - 1) > max_wait  # inf when c - 1 ≤ λ/μ


def service_row(rows):
    return next(r for r in rows if r.scope == "town_1" and r.centre == "service")


@pytest.mark.parametrize(
    "lam,mu,c,max_wait", [(4.0, 1.0, 5, 0.3), (9.0, 1.0, 10, 0.1), (1.7, 0.5, 4, 0.5)]
)
def test_sizing_equals_erlang_c_on_the_mmc_reduction(lam, mu, c, max_wait):
    s = scenario(
        "+validation=mmc", f"mmc.lam_per_h={lam}", f"mmc.mu_per_h={mu}", f"mmc.servers={c}"
    )
    row = service_row(sizing.size(s, max_wait))
    assert row.offered_load == pytest.approx(lam / mu, rel=1e-12)
    assert row.visits_per_h == pytest.approx(lam, rel=1e-12)
    assert row.wait_h == pytest.approx(analytic.mmc_wait_mean(lam, mu, c), rel=1e-12)
    assert row.needed == analytic.mmc_servers_for_wait(lam, mu, max_wait)
    assert (row.quota, row.present) == (c, c)
    others = [r for r in sizing.size(s) if r.centre != "service"]
    assert all(r.offered_load == 0 and r.needed == 0 for r in others)


def test_service_load_is_rate_times_mean_effort_by_hand():
    # Default workload, dedicated windows (pre_reform), a town of 35,000 people:
    # 15 requests per 10k a day over 8 hours; 20% online at 0.7 of the effort;
    # category mean effort 0.3·0.4 + 0.2·0.6 + 0.15·0.3 + 0.15·1.0 + 0.2·0.4 = 0.515 h,
    # plus 15% incomplete intakes of 0.2 h.
    s = scenario("county=wuchuan")
    row = service_row(sizing.size(s))
    per_h = 15 * 3.5 / 8
    per_request = (0.2 * 0.7 + 0.8) * (0.515 + 0.15 * 0.2)
    assert row.offered_load == pytest.approx(per_h * per_request, rel=1e-9)
    assert row.visits_per_h == pytest.approx(per_h * 1.15, rel=1e-9)


def test_table_covers_every_township_and_centre_of_wuchuan_quickly(tmp_path):
    s = scenario("county=wuchuan", "policy=reform_2019")
    t0 = time.perf_counter()
    rows = sizing.size(s)
    assert time.perf_counter() - t0 < 1.0
    expected = {(t, c) for t in township_ids(s) for c in sizing.township_centres()}
    expected |= {("county", "departments"), ("county", "county_enforcement")}
    assert {(r.scope, r.centre) for r in rows} == expected
    assert all(r.needed % r.crew == 0 for r in rows)
    enforcement = [r for r in rows if r.centre == "enforcement"]
    assert all(r.crew == 2 and r.needed >= 2 for r in enforcement)  # officers in pairs
    # Stationed officers and the quota lever's posts count: quota ≥ present ≥ the config's.
    assert all(r.quota >= r.present for r in rows)
    sizing.write_csv(rows, tmp_path / "sizing.csv")
    with (tmp_path / "sizing.csv").open() as f:
        table = list(csv.DictReader(f))
    assert len(table) == len(rows) and set(table[0]) == set(sizing.COLUMNS)


def test_own_township_staff_is_sized_on_its_own():
    s = scenario("county=wuchuan", "+county.township_staff.town_2.window_staff=9")
    rows = {(r.scope, r.centre): r for r in sizing.size(s)}
    assert rows["town_2", "service"].present == 9 + 1  # window_aux 1
    assert rows["town_1", "service"].present == 4 + 1


def test_cli_writes_csv_and_refuses_bad_input(tmp_path, capsys):
    out = tmp_path / "s.csv"
    assert size_cli.main(["+validation=mmc", "--wait-h", "0.3", "--out", str(out)]) == 0
    assert out.is_file()
    assert size_cli.main(["county=nowhere", "--out", str(out)]) == 2
    assert "county/nowhere" in capsys.readouterr().err
    assert size_cli.main(["--wait", "kitchen=1", "--out", str(out)]) == 2
    assert size_cli.main(["--wait-h", "-1", "--out", str(out)]) == 2

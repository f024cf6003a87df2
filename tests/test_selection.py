"""Ranking and selection (issue 20, point 1): the Kim–Nelson procedure keeps its promise
on systems whose means are known, multiple comparisons with the best cover the truth,
and ``tsim-select`` picks the policy queueing theory says is best.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from sim.analysis.selection import SelectionRule, kim_nelson, mcb_intervals
from sim.cli.select import main as select_main
from sim.plan.analytic import erlang_c


def normal_systems(seed: int, means: np.ndarray, sigma: float, rho: float):
    """``observe(i, r)`` for normal systems sharing a common random number per replication."""
    rng = np.random.default_rng(seed)
    drawn: dict[int, np.ndarray] = {}

    def observe(i: int, r: int) -> float:
        if r not in drawn:
            common, own = rng.standard_normal(), rng.standard_normal(means.size)
            drawn[r] = means + sigma * (math.sqrt(rho) * common + math.sqrt(1 - rho) * own)
        return float(drawn[r][i])

    return observe


@pytest.mark.parametrize("larger", [False, True])
def test_kim_nelson_keeps_its_promise_in_the_slippage_configuration(larger):
    """The least favourable case: the best leads every other system by exactly delta.
    Over 1,000 macro-replications the best is picked at least as often as promised.
    """
    k, delta = 5, 1.0
    means = np.zeros(k)
    means[2] = delta if larger else -delta
    rule = SelectionRule(delta=delta, pcs=0.95, n0=10, larger_is_better=larger)
    picks = [kim_nelson(k, normal_systems(s, means, 2.0, 0.5), rule) for s in range(1000)]
    assert all(p.decided for p in picks)
    pcs = np.mean([p.best == 2 for p in picks])
    assert pcs >= 0.95
    # it adapts: not every system takes the most replications
    assert np.mean([min(p.replications) for p in picks]) < np.mean(
        [max(p.replications) for p in picks]
    )


def mmc_pool(c: int, lam: float, mu: float, reps: int, customers: int, seed: int) -> np.ndarray:
    """Mean wait in queue of ``customers`` M/M/c customers after a warm-up of as many,
    for ``reps`` replications at once (Kiefer–Wolfowitz workload recursion). Every
    ``c`` sees the same arrivals and efforts for the same seed: common random numbers.
    """
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(1 / lam, (2 * customers, reps))
    work = rng.exponential(1 / mu, (2 * customers, reps))
    load = np.zeros((reps, c))  # each server's remaining work, sorted ascending
    waits = np.zeros(reps)
    for n in range(2 * customers):
        wait = load[:, 0]
        if n >= customers:
            waits += wait
        load[:, 0] = wait + work[n]
        load = np.sort(np.maximum(load - gaps[n][:, None], 0.0), axis=1)
    return waits / customers


@pytest.mark.slow
def test_kim_nelson_picks_the_fastest_mmc_variant_as_often_as_promised():
    """M/M/c variants with known means (Erlang C): 4, 5 or 6 servers at λ = 3.3, μ = 1.
    6 servers wait least; delta below every gap. Measured PCS ≥ 0.95 over 200 runs.
    """
    lam, mu, servers = 3.3, 1.0, (4, 5, 6)
    truth = [erlang_c(lam, mu, c) / (c * mu - lam) for c in servers]
    assert truth[2] < truth[1] - 0.1 < truth[0] - 0.2
    macro, most = 200, 60
    pools = np.stack([mmc_pool(c, lam, mu, macro * most, 1000, seed=11) for c in servers])
    pools = pools.reshape(len(servers), macro, most)
    rule = SelectionRule(delta=0.1, pcs=0.95, n0=10, max_replications=most)
    picks = [kim_nelson(3, lambda i, r, m=m: float(pools[i, m, r]), rule) for m in range(macro)]
    assert np.mean([p.decided for p in picks]) > 0.95
    assert np.mean([p.best == 2 for p in picks]) >= 0.95


def test_kim_nelson_edges():
    """One system; equal systems (zero variance of differences); a budget that runs out."""
    rule = SelectionRule(delta=1.0, n0=3, max_replications=5)
    one = kim_nelson(1, lambda i, r: 1.0, rule)
    assert one.best == 0 and one.decided and one.replications == [3]
    same = kim_nelson(3, lambda i, r: float(r), rule)  # identical: any is within delta
    assert same.decided and same.replications == [3, 3, 3]
    rng = np.random.default_rng(0)
    noisy = kim_nelson(2, lambda i, r: float(rng.normal(0.0, 50.0)), rule)
    assert not noisy.decided and noisy.replications == [5, 5]
    for bad in ({"delta": 0.0}, {"delta": 1.0, "pcs": 1.0}, {"delta": 1.0, "n0": 1}):
        with pytest.raises(ValueError, match=next(iter(bad.keys() - {"delta"}), "delta")):
            SelectionRule(**bad)


def test_mcb_intervals_cover_the_true_differences_simultaneously():
    """Over 1,000 draws the intervals hold every true ``mean_i − best of others`` at once
    at least 95% of the time; a clearly worst system is never called possibly best.
    """
    means = np.array([0.0, 0.3, 1.0, 3.0])
    truth = np.array([m - min(np.delete(means, i)) for i, m in enumerate(means)])
    held = 0
    for seed in range(1000):
        draw = normal_systems(seed, means, 1.0, 0.3)
        values = np.array([[draw(i, r) for r in range(20)] for i in range(4)])
        ivs = mcb_intervals(values, 0.95, larger_is_better=False)
        held += all(iv.low <= t <= iv.high for iv, t in zip(ivs, truth, strict=True))
        assert ivs[3].low == 0.0 and ivs[3].high > 0.0
    assert held / 1000 >= 0.95


@pytest.mark.slow
def test_tsim_select_picks_the_policy_theory_says_is_best(tmp_path, capsys):
    """A sweep of the M/M/c reduction with 4, 5 and 6 servers: 6 waits least (Erlang C).
    Extra replications are simulated once and kept; a changed job is refused.
    """
    from sim.cli.tsim import main as tsim_main

    sweep = tmp_path / "sweep"
    args = ["-m", "+validation=mmc", "mmc.servers=4,5,6", "mmc.lam_per_h=3"]
    args += ["run.horizon_days=30", "run.warmup_days=5", "run.replications=3"]
    assert tsim_main([*args, f"hydra.sweep.dir={sweep}"]) == 0
    kpi = ["--kpi", "county.services.wait_mean_h", "--delta", "0.1", "--n0", "5"]
    assert select_main([str(sweep), *kpi]) == 0
    assert "**servers=6** is selected" in capsys.readouterr().out
    record = json.loads((sweep / "selection" / "county.services.wait_mean_h.json").read_text())
    used = [p["replications"] for p in record["policies"]]
    assert min(used) >= 5 and record["common_replications"] == min(used)
    assert record["simulated_now"] == sum(n - 3 for n in used)  # 3 were stored
    assert select_main([str(sweep), *kpi]) == 0  # the added replications are kept
    assert "Replications simulated by this command: 0." in capsys.readouterr().out


@pytest.fixture(scope="module")
def small_sweep(tmp_path_factory):
    from sim.cli.tsim import main as tsim_main

    sweep = tmp_path_factory.mktemp("select") / "sweep"
    base = ["-m", "+validation=mmc", "mmc.servers=4,5", "run.horizon_days=10"]
    base += ["run.warmup_days=2", "run.replications=2", f"hydra.sweep.dir={sweep}"]
    assert tsim_main(base) == 0
    return sweep


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--kpi", "county.nope", "--delta", "1"], "county.nope"),
        (["--kpi", "county.services.wait_mean_h", "--delta", "-1"], "delta"),
        (["--kpi", "county.services.wait_mean_h", "--delta", "1", "--n0", "1"], "n0"),
        (["--kpi", "county.services.wait_mean_h", "--delta", "1", "--pcs", "2"], "pcs"),
        (["--kpi", "county.services.wait_mean_h"], "--delta"),
        (["--kpi", "county.services.wait_mean_h", "--delta", "x"], "--delta"),
        (["--bogus"], "unknown option --bogus"),
    ],
)
@pytest.mark.slow
def test_tsim_select_bad_input_is_one_line(small_sweep, capsys, argv, says):
    assert select_main([str(small_sweep), *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and says in err and err.startswith("tsim-select: ")


@pytest.mark.slow
def test_tsim_select_refuses_a_job_it_cannot_extend_faithfully(small_sweep, tmp_path, capsys):
    """Replications added to a job must be the job's own: a job whose saved configuration
    no longer gives its result's hash is refused, by name, before anything is simulated.
    """
    import shutil

    sweep = tmp_path / "copy"
    shutil.copytree(small_sweep, sweep)
    config = sweep / "0" / ".hydra" / "config.yaml"
    config.write_text(config.read_text().replace("servers: 4", "servers: 3"))
    argv = [str(sweep), "--kpi", "county.services.wait_mean_h", "--delta", "0.1"]
    assert select_main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "re-run the sweep" in err and "/0" in err
    assert not (sweep / "selection" / "0.csv").exists()

"""Engine speed benchmark: township-sim's M/M/c reduction vs idiomatic SimPy.

Runs, in one process and alternating, (a) the real tsim code path composed from
``+validation=mmc`` and (b) a textbook SimPy M/M/c — one process per customer and a
``simpy.Resource`` — on the same λ, μ, c and number of customers, and prints work items
per second for both (median of ``--repeat`` runs) and their ratio. Then times one
replication of ``county=wuchuan`` over 250 working days.

    python benchmarks/bench_engine.py [--customers 200000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import simpy
from hydra import compose, initialize_config_dir

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.analysis.metrics import replication_metrics  # noqa: E402
from sim.cli import tsim as cli  # noqa: E402  (registers the config schema)
from sim.config import load_scenario  # noqa: E402
from sim.core.records import Records  # noqa: E402
from sim.model.build import build  # noqa: E402


def idiomatic_simpy(
    lam: float, mu: float, c: int, customers: int, seed: int, pause_gc: bool = False
) -> float:
    """Textbook SimPy M/M/c; returns the mean wait (so its work cannot be skipped)."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=c)
    waits = []

    def customer(env, service):
        arrive = env.now
        with desk.request() as req:
            yield req
            waits.append(env.now - arrive)
            yield env.timeout(service)

    def source(env):
        for _ in range(customers):
            yield env.timeout(rng.exponential(1 / lam))
            env.process(customer(env, rng.exponential(1 / mu)))

    env.process(source(env))
    if pause_gc:  # for reference only: the same trick tsim's engine uses
        gc.disable()
    try:
        env.run()
    finally:
        gc.enable()
    return float(np.mean(waits))


def scenario(overrides: list[str]):
    with initialize_config_dir(config_dir=cli.CONFIG_DIR, version_base="1.3"):
        return load_scenario(compose("config", overrides=overrides))


def tsim_mmc(lam: float, mu: float, c: int, customers: int) -> tuple[int, float]:
    """One replication of the M/M/c reduction, sized for ``customers`` arrivals;
    timed from model build to finished metrics. Returns (items, seconds).
    """
    days = customers / (lam * 8)
    s = scenario(
        [
            "+validation=mmc",
            f"mmc.lam_per_h={lam}",
            f"mmc.mu_per_h={mu}",
            f"mmc.servers={c}",
            f"run.horizon_days={days}",
            "run.warmup_days=0",
            "run.replications=1",
            "run.timeseries=false",
        ]
    )
    t0 = time.perf_counter()
    model = build(s, 0)
    model.run()
    replication_metrics(model, Records.of(model.items))
    return len(model.items), time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--lam", type=float, default=4.0)
    ap.add_argument("--mu", type=float, default=1.0)
    ap.add_argument("--servers", type=int, default=5)
    a = ap.parse_args()
    ours, theirs, theirs_nogc = [], [], []
    for r in range(a.repeat):
        items, secs = tsim_mmc(a.lam, a.mu, a.servers, a.customers)
        ours.append(items / secs)
        for rates, pause in ((theirs, False), (theirs_nogc, True)):
            t0 = time.perf_counter()
            idiomatic_simpy(a.lam, a.mu, a.servers, a.customers, seed=r, pause_gc=pause)
            rates.append(a.customers / (time.perf_counter() - t0))
    o, t = statistics.median(ours), statistics.median(theirs)
    t_nogc = statistics.median(theirs_nogc)
    print(
        f"M/M/c λ={a.lam}/h μ={a.mu}/h c={a.servers}, {a.customers} customers, "
        f"median of {a.repeat}:"
    )
    print(f"  township-sim (full code path + metrics): {o:12,.0f} items/s")
    print(f"  idiomatic SimPy (process + Resource):    {t:12,.0f} items/s")
    print(f"  ratio: {o / t:.2f}x")
    print(
        f"  (idiomatic SimPy with the garbage collector paused, for reference: "
        f"{t_nogc:,.0f} items/s; ratio {o / t_nogc:.2f}x)"
    )
    s = scenario(["county=wuchuan", "run.horizon_days=250", "run.replications=1"])
    t0 = time.perf_counter()
    model = build(s, 0)
    model.run()
    replication_metrics(model, Records.of(model.items))
    print(
        f"county=wuchuan, 250 working days, 1 replication: "
        f"{time.perf_counter() - t0:.2f} s wall, {len(model.items):,} work items"
    )


if __name__ == "__main__":
    main()

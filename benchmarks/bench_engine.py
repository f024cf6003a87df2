"""Engine benchmark: what a replication costs, in speed, phases, memory and start-up.

Prints, in one process and on CPU time (``time.process_time``, so a shared machine's
load inflates it less than wall time):

1. **M/M/c ratio**: items per CPU second of township-sim's real code path, composed from
   ``+validation=mmc`` (build, simulation, records and metrics) against a textbook SimPy
   M/M/c — one process per customer and a ``simpy.Resource`` — on the same λ, μ, c and
   number of customers; median of ``--repeat`` alternating runs, and their ratio.
2. **A Wuchuan county-year by phase**: ``county=wuchuan``, 250 working days, each phase
   of :func:`sim.run.engine.run_replication` (build, simulate, records, metrics, series,
   free) as a median over ``--repeat`` replications, plus composing the configuration
   (once per run) and writing one replication's results.
3. **Memory per work item**: peak resident memory of a fresh process running one
   replication, above the same process's peak after start-up, composition and a
   three-day replication (which loads pandas and pyarrow: a fixed cost, not per item).
4. **Start-up**: ``python -m sim --help`` and ``import sim.__main__`` in fresh processes.

    python benchmarks/bench_engine.py [--customers 200000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import tempfile
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
    """The scenario ``tsim`` would compose from ``overrides``."""
    with initialize_config_dir(config_dir=cli.CONFIG_DIR, version_base="1.3"):
        return load_scenario(compose("config", overrides=overrides))


def mmc_scenario(lam: float, mu: float, c: int, customers: int):
    """The M/M/c reduction sized for about ``customers`` arrivals."""
    return scenario(
        [
            "+validation=mmc",
            f"mmc.lam_per_h={lam}",
            f"mmc.mu_per_h={mu}",
            f"mmc.servers={c}",
            f"run.horizon_days={customers / (lam * 8)}",
            "run.warmup_days=0",
            "run.replications=1",
            "run.timeseries=false",
        ]
    )


def tsim_mmc(s, k: int) -> tuple[int, float]:
    """One replication of the M/M/c reduction, from model build to finished metrics.
    Returns (items, CPU seconds).
    """
    t0 = time.process_time()
    model = build(s, k)
    model.run()
    items = len(model.ledger)
    replication_metrics(model, model.ledger.take_records())
    return items, time.process_time() - t0


def mmc_ratio(a: argparse.Namespace) -> None:
    """Part 1: items per CPU second, township-sim against idiomatic SimPy."""
    s = mmc_scenario(a.lam, a.mu, a.servers, a.customers)
    ours, theirs, theirs_nogc = [], [], []
    for r in range(a.repeat):
        items, secs = tsim_mmc(s, r)
        ours.append(items / secs)
        gc.collect()
        for rates, pause in ((theirs, False), (theirs_nogc, True)):
            t0 = time.process_time()
            idiomatic_simpy(a.lam, a.mu, a.servers, a.customers, seed=r, pause_gc=pause)
            rates.append(a.customers / (time.process_time() - t0))
    o, t = statistics.median(ours), statistics.median(theirs)
    t_nogc = statistics.median(theirs_nogc)
    print(
        f"1. M/M/c λ={a.lam}/h μ={a.mu}/h c={a.servers}, {a.customers:,} customers, "
        f"median of {a.repeat} (CPU time):"
    )
    print(f"   township-sim (build, simulation, records, metrics): {o:10,.0f} items/s")
    print(f"   idiomatic SimPy (process + Resource):               {t:10,.0f} items/s")
    print(f"   ratio: {o / t:.2f}x")
    print(
        f"   (idiomatic SimPy with the garbage collector paused, for reference: "
        f"{t_nogc:,.0f} items/s; ratio {o / t_nogc:.2f}x)"
    )


WUCHUAN = ["county=wuchuan", "run.horizon_days=250"]


def wuchuan_phases(a: argparse.Namespace) -> None:
    """Part 2: a Wuchuan county-year, phase by phase, as ``tsim`` runs it."""
    from sim.run import engine, results

    t0 = time.process_time()
    s = scenario([*WUCHUAN, "run.replications=1"])
    composed = time.process_time() - t0
    reps = [engine.run_replication(s, k) for k in range(a.repeat)]
    phases = {name: statistics.median(r.phases[name] for r in reps) for name in reps[0].phases}
    items = reps[0].counters["work_items"]
    with tempfile.TemporaryDirectory() as tmp:
        out = engine.run(s)
        t0 = time.process_time()
        results.write_run(Path(tmp), out, seed=0, replications=1, config_hash="bench")
        written = time.process_time() - t0
    total = sum(phases.values())
    print(
        f"2. county=wuchuan, 250 working days, {items:,} work items; CPU seconds, "
        f"median of {a.repeat} replications:"
    )
    for name, secs in phases.items():
        print(f"   {name:<10} {secs:6.3f} s  {secs / total:4.0%}")
    print(f"   {'replication':<10} {total:6.3f} s  (what each further replication costs)")
    print(f"   once a run: composing the configuration {composed:.3f} s, writing {written:.3f} s")


def peak_rss_kib() -> int:
    """This process's peak resident memory (KiB): ``VmHWM``, which, unlike
    ``ru_maxrss``, does not carry the parent's peak across ``fork`` and ``exec``.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def memory_probe(county: str) -> None:
    """In a fresh process (``--probe-memory``): peak memory above start-up, per item."""
    from sim.run import engine

    s = scenario([f"county={county}", "run.horizon_days=250", "run.replications=1"])
    # A first, three-day replication loads what every replication uses (pandas and
    # pyarrow for the series, cached tables): a fixed cost, not one per item.
    engine.run_replication(
        scenario([f"county={county}", "run.horizon_days=3", "run.warmup_days=0"]), 0
    )
    gc.collect()
    base = peak_rss_kib()
    rep = engine.run_replication(s, 0)
    peak = peak_rss_kib()
    items = rep.counters["work_items"]
    print(f"{county} {items} {base} {peak}")


def memory(a: argparse.Namespace) -> None:
    """Part 3: bytes of peak memory per work item, for each county asked for."""
    print("3. Peak memory of one replication (250 working days) above start-up:")
    for county in a.memory_counties:
        out = subprocess.run(
            [sys.executable, __file__, "--probe-memory", county],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        items, base, peak = int(out[1]), int(out[2]), int(out[3])  # KiB
        print(
            f"   county={county}: {items:,} items, {(peak - base) / 1024:.0f} MB above "
            f"{base / 1024:.0f} MB, {(peak - base) * 1024 / items:.0f} bytes an item"
        )


def startup(a: argparse.Namespace) -> None:
    """Part 4: wall time of fresh processes that start the command line."""
    print(f"4. Start-up, median of {a.repeat} fresh processes (wall time):")
    for label, args in (
        ("python -m sim --help", ["-m", "sim", "--help"]),
        ("import sim.__main__", ["-c", "import sim.__main__"]),
    ):
        times = []
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, *args], capture_output=True, check=True, cwd=ROOT)
            times.append(time.perf_counter() - t0)
        print(f"   {label:<22} {statistics.median(times):.2f} s")


def main() -> None:
    """Run the parts asked for (all by default)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--lam", type=float, default=4.0)
    ap.add_argument("--mu", type=float, default=1.0)
    ap.add_argument("--servers", type=int, default=5)
    ap.add_argument("--parts", default="1234", help="which parts to run, e.g. 12")
    ap.add_argument("--memory-counties", nargs="+", default=["wuchuan", "yishui"])
    ap.add_argument("--probe-memory", metavar="COUNTY", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.probe_memory:
        memory_probe(a.probe_memory)
        return
    print(time.strftime("township-sim engine benchmark, %Y-%m-%d %H:%M %Z"), end="; ")
    print(f"load average {' '.join(f'{x:.2f}' for x in __import__('os').getloadavg())}")
    import sim.model.build  # noqa: F401  (imports every compiled module)
    from sim.core.compiled import compiled_modules, status

    hot = compiled_modules()
    print(f"compiled modules ({len(hot)}): {', '.join(hot) or 'none — ' + status()}")
    for part, run in zip("1234", (mmc_ratio, wuchuan_phases, memory, startup), strict=True):
        if part in a.parts:
            run(a)


if __name__ == "__main__":
    main()

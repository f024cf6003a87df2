"""Replications spread over the cores, with the numbers of the serial run.

Replication ``k`` draws only from the random streams of ``(run.seed, k, source)``, so it
yields the same numbers whichever process simulates it, and in whatever order: a run
hands its replications to joblib's worker processes (loky on one machine, Ray's backend
on the Ray launcher's cluster), one replication at a time a worker (peak memory: one
replication per worker), and takes them back in order of ``k``. Where how many are
needed depends on the results (``run.replications=auto``, the planner's early stop),
they are simulated in rounds of one per worker after those certainly needed, the
caller applies its rule replication by replication in order, and a round's
replications past the serial stopping point are dropped unread.

``run.jobs`` sets the number of processes: a count (1: serial, in this process) or
``auto``, the default: every core this process may use (joblib's count, which
``LOKY_MAX_CPU_COUNT`` caps), except

* in a job of a sweep whose Hydra launcher already runs jobs side by side (joblib,
  submitit's local launcher): 1, so that jobs × workers do not oversubscribe the cores;
* in a job of the Ray launcher: the cluster's CPUs, through Ray's joblib backend;
* a run expected to take under :data:`WORTH_SECONDS` on one core (the run-size
  estimate of :mod:`sim.run.guard`): 1, since a worker costs about 1.5 s to start
  (it imports the simulator) and a short run would end later, not sooner.

Streams or centres registered at run time (a test's toy stream) exist only in this
process, not in a fresh worker: such a run is serial whatever ``run.jobs`` says.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sim.core import registry
from sim.run import guard

T = TypeVar("T")

AUTO = "auto"
WORTH_SECONDS = 4.0
"""Expected seconds on one core below which ``run.jobs=auto`` stays serial."""

SPREADING_LAUNCHERS = ("JoblibLauncher", "LocalLauncher")
"""Hydra launchers (class names) that run a sweep's jobs side by side on this machine
(joblib's; submitit's ``submitit_local``)."""
RAY_LAUNCHER = "hydra_ray_launcher"


_nested = False  # this process is one of a parallel search's workers (see serial())


@contextmanager
def serial() -> Iterator[None]:
    """Within: every run of this process is serial — it is itself one of several
    workers (a planner's township searches), and more processes would only compete for
    the same cores.
    """
    global _nested
    before, _nested = _nested, True
    try:
        yield
    finally:
        _nested = before


def processes(setting: Any) -> int:
    """Processes a ``run.jobs`` setting asks for: every core this process may use for
    ``auto``, else the count (1 inside a worker: see :func:`serial`).
    """
    if _nested:
        return 1
    return _local_cores() if setting == AUTO else max(1, int(setting))


def workers(scenarios: Sequence[Any]) -> int:
    """Processes to simulate one replication of each of ``scenarios`` in (their first
    one's ``run.jobs`` decides; a sweep's jobs would not differ in it).
    """
    if _nested or not scenarios or not portable():
        return 1
    setting = scenarios[0].run.jobs
    if setting != AUTO:
        return max(1, min(int(setting), len(scenarios)))
    launcher = _launcher()
    if launcher.rpartition(".")[2] in SPREADING_LAUNCHERS:
        return 1
    if _expected_seconds(scenarios) < WORTH_SECONDS:
        return 1
    cores = _cluster_cpus() if RAY_LAUNCHER in launcher else _local_cores()
    return max(1, min(cores, len(scenarios)))


def portable() -> bool:
    """Whether a fresh worker process knows every registered stream and centre: it
    imports ``sim``, which registers the built-in ones only.
    """
    owners = [spec.config for spec in registry.streams()]
    owners += [entry.factory for entry in registry.centres()]
    return all(getattr(o, "__module__", "").startswith("sim.") for o in owners)


def _expected_seconds(scenarios: Sequence[Any]) -> float:
    """Seconds on one core for one replication of each scenario (estimated once per
    distinct scenario object: a run passes the same one n times).
    """
    items: dict[int, float] = {}
    for s in scenarios:
        if id(s) not in items:
            items[id(s)] = guard.estimate(s).per_replication
    return sum(items[id(s)] for s in scenarios) / guard.items_per_second()


def _launcher() -> str:
    """The Hydra launcher's target of the running app ('' outside a Hydra app)."""
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        return ""
    return str(HydraConfig.get().launcher.get("_target_", ""))


def _local_cores() -> int:
    """Cores this process may use: joblib's count honours the CPU affinity, a
    container's CPU quota and ``LOKY_MAX_CPU_COUNT`` (a cap a test runner or an
    administrator may set).
    """
    from joblib import cpu_count

    return int(cpu_count())


def _cluster_cpus() -> int:
    import ray  # installed with the ray extra, which the Ray launcher needs

    return int(ray.cluster_resources().get("CPU", 1))


def ordered(
    fn: Callable[..., T], tasks: Sequence[tuple[Any, ...]], n: int
) -> Generator[T, None, None]:
    """``fn(*task)`` for every task, in order, over ``n`` processes (1: here, one by one).

    ``fn`` must be a module-level function (workers import it by name) and the tasks
    must pickle. Results come back as they are finished in order; the caller consumes
    them all (a generator closed early makes joblib kill its workers).
    """
    if n <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield fn(*task)
        return
    from joblib import Parallel, delayed

    backend = _backend()
    # Ray's backend is joblib's multiprocessing one, which returns lists only: its
    # results come back when the whole batch is done.
    way = "generator" if backend == "loky" else "list"
    parallel = Parallel(n_jobs=n, backend=backend, batch_size=1, return_as=way)
    yield from parallel(delayed(fn)(*task) for task in tasks)


def _backend() -> str:
    """Ray's joblib backend in a job of the Ray launcher (replications go to the
    cluster); loky, joblib's process pool, elsewhere.
    """
    if RAY_LAUNCHER not in _launcher():
        return "loky"
    from ray.util.joblib import register_ray

    register_ray()
    return "ray"


def in_rounds(
    fn: Callable[..., T],
    task: Callable[[int], tuple[Any, ...]],
    start: int,
    end: int,
    certain: int,
    n: int,
) -> Generator[T, None, None]:
    """``fn(*task(k))`` for ``k = start … end - 1`` in order, over ``n`` processes.

    The first ``certain`` results are promised to be read: as many of them as fill
    whole rounds of ``n`` are simulated at once, handed out as they come. The caller
    may stop reading after any later one: the rest are simulated in rounds of ``n``
    (the first may start among the certain ones: a worker would idle otherwise), each
    finished whole before it is handed out, so a stop leaves no worker busy and at most
    ``n - 1`` results unread (none when ``n`` is 1: serial).
    """
    split = min(start + certain // n * n, end)
    yield from ordered(fn, [task(k) for k in range(start, split)], n)
    for first in range(split, end, n):
        round_ = list(ordered(fn, [task(k) for k in range(first, min(first + n, end))], n))
        yield from round_

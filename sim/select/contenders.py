"""A sweep's jobs as contenders: replication ``r`` of each, stored or simulated.

Replication ``r`` of every job uses the random streams of ``(run.seed, r, source)``, so
the extra replications the procedure asks for keep the common random numbers of the
stored ones, and are the same numbers the job itself would have produced with more
replications. That holds only if the job's configuration and the code are the ones its
result was made with: a job whose configuration hash no longer matches is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.config import ConfigError, Scenario, config_hash, load_scenario
from sim.report.jobs import Job
from sim.run import engine, results, seeding

EXTRA_DIR = "selection"
"""Under the sweep: ``<job>.csv``, the replications the procedure added to a job."""


@dataclass
class Contender:
    """One finished job: its stored replications and the ones added for the selection."""

    job: Job
    extra_file: Path
    stored: pd.DataFrame
    extra: pd.DataFrame
    _scenario: Scenario | None = field(default=None, repr=False)
    simulated: int = 0
    """Replications simulated by this command (not read back)."""

    @property
    def name(self) -> str:
        """The job's label, as the report names it."""
        return self.job.name

    def value(self, kpi: str, r: int) -> float:
        """Replication ``r`` of ``kpi``: stored, added before, or simulated now."""
        row = self._row(r)
        if row is not None:
            return float(row[kpi].iloc[0])
        metrics = next(engine.each([(self.scenario(), r)], with_series=False)).metrics
        self.add(r, metrics)
        return float(metrics[kpi])

    def has(self, r: int) -> bool:
        """Whether replication ``r`` is stored or was added before."""
        return self._row(r) is not None

    def _row(self, r: int) -> pd.DataFrame | None:
        for table in (self.stored, self.extra):
            row = table.loc[table["replication"] == r]
            if not row.empty:
                return row
        return None

    def add(self, r: int, metrics: dict[str, float]) -> None:
        """Keep replication ``r``, just simulated, with those added before."""
        self.simulated += 1
        row = pd.DataFrame([{"replication": r, **metrics}])
        # .copy(): one block, not one per column added (pandas warns of fragmentation)
        self.extra = pd.concat([self.extra, row], ignore_index=True).copy()
        self._save()

    def _save(self) -> None:
        """Keep the added replications, tagged with the result they extend."""
        made_with = (self.job.summary or {}).get("config_hash")
        tag = pd.Series(made_with, index=self.extra.index, name="config_hash")
        table = pd.concat([self.extra, tag], axis=1)
        self.extra_file.parent.mkdir(parents=True, exist_ok=True)
        results.atomic_write(self.extra_file, lambda p: table.to_csv(p, index=False))

    def scenario(self) -> Scenario:
        """The job's scenario, rebuilt from its saved configuration (once)."""
        if self._scenario is None:
            self._scenario = rebuilt(self.job)
        return self._scenario


def simulate_missing(field: list[Contender], pairs: list[tuple[int, int]]) -> None:
    """Simulate the ``(contender, replication)`` pairs no table holds yet, side by side
    over ``run.jobs`` processes (each is the number a serial ``value`` would simulate).
    """
    todo = [(field[i], r) for i, r in pairs if not field[i].has(r)]
    reps = engine.each([(c.scenario(), r) for c, r in todo], with_series=False)
    for (c, r), rep in zip(todo, reps, strict=True):
        c.add(r, rep.metrics)


def rebuilt(job: Job) -> Scenario:
    """The job's scenario from ``.hydra/config.yaml``, refused unless it is the one its
    result was made with (same configuration hash: same keys, input files and code).
    """
    cfg = job.config()
    if not cfg:
        raise ConfigError(f"{job.dir}: no .hydra/config.yaml to simulate more replications")
    s = seeding.job_seed(load_scenario(cfg), job.overrides)
    made_with = (job.summary or {}).get("config_hash")
    if config_hash(s) != made_with:
        raise ConfigError(
            f"{job.dir}: its result was made with another configuration or code "
            f"(hash {made_with}, now {config_hash(s)}); re-run the sweep before selecting"
        )
    return s


def contenders(jobs: list[Job], sweep_dir: Path, kpi: str) -> list[Contender]:
    """The finished jobs that report ``kpi``, with the replications added earlier."""
    found = []
    for job in jobs:
        if not job.ok:
            continue
        stored = job.replications()
        if kpi not in stored.columns:
            raise ConfigError(f"--kpi {kpi}: job {job.name} has no such metric")
        extra_file = sweep_dir / EXTRA_DIR / f"{job.dir.name}.csv"
        # Rebuilt now, so that a job the procedure could not extend faithfully is named
        # before anything is simulated.
        found.append(Contender(job, extra_file, stored, _extra(extra_file, job), rebuilt(job)))
    return found


def _extra(path: Path, job: Job) -> pd.DataFrame:
    """Replications added before for this job, if they were made for its configuration."""
    if not path.is_file():
        return pd.DataFrame({"replication": pd.Series(dtype=int)})
    table = pd.read_csv(path)
    hashes = set(table.pop("config_hash")) if "config_hash" in table else set()
    if hashes != {(job.summary or {}).get("config_hash")}:
        path.unlink()  # made for an earlier result of this job: never mix them
        return pd.DataFrame({"replication": pd.Series(dtype=int)})
    return table

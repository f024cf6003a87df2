"""Finding and loading the jobs a report covers.

A PATH given to ``tsim-report`` is either one run directory (it holds ``summary.json``
or ``error.json``) or a sweep directory whose sub-directories are run directories. Each
job is named by what distinguishes it from the others: the values of the overrides that
vary across the jobs (``policy=reform_2019`` shows as ``reform_2019``,
``policy.quota.township_increase_share=0.25`` as ``township_increase_share=0.25``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from sim.report.outputs import StreamInfo, streams_of, union
from sim.run import results, sweepdir

if TYPE_CHECKING:  # pandas reads a job's tables when asked: finding jobs needs none
    import pandas as pd


@dataclass
class Job:
    """One run directory of a report: its overrides, summary or error, and name."""

    dir: Path
    overrides: list[str]
    summary: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    name: str = ""
    stale: str | None = None
    """Why the directory's result is not this job's (left by an earlier sweep, or of
    another configuration); a stale job is never reported as its label."""
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        """The job finished and has a summary."""
        return self.summary is not None

    @property
    def metrics(self) -> dict[str, Any]:
        """The summary's metrics (empty for an unfinished job)."""
        return self.summary["metrics"] if self.summary else {}

    @property
    def steady(self) -> dict[str, Any]:
        """Each stream's steady-state reading (empty for a run written before them)."""
        return (self.summary or {}).get("steady_state") or {}

    @property
    def streams(self) -> list[StreamInfo]:
        """The streams this job's run simulated."""
        return streams_of(self.summary) if self.summary else []

    def replications(self) -> pd.DataFrame:
        """One row per replication, one column per metric."""
        return self._load("replications", lambda: results.read_replications(self.dir))

    def timeseries(self) -> pd.DataFrame | None:
        """The daily series, if the run wrote one."""
        path = self.dir / results.TIMESERIES
        return self._load("timeseries", lambda: _parquet(path))

    def lead_times(self) -> pd.DataFrame | None:
        """Lead-time percentiles per replication and stream, if written."""
        path = self.dir / results.LEAD_TIMES
        return self._load("lead", lambda: _parquet(path))

    def config(self) -> dict[str, Any]:
        """The job's composed configuration (``.hydra/config.yaml``; empty if absent)."""
        path = self.dir / ".hydra" / "config.yaml"
        return self._load(
            "config", lambda: (yaml.safe_load(path.read_text()) or {}) if path.is_file() else {}
        )

    def townships(self) -> list[str]:
        """Ids of the job's townships, as its metrics name them."""
        return sorted({k.split(".")[0] for k in self.metrics} - {"county"})

    def population(self, township: str) -> float | None:
        """The township's population, from its kind in the job's config (``<kind>_<n>``)."""
        kinds = (self.config().get("county") or {}).get("kinds") or {}
        pop = (kinds.get(township.rsplit("_", 1)[0]) or {}).get("population")
        return float(pop) if pop else None

    def _load(self, key: str, read: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = read()
        return self._cache[key]


def config_value(config: dict[str, Any], key: str) -> Any:
    """The value of a dotted ``key`` in a composed configuration (None when absent)."""
    node: Any = config
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _is_run_dir(path: Path) -> bool:
    return (path / results.SUMMARY).is_file() or (path / results.ERROR).is_file()


def _job_dirs(path: Path) -> list[Path]:
    if _is_run_dir(path):
        return [path]
    subs = [p for p in path.iterdir() if p.is_dir() and (p / ".hydra").is_dir()]
    return sorted(
        subs, key=lambda p: (not p.name.isdigit(), int(p.name) if p.name.isdigit() else 0, p.name)
    )


def _overrides(run_dir: Path) -> list[str]:
    path = run_dir / ".hydra" / "overrides.yaml"
    return list(yaml.safe_load(path.read_text()) or []) if path.is_file() else []


def _parquet(path: Path) -> pd.DataFrame | None:
    """A parquet table, if the run wrote it."""
    import pandas as pd

    return pd.read_parquet(path) if path.is_file() else None


def job_dirs(paths: list[Path]) -> list[tuple[Path, list[Path]]]:
    """Each of ``paths`` and its job directories; raises FileNotFoundError/ValueError
    with a clear text for a path that is neither a run nor a sweep. Cheap (a look at the
    directories): the commands call it before they load what a report needs.
    """
    found = []
    for path in paths:
        if not path.is_dir():
            raise FileNotFoundError(f"{path}: no such directory")
        dirs = _job_dirs(path)
        if not dirs:
            raise ValueError(f"{path}: neither a run directory nor a sweep of run directories")
        found.append((path, dirs))
    return found


def load(paths: list[Path]) -> list[Job]:
    """Every job under ``paths``; raises FileNotFoundError/ValueError with a clear text."""
    jobs = []
    for path, dirs in job_dirs(paths):
        sweep = None if dirs == [path] else sweepdir.current_sweep(path)
        jobs += [_load_job(d, sweep) for d in dirs]
    _name(jobs)
    return jobs


def _load_job(run_dir: Path, sweep: dict[str, Any] | None) -> Job:
    """One job directory: finished, failed, unfinished (a corrupt summary, or an output
    file that does not read back, counts as unfinished and is named) or stale.
    """
    job = Job(run_dir, _overrides(run_dir))
    summary = None
    try:
        summary = results.read_summary(run_dir)
        results.check_outputs(run_dir, summary)
    except FileNotFoundError:
        job.error = results.read_error(run_dir) or {"exception": "unfinished (no summary.json)"}
    except (OSError, results.CorruptSummary) as err:
        job.error = {"exception": str(err)}
    except results.CorruptOutput as err:  # the summary reads; a file it describes does not
        job.error = {"exception": str(err)}
    job.stale = stale_reason(job, summary, sweep)
    if job.stale:
        job.error = {"exception": f"stale: {job.stale}"}
    elif job.error is None:
        job.summary = summary
    return job


def stale_reason(
    job: Job, summary: dict[str, Any] | None, sweep: dict[str, Any] | None
) -> str | None:
    """Why the job directory does not hold what its label says, or None."""
    record = sweepdir.read_job(job.dir)
    if sweep is not None and (record is None or record.sweep_id != sweep["id"]):
        return (
            "left by an earlier sweep into this directory "
            "(not, or not yet, run by the latest sweep)"
        )
    if record is None:
        return None
    if summary is not None and not sweepdir.matches(summary, record):
        return (
            f"its summary.json is of another configuration (hash {summary.get('config_hash')}, "
            f"{summary.get('replications')} replications) than the job's "
            f"({record.config_hash}, {record.replications})"
        )
    if job.overrides and record.overrides != job.overrides:
        return "its .hydra/overrides.yaml differs from the configuration its result was made for"
    return None


LABEL_KEY = "run.label"
MAX_NAME = 40
"""Longer names make the KPI bars unreadable: they are cut, the job's number kept."""


def short_keys(keys: list[str]) -> dict[str, str]:
    """Each key by its last part (``township_increase_share``), or, where last parts
    collide (``county.kinds.town.…headcount`` and ``…rural…headcount``), by the first
    part that tells them apart and the last (``town.headcount``, ``rural.headcount``).
    """
    parts = {k: k.lstrip("+~").split(".") for k in keys}
    out = {}
    for k, p in parts.items():
        twins = [q for q in parts.values() if q[-1] == p[-1] and q != p]
        if not twins:
            out[k] = p[-1]
            continue
        pos = next(
            (i for i in range(len(p) - 1) if any(i >= len(q) or q[i] != p[i] for q in twins)),
            None,
        )
        out[k] = f"{p[pos]}.{p[-1]}" if pos is not None else ".".join(p)
    return out


def _part(key: str, short: str, value: str) -> str:
    """A group choice by its value (``reform_2019``), a key by its short form
    (``township_increase_share=0.25``).
    """
    return value if "." not in key.lstrip("+~") else f"{short}={value}"


def overrides_of(job: Job) -> dict[str, str]:
    """The job's command-line overrides as key → value."""
    return dict(o.split("=", 1) for o in job.overrides if "=" in o)


def varying_keys(jobs: list[Job]) -> list[str]:
    """Override keys whose value differs between the jobs."""
    maps = [overrides_of(j) for j in jobs]
    keys = sorted({k for m in maps for k in m})
    return [k for k in keys if len({m.get(k) for m in maps}) > 1]


def streams(jobs: list[Job]) -> list[StreamInfo]:
    """Every stream of the finished jobs, in order of first appearance."""
    return union(j.streams for j in jobs if j.ok)


def _name(jobs: list[Job]) -> None:
    """Name each job: its ``run.label`` if given, else the overrides that differ between
    the jobs, short and unique (a stale job by its directory: its overrides are not
    what its numbers are of).
    """
    current = [j for j in jobs if not j.stale]
    varying = [k for k in varying_keys(current) if k.lstrip("+~") != LABEL_KEY]
    shorts = short_keys(varying)
    for job in jobs:
        m = {k.lstrip("+~"): v for k, v in overrides_of(job).items()}
        if job.stale:
            job.name = f"{job.dir.name} (stale)"
        elif m.get(LABEL_KEY):
            job.name = m[LABEL_KEY]
        else:
            name = ", ".join(
                _part(k, shorts[k], m[k.lstrip("+~")]) for k in varying if k.lstrip("+~") in m
            )
            job.name = name or job.dir.name
            if len(job.name) > MAX_NAME:
                head = f"#{job.dir.name} "
                job.name = head + job.name[: MAX_NAME - len(head) - 1] + "…"
    seen: dict[str, int] = {}
    for job in jobs:  # the same job given twice stays distinguishable
        seen[job.name] = seen.get(job.name, 0) + 1
        if seen[job.name] > 1:
            job.name = f"{job.name} ({job.dir})"

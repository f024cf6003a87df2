"""The run directory: layout, atomic writing and reading.

A run directory holds ``summary.json`` (metrics with mean, 95% CI and n; seed,
replications, config hash, meta), ``replications.csv``, ``timeseries.parquet`` and
``lead_times.parquet``, beside Hydra's ``.hydra/``; a job that failed holds
``error.json`` (exception, traceback, overrides) instead of ``summary.json``. Every
file is written to a temporary name and renamed into place, and ``summary.json`` is
written last: a directory without ``summary.json`` is an
unfinished run, never a complete-looking one.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import subprocess
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from .analysis import CI, confidence_interval

SUMMARY = "summary.json"
REPLICATIONS = "replications.csv"
TIMESERIES = "timeseries.parquet"
LEAD_TIMES = "lead_times.parquet"
ERROR = "error.json"
PACKAGES = ("township-sim", "simpy", "numpy", "scipy", "pandas", "hydra-core", "omegaconf")


@dataclass
class RunOutput:
    """What :func:`sim.engine.run` produces and :func:`write_run` writes."""

    replications: pd.DataFrame  # one row per replication, one column per metric
    timeseries: pd.DataFrame | None
    lead_times: pd.DataFrame  # lead-time percentiles per replication and stream
    meta: dict[str, Any] = field(default_factory=dict)
    streams: list[dict[str, Any]] = field(default_factory=list)
    """Descriptors of the streams (id, label, unit, in_backlog_total), for the report."""


def _atomic(path: Path, write: Callable[[Path], Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    write(tmp)
    os.replace(tmp, path)


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def software_versions() -> dict[str, str]:
    """Versions of Python and the packages that shape results."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    return versions


def git_commit() -> str | None:
    """The commit of this code, with ``-dirty`` if tracked files differ (None outside git)."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def summarise(out: RunOutput, level: float = 0.95) -> dict[str, CI]:
    """Mean and CI of every metric across the replications."""
    return {
        name: confidence_interval(out.replications[name], level)
        for name in out.replications.columns
        if name != "replication"
    }


def write_run(
    run_dir: Path, out: RunOutput, *, seed: int, replications: int, config_hash: str
) -> Path:
    """Write a complete run directory; ``summary.json`` last."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    _atomic(run_dir / REPLICATIONS, lambda p: out.replications.to_csv(p, index=False))
    series = out.timeseries
    if series is not None:
        _atomic(run_dir / TIMESERIES, lambda p: series.to_parquet(p, index=False))
    _atomic(run_dir / LEAD_TIMES, lambda p: out.lead_times.to_parquet(p, index=False))
    meta = {**out.meta, "versions": software_versions(), "git_commit": git_commit()}
    summary = {
        "metrics": {
            name: {k: _json_safe(v) for k, v in ci.items()} for name, ci in summarise(out).items()
        },
        "seed": seed,
        "replications": replications,
        "config_hash": config_hash,
        "streams": out.streams,
        "meta": meta,
    }
    _atomic(
        run_dir / SUMMARY, lambda p: p.write_text(json.dumps(summary, indent=1, ensure_ascii=False))
    )
    return run_dir / SUMMARY


def start_job(run_dir: Path) -> None:
    """Clear what an earlier, unfinished attempt left: temporary files, an old error."""
    run_dir = Path(run_dir)
    for stale in [*run_dir.glob(".*.tmp-*"), run_dir / ERROR]:
        stale.unlink(missing_ok=True)


def write_error(run_dir: Path, exc: BaseException, overrides: list[str]) -> None:
    """Record a failed job as data, so the rest of a sweep and its report go on."""
    record = {
        "exception": f"{type(exc).__name__}: {exc}",
        "traceback": traceback.format_exception(exc),
        "overrides": list(overrides),
    }
    _atomic(
        Path(run_dir) / ERROR,
        lambda p: p.write_text(json.dumps(record, indent=1, ensure_ascii=False)),
    )


def read_error(run_dir: Path) -> dict[str, Any] | None:
    """The recorded failure of a job, if any."""
    path = Path(run_dir) / ERROR
    return json.loads(path.read_text()) if path.is_file() else None


def is_complete(run_dir: Path) -> bool:
    """The directory holds a finished run."""
    return (Path(run_dir) / SUMMARY).is_file()


def read_summary(run_dir: Path) -> dict[str, Any]:
    """The run's ``summary.json``."""
    return json.loads((Path(run_dir) / SUMMARY).read_text())


def read_replications(run_dir: Path) -> pd.DataFrame:
    """One row per replication, one column per metric."""
    return pd.read_csv(Path(run_dir) / REPLICATIONS)

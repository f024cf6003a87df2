"""The run directory: layout, atomic writing and reading.

A run directory holds ``summary.json`` (metrics with mean, 95% CI and n; seed,
replications, config hash, each stream's steady-state reading, meta),
``replications.csv``, ``timeseries.parquet`` and ``lead_times.parquet``, beside Hydra's
``.hydra/``; a job that failed holds ``error.json`` (exception, traceback, overrides)
instead of ``summary.json``. Every file is written to a temporary name and renamed into
place, and ``summary.json`` is written last: a directory without ``summary.json`` is an
unfinished run, never a complete-looking one. ``summary.json`` also records each output
file's size and rows (``outputs``), so that a file cut short, edited or lost later is
found (:func:`check_outputs`) and the run counts as unfinished again.
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
from typing import TYPE_CHECKING, Any

from sim.analysis.stats import CI, bounds_of, confidence_interval

if TYPE_CHECKING:  # pandas is imported where a table is read: a command's start needs none
    import pandas as pd

SUMMARY = "summary.json"
REPLICATIONS = "replications.csv"
TIMESERIES = "timeseries.parquet"
LEAD_TIMES = "lead_times.parquet"
ERROR = "error.json"
OUTPUTS = (REPLICATIONS, TIMESERIES, LEAD_TIMES)
PACKAGES = ("township-sim", "simpy", "numpy", "scipy", "pandas", "hydra-core", "omegaconf")


@dataclass
class RunOutput:
    """What :func:`sim.run.engine.run` produces and :func:`write_run` writes."""

    replications: pd.DataFrame  # one row per replication, one column per metric
    timeseries: pd.DataFrame | None
    lead_times: pd.DataFrame  # lead-time percentiles per replication and stream
    meta: dict[str, Any] = field(default_factory=dict)
    streams: list[dict[str, Any]] = field(default_factory=list)
    """Descriptors of the streams (id, label, unit, in_backlog_total), for the report."""
    steady_state: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per stream, its MSER-5 warm-up and growth verdict (:mod:`sim.analysis.steady`)."""


def atomic_write(path: Path, write: Callable[[Path], Any]) -> None:
    """Write ``path`` through ``write(tmp)`` and rename it into place. The data reach the
    disk (fsync) before the rename and the rename before we return, so a crash or a full
    disk leaves the old file or the new one, never a file cut short.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException as err:
        tmp.unlink(missing_ok=True)
        if isinstance(err, OSError) and err.filename is None:  # fsync's ENOSPC names no file
            raise OSError(err.errno, err.strerror, str(path)) from err
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a directory be synced
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


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


def git_commit(where: Path | None = None) -> str | None:
    """The commit of this code, with ``-dirty`` if tracked files differ (None outside git).

    Read-only: ``--no-optional-locks`` keeps ``git status`` from refreshing the index,
    which would take ``.git/index.lock`` and write outside the run directory (and fail or
    block a developer's own git command running at the same time).
    """
    here = Path(where) if where is not None else Path(__file__).resolve().parent
    git = ["git", "--no-optional-locks"]
    try:
        out = subprocess.run(
            [*git, "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5
        )
        dirty = subprocess.run(
            [*git, "status", "--porcelain", "--untracked-files=no"],
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
    """Mean and CI of every metric across the replications, clipped to the values the
    metric can take (:func:`sim.analysis.stats.bounds_of`).
    """
    return {
        name: confidence_interval(out.replications[name], level, *bounds_of(name))
        for name in out.replications.columns
        if name != "replication"
    }


def write_run(
    run_dir: Path,
    out: RunOutput,
    *,
    seed: int,
    replications: int,
    config_hash: str,
    replication_rule: Any = None,
) -> Path:
    """Write a complete run directory; ``summary.json`` last. ``replication_rule`` is
    recorded when the count was chosen by the precision rule (``run.replications=auto``).
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    atomic_write(run_dir / REPLICATIONS, lambda p: out.replications.to_csv(p, index=False))
    series = out.timeseries
    if series is not None:
        atomic_write(run_dir / TIMESERIES, lambda p: series.to_parquet(p, index=False))
    atomic_write(run_dir / LEAD_TIMES, lambda p: out.lead_times.to_parquet(p, index=False))
    tables = {REPLICATIONS: out.replications, TIMESERIES: series, LEAD_TIMES: out.lead_times}
    outputs = {
        name: {"rows": len(table), "bytes": (run_dir / name).stat().st_size}
        for name, table in tables.items()
        if table is not None
    }
    meta = {**out.meta, "versions": software_versions(), "git_commit": git_commit()}
    summary = {
        "metrics": {
            name: {k: _json_safe(v) for k, v in ci.items()} for name, ci in summarise(out).items()
        },
        "seed": seed,
        "replications": replications,
        "config_hash": config_hash,
        **({"replication_rule": replication_rule} if isinstance(replication_rule, dict) else {}),
        "streams": out.streams,
        "steady_state": out.steady_state,
        "outputs": outputs,
        "meta": meta,
    }
    atomic_write(
        run_dir / SUMMARY, lambda p: p.write_text(json.dumps(summary, indent=1, ensure_ascii=False))
    )
    return run_dir / SUMMARY


def write_error(run_dir: Path, exc: BaseException, overrides: list[str]) -> None:
    """Record a failed job as data, so the rest of a sweep and its report go on."""
    record = {
        "exception": f"{type(exc).__name__}: {exc}",
        "traceback": traceback.format_exception(exc),
        "overrides": list(overrides),
    }
    atomic_write(
        Path(run_dir) / ERROR,
        lambda p: p.write_text(json.dumps(record, indent=1, ensure_ascii=False)),
    )


def read_error(run_dir: Path) -> dict[str, Any] | None:
    """The recorded failure of a job, if any."""
    path = Path(run_dir) / ERROR
    return json.loads(path.read_text()) if path.is_file() else None


class CorruptSummary(ValueError):
    """A ``summary.json`` that cannot be read as a run's summary (cut short, ``{}`` …)."""


SUMMARY_KEYS = ("metrics", "seed", "replications", "config_hash", "streams")


def read_summary(run_dir: Path) -> dict[str, Any]:
    """The run's ``summary.json``; :class:`CorruptSummary` naming the file when it is not
    a complete summary (FileNotFoundError when there is none).
    """
    path = Path(run_dir) / SUMMARY
    try:
        data = json.loads(path.read_bytes())
    except ValueError as err:  # JSON or UTF-8 that does not decode
        reason = err.msg if isinstance(err, json.JSONDecodeError) else "not UTF-8"
        raise CorruptSummary(f"{path}: not valid JSON ({reason}); treated as unfinished") from None
    if not isinstance(data, dict):
        raise CorruptSummary(f"{path}: not a JSON object; treated as unfinished")
    missing = [k for k in SUMMARY_KEYS if k not in data]
    if missing or not isinstance(data["metrics"], dict):
        what = f"lacks {', '.join(missing)}" if missing else "metrics is not a mapping"
        raise CorruptSummary(f"{path}: {what}; treated as unfinished")
    return data


def summary_or_none(run_dir: Path) -> dict[str, Any] | None:
    """The summary when the run finished and its summary reads; None otherwise."""
    try:
        return read_summary(run_dir)
    except (OSError, CorruptSummary):
        return None


def read_replications(run_dir: Path) -> pd.DataFrame:
    """One row per replication, one column per metric."""
    import pandas as pd

    return pd.read_csv(Path(run_dir) / REPLICATIONS)


class CorruptOutput(ValueError):
    """A finished run's output file that does not read back as it was written."""


def check_outputs(run_dir: Path, summary: dict[str, Any]) -> None:
    """Raise :class:`CorruptOutput` naming the first output file of the finished run that
    does not read back as ``summary.json`` records it (missing, another size, unreadable,
    other rows). Cheap: a parquet file's footer, the CSV's columns and rows.

    A summary from before sizes were recorded asks for ``replications.csv`` with its
    replications, and parquet files that read where there are some.
    """
    run_dir = Path(run_dir)
    recorded = summary.get("outputs")
    if not isinstance(recorded, dict):
        recorded = {REPLICATIONS: {"rows": summary.get("replications")}}
        recorded |= {name: {} for name in (TIMESERIES, LEAD_TIMES) if (run_dir / name).exists()}
    for name in OUTPUTS:
        if name in recorded:
            problem = _output_problem(run_dir / name, recorded[name] or {}, summary["metrics"])
            if problem:
                raise CorruptOutput(f"{run_dir / name}: {problem}; treated as unfinished")


def _output_problem(path: Path, written: dict[str, Any], metrics: dict[str, Any]) -> str | None:
    """What is wrong with one output file, compared with what was ``written``, or None."""
    if not path.is_file():
        return "missing"
    size = path.stat().st_size
    if written.get("bytes") not in (None, size):
        return f"{size} bytes where {written['bytes']} were written (cut short or changed)"
    try:
        rows = _csv_rows(path, metrics) if path.suffix == ".csv" else _parquet_rows(path)
    except (OSError, ValueError) as err:  # pyarrow's ArrowInvalid is a ValueError
        return f"does not read ({str(err).splitlines()[0] if str(err) else type(err).__name__})"
    if written.get("rows") not in (None, rows):
        return f"{rows} rows where {written['rows']} were written"
    return None


def _csv_rows(path: Path, metrics: dict[str, Any]) -> int:
    """Rows of a replications table whose every metric column is there and numeric."""
    import pandas as pd

    table = pd.read_csv(path)
    for name in metrics:
        if name not in table.columns:
            raise ValueError(f"no column {name}")
        if not pd.api.types.is_numeric_dtype(table[name]):
            raise ValueError(f"column {name} is not numeric")
    return len(table)


def _parquet_rows(path: Path) -> int:
    """Rows of a parquet file, from its footer alone."""
    import pyarrow.parquet as pq  # here: only a resume or a report reads one back

    return int(pq.read_metadata(path).num_rows)

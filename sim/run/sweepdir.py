"""The sweep directory: one sweep at a time, and jobs that are what their label says.

A sweep (``tsim -m``) writes one run directory per job under ``hydra.sweep.dir``, named
by the job's number. Numbers are positions, not identities: a second sweep with other
values lands in the same numbered directories. Three things keep the directory honest.

* **A lock** (``.tsim.lock``): the sweep's main process holds an ``flock`` on it for its
  whole life. A second sweep into the same directory stops at once with one line naming
  the holder. The kernel drops the lock when its holder dies, so a lock file left by a
  killed sweep (a dead pid) never blocks the next one.
* **The sweep's identity** (``.tsim-sweep.json``: an id, the main process's pid and the
  overrides), written when the sweep starts. Each job records it in its ``job.json``
  together with its configuration hash, *before* it touches anything else, so the report
  can tell this sweep's jobs from directories an earlier sweep left behind (stale).
* **Quarantine by configuration**: a job whose directory holds the result of another
  configuration moves that result to ``<sweep>/.stale/<hash>-<replications>-<n>/``
  before it runs, and a job whose own configuration's result sits there takes it back
  instead of simulating again. Jobs are found by their configuration, not their number.

Workers of a parallel launcher (joblib) watch the sweep's main process and exit when it
is gone, so a killed sweep does not go on writing.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback

from sim.run import results

try:  # POSIX only; elsewhere sweeps run unlocked
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

LOCK = ".tsim.lock"
SWEEP = ".tsim-sweep.json"
STALE = ".stale"
JOB = "job.json"
RESULT_FILES = (results.REPLICATIONS, results.TIMESERIES, results.LEAD_TIMES, results.ERROR)
"""A run's result files besides ``summary.json`` (which is always moved last)."""

_held: dict[Path, int] = {}  # sweep directory → open, locked file descriptor


class SweepBusy(RuntimeError):
    """Another live sweep holds the directory's lock."""


# --------------------------------------------------------------------------- lock
def lock(directory: Path) -> None:
    """Take the directory's lock for the rest of this process's life (or raise)."""
    directory = Path(directory).resolve()
    if directory in _held or fcntl is None:
        return
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        holder = path.read_text().strip() or "?"
        raise SweepBusy(
            f"{directory} is in use by another sweep (pid {holder}); wait for it to "
            "finish or give another hydra.sweep.dir"
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    _held[directory] = fd


# --------------------------------------------------------------------------- identity
def start_sweep(directory: Path, overrides: list[str]) -> dict[str, Any]:
    """Record a new sweep's identity in its directory (under the lock)."""
    record = {
        "id": f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}",
        "pid": os.getpid(),
        "overrides": list(overrides),
    }
    results.atomic_write(Path(directory) / SWEEP, lambda p: p.write_text(json.dumps(record)))
    return record


def current_sweep(directory: Path) -> dict[str, Any] | None:
    """The identity of the latest sweep into ``directory`` (None before any, or unreadable)."""
    try:
        record = json.loads((Path(directory) / SWEEP).read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and "id" in record else None


class SweepGuard(Callback):
    """Hydra callback (``hydra.callbacks.sweep_guard``): lock the sweep directory and
    record the sweep's identity before any job starts.
    """

    def on_multirun_start(self, config: Any, **kwargs: Any) -> None:
        """Runs once, in the main process, before the sweeper launches jobs."""
        directory = Path(str(config.hydra.sweep.dir))
        try:
            lock(directory)
            start_sweep(directory, list(config.hydra.overrides.task))
        except SweepBusy as err:
            print(f"tsim: {err}", file=sys.stderr)
            sys.exit(3)
        except OSError as err:  # Hydra would only warn, and run the sweep unlocked
            print(
                f"tsim: cannot write {err.filename or directory}: {err.strerror}", file=sys.stderr
            )
            sys.exit(2)


# --------------------------------------------------------------------------- one job
@dataclass
class JobRecord:
    """What a job directory is meant to hold (``job.json``), written when the job starts."""

    config_hash: str
    replications: Any
    """The replication count, or the rule that chooses it (``run.replications=auto``)."""
    overrides: list[str]
    sweep_id: str | None = None


def read_job(run_dir: Path) -> JobRecord | None:
    """The job's record, or None (a run written without ``tsim``, by
    :func:`sim.run.results.write_run` itself, has none; or it is unreadable).
    """
    try:
        data = json.loads((Path(run_dir) / JOB).read_text())
        return JobRecord(**data)
    except (OSError, ValueError, TypeError):
        return None


def matches(summary: dict[str, Any] | None, record: JobRecord) -> bool:
    """The summary is the result of the recorded configuration."""
    return (
        summary is not None
        and summary.get("config_hash") == record.config_hash
        and replication_rule(summary) == record.replications
    )


def replication_rule(summary: dict[str, Any]) -> Any:
    """How the summary's replications were chosen: a count, or the precision rule."""
    return summary.get("replication_rule", summary.get("replications"))


def record_invalid(run_dir: Path, overrides: list[str], sweep_dir: Path) -> None:
    """Mark a sweep job whose configuration was rejected as this sweep's (its
    ``error.json`` is then reported as this sweep's failure, not as stale).
    """
    sweep = current_sweep(sweep_dir)
    record = JobRecord("", None, overrides, sweep["id"] if sweep else None)
    results.atomic_write(Path(run_dir) / JOB, lambda p: p.write_text(json.dumps(asdict(record))))


def begin(run_dir: Path, record: JobRecord, store: Path) -> bool:
    """Prepare ``run_dir`` for the job ``record`` describes; True when it already holds
    (or got back from quarantine in ``store``) the result of exactly this configuration.

    The record is written first: if the job dies at any later point, the directory
    says which configuration it was meant for and an older result in it reads as stale.
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    results.atomic_write(run_dir / JOB, lambda p: p.write_text(json.dumps(asdict(record))))
    path = run_dir / results.SUMMARY
    if path.exists() or path.is_symlink():
        try:
            summary = results.read_summary(run_dir)
        except (OSError, results.CorruptSummary) as err:
            print(f"tsim: {err}", file=sys.stderr)
            summary = None
        if summary is not None and matches(summary, record):
            if _reads_back(run_dir, summary):
                return True
            summary = None  # this configuration's but broken: aside, never taken back
        quarantine(run_dir, store, summary)
    for stale in [*run_dir.glob(".*.tmp-*"), run_dir / results.ERROR]:
        stale.unlink(missing_ok=True)
    return restore(run_dir, record, store)


def _reads_back(run_dir: Path, summary: dict[str, Any]) -> bool:
    """The finished run's output files read back as written (else it says which does not)."""
    try:
        results.check_outputs(run_dir, summary)
    except results.CorruptOutput as err:
        print(f"tsim: {err}", file=sys.stderr)
        return False
    return True


def _move_result(src: Path, dst: Path) -> None:
    """Move a run's result files, ``summary.json`` last (the destination is complete
    only when it has one).
    """
    for name in RESULT_FILES:
        if (src / name).exists():
            os.replace(src / name, dst / name)
    if (src / results.SUMMARY).exists():
        os.replace(src / results.SUMMARY, dst / results.SUMMARY)


def quarantine(run_dir: Path, store: Path, summary: dict[str, Any] | None) -> Path:
    """Move the result in ``run_dir`` aside: of another configuration (by its hash, to be
    taken back), or unreadable (``summary`` None: kept, never taken back).
    """
    if summary is None:
        key = "corrupt"
    else:
        key = f"{summary.get('config_hash')}-{_rule_key(replication_rule(summary))}"
    store.mkdir(parents=True, exist_ok=True)
    dest = store / f"{key}-{uuid.uuid4().hex[:8]}"
    dest.mkdir()
    with contextlib.suppress(OSError):  # keep the old labels beside the numbers
        (dest / "overrides.yaml").write_bytes((run_dir / ".hydra" / "overrides.yaml").read_bytes())
    # The summary leaves first: from then on the job directory is unfinished.
    os.replace(run_dir / results.SUMMARY, dest / ".summary.moving")
    _move_result(run_dir, dest)
    os.replace(dest / ".summary.moving", dest / results.SUMMARY)
    what = "an unreadable result" if summary is None else "another configuration's result"
    print(f"tsim: {run_dir} held {what}; moved to {dest}")
    return dest


def restore(run_dir: Path, record: JobRecord, store: Path) -> bool:
    """Take this configuration's result back from quarantine, if one is there."""
    prefix = f"{record.config_hash}-{_rule_key(record.replications)}-"
    for entry in sorted(store.glob(prefix + "*")) if store.is_dir() else []:
        claimed = run_dir / f".restoring-{os.getpid()}"
        try:
            os.rename(entry, claimed)  # atomic: one job wins an entry
        except OSError:
            continue
        summary = results.summary_or_none(claimed)
        if summary is None or not (matches(summary, record) and _reads_back(claimed, summary)):
            os.rename(claimed, entry)
            continue
        _move_result(claimed, run_dir)
        with contextlib.suppress(OSError):
            for leftover in claimed.iterdir():
                leftover.unlink()
            claimed.rmdir()
        print(f"tsim: {run_dir}: this configuration's result taken back from {entry}")
        return True
    return False


def _rule_key(rule: Any) -> str:
    if isinstance(rule, dict):
        return "auto" + "".join(f"-{k}{rule[k]}" for k in sorted(rule) if k != "kpis")
    return f"r{rule}"


# --------------------------------------------------------------------------- workers
_watching = False


def watch_parent(pid: int, interval: float = 0.5) -> None:
    """In a worker process, exit as soon as the sweep's main process ``pid`` is gone
    (once per process; a no-op in the main process itself).
    """
    global _watching
    if _watching or pid == os.getpid():
        return
    _watching = True
    parent = os.getppid()

    def alive() -> bool:
        if parent == pid and os.getppid() != parent:  # re-parented: the parent died
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def watch() -> None:
        while alive():
            time.sleep(interval)
        os._exit(1)  # results are written atomically: nothing is left half-done

    threading.Thread(target=watch, name="tsim-parent-watch", daemon=True).start()

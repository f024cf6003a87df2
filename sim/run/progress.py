"""Progress on a terminal: replications within a run, jobs within a sweep.

Bars appear only when standard error is a terminal and a run takes more than a couple
of seconds, so logs and CI output stay quiet. Jobs of a parallel sweep (joblib, Ray
on one machine) share the terminal: each running job claims the lowest free line (a
file in the sweep's ``.progress/``), so their bars stack one per worker instead of
overwriting each other on one line.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tqdm import tqdm


def replications(label: str, total: int, lines: Path | None = None) -> Callable[[int, int], None]:
    """A callback ``(done, total)`` for :func:`sim.run.engine.run` that drives a bar; with
    ``lines`` (a sweep's directory of line claims) the bar takes a line of its own.
    """
    shown = sys.stderr.isatty()
    line = claim_line(lines) if shown and lines is not None else None
    bar = tqdm(
        total=total,
        desc=label,
        unit="rep",
        delay=2.0,
        leave=False,
        disable=not shown,
        file=sys.stderr,
        position=line.number if line else None,
    )

    def advance(done: int, _total: int) -> None:
        bar.update(done - bar.n)
        if done == total:
            bar.close()
            if line:
                line.release()

    return advance


class Line:
    """A terminal line claimed by one running job (a file named after the line)."""

    def __init__(self, path: Path, number: int):
        self.path, self.number = path, number

    def release(self) -> None:
        """Free the line for the next job."""
        self.path.unlink(missing_ok=True)


def claim_line(directory: Path, most: int = 256) -> Line | None:
    """The lowest line no running job holds (None if none can be claimed: no bar
    position then, which is only cosmetic).
    """
    with contextlib.suppress(OSError):
        directory.mkdir(parents=True, exist_ok=True)
        for number in range(most):
            path = directory / f"line-{number}"
            if path.exists() and not _holder_gone(path):
                continue
            path.unlink(missing_ok=True)
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:  # another job was quicker
                continue
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            return Line(path, number)
    return None


def _holder_gone(path: Path) -> bool:
    """The job that claimed the line has ended without freeing it (killed, failed)."""
    try:
        os.kill(int(path.read_text()), 0)
    except ProcessLookupError:
        return True
    except (OSError, ValueError):  # alive, not ours to signal, or its pid not yet written
        return False
    return False


def job_position(hc: Any) -> str:
    """``job k/N`` of the current sweep job (N from the sweep's own record of its
    command line, when the basic sweeper's list syntax allows counting).
    """
    k = hc.job.num + 1
    total = _sweep_size(Path(hc.sweep.dir) / "multirun.yaml")
    return f"job {k}/{total}" if total else f"job {k}"


def _sweep_size(record: Path) -> int | None:
    try:
        from hydra.core.override_parser.overrides_parser import OverridesParser
        from omegaconf import OmegaConf

        hydra = OmegaConf.load(record).hydra
        # Swept values come from the command line and from the config's sweeper params.
        params = hydra.sweeper.get("params") or {}
        overrides = list(hydra.overrides.task) + [f"{k}={v}" for k, v in params.items()]
        parsed = OverridesParser.create().parse_overrides(overrides)
        sizes = [len(list(o.sweep_string_iterator())) for o in parsed if o.is_sweep_override()]
        return math.prod(sizes) if sizes else 1
    except Exception:  # progress is a nicety: never fail a job over it
        return None

"""Progress on a terminal: replications within a run, jobs within a sweep.

Bars appear only when standard error is a terminal and a run takes more than a couple
of seconds, so logs and CI output stay quiet.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tqdm import tqdm


def replications(label: str, total: int) -> Callable[[int, int], None]:
    """A callback ``(done, total)`` for :func:`sim.engine.run` that drives a bar."""
    bar = tqdm(
        total=total,
        desc=label,
        unit="rep",
        delay=2.0,
        leave=False,
        disable=not sys.stderr.isatty(),
        file=sys.stderr,
    )

    def advance(done: int, _total: int) -> None:
        bar.update(done - bar.n)
        if done == total:
            bar.close()

    return advance


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

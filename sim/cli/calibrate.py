"""``tsim-calibrate FILE [overrides]``: observed counts → a calibrated workload preset.

A Hydra app (the work is :func:`sim.calibrate.calibration.calibrate`) over the same
config tree as ``tsim``: the overrides choose the county, policy and calendar the data
come from (``county=yishui calendar.start_date=2024-01-01``). It writes into its output
directory (``hydra.run.dir``, by default ``results/calibrations/<time>``):

* ``configs/workload/calibrated.yaml`` — the composed workload with the calibrated rates,
  selected by ``tsim --config-dir <dir>/configs workload=calibrated``;
* ``calibration.json`` — ``data`` and ``data_sha256`` (the counts file, and a hash of
  its contents: which data the rates come from), ``rates`` (key → ``value``,
  ``ci_low``, ``ci_high``, …), ``unidentified`` (keys and why), ``fit``
  (``inside_share`` …) and ``config`` (the file and the overrides that select it);
* ``fit.csv`` (one row per township, stream and period), ``fit_county.csv`` and
  ``fit.png`` — the fit check (:mod:`sim.calibrate.fit`).

Exit code 0; 2 with one line on a bad file or configuration.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from sim.calibrate.inputs import check_inputs
from sim.cli.common import one_line_errors, plain, run_cli, run_hydra
from sim.config import ConfigError

USAGE = "usage: tsim-calibrate FILE [overrides…]  (FILE: township,stream,period_start,…)"


def task(data: str) -> Callable[[DictConfig], None]:
    """The Hydra task that calibrates the composed config to the counts in ``data``."""

    @one_line_errors("tsim-calibrate")
    def app(cfg: DictConfig) -> None:
        """Calibrate to ``data`` (Hydra calls this)."""
        from sim.calibrate.calibration import calibrate  # scipy.stats, pandas: only here

        hc = HydraConfig.get()
        if hc.mode == RunMode.MULTIRUN:
            raise ConfigError("calibrates one scenario; drop -m/--multirun")
        out = Path(hc.runtime.output_dir)
        done = calibrate(cfg, data, out)
        print(_table(done))
        print(f"fit: {done['fit']['inside_share']:.0%} of township periods inside the band")
        print(f"use it: {done['config']['command']}")
        print(f"results: {out}")

    return app


def _table(done: dict[str, Any]) -> str:
    lines = [f"{'key':52} {'value':>10} {'95% CI':>24}"]
    for key, r in done["rates"].items():
        ci = f"{r['ci_low']:.4g} – {r['ci_high']:.4g}"
        lines.append(f"{key:52} {r['value']:>10.4g} {ci:>24}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``tsim-calibrate``: FILE first, then any ``tsim`` overrides."""
    return run_cli("tsim-calibrate", _calibrate, argv)


def _calibrate(args: list[str]) -> int:
    if any(a in ("-h", "--help") for a in args):
        print(f"{USAGE}\n\n{plain(__doc__ or '')}")
        print("Overrides: every tsim override works (tsim --help lists the groups and keys).")
        return 0
    file = _data_file(args)
    if file is None and "--hydra-help" not in args:
        print(USAGE, file=sys.stderr)
        return 2
    rest = [a for i, a in enumerate(args) if i != file]
    if not any(a.startswith("hydra.run.dir=") for a in rest):
        rest.append("hydra.run.dir=results/calibrations/${now:%Y-%m-%d_%H-%M-%S}")
    data = "" if file is None else args[file]
    # What calibrate() begins with, checked on the trial composition: a bad scenario or
    # counts file is one line before the calibration loads scipy.stats and pandas, and
    # before Hydra makes the output directory. A sweep is the task's to refuse.
    sweep = {"-m", "--multirun"} & set(rest)
    check = None if sweep else lambda cfg: check_inputs(cfg, data)
    run_hydra("tsim-calibrate", task(data), rest, check=check)
    return 0


VALUE_OPTIONS = ("-cd", "--config-dir", "-cp", "--config-path", "-cn", "--config-name")


def _data_file(args: list[str]) -> int | None:
    """Index of the first argument that is neither an option, an option's value nor an
    override.
    """
    skip = False
    for i, a in enumerate(args):
        if skip:
            skip = False
        elif a in VALUE_OPTIONS:
            skip = True
        elif "=" not in a and not a.startswith("-"):
            return i
    return None


if __name__ == "__main__":
    sys.exit(main())

"""``tsim-calibrate FILE [overrides]``: observed counts → a calibrated workload preset.

A Hydra app over the same config tree as ``tsim``: the overrides choose the county,
policy and calendar the data come from (``county=yishui calendar.start_date=2024-01-01``).
It writes into its output directory (``hydra.run.dir``, by default
``results/calibrations/<time>``):

* ``configs/workload/calibrated.yaml`` — the composed workload with the calibrated rates,
  selected by ``tsim --config-dir <dir>/configs workload=calibrated``;
* ``calibration.json`` — ``rates`` (key → ``value``, ``ci_low``, ``ci_high``, …),
  ``unidentified`` (keys and why), ``fit`` (``inside_share`` …) and ``config`` (the file
  and the overrides that select it);
* ``fit.csv`` (one row per township, stream and period), ``fit_county.csv`` and
  ``fit.png`` — the fit check (:mod:`sim.calibrate.fit`).

Exit code 0; 2 with one line on a bad file or configuration.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from .. import preflight
from ..cli_common import one_line_errors, plain, run_cli, run_hydra
from ..config import ConfigError, load_scenario
from ..results import atomic_write
from .fit import fit_check, plot
from .observed import read_counts
from .rates import estimate
from .seasons import fit_profiles

PRESET = "calibrated"
USAGE = "usage: tsim-calibrate FILE [overrides…]  (FILE: township,stream,period_start,…)"


def calibrate(cfg: DictConfig, data: str, out: Path) -> dict[str, Any]:
    """Calibrate the composed config ``cfg`` to the counts in ``data``; write into ``out``."""
    scenario = load_scenario(cfg)
    preflight.check_scenario(scenario)  # calibration prints no warnings, only refuses
    if scenario.run.replications < 2:
        raise ConfigError("run.replications = 1: the fit check needs ≥ 2 replications")
    periods = read_counts(data, scenario)
    est = estimate(scenario, periods)
    fit_profiles(scenario, periods, est)
    workload = OmegaConf.to_container(cfg.workload, resolve=True)
    assert isinstance(workload, dict)
    for key, value in est.values().items():
        _, stream, name = key.split(".")
        workload[stream][name] = value
    for stream, profile in est.profiles.items():
        workload[stream]["monthly_profile"] = profile
    preset = out / "configs" / "workload" / f"{PRESET}.yaml"
    preset.parent.mkdir(parents=True, exist_ok=True)
    header = f"# Calibrated by tsim-calibrate from {data} (see calibration.json).\n"
    preset.write_text(header + yaml.safe_dump(workload, sort_keys=False, allow_unicode=True))

    fitted = OmegaConf.merge(cfg, {"workload": workload})
    assert isinstance(fitted, DictConfig)
    horizon = max(p.last_day for p in periods)
    OmegaConf.update(fitted, "run", {"warmup_days": 0, "horizon_days": horizon, "timeseries": True})
    calibrated = load_scenario(fitted)
    preflight.check_scenario(calibrated)
    fit = fit_check(calibrated, periods)
    fit.table.to_csv(out / "fit.csv", index=False)
    fit.county.to_csv(out / "fit_county.csv", index=False)
    figure = plot(fit, out / "fit.png")

    summary = {
        "data": str(data),
        "rates": {
            r.key: {
                "value": r.value,
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "observed": r.observed,
                "method": r.method,
            }
            for r in est.rates
        },
        "unidentified": [{"keys": u.keys, "why": u.why} for u in est.unidentified],
        "fit": {
            "inside_share": fit.inside_share,
            "rows": len(fit.table),
            "replications": fit.replications,
            "level": fit.level,
            "table": "fit.csv",
            "county_table": "fit_county.csv",
            "figure": figure.name,
        },
        "config": {
            "file": str(preset),
            "config_dir": str(preset.parent.parent),
            "override": f"workload={PRESET}",
            "command": f"tsim --config-dir {preset.parent.parent} workload={PRESET}",
        },
    }
    _write_json(out / "calibration.json", summary)
    return summary


def _write_json(path: Path, obj: Any) -> None:
    """Write atomically: a reader never sees half a calibration.json."""
    text = json.dumps(obj, indent=1, ensure_ascii=False)
    atomic_write(path, lambda p: p.write_text(text))


def task(data: str) -> Callable[[DictConfig], None]:
    """The Hydra task that calibrates the composed config to the counts in ``data``."""

    @one_line_errors("tsim-calibrate")
    def app(cfg: DictConfig) -> None:
        """Calibrate to ``data`` (Hydra calls this)."""
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
    run_hydra("tsim-calibrate", task("" if file is None else args[file]), rest)
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

"""Observed counts → a calibrated workload preset (what ``tsim-calibrate`` writes).

:func:`calibrate` works on a config composed as ``tsim`` composes one: the overrides
choose the county, policy and calendar the data come from (``county=yishui
calendar.start_date=2024-01-01``). It writes into its output directory
(``hydra.run.dir``, by default ``results/calibrations/<time>``):

* ``configs/workload/calibrated.yaml`` — the composed workload with the calibrated rates,
  selected by ``tsim --config-dir <dir>/configs workload=calibrated``;
* ``calibration.json`` — ``data`` and ``data_sha256`` (the counts file, and a hash of
  its contents: which data the rates come from), ``rates`` (key → ``value``,
  ``ci_low``, ``ci_high``, …), ``unidentified`` (keys and why), ``fit``
  (``inside_share`` …) and ``config`` (the file and the overrides that select it);
* ``fit.csv`` (one row per township, stream and period), ``fit_county.csv`` and
  ``fit.png`` — the fit check (:mod:`sim.calibrate.fit`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from omegaconf import DictConfig, OmegaConf

from sim.calibrate.fit import fit_check, plot
from sim.calibrate.inputs import check_inputs
from sim.calibrate.observed import Period, read_counts
from sim.calibrate.rates import check_ranges, estimate
from sim.calibrate.seasons import fit_profiles
from sim.config import ConfigError, Scenario, load_scenario
from sim.run import guard
from sim.run.results import atomic_write

PRESET = "calibrated"


def calibrate(cfg: DictConfig, data: str, out: Path) -> dict[str, Any]:
    """Calibrate the composed config ``cfg`` to the counts in ``data``; write into ``out``."""
    scenario, digest = check_inputs(cfg, data)
    periods = read_counts(data, scenario)
    est = estimate(scenario, periods)
    check_ranges(scenario, periods, est, data)
    fit_profiles(scenario, periods, est)
    workload = OmegaConf.to_container(cfg.workload, resolve=True)
    assert isinstance(workload, dict)
    for key, value in est.values().items():
        _, stream, name = key.split(".")
        workload[stream][name] = value
    for stream, profile in est.profiles.items():
        workload[stream]["monthly_profile"] = profile
    calibrated = _fit_scenario(cfg, workload, periods)  # refused before a file is written
    preset = out / "configs" / "workload" / f"{PRESET}.yaml"
    preset.parent.mkdir(parents=True, exist_ok=True)
    header = (
        f"# Calibrated by tsim-calibrate from {data} (sha256 {digest[:16]}; "
        "see calibration.json).\n"
    )
    preset.write_text(header + yaml.safe_dump(workload, sort_keys=False, allow_unicode=True))

    fit = fit_check(calibrated, periods)
    fit.table.to_csv(out / "fit.csv", index=False)
    fit.county.to_csv(out / "fit_county.csv", index=False)
    figure = plot(fit, out / "fit.png")

    summary = {
        "data": str(data),
        "data_sha256": digest,
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


def _fit_scenario(cfg: DictConfig, workload: dict[Any, Any], periods: list[Period]) -> Scenario:
    """The calibrated scenario the fit check simulates, from ``calendar.start_date`` to the
    end of the last period, once it passes the run-size guard.
    """
    fitted = OmegaConf.merge(cfg, {"workload": workload})
    assert isinstance(fitted, DictConfig)
    horizon = max(p.last_day for p in periods)
    OmegaConf.update(fitted, "run", {"warmup_days": 0, "horizon_days": horizon, "timeseries": True})
    calibrated = load_scenario(fitted)
    try:
        guard.check_scenario(calibrated)
    except ConfigError as err:
        raise ConfigError(
            f"the fit check simulates the {horizon} working days from calendar.start_date to "
            f"the last period's end: {err}"
        ) from None
    return calibrated


def _write_json(path: Path, obj: Any) -> None:
    """Write atomically: a reader never sees half a calibration.json."""
    text = json.dumps(obj, indent=1, ensure_ascii=False)
    atomic_write(path, lambda p: p.write_text(text))

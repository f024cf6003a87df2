"""Which assumption matters most? One-at-a-time ±x% and a tornado (``tsim-sensitivity``).

:func:`analyse` lowers and raises each chosen parameter by ``delta``, one at a time,
under common random numbers, and ranks the parameters by the swing of their paired
effects on one KPI; :mod:`sim.cli.sensitivity` is the command and says more.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omegaconf import DictConfig, OmegaConf

from sim.analysis.stats import CI, confidence_interval, paired_difference
from sim.config import ConfigError, load_scenario
from sim.run import guard
from sim.run.results import atomic_write

if TYPE_CHECKING:  # pandas, SimPy, matplotlib: imported where the study runs and draws,
    import pandas as pd  # so that tsim-sensitivity checks a study without them


@dataclass(frozen=True)
class Study:
    """What to move, by how much, and what to watch."""

    kpi: str
    params: list[str]
    delta: float = 0.1


@dataclass(frozen=True)
class Move:
    """A parameter's base value and the two values it is moved to."""

    key: str
    base: float
    low: float
    high: float


def move(cfg: DictConfig, key: str, delta: float) -> Move:
    """The values ``key`` takes: ``base × (1 ± delta)``, whole numbers at least ±1."""
    if OmegaConf.select(cfg, key, default="<absent>") == "<absent>":
        raise ConfigError(f"--params {key}: no such key in the composed config")
    value = OmegaConf.select(cfg, key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"--params {key} = {value!r}: not a number")
    if value == 0:
        raise ConfigError(f"--params {key} = 0: ±{delta:.0%} of 0 is 0; choose a non-zero key")
    if isinstance(value, int):
        low = min(math.floor(value * (1 - delta)), value - 1)
        high = max(math.ceil(value * (1 + delta)), value + 1)
        return Move(key, value, low, high)
    # 12 significant digits: 0.05 × 0.9 is 0.045 in the table, not 0.045000000000000005.
    return Move(
        key, value, float(f"{value * (1 - delta):.12g}"), float(f"{value * (1 + delta):.12g}")
    )


def _scenario(cfg: DictConfig, key: str | None = None, value: float | None = None) -> Any:
    moved = copy.deepcopy(cfg)
    if key is not None:
        OmegaConf.update(moved, key, value)
    try:
        s = load_scenario(moved)
        guard.check_scenario(s)  # the study prints no warnings, only refuses
        return s
    except ConfigError as err:
        if key is None:
            raise
        raise ConfigError(f"moving {key} to {value:g}: {err}") from None


def _kpi(out: Any, kpi: str) -> pd.Series:
    table = out.replications
    if kpi not in table.columns:
        close = difflib.get_close_matches(kpi, list(table.columns), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ConfigError(f"--kpi {kpi}: no such metric in summary.json{hint}")
    return table[kpi]


def check(cfg: DictConfig, study: Study) -> list[Move]:
    """The study's moves, each moved scenario validated (one line on the first error)."""
    if not 0.0 < study.delta < 1.0:
        raise ConfigError(f"--delta {study.delta:g}: must be > 0 and < 1 (0.1 is ±10%)")
    if not study.params:
        raise ConfigError("--params: name at least one numeric config key")
    _scenario(cfg)  # the base itself first
    moves = [move(cfg, key, study.delta) for key in study.params]
    for m in moves:
        _scenario(cfg, m.key, m.low)
        _scenario(cfg, m.key, m.high)
    return moves


def prepared(cfg: DictConfig, study: Study) -> tuple[DictConfig, list[Move]]:
    """The config the study runs (without the daily series: it reads one KPI) and its
    moves, each moved scenario validated (one line on the first error).
    """
    cfg = copy.deepcopy(cfg)
    OmegaConf.update(cfg, "run.timeseries", False)
    return cfg, check(cfg, study)


def analyse(cfg: DictConfig, study: Study, out_dir: Path, say: Any = print) -> dict[str, Any]:
    """Run the base scenario and every move; write the table, JSON and tornado chart."""
    from sim.run import engine

    cfg, moves = prepared(cfg, study)  # every moved value valid before anything runs
    total = 1 + 2 * len(moves)
    say(f"run 1/{total}: base")
    base = _kpi(engine.run(_scenario(cfg)), study.kpi)
    rows = []
    for i, m in enumerate(moves):
        values = {}
        for j, (end, value) in enumerate((("low", m.low), ("high", m.high))):
            say(f"run {2 + 2 * i + j}/{total}: {m.key}={value:g}")
            values[end] = _kpi(engine.run(_scenario(cfg, m.key, value)), study.kpi)
        rows.append(_row(m, base, values["low"], values["high"]))
    rows.sort(key=lambda r: -abs(r["swing"]["mean"] or 0.0))
    base_ci = confidence_interval(base)
    return _write(out_dir, study, base_ci, rows)


def _row(m: Move, base: pd.Series, low: pd.Series, high: pd.Series) -> dict[str, Any]:
    return {
        "key": m.key,
        "label": f"{m.key} ({m.low:g} … {m.high:g})",
        "base_value": m.base,
        "low_value": m.low,
        "high_value": m.high,
        "low": paired_difference(low, base),
        "high": paired_difference(high, base),
        "swing": paired_difference(high, low),
    }


def _write(out: Path, study: Study, base: CI, rows: list[dict[str, Any]]) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    flat = [
        {
            "parameter": r["key"],
            "base_value": r["base_value"],
            "low_value": r["low_value"],
            "high_value": r["high_value"],
            **{f"{end}_{k}": r[end][k] for end in ("low", "high", "swing") for k in CI_KEYS},
        }
        for r in rows
    ]
    import pandas as pd

    from sim.sensitivity.tornado import tornado

    pd.DataFrame(flat).to_csv(out / "sensitivity.csv", index=False)
    figure = tornado(rows, study.kpi, base["mean"], out / "tornado.png")
    summary = {
        "kpi": study.kpi,
        "delta": study.delta,
        "base": base,
        "parameters": [{k: v for k, v in r.items() if k != "label"} for r in rows],
        "table": "sensitivity.csv",
        "figure": figure.name,
    }
    text = json.dumps(summary, indent=1, ensure_ascii=False)
    atomic_write(out / "sensitivity.json", lambda p: p.write_text(text))
    return summary


CI_KEYS = ("mean", "ci_low", "ci_high")

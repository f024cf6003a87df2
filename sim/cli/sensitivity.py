"""``tsim-sensitivity``: which assumption matters most? One-at-a-time ±x% and a tornado.

Each chosen numeric parameter is lowered and raised by ``--delta`` (a fraction: 0.1 is
±10%; whole-number keys move by at least 1), one at a time, with every other key at the
base scenario's value. All runs share the seed, so replication k of every run sees the
same arrivals (common random numbers) and each effect is a **paired** difference
against the base run, with its 95% CI (:func:`sim.analysis.stats.paired_difference`). The
parameters are ranked by their swing (raised − lowered); the tornado chart draws them,
largest on top.

    tsim-sensitivity --kpi county.enforcement.backlog_mean
        --params workload.enforcement.refer_up_share,policy.escalation.review_days
        [--delta 0.1] [--study FILE] [tsim overrides…]

``--study FILE`` reads the same settings (``kpi``, ``delta``, ``params``, ``overrides``)
from a YAML file (a ready study: ``experiments/enforcement_sensitivity/study.yaml``);
options on the command line win. Writes ``sensitivity.csv``, ``sensitivity.json`` and
``tornado.png`` into ``hydra.run.dir`` (by default ``results/sensitivity/<time>``).
It is one-at-a-time: interactions between parameters are not measured.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.analysis import glossary
from sim.cli.common import OneLineParser, one_line_errors, plain, run_cli, run_hydra
from sim.config import ConfigError
from sim.core import registry
from sim.sensitivity.oat import Study, analyse, prepared

if TYPE_CHECKING:
    from sim.analysis.stats import CI


def task(study: Study) -> Callable[[DictConfig], None]:
    """The Hydra task that runs ``study`` on the composed config."""

    @one_line_errors("tsim-sensitivity")
    def app(cfg: DictConfig) -> None:
        """Run the study (Hydra calls this)."""
        out = Path(HydraConfig.get().runtime.output_dir)
        done = analyse(cfg, study, out)
        print(f"{done['kpi']} at the base: {done['base']['mean']:.4g}; effects (paired 95% CI):")
        for p in done["parameters"]:
            lo, hi = p["low"], p["high"]
            print(
                f"  {p['key']}: lowered {lo['mean']:+.4g} [{_ci(lo)}], "
                f"raised {hi['mean']:+.4g} [{_ci(hi)}]"
            )
        print(f"results: {out}")

    return app


def _ci(e: CI) -> str:
    if e["ci_low"] is None:
        return "n < 2"
    return f"{e['ci_low']:+.3g}, {e['ci_high']:+.3g}"


OWN_FLAGS = ("--study", "--kpi", "--params", "--delta")
"""The options _parse reads before the rest goes to Hydra."""


def _parse(argv: list[str]) -> tuple[Study, list[str]]:
    ap = OneLineParser(prog="tsim-sensitivity", description=__doc__.splitlines()[0], add_help=False)
    ap.add_argument("--study", type=Path)
    ap.add_argument("--kpi")
    ap.add_argument("--params", action="append", default=[])
    ap.add_argument("--delta", type=float)
    args, rest = ap.parse_known_args(argv)
    spec: dict[str, Any] = {}
    if args.study is not None:
        try:
            spec = yaml.safe_load(args.study.read_text()) or {}
        except (OSError, yaml.YAMLError) as err:
            raise ConfigError(f"--study {args.study}: {str(err).splitlines()[0]}") from None
        _check_study(args.study, spec)
    params = [p for arg in args.params for p in arg.split(",") if p] or spec.get("params", [])
    kpi = args.kpi or spec.get("kpi")
    if not kpi:
        raise ConfigError("--kpi: name the metric to watch, e.g. county.enforcement.backlog_mean")
    _check_kpi(kpi)
    delta = args.delta if args.delta is not None else float(spec.get("delta", 0.1))
    overrides = [str(o) for o in spec.get("overrides", [])]
    return Study(kpi, list(params), delta), overrides + rest


STUDY_KEYS: dict[str, type | tuple[type, ...]] = {
    "kpi": str,
    "delta": (int, float),
    "params": list,
    "overrides": list,
}
"""What a study file may hold, and each key's type (lists hold strings)."""
KINDS: dict[object, str] = {str: "a string", list: "a list of strings"}


def _check_study(path: Path, spec: Any) -> None:
    """One line for a study file that is not a mapping of the known keys and types."""
    if not isinstance(spec, dict):
        raise ConfigError(f"--study {path}: must be a mapping of {', '.join(STUDY_KEYS)}")
    for key, value in spec.items():
        if key not in STUDY_KEYS:
            raise ConfigError(f"--study {path}: unknown key {key!r} ({', '.join(STUDY_KEYS)})")
        wanted = STUDY_KEYS[key]
        bad = not isinstance(value, wanted) or isinstance(value, bool)
        if wanted is list and not bad:
            bad = not all(isinstance(v, str) for v in value)
        if bad:
            kind = (
                "a list of strings"
                if wanted is list
                else "a string"
                if wanted is str
                else "a number"
            )
            raise ConfigError(f"--study {path}: {key} = {value!r}: must be {kind}")


def _check_kpi(kpi: str) -> None:
    """Refuse a KPI the glossary does not know before the base run simulates anything
    (a township's or pool's name is checked once the run's summary names them).
    """
    documented = {e.name for e in glossary.entries()}
    scope, _, rest = kpi.partition(".")
    if scope and rest and glossary.pattern_of(kpi) in documented:
        return
    ids = [s.id for s in registry.streams()]
    names = [n.replace(glossary.STREAM, i) for n in sorted(documented) for i in ids]
    known = [f"county.{n}" for n in dict.fromkeys(names)]
    close = difflib.get_close_matches(f"county.{rest}" if rest else kpi, known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise ConfigError(
        f"--kpi {kpi}: no such metric (SCOPE.NAME, e.g. county.enforcement.backlog_mean; "
        f"the README's glossary lists them){hint}"
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``tsim-sensitivity``."""
    return run_cli("tsim-sensitivity", _sensitivity, argv)


def _sensitivity(args: list[str]) -> int:
    if any(a in ("-h", "--help") for a in args):
        print(plain(__doc__ or ""))
        return 0
    study, rest = _parse(args)
    if not any(a.startswith("hydra.run.dir=") for a in rest):
        rest.append("hydra.run.dir=results/sensitivity/${now:%Y-%m-%d_%H-%M-%S}")
    # The study is checked on the trial composition: a bad value is one line before
    # the runs load pandas, SimPy and matplotlib, and leaves no output directory.
    run_hydra(
        "tsim-sensitivity",
        task(study),
        rest,
        check=lambda cfg: prepared(cfg, study),
        own_flags=OWN_FLAGS,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

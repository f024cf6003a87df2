"""``tsim``: the Hydra application that simulates one composed scenario.

A single run simulates ``run.replications`` replications and writes one run directory
(``hydra.run.dir``, by default under ``results/runs/``); ``tsim -m …`` writes one per job
under ``hydra.sweep.dir``. Bad configuration stops a single run before any simulation
with one line naming the key, the value and the allowed range.

In a sweep, nothing is lost: a job whose directory already holds a complete result for
the same configuration is skipped (re-running an interrupted sweep redoes only what is
unfinished), and a job that fails records ``error.json`` and lets the others finish.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from sim.cli.common import CONFIG_DIR, run_cli, run_hydra, unwritable_one_line
from sim.config import ConfigError, Scenario, config_hash, load_scenario
from sim.report.table import scope_table
from sim.run import guard, precision, progress, results, seeding, sweepdir

__all__ = ["CONFIG_DIR", "app", "main"]


@unwritable_one_line("tsim")
def app(cfg: DictConfig) -> None:
    """Run one scenario, or one job of a sweep (Hydra calls this)."""
    from sim.run import engine  # pandas and SimPy: here, so that help and errors come at once

    hc = HydraConfig.get()
    run_dir = Path(hc.runtime.output_dir)
    sweeping = hc.mode == RunMode.MULTIRUN
    overrides = _task_overrides(hc)
    try:
        scenario = load_scenario(cfg)
        warnings = guard.check_scenario(scenario)
        if sweeping:
            scenario = seeding.job_seed(scenario, overrides)
        # Once: job.json and summary.json carry the same hash of the input files as they
        # are now, even if one is edited while the job runs.
        key = config_hash(scenario)
    except ConfigError as err:
        if not sweeping:
            print(f"tsim: configuration error: {err}", file=sys.stderr)
            sys.exit(2)
        results.write_error(run_dir, err, overrides)
        sweepdir.record_invalid(run_dir, overrides, Path(hc.sweep.dir))
        raise
    for line in warnings:
        print(f"tsim: warning: {line}", file=sys.stderr)
    sweep_dir = Path(hc.sweep.dir) if sweeping else None
    job = _job_record(run_dir, key, scenario, overrides, sweep_dir)
    if sweepdir.begin(run_dir, *job) and sweeping:
        print(f"tsim: {run_dir} is complete for this configuration; skipped")
        return
    try:
        out = engine.run(
            scenario,
            progress.replications(
                _label(scenario, hc, sweeping),
                precision.most_replications(scenario.run),
                Path(hc.sweep.dir) / ".progress" if sweeping else None,
            ),
        )
        summary = results.write_run(
            run_dir,
            out,
            seed=scenario.run.seed,
            replications=len(out.replications),
            config_hash=key,
            replication_rule=precision.rule_of(scenario.run),
        )
    except Exception as exc:
        with contextlib.suppress(OSError):  # a full disk: the first failure is the news
            results.write_error(run_dir, exc, overrides)
        raise
    if sweeping:  # one line a job; tsim-report compares them at the end
        print(
            f"{_label(scenario, hc, sweeping)}: done in {out.meta['sim_seconds']:.1f} s "
            f"→ {summary.parent}"
        )
        return
    done = results.read_summary(run_dir)
    print(
        f"county summary ({scenario.county.name}, policy {scenario.policy.name}, "
        f"{done['replications']} replications, {scenario.run.horizon_days:g} "
        f"working days, mean ±95% CI):"
    )
    print(scope_table(done))
    print(f"results: {summary.parent}")


def _job_record(
    run_dir: Path, key: str, scenario: Scenario, overrides: list[str], sweep_dir: Path | None
) -> tuple[sweepdir.JobRecord, Path]:
    """What the job directory is meant to hold, and where stale results go (the sweep's
    quarantine, or the run directory's own for a single run).
    """
    sweep = sweepdir.current_sweep(sweep_dir) if sweep_dir else None
    if sweep:
        sweepdir.watch_parent(int(sweep["pid"]))
    record = sweepdir.JobRecord(
        key,
        precision.rule_of(scenario.run),
        overrides,
        sweep["id"] if sweep else None,
    )
    return record, (sweep_dir or run_dir) / sweepdir.STALE


def _label(scenario: Scenario, hc: Any, sweeping: bool) -> str:
    if not sweeping:
        return scenario.policy.name
    return f"{progress.job_position(hc)} {','.join(_task_overrides(hc))}"


def _task_overrides(hc: Any) -> list[str]:
    """The overrides as typed (unresolved: ``run.seed='${oops}'`` is the config's error
    to report, not a crash of reading the command line back).
    """
    typed = OmegaConf.to_container(hc.overrides.task, resolve=False)
    assert isinstance(typed, list)
    return [str(o) for o in typed]


def check_config(cfg: DictConfig) -> None:
    """What :func:`app` checks before it simulates, for the checks of a whole sweep."""
    guard.check_scenario(load_scenario(cfg))


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``tsim``: the pre-flight checks, then the Hydra app; Ctrl-C ends
    it with one line (the run directory then has no ``summary.json``, so it reads as
    unfinished and a re-run redoes it).
    """
    return run_cli(
        "tsim",
        _tsim,
        argv,
        interrupted="interrupted; unfinished runs have no summary.json",
    )


def _tsim(args: list[str]) -> int:
    """Run tsim; a sweep whose jobs fail while running (each recorded in its
    ``error.json``, the others finished) ends with one line and status 1.
    """
    if not {"-m", "--multirun"} & set(args):
        run_hydra("tsim", app, args, check=check_config)
        return 0
    try:
        run_hydra("tsim", app, args, check=check_config)
    except (ConfigError, OSError):  # run_cli's to report
        raise
    except Exception as exc:  # the first failed job's, raised once the sweep is done
        print(
            f"tsim: a job of the sweep failed ({type(exc).__name__}: {exc}); its "
            "error.json holds the traceback, tsim-report compares the others",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

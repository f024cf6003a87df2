"""The seed a sweep's job draws from.

With common random numbers (the default) every job of a sweep uses ``run.seed``, so
replication k of any two jobs shares its arrivals. With them off, each job draws from a
seed of its own, derived from the base seed and its overrides, so that re-running the
job (or extending it, as ``tsim-select`` does) gives the same numbers.
"""

from __future__ import annotations

import hashlib

from sim.config import Scenario, replace

SPEED_ONLY = ("run.jobs",)
"""Overrides that change how fast a job runs, not its numbers: its seed ignores them."""


def job_seed(scenario: Scenario, overrides: list[str]) -> Scenario:
    """The scenario with the seed its sweep job draws from."""
    if scenario.run.common_random_numbers:
        return scenario
    drawn = [o for o in overrides if o.split("=", 1)[0].lstrip("+~") not in SPEED_ONLY]
    key = f"{scenario.run.seed}|{'|'.join(sorted(drawn))}".encode()
    seed = int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little") >> 1
    return replace(scenario, run=replace(scenario.run, seed=seed))

"""The seed a sweep's job draws from.

With common random numbers (the default) every job of a sweep uses ``run.seed``, so
replication k of any two jobs shares its arrivals. With them off, each job draws from a
seed of its own, derived from the base seed and its overrides, so that re-running the
job (or extending it, as ``tsim-select`` does) gives the same numbers.
"""

from __future__ import annotations

import hashlib

from sim.config import Scenario, replace


def job_seed(scenario: Scenario, overrides: list[str]) -> Scenario:
    """The scenario with the seed its sweep job draws from."""
    if scenario.run.common_random_numbers:
        return scenario
    key = f"{scenario.run.seed}|{'|'.join(sorted(overrides))}".encode()
    seed = int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little") >> 1
    return replace(scenario, run=replace(scenario.run, seed=seed))

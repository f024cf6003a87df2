"""Seeded random streams: one independent numpy Generator per named source.

A stream is keyed by ``(seed, replication, name)``; the name (e.g.
``"town_1/services/arrivals"``) is hashed into the ``SeedSequence`` entropy, so adding a
new source of randomness never reshuffles the existing ones, and replication ``k`` of
every policy draws the same arrivals and the same item attributes (common random
numbers). Nothing else in the package creates random numbers.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

from sim.core.settings import Dist


def _name_key(name: str) -> list[int]:
    digest = hashlib.blake2b(name.encode(), digest_size=16).digest()
    return [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]


def stream(seed: int, replication: int, name: str) -> np.random.Generator:
    """The Generator of source ``name`` in replication ``replication``."""
    ss = np.random.SeedSequence([seed & 0xFFFFFFFF, seed >> 32, replication, *_name_key(name)])
    return np.random.Generator(np.random.PCG64(ss))


def sibling(rng: np.random.Generator) -> np.random.Generator:
    """An independent stream derived from ``rng``'s seed (not from its state): the same
    sibling whenever and however often it is asked for.
    """
    ss = rng.bit_generator.seed_seq
    assert isinstance(ss, np.random.SeedSequence)
    child = np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, 1))
    return np.random.Generator(np.random.PCG64(child))


def sample(rng: np.random.Generator, d: Dist, n: int) -> np.ndarray:
    """``n`` draws of distribution ``d`` (working hours, all ≥ 0)."""
    if d.mean_h == 0.0 or d.kind == "deterministic":
        return np.full(n, float(d.mean_h))
    if d.kind == "exponential":
        return rng.exponential(d.mean_h, n)
    if d.cv == 0.0:
        return np.full(n, float(d.mean_h))
    if d.kind == "lognormal":
        sigma2 = math.log1p(d.cv * d.cv)
        return rng.lognormal(math.log(d.mean_h) - sigma2 / 2, math.sqrt(sigma2), n)
    if d.kind == "gamma":
        k = 1.0 / (d.cv * d.cv)
        return rng.gamma(k, d.mean_h / k, n)
    raise ValueError(f"unknown distribution kind {d.kind!r}")


def poisson_times(rng: np.random.Generator, rate_per_h: float, horizon_h: float) -> np.ndarray:
    """Arrival times of a Poisson process on ``[0, horizon_h)``."""
    if rate_per_h <= 0.0:
        return np.empty(0)
    expected = rate_per_h * horizon_h
    n = int(expected + 6 * math.sqrt(expected) + 16)
    # At a rate so small that the gaps' sum passes the largest float, the times become
    # infinite: the same "nothing arrives in the horizon", without numpy's warning.
    with np.errstate(over="ignore"):
        times = np.cumsum(rng.exponential(1.0 / rate_per_h, n))
        while times[-1] < horizon_h:  # rare: extend until past the horizon
            more = times[-1] + np.cumsum(rng.exponential(1.0 / rate_per_h, n))
            times = np.concatenate([times, more])
    return times[times < horizon_h]

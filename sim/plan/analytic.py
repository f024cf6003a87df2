"""Queueing formulas used for sizing and for validating the simulator.

M/M/c (Erlang C): arrival rate ``lam``, service rate ``mu`` per server, ``c`` servers,
offered load ``a = lam/mu`` and utilisation ``rho = a/c < 1``.
"""

from __future__ import annotations

import math


def erlang_c(lam: float, mu: float, c: int) -> float:
    """Probability that an arrival has to wait (Erlang C formula)."""
    a = lam / mu
    rho = a / c
    if rho >= 1.0:
        return 1.0
    # Erlang B by the stable recursion, then C from B.
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b / (1.0 - rho * (1.0 - b))


def mmc_wait_mean(lam: float, mu: float, c: int) -> float:
    """Mean time in queue Wq (same time unit as 1/lam)."""
    rho = lam / (c * mu)
    if rho >= 1.0:
        return math.inf
    return erlang_c(lam, mu, c) / (c * mu - lam)


def mmc_in_system_mean(lam: float, mu: float, c: int) -> float:
    """Mean number in system L = lam (Wq + 1/mu) (Little's law)."""
    return lam * (mmc_wait_mean(lam, mu, c) + 1.0 / mu)


def mmc_utilisation(lam: float, mu: float, c: int) -> float:
    """Server utilisation rho = lam / (c mu)."""
    return lam / (c * mu)


def mmc_servers_for_wait(lam: float, mu: float, max_wait: float) -> int:
    """Smallest number of servers ``c`` whose mean wait Wq is at most ``max_wait``
    (0 when nothing arrives; always more than the offered load ``lam/mu``).
    """
    if lam <= 0.0:
        return 0
    c = max(1, math.floor(lam / mu) + 1)
    while mmc_wait_mean(lam, mu, c) > max_wait:
        c += 1
    return c


def allen_cunneen(mmc_wait: float, service_scv: float, arrival_scv: float = 1.0) -> float:
    """M/G/c mean wait by the Allen–Cunneen approximation: the M/M/c wait scaled by
    ``(ca² + cs²) / 2`` (squared coefficients of variation of inter-arrival and service
    times; exact for c = 1 with Poisson arrivals, the Pollaczek–Khinchine formula).
    """
    return mmc_wait * (arrival_scv + service_scv) / 2.0


def batch_mates_wait(ahead_h: float, c: int) -> float:
    """Mean wait of an item for the items of its own batch queued ahead of it (M^X/G/c):
    ``ahead_h`` hours of their work, done ``c`` at a time.

    Added to the Allen–Cunneen wait with the batch stream's dispersion as ``ca²``, it
    gives the exact M^X/G/1 wait for one server (Gross & Harris: the per-item wait is
    ``[ρE[S²]/2E[S] + E[S](E[N²] − E[N])/2E[N]] / (1 − ρ)``, of which Allen–Cunneen with
    ``ca² = E[N²]/E[N]`` has all but ``E[S](E[N²] − E[N])/2E[N]``). With ``c`` servers it
    counts every batch-mate ahead as a ``1/c`` share of a server's time, which
    overstates the wait when a batch is small beside ``c`` and the servers idle.
    """
    return ahead_h / c if c > 0 else math.inf


def periodic_release_wait(released: float, other: float, c: int, period: float) -> float:
    """Mean wait added to randomly arriving work when ``released`` staff-hours per hour
    of other work are held and let in together every ``period`` hours (fluid).

    Each release puts ``B = released · period`` hours of work ahead of everything that
    arrives while the ``c`` servers clear it; they clear it at ``c − other`` (what the
    randomly arriving ``other`` load leaves them), so it takes ``τ = B / (c − other)``,
    and work arriving during ``τ`` waits the backlog's share of a server, ``backlog / c``.
    Averaged over the period: ``B τ / (2 c period) = released² · period / (2 c (c − other))``.
    """
    if released <= 0.0 or period <= 0.0:
        return 0.0
    if c <= other:
        return math.inf
    return released * released * period / (2.0 * c * (c - other))


def behind_priority(fifo_wait: float, first: float, c: int) -> float:
    """Mean wait of the low class when ``first`` staff-hours per hour of other work are
    served ahead of it (non-preemptive, ``c`` servers), from the FIFO wait of all.

    Cobham's formula for M/M/c with one service rate: class ``k`` waits
    ``W0 / ((1 − σ_{k−1})(1 − σ_k))`` with ``σ_k`` the utilisation of classes 1..k, and
    FIFO waits ``W0 / (1 − ρ)``; so the last class waits the FIFO wait over ``1 − σ_1``.
    """
    share = first / c if c > 0 else math.inf
    return fifo_wait / (1.0 - share) if share < 1.0 else math.inf

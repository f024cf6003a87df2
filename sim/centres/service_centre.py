"""Service centre (便民服务中心): citizens' and businesses' requests (审批服务).

A request has a category (with its effort and statutory time limit) and a channel: in
person, online (网上办) or through a village proxy (代办) — only in-person requests cost
the applicant a visit, and remote ones take less staff effort (``online_effort_factor``). A share arrives with incomplete materials: the first handling is
a short intake, the applicant comes back after ``return_delay_days`` and the request is
handled in full (a second visit if in person; "最多跑一次" counts these).

Windows are either **dedicated** — one desk per department's categories, staffed
separately, so a request waits for its own window even when another is idle — or one
**pooled** front desk (一窗受理, 无差别受理) where any window takes any category, a little
slower (``pooled_effort_factor``).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..config import ServicesWorkload, WindowsLever
from ..model import Model, Township
from ..station import Desk
from ..streams import poisson_times, sample
from ..work import SERVICES, ArrivalSource, draws
from .teams import cover_gaps, group_by_load, neediest


def build_service_centre(model: Model, tw: Township, cfg: ServicesWorkload,
                         lever: WindowsLever, windows: int) -> Callable:
    """Wire the centre for ``windows`` posts; return where a new window clerk goes."""
    cats = list(cfg.categories.values())
    shares = [c.share for c in cats]
    # Expected work per request of each category: what a desk split must balance.
    work = [c.share * (c.effort.mean_h + cfg.incomplete_share * cfg.incomplete_effort.mean_h)
            for c in cats]
    if lever.mode == "pooled":
        desks = [Desk(model, f"{tw.id}/service")]
        desk_of = [0] * len(cats)
        factor = lever.pooled_effort_factor
    else:
        # A department's window has two clerks where the posts allow (assumption).
        groups = group_by_load(work, min(len(cats), max(1, windows // 2)))
        desks = [Desk(model, f"{tw.id}/service/{i}") for i in range(len(groups))]
        desk_of = [0] * len(cats)
        for d, group in enumerate(groups):
            for c in group:
                desk_of[c] = d
        factor = 1.0
    tw.stations["service"] = desks
    desk_load = [sum(work[c] for c in range(len(cats)) if desk_of[c] == d)
                 for d in range(len(desks))]
    cum_share = np.cumsum(shares)
    limits = [c.time_limit_days for c in cats]
    return_h = model.clock.hours(cfg.return_delay_days)
    remote = cfg.online_share + lever.proxy_share

    def draw(rng, n):
        cat = np.minimum(np.searchsorted(cum_share, rng.random(n), side="right"), len(cats) - 1)
        channel = rng.random(n)
        incomplete = rng.random(n) < cfg.incomplete_share
        by_cat = np.stack([sample(rng, c.effort, n) for c in cats])
        channel_factor = np.where(channel < remote, cfg.online_effort_factor, 1.0) * factor
        effort = by_cat[cat, np.arange(n)] * channel_factor
        intake = sample(rng, cfg.incomplete_effort, n) * channel_factor
        return cat, channel, incomplete, effort, intake

    rows = draws(model.rng(f"{tw.id}/services/attributes"), draw)

    def create(t: float) -> None:
        cat, channel, incomplete, effort, intake = next(rows)
        window = desks[desk_of[cat]]
        if incomplete:
            route = [(window, intake, 1, 0), (None, return_h, 0, 0), (window, effort, 1, 0)]
        else:
            route = [(window, effort, 1, 0)]
        visits = 0 if channel < remote else (2 if incomplete else 1)
        model.new_item(tw.index, SERVICES, t, limits[cat], route, visits)

    rate = model.per_hour(cfg.requests_per_10k_pop_per_day * tw.population / 1e4)
    times = poisson_times(model.rng(f"{tw.id}/services/arrivals"), rate, model.horizon_h)
    ArrivalSource(model.env, times, create)
    cover_gaps(model, desks, lambda d: d.active, lambda d: list(d.free))
    return lambda s: neediest(desks, desk_load).add(s)

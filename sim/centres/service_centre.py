"""Service centre (便民服务中心): citizens' and businesses' requests (审批服务).

A request has a category (with its effort and statutory time limit) and a channel: in
person or online (网上办). A share arrives with incomplete materials: the first handling
is a short intake, the applicant comes back after ``return_delay_days`` and the request
is handled in full — a second visit if in person ("最多跑一次" counts these).
Window staff serve all categories from one line.
"""

from __future__ import annotations

import numpy as np

from ..config import ServicesWorkload
from ..model import Model, Township
from ..streams import poisson_times, sample
from ..work import SERVICES, ArrivalSource, draws


def build_service_centre(model: Model, tw: Township, cfg: ServicesWorkload) -> None:
    window = tw.stations["service"]
    cats = list(cfg.categories.values())
    cum_share = np.cumsum([c.share for c in cats])
    limits = [c.time_limit_days for c in cats]
    return_h = model.clock.hours(cfg.return_delay_days)

    def draw(rng, n):
        cat = np.minimum(np.searchsorted(cum_share, rng.random(n), side="right"), len(cats) - 1)
        online = rng.random(n) < cfg.online_share
        incomplete = rng.random(n) < cfg.incomplete_share
        by_cat = np.stack([sample(rng, c.effort, n) for c in cats])
        effort = by_cat[cat, np.arange(n)]
        intake = sample(rng, cfg.incomplete_effort, n)
        return cat, online, incomplete, effort, intake

    rows = draws(model.rng(f"{tw.id}/services/attributes"), draw)

    def create(t: float) -> None:
        cat, online, incomplete, effort, intake = next(rows)
        if incomplete:
            route = [(window, intake, 1, 0), (None, return_h, 0, 0), (window, effort, 1, 0)]
        else:
            route = [(window, effort, 1, 0)]
        visits = 0 if online else (2 if incomplete else 1)
        model.new_item(tw.index, SERVICES, t, limits[cat], route, visits)

    rate = model.per_hour(cfg.requests_per_10k_pop_per_day * tw.population / 1e4)
    times = poisson_times(model.rng(f"{tw.id}/services/arrivals"), rate, model.horizon_h)
    ArrivalSource(model.env, times, create)

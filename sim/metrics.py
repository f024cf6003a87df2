"""KPIs of one replication, daily time series, and confidence intervals across replications.

Everything is computed after the run from the item records (arrival, first start,
completion, due time) and the pools' busy hours, so the simulation's hot path does no
bookkeeping. The measurement window is ``[warm-up, horizon)``; nothing that happens
before the warm-up ends enters any metric:

* counts (``arrivals``, ``completions``) are events inside the window, and
  ``backlog_start + arrivals = completions + backlog_end`` holds exactly;
* ``backlog_mean`` is the time-average number of items in the system over the window;
* waits and lead times are over items that arrived inside the window and have started
  (waits) or finished (lead times) by the horizon — items still waiting at the end are
  counted by ``backlog_end``, not in these means;
* ``on_time_share`` is over items whose deadline falls inside the window, each of which
  is known by the horizon to be on time or late (no censoring bias).

Metric names are ``<scope>.<stream>.<metric>``; scope is ``county`` (all townships) or a
township id. Units are in the names: ``_h`` working hours, ``_d`` working days,
``_share`` a fraction 0–1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .model import Model
from .work import SERVICES, STREAMS

COUNTY = "county"


@dataclass
class Records:
    """Column arrays of every item of one replication (times in working hours;
    ``start``/``done`` are NaN when the item had not started/finished at the horizon)."""

    township: np.ndarray
    stream: np.ndarray
    arr: np.ndarray
    start: np.ndarray
    done: np.ndarray
    due: np.ndarray
    visits: np.ndarray

    @classmethod
    def of(cls, model: Model) -> "Records":
        rows = [(i.township, i.stream, i.t_arr, i.t_start, i.t_done, i.due, i.visits)
                for i in model.items]
        a = np.array(rows, dtype=float).reshape(-1, 7)
        start, done = a[:, 3].copy(), a[:, 4].copy()
        start[start < 0] = np.nan
        done[done < 0] = np.nan
        return cls(a[:, 0].astype(int), a[:, 1].astype(int), a[:, 2], start, done,
                   a[:, 5], a[:, 6])

    def subset(self, mask: np.ndarray) -> "Records":
        return Records(*(getattr(self, f)[mask] for f in self.__dataclass_fields__))


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if x.size else math.nan


def stream_metrics(r: Records, w: float, h: float) -> dict[str, float]:
    """KPIs of one (scope, stream) over the window ``[w, h)``."""
    done_or_h = np.where(np.isnan(r.done), h, r.done)
    in_window = r.arr >= w
    finished = in_window & ~np.isnan(r.done)
    started = in_window & ~np.isnan(r.start)
    lead = r.done[finished] - r.arr[finished]
    due_in = (r.due >= w) & (r.due < h)
    on_time = due_in & (done_or_h <= r.due)
    overlap = np.clip(np.minimum(done_or_h, h) - np.maximum(r.arr, w), 0.0, None)
    return {
        "arrivals": float(in_window.sum()),
        "completions": float(((r.done >= w) & (r.done < h)).sum()),
        "backlog_start": float(((r.arr < w) & (done_or_h >= w)).sum()),
        "backlog_end": float(np.isnan(r.done).sum()),
        "backlog_mean": float(overlap.sum() / (h - w)),
        "wait_mean_h": _mean(r.start[started] - r.arr[started]),
        "lead_time_mean_h": _mean(lead),
        "lead_time_p90_h": float(np.percentile(lead, 90)) if lead.size else math.nan,
        "on_time_share": float(on_time.sum() / due_in.sum()) if due_in.any() else math.nan,
    }


def replication_metrics(model: Model, rec: Records | None = None) -> dict[str, float]:
    rec = rec or Records.of(model)
    w, h = model.warmup_h, model.horizon_h
    out: dict[str, float] = {}
    scopes = [(COUNTY, np.ones(len(rec.arr), bool))]
    scopes += [(tw.id, rec.township == tw.index) for tw in model.townships]
    for scope, in_scope in scopes:
        for s, name in enumerate(STREAMS):
            sub = rec.subset(in_scope & (rec.stream == s))
            for metric, value in stream_metrics(sub, w, h).items():
                out[f"{scope}.{name}.{metric}"] = value
            if s == SERVICES:
                arrived = sub.arr >= w
                out[f"{scope}.{name}.visits_mean"] = _mean(sub.visits[arrived])
    out.update(utilisation(model))
    return out


def utilisation(model: Model) -> dict[str, float]:
    """Busy share of each pool's staff-hours in the window, per township and county-wide."""
    span = model.horizon_h - model.warmup_h
    busy: dict[str, float] = {}
    avail: dict[str, float] = {}
    for pool, hours in zip(model.pools, model.pool_busy):
        keys = [f"{pool.scope}.staff.{pool.name}.utilisation_share"]
        if pool.scope != COUNTY:
            keys.append(f"{COUNTY}.staff.{pool.name}.utilisation_share")
        for key in keys:
            busy[key] = busy.get(key, 0.0) + hours
            avail[key] = avail.get(key, 0.0) + pool.headcount * span
    return {k: (busy[k] / avail[k] if avail[k] > 0 else math.nan) for k in busy}


def daily_series(model: Model, rec: Records, replication: int) -> pd.DataFrame:
    """Long table: replication, day, township, stream, metric, value for every full
    working day inside the window (``day`` counts working days from the start)."""
    hpd = model.clock.hours_per_day
    d0 = math.ceil(model.warmup_h / hpd)
    d1 = math.floor(model.horizon_h / hpd)
    days = np.arange(d0, d1)
    ends = (days + 1) * hpd
    frames = []
    scopes = [(COUNTY, np.ones(len(rec.arr), bool))]
    scopes += [(tw.id, rec.township == tw.index) for tw in model.townships]
    for scope, in_scope in scopes:
        for s, name in enumerate(STREAMS):
            sub = rec.subset(in_scope & (rec.stream == s))
            arr_day = np.bincount((sub.arr // hpd).astype(int), minlength=d1 + 1)[d0:d1]
            fin = sub.done[~np.isnan(sub.done)]
            done_day = np.bincount((fin // hpd).astype(int), minlength=d1 + 1)[d0:d1]
            backlog = (np.searchsorted(np.sort(sub.arr), ends, side="left")
                       - np.searchsorted(np.sort(fin), ends, side="left"))
            for metric, values in (("arrivals", arr_day), ("completions", done_day),
                                   ("backlog", backlog)):
                frames.append(pd.DataFrame({"day": days, "township": scope, "stream": name,
                                            "metric": metric, "value": values.astype(float)}))
    df = pd.concat(frames, ignore_index=True)
    df.insert(0, "replication", replication)
    return df


def confidence_interval(values, level: float = 0.95) -> dict[str, float | int | None]:
    """Mean and t-based CI across replications (NaN replications are dropped)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return {"mean": None, "ci_low": None, "ci_high": None, "n": 0}
    mean = float(x.mean())
    if n < 2:
        return {"mean": mean, "ci_low": None, "ci_high": None, "n": n}
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return {"mean": mean, "ci_low": mean - half, "ci_high": mean + half, "n": n}

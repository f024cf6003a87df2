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
from operator import attrgetter
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .model import Model
from .work import DELEGATED, DUPLICATE, ENFORCEMENT, GRID, SERVICES, STREAMS

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
    up: np.ndarray  # sent up to the county (NaN if never)
    answer: np.ndarray  # the county's answer (NaN if none yet)
    tag: np.ndarray

    @classmethod
    def of(cls, model: Model) -> "Records":
        items, n = model.items, len(model.items)

        def column(name: str, dtype=float) -> np.ndarray:
            return np.fromiter(map(attrgetter(name), items), dtype, n)

        def time_or_nan(name: str) -> np.ndarray:  # -1 marks "not yet" in the items
            a = column(name)
            a[a < 0] = np.nan
            return a
        return cls(column("township", int), column("stream", int), column("t_arr"),
                   time_or_nan("t_start"), time_or_nan("t_done"), column("due"),
                   column("visits"), time_or_nan("t_up"), time_or_nan("t_answer"),
                   column("tag", int))

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


def _overlap(start: np.ndarray, end: np.ndarray, w: float, h: float) -> float:
    """Total length of the intervals [start, end) inside [w, h) (NaN end = still open)."""
    end = np.where(np.isnan(end), h, end)
    return float(np.clip(np.minimum(end, h) - np.maximum(start, w), 0.0, None).sum())


def _in(t, w: float, h: float):
    t = np.asarray(t, dtype=float)
    return (t >= w) & (t < h)


def replication_metrics(model: Model, rec: Records | None = None) -> dict[str, float]:
    rec = rec or Records.of(model)
    w, h = model.warmup_h, model.horizon_h
    out: dict[str, float] = {}
    returned = np.array(model.returned, dtype=float).reshape(-1, 3)
    seconded = np.array(model.secondments, dtype=float).reshape(-1, 3)
    refused = np.array(model.secondment_refused, dtype=float).reshape(-1, 2)
    unfilled = np.array(model.secondment_unfilled, dtype=float).reshape(-1, 2)
    for scope, township in _scopes(model):
        def mine(a):  # rows of a table whose first column is the township index
            return a if township is None else a[a[:, 0] == township]
        in_scope = _mask(rec, township)
        for s, name in enumerate(STREAMS):
            sub = rec.subset(in_scope & (rec.stream == s))
            for metric, value in stream_metrics(sub, w, h).items():
                out[f"{scope}.{name}.{metric}"] = value
            out.update({f"{scope}.{name}.{k}": v
                        for k, v in _stream_extras(s, sub, w, h).items()})
        ret = mine(returned)
        ret = ret[_in(ret[:, 1], w, h)]
        out[f"{scope}.delegated.returned_count"] = float(len(ret))
        out[f"{scope}.delegated.returned_h"] = float(ret[:, 2].sum())
        sec = mine(seconded)
        out[f"{scope}.staff.seconded_days"] = _overlap(sec[:, 1], np.where(
            np.isinf(sec[:, 2]), np.nan, sec[:, 2]), w, h) / model.clock.hours_per_day
        out[f"{scope}.staff.secondment_refused"] = float(_in(mine(refused)[:, 1], w, h).sum())
        out[f"{scope}.staff.secondment_unfilled"] = float(_in(mine(unfilled)[:, 1], w, h).sum())
    out.update(staff_metrics(model))
    out.update(county_side(model, rec))
    return out


def _mask(rec: Records, township: int | None) -> np.ndarray:
    """Items of one township, or of all (county scope) when ``township`` is None."""
    return np.ones(len(rec.arr), bool) if township is None else rec.township == township


def _scopes(model: Model) -> list[tuple[str, int | None]]:
    return [(COUNTY, None)] + [(tw.id, tw.index) for tw in model.townships]


def _stream_extras(stream: int, r: Records, w: float, h: float) -> dict[str, float]:
    arrived = r.arr >= w
    if stream == SERVICES:
        return {"visits_mean": _mean(r.visits[arrived]),
                "one_visit_share": _mean((r.visits[arrived] <= 1).astype(float))}
    if stream == ENFORCEMENT:
        answered = _in(r.answer, w, h)
        return {"county_waiting_mean": _overlap(r.up[~np.isnan(r.up)],
                                                r.answer[~np.isnan(r.up)], w, h) / (h - w),
                "county_response_mean_h": _mean(r.answer[answered] - r.up[answered])}
    if stream == DELEGATED:
        due_in = (r.due >= w) & (r.due < h)
        late = due_in & ~(np.where(np.isnan(r.done), h, r.done) <= r.due)
        return {"overdue_share": float(late.sum() / due_in.sum()) if due_in.any() else math.nan}
    if stream == GRID:
        return {"duplicates": float((arrived & (r.tag == DUPLICATE)).sum())}
    return {}


def _staff_levels(model: Model) -> np.ndarray:
    """Per pool, the time integrals over the window of (quota, filled, active)."""
    w, h = model.warmup_h, model.horizon_h
    log = np.array(model.staff_log, dtype=float).reshape(-1, 5)
    totals = np.zeros((len(model.pools), 3))
    for i in range(len(model.pools)):
        rows = log[log[:, 1] == i]
        levels = np.cumsum(rows[:, 2:], axis=0)  # after each change
        t = np.clip(np.append(rows[:, 0], h), w, h)
        totals[i] = (levels * np.diff(t)[:, None]).sum(axis=0)
    return totals


def staff_metrics(model: Model) -> dict[str, float]:
    """Utilisation (busy / present staff-hours), headcount and vacancies, per pool and
    township, and county-wide by pool name."""
    span = model.horizon_h - model.warmup_h
    totals = _staff_levels(model)
    sums: dict[str, np.ndarray] = {}  # key → [busy, quota·h, filled·h, active·h]
    for pool, busy, (quota_h, filled_h, active_h) in zip(model.pools, model.pool_busy, totals):
        row = np.array([busy, quota_h, filled_h, active_h])
        keys = [f"{pool.scope}.staff.{pool.name}", f"{pool.scope}.staff"]
        if pool.scope != COUNTY:
            keys += [f"{COUNTY}.staff.{pool.name}", f"{COUNTY}.staff"]
        for key in keys:
            sums[key] = sums.get(key, 0.0) + row
    out = {}
    for key, (busy, quota_h, filled_h, active_h) in sums.items():
        if key.count(".") == 2:  # a pool
            out[f"{key}.utilisation_share"] = busy / active_h if active_h > 0 else math.nan
        out[f"{key}.headcount_mean"] = filled_h / span
        out[f"{key}.vacancies_mean"] = (quota_h - filled_h) / span
    return out


def county_side(model: Model, rec: Records) -> dict[str, float]:
    """The county departments seen from the townships: how fast they answer."""
    w, h = model.warmup_h, model.horizon_h
    answered = _in(rec.answer, w, h)
    response = rec.answer[answered] - rec.up[answered]
    limit = model.clock.hours(model.scenario.policy.escalation.response_limit_days)
    return {
        f"{COUNTY}.county_side.response_mean_h": _mean(response),
        f"{COUNTY}.county_side.response_p90_h":
            float(np.percentile(response, 90)) if response.size else math.nan,
        f"{COUNTY}.county_side.answered_in_limit_share": _mean((response <= limit).astype(float)),
        f"{COUNTY}.county_side.staff": float(model.county_staff),
    }


def daily_series(model: Model, rec: Records, replication: int) -> pd.DataFrame:
    """Long table: replication, day, township, stream, metric, value for every full
    working day inside the window (``day`` counts working days from the start)."""
    hpd = model.clock.hours_per_day
    d0 = math.ceil(model.warmup_h / hpd)
    d1 = math.floor(model.horizon_h / hpd)
    days = np.arange(d0, d1)
    ends = (days + 1) * hpd
    frames = []
    for scope, township in _scopes(model):
        in_scope = _mask(rec, township)
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
    frames += _staff_series(model, days, ends)
    df = pd.concat(frames, ignore_index=True)
    df.insert(0, "replication", replication)
    return df


def _staff_series(model: Model, days: np.ndarray, ends: np.ndarray) -> list[pd.DataFrame]:
    """Headcount (filled posts) and vacancies of each township's pools at each day's end."""
    log = np.array(model.staff_log, dtype=float).reshape(-1, 5)
    levels = {scope: np.zeros((2, len(days))) for scope, _ in _scopes(model)}
    for pool in model.pools:
        if pool.township < 0:
            continue
        rows = log[log[:, 1] == pool.index]
        upto = np.searchsorted(rows[:, 0], ends, side="left")  # changes before the day's end
        quota = np.concatenate([[0], np.cumsum(rows[:, 2])])[upto]
        filled = np.concatenate([[0], np.cumsum(rows[:, 3])])[upto]
        for scope in (COUNTY, pool.scope):
            levels[scope] += [filled, quota - filled]
    return [pd.DataFrame({"day": days, "township": scope, "stream": "staff", "metric": metric,
                          "value": values[i]})
            for scope, values in levels.items()
            for i, metric in enumerate(("headcount", "vacancies"))]


def paired_difference(treatment, baseline, level: float = 0.95) -> dict:
    """CI of the mean of ``treatment - baseline`` replication by replication (common
    random numbers make the pairs share their arrivals, so the CI is narrow)."""
    a, b = np.asarray(treatment, dtype=float), np.asarray(baseline, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired runs need the same replications ({a.size} vs {b.size})")
    return confidence_interval(a - b, level)


QUANTILES = np.linspace(0.0, 1.0, 101)


def lead_time_quantiles(model: Model, rec: Records, replication: int) -> pd.DataFrame:
    """County-wide lead-time percentiles per stream (items arriving in the window and
    finished), enough to draw each policy's lead-time distribution."""
    frames = []
    for s, name in enumerate(STREAMS):
        sel = (rec.stream == s) & (rec.arr >= model.warmup_h) & ~np.isnan(rec.done)
        lead = rec.done[sel] - rec.arr[sel]
        if lead.size:
            frames.append(pd.DataFrame({"stream": name, "quantile": QUANTILES,
                                        "lead_time_h": np.quantile(lead, QUANTILES)}))
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["stream", "quantile", "lead_time_h"])
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

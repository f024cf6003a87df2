"""KPIs of one replication and its daily time series, for every registered stream.

Everything is computed after the run from the item records (arrival, first start,
completion, due time) and the pools' busy hours, so the simulation's hot path does no
bookkeeping. The measurement window is ``[warm-up, horizon)``; nothing that happens
before the warm-up ends enters any metric:

* counts (``arrivals``, ``completions``) are events inside the window, and
  ``backlog_start + arrivals = completions + backlog_end`` holds exactly;
* ``backlog_mean`` is the time-average number of items in the system over the window;
* waits and lead times are over items that arrived inside the window and have started
  (waits) or finished (lead times) by the horizon — items still waiting at the end are
  counted by ``backlog_end``, not in these means; their ``_incl_open`` variants count
  every item that arrived inside the window, an open one with its age at the horizon
  (censored there, so still a lower bound when the backlog grows);
* ``on_time_share`` is over items whose deadline falls inside the window, each of which
  is known by the horizon to be on time or late (no censoring bias).

Metric names are ``<scope>.<stream>.<metric>``; scope is ``county`` (all townships) or a
township id. Units are in the names: ``_h`` working hours, ``_d`` working days,
``_share`` a fraction 0–1. :mod:`sim.analysis.glossary` documents every name (the README
glossary is generated from it).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from sim.core import registry
from sim.core.records import Records, in_window, mean_or_nan, overlap
from sim.model.cost import yearly_pay
from sim.model.state import Model, ReturnedTask, StaffChange, TownshipEvent
from sim.model.surge import surge_cost

if TYPE_CHECKING:
    from sim.model.centres.base import Centre

COUNTY = "county"


def stream_metrics(r: Records, w: float, h: float) -> dict[str, float]:
    """KPIs of one (scope, stream) over the window ``[w, h)``."""
    done_or_h = np.where(np.isnan(r.done), h, r.done)
    arrived = r.arr >= w
    finished = arrived & ~np.isnan(r.done)
    started = arrived & ~np.isnan(r.start)
    lead = r.done[finished] - r.arr[finished]
    start_or_h = np.where(np.isnan(r.start), h, r.start)
    due_in = (r.due >= w) & (r.due < h)
    on_time = due_in & (r.limit_act(h) <= r.due)
    inside = np.clip(np.minimum(done_or_h, h) - np.maximum(r.arr, w), 0.0, None)
    return {
        "arrivals": float(arrived.sum()),
        "completions": float(((r.done >= w) & (r.done < h)).sum()),
        "backlog_start": float(((r.arr < w) & (done_or_h >= w)).sum()),
        "backlog_end": float(np.isnan(r.done).sum()),
        "backlog_mean": float(inside.sum() / (h - w)),
        "wait_mean_h": mean_or_nan(r.start[started] - r.arr[started]),
        "wait_mean_incl_open_h": mean_or_nan(start_or_h[arrived] - r.arr[arrived]),
        "lead_time_mean_h": mean_or_nan(lead),
        "lead_time_mean_incl_open_h": mean_or_nan(done_or_h[arrived] - r.arr[arrived]),
        "lead_time_p90_h": float(np.percentile(lead, 90)) if lead.size else math.nan,
        "on_time_share": float(on_time.sum() / due_in.sum()) if due_in.any() else math.nan,
    }


def open_items_metrics(r: Records, w: float, h: float, hours_per_day: float) -> dict[str, float]:
    """Overload signs of one (scope, stream): how fast the backlog grows and how old
    the unfinished items are (the finished-only waits cannot show either).
    """
    days = np.arange(math.ceil(w / hours_per_day), math.floor(h / hours_per_day)) + 1
    backlog = backlog_at(r, days * hours_per_day)  # at each working day's end in the window
    growth = float(np.polyfit(days, backlog, 1)[0]) if len(days) >= 2 else math.nan
    age = (h - r.arr[np.isnan(r.done)]) / hours_per_day
    return {
        "backlog_growth_per_day": growth,
        "open_age_max_d": float(age.max()) if age.size else 0.0,
        "open_age_mean_d": mean_or_nan(age),
    }


NORMAL_TAIL = 0.25
"""The last quarter of a run's working days sets a stream's normal backlog level."""


def clearing_metrics(
    r: Records, w: float, h: float, hours_per_day: float, report_day: int
) -> dict[str, float]:
    """How a backlog open when the window opens clears (``run.initial_backlog`` places
    its items then). ``days_to_clear`` is the working days from the window's start to the
    first day's end at which the items in the system are at most the stream's normal
    level — their mean over the last quarter of the window's days, when the opening
    backlog has long cleared (an overloaded stream never clears: its level keeps
    rising) — NaN if no day gets there, 0 if the window opens at the level.
    ``backlog_at_report_day`` counts the items in the system at the end of run day
    ``report_day`` (counted from the start, as every day of the configuration is).
    """
    days = np.arange(1, math.floor(h / hours_per_day) + 1)
    backlog = backlog_at(r, days * hours_per_day)
    first = math.ceil(w / hours_per_day)  # index of the window's first full day
    window = backlog[first:]
    tail = window[-max(1, round(NORMAL_TAIL * len(window))) :]
    normal = float(tail.mean()) if tail.size else math.nan
    opening = float(((r.arr < w) & ~(r.done < w)).sum())
    cleared = np.flatnonzero(window <= normal)
    if opening <= normal:
        to_clear = 0.0
    else:
        to_clear = float(days[first + cleared[0]] - w / hours_per_day) if cleared.size else math.nan
    at_day = float(backlog[report_day - 1]) if report_day <= len(backlog) else math.nan
    return {"days_to_clear": to_clear, "backlog_at_report_day": at_day}


def county_queue_metrics(r: Records, w: float, h: float, hours_per_day: float) -> dict[str, float]:
    """A township stream's KPIs of one county queue, but ``on_time_share``: the county's
    own work has no deadline.
    """
    out = {**stream_metrics(r, w, h), **open_items_metrics(r, w, h, hours_per_day)}
    del out["on_time_share"]
    return out


def county_queues(model: Model) -> dict[str, Records]:
    """The records of each queue of the county's own work, by its source."""
    return {
        source: ledger.records()
        for centre in model.county_centres.values()
        for source, ledger in centre.own_items.items()
    }


def backlog_at(r: Records, ends: np.ndarray) -> np.ndarray:
    """Items in the system (arrived, not finished) just before each time of ``ends``."""
    arrived = np.searchsorted(r.arr_sorted, ends, side="left")
    return arrived - np.searchsorted(r.done_sorted, ends, side="left")


def _window_days(model: Model) -> np.ndarray:
    """The full working days inside the window (numbered from the start)."""
    hpd = model.clock.hours_per_day
    return np.arange(math.ceil(model.warmup_h / hpd), math.floor(model.horizon_h / hpd))


def daily_backlog(model: Model, rec: Records) -> tuple[int, dict[str, np.ndarray]]:
    """County-wide items in the system of each stream (and each county queue) at the end
    of every full working day inside the window, and the first such day: the series the
    steady-state reading (:mod:`sim.analysis.steady`) is made on, kept whether or not
    the run writes its time series.
    """
    days = _window_days(model)
    ends = (days + 1) * model.clock.hours_per_day
    first = int(days[0]) if days.size else 0
    series = {spec.id: backlog_at(sub, ends) for spec, sub in by_stream(rec, None)}
    # The county's own queues are read alike, so their desks are flagged by the same test.
    series |= {source: backlog_at(own, ends) for source, own in county_queues(model).items()}
    return first, series


def scopes(model: Model) -> list[tuple[str, int | None]]:
    """``county`` (every township, index None) and each township (id, index)."""
    return [(COUNTY, None)] + [(tw.id, tw.index) for tw in model.townships]


def by_stream(
    rec: Records, township: int | None
) -> Iterator[tuple[registry.StreamSpec[Any], Records]]:
    """Each registered stream with its records in one scope."""
    for spec in registry.streams():
        yield spec, rec.of_stream(spec.index, township)


Columns = dict[str, np.ndarray]


def _columns(rows: Sequence[Sequence[float]], fields: Sequence[str]) -> Columns:
    """Named float columns of a log of records (an empty log gives empty columns)."""
    table = np.array(rows, dtype=float).reshape(-1, len(fields))
    return {name: table[:, i] for i, name in enumerate(fields)}


def _rows_of(cols: Columns, mask: np.ndarray) -> Columns:
    return {name: col[mask] for name, col in cols.items()}


class Wanted:
    """The metric names a caller reads (None: every one), asked by name prefix, so that
    a part of the metrics none of whose names is read is not computed at all.
    """

    def __init__(self, names: Collection[str] | None):
        self.names = None if names is None else frozenset(names)

    def under(self, prefix: str) -> bool:
        """Whether a wanted name starts with ``prefix``."""
        return self.names is None or any(n.startswith(prefix) for n in self.names)

    def missing(self, have: Collection[str]) -> bool:
        """Whether a wanted name is not among those computed so far."""
        return self.names is None or not self.names <= set(have)

    def only(self, out: dict[str, float]) -> dict[str, float]:
        """``out`` without the names nobody asked for."""
        return out if self.names is None else {k: v for k, v in out.items() if k in self.names}


def replication_metrics(
    model: Model, rec: Records | None = None, names: Collection[str] | None = None
) -> dict[str, float]:
    """Every metric of one replication, by full name; ``names``: only those (a planner
    reads a handful of the ~1,000; on Wuchuan three county KPIs take half the CPU of
    all). A subset's values are the full computation's, to the bit.
    """
    rec = rec or model.ledger.records()
    want = Wanted(names)
    w, h = model.warmup_h, model.horizon_h
    out: dict[str, float] = {}
    logs = _logs(model)
    for scope, township in scopes(model):
        if want.under(f"{scope}."):
            out.update(_stream_part(model, rec, scope, township, want))
            out.update(_scope_part(model, logs, scope, township))
    if want.under(f"{COUNTY}.staff") or any(want.under(f"{s}.staff") for s, _ in scopes(model)):
        out.update(staff_metrics(model))
    if model.scenario.policy.surge.staff or model.scenario.policy.surge.days:
        # Emitted when either is set, so a plan's candidates without staff report 0.
        out[f"{COUNTY}.staff.surge_cost"] = surge_cost(model.scenario)
    for centre in centres(model):
        # A centre's names are its own: computed unless every wanted name is found.
        if want.missing(out):
            out.update(centre.metrics(rec, w, h))
    for source, own in county_queues(model).items():
        if want.under(f"{COUNTY}.{source}."):
            for metric, value in county_queue_metrics(own, w, h, model.clock.hours_per_day).items():
                out[f"{COUNTY}.{source}.{metric}"] = value
    out[f"{COUNTY}.county_side.staff"] = float(
        sum(c.staff_at_county() for c in model.county_centres.values())
    )
    return want.only(out)


def _stream_part(
    model: Model, rec: Records, scope: str, township: int | None, want: Wanted
) -> dict[str, float]:
    """The KPIs of each wanted stream in one scope (the streams nobody reads are not
    even selected from the records).
    """
    w, h = model.warmup_h, model.horizon_h
    hpd = model.clock.hours_per_day
    report_day = model.scenario.run.report_day
    out: dict[str, float] = {}
    for spec in registry.streams():
        name = f"{scope}.{spec.id}"
        if not want.under(f"{name}."):
            continue
        sub = rec.of_stream(spec.index, township)
        parts = [stream_metrics(sub, w, h), open_items_metrics(sub, w, h, hpd)]
        if report_day is not None:
            parts.append(clearing_metrics(sub, w, h, hpd, report_day))
        if spec.extra_metrics is not None:
            parts.append(spec.extra_metrics(sub, w, h))
        out.update((f"{name}.{metric}", value) for part in parts for metric, value in part.items())
    return out


def _logs(model: Model) -> dict[str, Columns]:
    """The model's logs of returned tasks and secondment, as columns."""
    return {
        "returned": _columns(model.returned, ReturnedTask._fields),
        "seconded": _columns(
            [(s.township, s.start, s.end) for s in model.secondments], ("township", "start", "end")
        ),
        "refused": _columns(model.secondment_refused, TownshipEvent._fields),
        "unfilled": _columns(model.secondment_unfilled, TownshipEvent._fields),
    }


def _scope_part(
    model: Model, logs: dict[str, Columns], scope: str, township: int | None
) -> dict[str, float]:
    """Returned tasks and secondment of one scope, from the model's logs."""
    w, h = model.warmup_h, model.horizon_h
    ret, sec, refused, unfilled = (
        cols if township is None else _rows_of(cols, cols["township"] == township)
        for cols in logs.values()
    )
    in_time = in_window(ret["t"], w, h)
    away_until = np.where(np.isinf(sec["end"]), np.nan, sec["end"])
    return {
        f"{scope}.delegated.returned_count": float(in_time.sum()),
        f"{scope}.delegated.returned_h": float(ret["hours"][in_time].sum()),
        f"{scope}.staff.seconded_days": overlap(sec["start"], away_until, w, h)
        / model.clock.hours_per_day,
        f"{scope}.staff.secondment_refused": float(in_window(refused["t"], w, h).sum()),
        f"{scope}.staff.secondment_unfilled": float(in_window(unfilled["t"], w, h).sum()),
    }


def centres(model: Model) -> list[Centre]:
    """Every centre of the model, the county's and each township's: each adds its own
    metrics (full names) to the replication's.
    """
    return [
        *model.county_centres.values(),
        *(c for tw in model.townships for c in tw.centres.values()),
    ]


def _staff_log(model: Model) -> Columns:
    return _columns(model.staff_log, StaffChange._fields)


def _staff_levels(model: Model) -> np.ndarray:
    """Per pool, the time integrals over the window of (quota, filled, active)."""
    w, h = model.warmup_h, model.horizon_h
    log = _staff_log(model)
    totals = np.zeros((len(model.pools), 3))
    for i in range(len(model.pools)):
        rows = _rows_of(log, log["pool"] == i)
        changes = np.column_stack([rows["d_quota"], rows["d_filled"], rows["d_active"]])
        levels = np.cumsum(changes, axis=0)  # after each change
        t = np.clip(np.append(rows["t"], h), w, h)
        totals[i] = (levels * np.diff(t)[:, None]).sum(axis=0)
    return totals


def staff_metrics(model: Model) -> dict[str, float]:
    """Utilisation (busy / present staff-hours), overtime a week per filled post,
    headcount and vacancies, per pool and township, and county-wide by pool name.
    """
    span = model.horizon_h - model.warmup_h
    totals = _staff_levels(model)
    week_h = model.clock.hours(model.clock.days_per_week)
    sums: dict[str, Any] = {}  # key → [busy, quota·h, filled·h, active·h, pay·filled·h, overtime]
    for pool, busy, overtime, (quota_h, filled_h, active_h) in zip(
        model.pools, model.pool_busy, model.pool_overtime, totals, strict=True
    ):
        pay = yearly_pay(model.scenario, pool.quota_type, pool.scope != COUNTY)
        row = np.array([busy, quota_h, filled_h, active_h, pay * filled_h, overtime])
        keys = [f"{pool.scope}.staff.{pool.name}", f"{pool.scope}.staff"]
        if pool.scope != COUNTY:
            keys += [f"{COUNTY}.staff.{pool.name}", f"{COUNTY}.staff"]
        for key in keys:
            sums[key] = sums.get(key, 0.0) + row
    out = {}
    for key, (busy, quota_h, filled_h, active_h, paid_h, overtime) in sums.items():
        if key.count(".") == 2:  # a pool
            out[f"{key}.utilisation_share"] = busy / active_h if active_h > 0 else math.nan
            weeks = filled_h / week_h  # member-weeks
            out[f"{key}.overtime_h_per_week"] = overtime / weeks if weeks > 0 else math.nan
        else:
            out[f"{key}.cost"] = paid_h / span
        out[f"{key}.headcount_mean"] = filled_h / span
        out[f"{key}.vacancies_mean"] = (quota_h - filled_h) / span
    return out


class SeriesBlock(NamedTuple):
    """One metric's values on every day of the series, in one scope and stream."""

    township: str
    stream: str
    metric: str
    values: np.ndarray


def daily_series(model: Model, rec: Records, replication: int) -> pd.DataFrame:
    """Long table: replication, day, township, stream, metric, value for every full
    working day inside the window (``day`` counts working days from the start).
    """
    hpd = model.clock.hours_per_day
    days = _window_days(model)
    ends = (days + 1) * hpd
    blocks: list[SeriesBlock] = []
    for scope, township in scopes(model):
        for spec, sub in by_stream(rec, township):
            blocks += _flow_series(sub, scope, spec.id, days, hpd)
    for source, own in county_queues(model).items():
        blocks += _flow_series(own, COUNTY, source, days, hpd)
    blocks += _staff_series(model, ends)
    return _long_table(blocks, days, replication)


def _long_table(blocks: list[SeriesBlock], days: np.ndarray, replication: int) -> pd.DataFrame:
    """The blocks one under another, as one table built at once: a frame per block and
    a concatenation cost more than the whole series' arithmetic.
    """
    n = len(days)

    def label(name: str) -> np.ndarray:  # each block's label, repeated on each of its days
        return np.repeat(np.array([getattr(b, name) for b in blocks], dtype=object), n)

    values = [b.values.astype(float) for b in blocks]
    return pd.DataFrame(
        {
            "replication": np.full(n * len(blocks), replication),
            "day": np.tile(days, len(blocks)),
            "township": label("township"),
            "stream": label("stream"),
            "metric": label("metric"),
            "value": np.concatenate(values) if values else np.empty(0),
        }
    )


def _flow_series(
    r: Records, scope: str, stream: str, days: np.ndarray, hpd: float
) -> list[SeriesBlock]:
    """Arrivals and completions on each working day of ``days``, and the items in the
    system at each day's end, of one stream (or county queue) in one scope.
    """
    d0, d1 = (int(days[0]), int(days[-1]) + 1) if days.size else (0, 0)
    arr_idx = (r.arr // hpd).astype(int)  # open items at the start: before day 0
    arr_day = np.bincount(arr_idx[arr_idx >= 0], minlength=d1 + 1)[d0:d1]
    done_day = np.bincount((r.done_sorted // hpd).astype(int), minlength=d1 + 1)[d0:d1]
    return [
        SeriesBlock(scope, stream, "arrivals", arr_day),
        SeriesBlock(scope, stream, "completions", done_day),
        SeriesBlock(scope, stream, "backlog", backlog_at(r, (days + 1) * hpd)),
    ]


def _staff_series(model: Model, ends: np.ndarray) -> list[SeriesBlock]:
    """Headcount (filled posts) and vacancies of each township's pools at each day's end."""
    log = _staff_log(model)
    levels = {scope: np.zeros((2, len(ends))) for scope, _ in scopes(model)}
    for pool in model.pools:
        if pool.township is None:
            continue
        rows = _rows_of(log, log["pool"] == pool.index)
        upto = np.searchsorted(rows["t"], ends, side="left")  # changes before the day's end
        quota = np.concatenate([[0], np.cumsum(rows["d_quota"])])[upto]
        filled = np.concatenate([[0], np.cumsum(rows["d_filled"])])[upto]
        for scope in (COUNTY, pool.scope):
            levels[scope] += [filled, quota - filled]
    return [
        SeriesBlock(scope, "staff", metric, values[i])
        for scope, values in levels.items()
        for i, metric in enumerate(("headcount", "vacancies"))
    ]


QUANTILES = np.linspace(0.0, 1.0, 101)


def lead_time_quantiles(model: Model, rec: Records, replication: int) -> pd.DataFrame:
    """County-wide lead-time percentiles per stream (items arriving in the window and
    finished), enough to draw each policy's lead-time distribution.
    """
    frames = []
    for spec, sub in by_stream(rec, None):
        sel = (sub.arr >= model.warmup_h) & ~np.isnan(sub.done)
        lead = sub.done[sel] - sub.arr[sel]
        if lead.size:
            frames.append(
                pd.DataFrame(
                    {
                        "stream": spec.id,
                        "quantile": QUANTILES,
                        "lead_time_h": np.quantile(lead, QUANTILES),
                    }
                )
            )
    df = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["stream", "quantile", "lead_time_h"])
    )
    df.insert(0, "replication", replication)
    return df

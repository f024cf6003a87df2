"""Column arrays of a replication's work items, the input of every metric.

Built once after a run from the ledger of its items (:mod:`sim.model.ledger`; times in
working hours); a time that had not happened by the horizon (not started, not finished,
never sent to the county) is NaN.
Stream declarations compute their extra metrics from a :class:`Records` subset, so this
module depends on nothing but numpy.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property

import numpy as np


@dataclass(frozen=True)
class Records:
    """Item records of one replication (or a subset of them)."""

    township: np.ndarray
    stream: np.ndarray  # registry index of the item's stream
    arr: np.ndarray
    start: np.ndarray
    done: np.ndarray
    due: np.ndarray
    visits: np.ndarray
    up: np.ndarray  # sent up to the county
    answer: np.ndarray  # the county's answer
    decided: np.ndarray  # a case's decision: what its time limit is for (NaN: the end)
    tag: np.ndarray

    def limit_act(self, h: float) -> np.ndarray:
        """When the act each item's time limit is for happened — the decision of a case,
        else completion — with ``h`` for what had not happened by the horizon.
        """
        act = np.where(np.isnan(self.decided), self.done, self.decided)
        return np.where(np.isnan(act), h, act)

    def subset(self, which: np.ndarray) -> Records:
        """The records selected by a boolean mask, or by row numbers (in their order)."""
        return Records(*(getattr(self, f.name)[which] for f in fields(self)))

    def of_stream(self, stream: int, township: int | None = None) -> Records:
        """The records of one stream (in one township, if given), in their original order:
        what ``subset`` of that mask gives, but cut from one copy sorted by stream and,
        for a township, taken by its row numbers (every metric and series asks again)
        instead of masking every column of every record each time. A township's records
        are a fresh copy each time (all of them at once would add a tenth to a
        county-year's peak memory), unless they are all of the stream's.
        """
        mine = self._by_stream.get(stream, self._none)
        if township is None:
            return mine
        rows = mine._township_rows.get(township)
        if rows is None:
            return mine._none
        if len(rows) == len(mine.arr):  # its sorted times are then sorted once
            return mine
        return mine.subset(rows)

    @cached_property
    def arr_sorted(self) -> np.ndarray:
        """Arrival times in order (for counts at given times: the daily series); a
        stable sort (timsort) finds the runs of times already in order, which arrivals
        in creation order mostly are.
        """
        return np.sort(self.arr, kind="stable")

    @cached_property
    def done_sorted(self) -> np.ndarray:
        """Completion times of the finished items, in order."""
        return np.sort(self.done[~np.isnan(self.done)], kind="stable")

    @cached_property
    def _by_stream(self) -> dict[int, Records]:
        """Records of each stream: slices of one stable sort, so in the original order
        (views, without a copy, of records already in stream order, as the ledger
        gives them).
        """
        if not len(self.stream):
            return {}
        key = self.stream
        cols = [getattr(self, f.name) for f in fields(self)]
        if (key[1:] < key[:-1]).any():  # not yet in stream order: sort a copy
            order = np.argsort(key, kind="stable")
            cols = [c[order] for c in cols]
            key = key[order]
        cut = np.flatnonzero(key[1:] != key[:-1]) + 1
        bounds = zip(np.r_[0, cut], np.r_[cut, len(key)], strict=True)
        return {int(key[i]): Records(*(c[i:j] for c in cols)) for i, j in bounds}

    @cached_property
    def _township_rows(self) -> dict[int, np.ndarray]:
        """The row numbers of each township's records, in order (one stable sort)."""
        order = np.argsort(self.township, kind="stable")
        key = self.township[order]
        cut = np.flatnonzero(key[1:] != key[:-1]) + 1
        bounds = zip(np.r_[0, cut], np.r_[cut, len(key)], strict=True)
        return {int(key[i]): order[i:j] for i, j in bounds if j > i}

    @cached_property
    def _none(self) -> Records:
        return Records(*(getattr(self, f.name)[:0] for f in fields(self)))


def in_window(t: np.ndarray, w: float, h: float) -> np.ndarray:
    """Which times fall in the measurement window ``[w, h)`` (NaN never does)."""
    t = np.asarray(t, dtype=float)
    return (t >= w) & (t < h)


def mean_or_nan(x: np.ndarray) -> float:
    """Mean of an array, NaN when it is empty."""
    return float(x.mean()) if x.size else float("nan")


def overlap(start: np.ndarray, end: np.ndarray, w: float, h: float) -> float:
    """Total length of the intervals [start, end) inside [w, h) (NaN end = still open)."""
    end = np.where(np.isnan(end), h, end)
    return float(np.clip(np.minimum(end, h) - np.maximum(start, w), 0.0, None).sum())


def late_share(r: Records, w: float, h: float) -> float:
    """Of items due in the window, the share not done by their deadline."""
    due_in = (r.due >= w) & (r.due < h)
    if not due_in.any():
        return float("nan")
    late = due_in & ~(r.limit_act(h) <= r.due)
    return float(late.sum() / due_in.sum())

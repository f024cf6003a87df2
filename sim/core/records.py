"""Column arrays of a replication's work items, the input of every metric.

Built once after a run from the items (times in working hours); a time that had not
happened by the horizon (not started, not finished, never sent to the county) is NaN.
Stream declarations compute their extra metrics from a :class:`Records` subset, so this
module depends on nothing but numpy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import cached_property
from operator import attrgetter
from typing import Any

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

    @classmethod
    def of(cls, items: Sequence[Any]) -> Records:
        """Records of township items (``None`` times become NaN)."""
        n = len(items)

        def column(name: str, dtype: type = float) -> np.ndarray:
            return np.fromiter(map(attrgetter(name), items), dtype, n)

        def maybe(name: str) -> np.ndarray:  # a time that may not have happened yet
            return _times(items, name)

        return cls(
            township=column("township", int),
            stream=column("stream.index", int),
            arr=column("t_arr"),
            start=maybe("t_start"),
            done=maybe("t_done"),
            due=column("due"),
            visits=column("visits"),
            up=maybe("t_up"),
            answer=maybe("t_answer"),
            decided=maybe("t_decided"),
            tag=column("tag", int),
        )

    @classmethod
    def of_untracked(cls, items: Sequence[Any]) -> Records:
        """Records of items of no township and no stream (the county's own work): only
        their arrival, start and completion are known; they have no deadline.
        """
        n = len(items)
        none, zero = np.full(n, math.nan), np.zeros(n, int)
        return cls(
            township=np.full(n, -1),
            stream=np.full(n, -1),
            arr=_times(items, "t_arr"),
            start=_times(items, "t_start"),
            done=_times(items, "t_done"),
            due=none,
            visits=zero,
            up=none,
            answer=none,
            decided=none,
            tag=zero,
        )

    def limit_act(self, h: float) -> np.ndarray:
        """When the act each item's time limit is for happened — the decision of a case,
        else completion — with ``h`` for what had not happened by the horizon.
        """
        act = np.where(np.isnan(self.decided), self.done, self.decided)
        return np.where(np.isnan(act), h, act)

    def subset(self, mask: np.ndarray) -> Records:
        """The records selected by a boolean mask."""
        return Records(*(getattr(self, f.name)[mask] for f in fields(self)))

    def of_stream(self, stream: int, township: int | None = None) -> Records:
        """The records of one stream (in one township, if given), in their original order:
        what ``subset`` of that mask gives, but cut from one copy sorted by stream (every
        metric and series asks again) instead of masking every column of every record.
        """
        mine = self._by_stream.get(stream, self._none)
        return mine if township is None else mine.subset(mine.township == township)

    @cached_property
    def arr_sorted(self) -> np.ndarray:
        """Arrival times in order (for counts at given times: the daily series)."""
        return np.sort(self.arr)

    @cached_property
    def done_sorted(self) -> np.ndarray:
        """Completion times of the finished items, in order."""
        return np.sort(self.done[~np.isnan(self.done)])

    @cached_property
    def _by_stream(self) -> dict[int, Records]:
        """Records of each stream: slices of one stable sort, so in the original order
        (views, without a copy, of records already in stream order: see
        :func:`sim.run.engine` which makes them so).
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
    def _none(self) -> Records:
        return Records(*(getattr(self, f.name)[:0] for f in fields(self)))


def _times(items: Sequence[Any], name: str) -> np.ndarray:
    """A time attribute of every item, NaN where it has not happened (``None``)."""
    values = map(attrgetter(name), items)
    return np.fromiter((math.nan if v is None else v for v in values), float, len(items))


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

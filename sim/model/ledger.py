"""The item ledger (办件台账): a row of numbers per township work item, written when the
item is finished, and the item itself let go.

A county-year makes 10⁵–10⁶ items. Kept alive as objects to the end of the run, with
their routes, they cost about 600 bytes each — most of a replication's memory — yet
all that any metric reads of a finished item is a dozen numbers (:class:`Records`). So
a finished item's numbers go into blocks of floats (8 bytes a number) and
the object is dropped; the items still open at the end are read when the records are
asked for. Rows are written in order of completion; :meth:`Ledger.records` puts them
back in order of creation (within each stream), so every metric sees the records in
exactly the order a list of all items would give — same numbers for the same seed.

The model's ledger holds the townships' items. Each queue of the county's own work has
a ledger of its own (``untracked``): those items have no township, stream or deadline.
With ``keep_items`` a ledger also keeps every item object (:attr:`Ledger.items`), for
tests and inspection that look at routes or stations.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.core.records import Records

if TYPE_CHECKING:
    from sim.model.work import WorkItem

NAN = math.nan

COLUMNS = (
    "seq",  # creation order
    "township",
    "stream",
    "arr",
    "start",
    "done",
    "due",
    "visits",
    "up",
    "answer",
    "decided",
    "tag",
)
"""One row of the ledger; every column but ``seq`` is a :class:`Records` field."""

_WIDTH = len(COLUMNS)
BLOCK_ROWS = 16384
"""Rows a block holds (1.5 MB): blocks are allocated as rows come, and few and large
enough that the allocator returns a taken block's memory (a Wuchuan year's peak was
283–287 bytes an item, 325 with blocks of 4,096 rows: ``benchmarks/bench_engine.py``)."""
_EMPTY = np.empty(0)
_INTEGER = {"township", "stream", "tag"}


class Ledger:
    """The items of one replication — the townships', or one queue of the county's own
    work (``untracked``) —: open ones as objects, finished ones as rows (see the module
    text). Its length is the items created, so an empty ledger is falsy.
    """

    __slots__ = (
        "_block",
        "_blocks",
        "_created",
        "_finished_steps",
        "_open",
        "_size",
        "_used",
        "keep_items",
        "untracked",
    )

    def __init__(
        self, keep_items: bool = False, untracked: bool = False, block_rows: int = BLOCK_ROWS
    ):
        self.keep_items = keep_items
        self.untracked = untracked  # the county's own work: no township, stream or deadline
        # Creation order → item, for the open ones only (a list of every item would cost
        # 8 bytes an item); with keep_items, the finished ones stay too.
        self._open: dict[int, WorkItem] = {}
        self._created = 0
        # Finished items' rows, _WIDTH numbers each, in blocks of block_rows rows: a
        # block is never copied or grown, and the current one is written through a flat
        # view of its doubles (one C store a number when compiled: sim/model/ledger.pxd).
        self._size = _WIDTH * block_rows  # numbers a block holds
        self._blocks: list[np.ndarray] = []
        self._block = _doubles(_EMPTY)
        self._used = self._size  # numbers written in the current block: "full" opens one
        self._finished_steps = 0  # steps the finished items took: a count, not a column

    def __len__(self) -> int:
        """Items created so far."""
        return self._created

    def enter(self, item: WorkItem) -> None:
        """A new item (its creation order is its place in the ledger)."""
        item.seq = seq = self._created
        self._created = seq + 1
        self._open[seq] = item

    def close(self, item: WorkItem) -> None:
        """A township item is finished: write its row and let the object go (the
        county's own work, of no township, is in a ledger of its own: see :meth:`record`).
        """
        if item.township is not None:  # record(item), inlined: once per item
            self._write(item)
            self._finished_steps += item.pos
            if not self.keep_items:
                del self._open[item.seq]

    def record(self, item: WorkItem) -> None:
        """The item is finished: write its row and let the object go (what :meth:`close`
        does for a township item, inlined there as it runs once per item).
        """
        self._write(item)
        self._finished_steps += item.pos
        if not self.keep_items:
            del self._open[item.seq]

    def _write(self, item: WorkItem) -> None:
        """The item's row: its numbers, NaN for a time that has not happened (None)."""
        at = self._used
        if at == self._size:
            block = np.empty(self._size)
            self._blocks.append(block)
            self._block = _doubles(block)
            at = 0
        row = self._block
        township, stream, start, done, up, answer, decided = (
            item.township,
            item.stream,
            item.t_start,
            item.t_done,
            item.t_up,
            item.t_answer,
            item.t_decided,
        )
        row[at] = item.seq
        row[at + 1] = -1 if township is None else township
        row[at + 2] = -1 if stream is None else stream.index
        row[at + 3] = item.t_arr
        row[at + 4] = NAN if start is None else start
        row[at + 5] = NAN if done is None else done
        row[at + 6] = item.due
        row[at + 7] = item.visits
        row[at + 8] = NAN if up is None else up
        row[at + 9] = NAN if answer is None else answer
        row[at + 10] = NAN if decided is None else decided
        row[at + 11] = item.tag
        self._used = at + _WIDTH

    @property
    def items(self) -> list[WorkItem]:
        """Every item created so far, in creation order (only with ``keep_items``)."""
        if not self.keep_items:
            raise RuntimeError("the ledger keeps finished items only with keep_items=True")
        return list(self._open.values())

    def open_items(self) -> list[WorkItem]:
        """Items created and not yet finished, in creation order."""
        return [i for i in self._open.values() if i.t_done is None]

    def records(self) -> Records:
        """The records of every item created so far, in stream order and, within a
        stream, in creation order (so a stream's records are slices, not copies: see
        :meth:`Records.of_stream`). The ledger is unchanged: the run may go on.
        """
        copy = Ledger(untracked=self.untracked, block_rows=self._size // _WIDTH)
        copy._blocks = [b.copy() for b in self._blocks]
        copy._used = self._used
        if copy._blocks:
            copy._block = _doubles(copy._blocks[-1])
        copy._open = {i.seq: i for i in self.open_items()}
        return copy.take_records()

    def take_records(self) -> Records:
        """The records, as :meth:`records` gives them, taking the rows: the ledger is
        empty after. What a finished run does: each block of rows is cut into columns
        and let go before the next, so rows and columns are never both whole in memory
        (at a county-year's peak they would double the records' memory).
        """
        for item in self.open_items():
            self._write(item)
        blocks = self._take_blocks()
        order = np.lexsort([np.concatenate([b[k] for b in blocks]) for k in (0, 2)])
        columns: dict[str, np.ndarray] = {}
        for j, name in enumerate(COLUMNS):
            column = np.concatenate([b[j] for b in blocks])[order]
            for b in blocks:
                b[j] = _EMPTY  # that column of the block is no longer needed
            if name != "seq":
                columns[name] = column.astype(int) if name in _INTEGER else column
        if self.untracked:  # only arrival, start and completion mean anything
            n = len(order)
            columns |= {"due": np.full(n, NAN), "visits": np.zeros(n, int), "tag": np.zeros(n, int)}
            columns |= {"up": np.full(n, NAN), "answer": np.full(n, NAN)}
            columns |= {"decided": np.full(n, NAN)}
        return Records(**columns)

    def _take_blocks(self) -> list[list[np.ndarray]]:
        """The rows as blocks of columns (in row order), emptying the ledger."""
        rows, self._blocks = self._blocks, []
        used, self._used, self._block = self._used, self._size, _doubles(_EMPTY)
        self._open, self._created, self._finished_steps = {}, 0, 0
        blocks: list[list[np.ndarray]] = []
        for i, block in enumerate(rows):
            filled = block[: used if i == len(rows) - 1 else self._size].reshape(-1, _WIDTH)
            blocks.append([filled[:, j].copy() for j in range(_WIDTH)])
            rows[i] = _EMPTY  # the block is let go as soon as it is in columns
            del block, filled
        return blocks or [[_EMPTY] * _WIDTH]

    def steps_started(self) -> int:
        """Steps started by all items, a step still running or waiting included: the
        events of a run after the arrivals (see :func:`sim.run.engine`); asked before
        :meth:`take_records`.
        """
        return self._finished_steps + sum(i.pos + 1 for i in self.open_items())


def _doubles(block: np.ndarray) -> memoryview[float]:
    """A flat view of a block's doubles, to write rows into."""
    return memoryview(block)  # type: ignore[arg-type]  # an ndarray is a buffer; numpy's stubs do not say so before Python 3.12

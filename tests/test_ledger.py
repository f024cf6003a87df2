"""The item ledger: finished items become rows and are let go; the records it gives are
those a list of every item would give, in the same order (same numbers for a seed).
"""

import dataclasses
import gc
import math

import numpy as np
import pytest

from sim.core.records import Records
from sim.model.build import build
from sim.model.ledger import Ledger
from sim.model.work import WorkItem
from tests.conftest import scenario

RUN = (  # grid reports that become cases and tasks, give-ups, the county's own work
    "county=small",
    "policy=reform_2019",
    "workload.services.give_up_line_per_clerk=1",
    "run.horizon_days=40",
    "run.warmup_days=5",
)
FIELDS = tuple(f.name for f in dataclasses.fields(Records))  # every column a metric reads


def _nan(x):
    return math.nan if x is None else x


def _by_hand(items: list[WorkItem]) -> dict[str, np.ndarray]:
    """Records of ``items`` as the definition says: stream order, creation order within
    a stream, NaN for what has not happened.
    """
    ordered = sorted(items, key=lambda i: i.stream.index)  # stable: creation order kept
    return {
        "township": np.array([i.township for i in ordered]),
        "stream": np.array([i.stream.index for i in ordered]),
        "arr": np.array([i.t_arr for i in ordered]),
        "start": np.array([_nan(i.t_start) for i in ordered]),
        "done": np.array([_nan(i.t_done) for i in ordered]),
        "due": np.array([i.due for i in ordered]),
        "visits": np.array([float(i.visits) for i in ordered]),
        "up": np.array([_nan(i.t_up) for i in ordered]),
        "answer": np.array([_nan(i.t_answer) for i in ordered]),
        "decided": np.array([_nan(i.t_decided) for i in ordered]),
        "tag": np.array([i.tag for i in ordered]),
    }


@pytest.fixture(scope="module")
def kept():
    model = build(scenario(*RUN), 0, keep_items=True)
    model.run()
    return model


def test_records_are_the_items_in_stream_then_creation_order(kept):
    rec = kept.ledger.records()
    want = _by_hand(kept.ledger.items)
    assert len(rec.arr) == len(kept.ledger) > 1000
    assert np.isnan(rec.done).any() and not np.isnan(rec.done).all()  # open and finished
    assert (rec.tag > 0).any() and not np.isnan(rec.decided).all()  # give-ups, decisions
    assert any(i.origin is not None for i in kept.ledger.items)  # born of a grid report
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(rec, name), want[name], err_msg=name)


@pytest.mark.parametrize("block_rows", [1, 7, 64])
def test_rows_across_many_blocks_are_the_items_records(kept, block_rows):
    """Rows are written into blocks; with blocks of a few rows, an item's row falls on
    every position of a block and the records are still those of the items.
    """
    items = kept.ledger.items
    ledger = Ledger(block_rows=block_rows)
    for item in items:  # in creation order, so each keeps its place (seq)
        ledger.enter(item)
    finished = sorted((i for i in items if i.t_done is not None), key=lambda i: i.t_done)
    for item in finished:  # as a run writes them: in order of completion
        ledger.close(item)
    assert len(finished) > 20 * block_rows and len(ledger.open_items()) > 0
    want = _by_hand(items)
    mid_run = ledger.records()
    taken = ledger.take_records()
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(mid_run, name), want[name], err_msg=name)
        np.testing.assert_array_equal(getattr(taken, name), want[name], err_msg=name)
    assert len(ledger) == 0 and len(ledger.take_records().arr) == 0


def test_taking_the_records_gives_the_same_and_empties_the_ledger(kept):
    model = build(scenario(*RUN), 0)
    model.run()
    n = len(model.ledger)
    taken = model.ledger.take_records()
    assert len(model.ledger) == 0
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(taken, name), getattr(kept.ledger.records(), name))
    assert len(taken.arr) == n


def test_reading_the_records_mid_run_changes_nothing():
    plain = build(scenario(*RUN), 0)
    plain.run()
    peeked = build(scenario(*RUN), 0)
    peeked.run_until(peeked.horizon_h / 2)
    half = peeked.ledger.records()
    assert 0 < len(half.arr) < len(plain.ledger)
    peeked.run_until(peeked.horizon_h)
    a, b = plain.ledger.records(), peeked.ledger.records()
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_finished_items_are_let_go():
    def work_items() -> int:
        return sum(isinstance(o, WorkItem) for o in gc.get_objects())

    model = build(scenario(*RUN), 0)
    gc.disable()  # as in a run: only reference counting frees the finished items
    try:
        before = work_items()  # other tests' models
        model.run()
        alive = work_items() - before
    finally:
        gc.enable()
    still_open = len(model.ledger.open_items())
    assert len(model.ledger) > 10 * still_open
    # the open ones, plus the county's returned tasks (kept by the county for its metrics)
    returned = sum(len(getattr(c, "returned", ())) for c in model.county_centres.values())
    assert alive <= still_open + returned + sum(
        len(ledger.open_items())
        for centre in model.county_centres.values()
        for ledger in centre.own_items.values()
    )


def test_the_county_own_work_has_no_deadline_and_counts_every_arrival():
    model = build(scenario(*RUN), 0, keep_items=True)
    model.run()
    for centre in model.county_centres.values():
        for ledger in centre.own_items.values():
            rec = ledger.records()
            items = ledger.items
            assert len(rec.arr) == len(items) > 0
            np.testing.assert_array_equal(rec.arr, [i.t_arr for i in items])
            np.testing.assert_array_equal(rec.done, [_nan(i.t_done) for i in items])
            assert np.isnan(rec.due).all() and (rec.township == -1).all()


def test_the_events_are_arrivals_plus_steps_started(kept):
    items = kept.ledger.items
    steps = sum(i.pos + (0 if i.t_done is not None else 1) for i in items)
    assert kept.ledger.steps_started() == steps

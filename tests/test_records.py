"""Records cut by stream (and township) are exactly the masked subsets, in order."""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from sim.core.records import Records


def _records(n: int, seed: int = 5) -> Records:
    rng = np.random.default_rng(seed)
    times = [rng.random(n) * 100 for _ in range(8)]
    times[2][rng.random(n) < 0.3] = np.nan  # open items
    return Records(rng.integers(0, 4, n), rng.integers(0, 3, n), *times, rng.integers(0, 2, n))


def _same(a: Records, b: Records) -> bool:
    return all(
        np.array_equal(getattr(a, f.name), getattr(b, f.name), equal_nan=True) for f in fields(a)
    )


def test_stream_and_township_cuts_equal_the_masked_subsets_in_their_order():
    r = _records(2_000)
    for stream in range(4):  # 3 is absent: an empty cut
        assert _same(r.of_stream(stream), r.subset(r.stream == stream))
        for township in range(4):
            mask = (r.stream == stream) & (r.township == township)
            assert _same(r.of_stream(stream, township), r.subset(mask))
    empty = _records(0)
    assert len(empty.of_stream(1).arr) == 0 and len(empty.of_stream(1, 2).arr) == 0


def test_sorted_times_are_the_sorted_finished_times():
    r = _records(500)
    assert np.array_equal(r.arr_sorted, np.sort(r.arr))
    finished = r.done[~np.isnan(r.done)]
    assert np.array_equal(r.done_sorted, np.sort(finished)) and len(finished) < 500


def test_records_already_in_stream_order_are_cut_without_a_copy():
    r = _records(1_000)
    order = np.argsort(r.stream, kind="stable")
    ordered = Records(*(getattr(r, f.name)[order] for f in fields(r)))
    for stream in range(3):
        mine = ordered.of_stream(stream)
        assert np.shares_memory(mine.arr, ordered.arr)  # a view
        assert _same(mine, r.of_stream(stream))  # the same rows, in the same order


def test_the_one_township_of_a_stream_is_its_records_and_sorts_its_times_once():
    r = _records(300)
    one_township = Records(*(getattr(r, f.name) for f in fields(r)))
    object.__setattr__(one_township, "township", np.zeros(300, int))
    county, town = one_township.of_stream(1), one_township.of_stream(1, 0)
    assert town is county  # so the town's sorted times are the county's, sorted once
    assert np.array_equal(town.arr_sorted, np.sort(r.arr[r.stream == 1]))

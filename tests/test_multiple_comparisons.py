"""The paired p-value and the Benjamini–Hochberg correction of ``tests.lever_check``."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.analysis.stats import benjamini_hochberg, paired_p_value


def test_benjamini_hochberg_matches_a_hand_computed_example():
    # m = 4, sorted p: 0.005, 0.01, 0.03, 0.04; p·m/rank: 0.02, 0.02, 0.04, 0.04
    # (already non-decreasing), back in input order.
    got = benjamini_hochberg([0.01, 0.04, 0.03, 0.005])
    assert got == pytest.approx([0.02, 0.04, 0.04, 0.02])


def test_benjamini_hochberg_steps_up():
    # p·m/rank: 0.04·3/1 = 0.12, 0.045·3/2 = 0.0675, 0.9: the first takes the smaller
    # value of the rank above it, so both are discoveries at q = 0.1 (0.12 alone is not).
    got = benjamini_hochberg([0.04, 0.045, 0.9])
    assert got == pytest.approx([0.0675, 0.0675, 0.9])


def test_benjamini_hochberg_caps_at_one_and_leaves_nan_out_of_the_family():
    got = benjamini_hochberg([0.6, math.nan, 0.9])
    assert math.isnan(got[1])
    # m = 2, not 3: 0.6·2/1 = 1.2 → min(1.2, 0.9) = 0.9; 0.9·2/2 = 0.9.
    assert got[[0, 2]] == pytest.approx([0.9, 0.9])
    assert benjamini_hochberg([0.8, 0.9]).max() <= 1.0


def test_paired_p_value_of_a_hand_computed_t():
    # differences 1, 2, 3: mean 2, sd 1, t = 2 / (1/√3) = 3.4641 on 2 dof,
    # two-sided p = 1 − 3.4641/√(3.4641² + 2) = 1 − 3.4641/3.7417 = 0.07418.
    assert paired_p_value([2, 4, 6], [1, 2, 3]) == pytest.approx(0.07418, abs=1e-4)


def test_paired_p_value_edges():
    assert paired_p_value([1, 2], [1, 2]) == 1.0  # no difference at all
    assert paired_p_value([2, 3], [1, 2]) == 0.0  # the same non-zero difference every time
    assert math.isnan(paired_p_value([1, np.nan], [0, 0]))  # one pair left

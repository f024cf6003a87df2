"""The policy presets: each lever preset changes one mechanism, ``reform_2019`` all of them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sim.core.settings import ConfigError

from .conftest import scenario

pytestmark = pytest.mark.slow  # every preset composed: the full tier

POLICIES = Path(__file__).resolve().parent.parent / "configs" / "policy"
WHOLE = ("pre_reform", "reform_2019")
PACKAGE_VARIANTS = sorted(
    p.stem for p in POLICIES.glob("*.yaml") if "defaults: [reform_2019" in p.read_text()
)
"""Presets that change one mechanism of the whole package (front_back_office)."""
LEVER_PRESETS = sorted(
    p.stem
    for p in POLICIES.glob("*.yaml")
    if p.stem not in WHOLE and p.stem not in PACKAGE_VARIANTS
)


def _keys(policy: str) -> dict[str, object]:
    """The preset's policy, flattened to ``section.key`` (the name left out)."""
    room = ("county.enforcement_officers=100000",)  # stationed_tengzhou's 72 officers
    p = dataclasses.asdict(scenario(f"policy={policy}", *room).policy)
    return {
        f"{section}.{key}": value
        for section, keys in p.items()
        if section != "name"
        for key, value in keys.items()
    }


def _changed(policy: str, against: str = "pre_reform") -> set[str]:
    base = _keys(against)
    return {k for k, v in _keys(policy).items() if v != base[k]}


@pytest.mark.parametrize("policy", PACKAGE_VARIANTS)
def test_a_package_variant_changes_one_mechanism_of_reform_2019(policy):
    assert len(_changed(policy, "reform_2019")) == 1, policy


@pytest.mark.parametrize("policy", LEVER_PRESETS)
def test_a_lever_preset_changes_one_mechanism(policy):
    # integrated_enforcement once stationed officers too, one_window added village
    # proxies: a lever's effect then mixed two mechanisms (issue 18).
    changed = _changed(policy)
    assert len(changed) == 1, (policy, changed)


def test_each_lever_preset_has_its_own_mechanism():
    mechanisms = [next(iter(_changed(p))) for p in LEVER_PRESETS]
    # stationed_tengzhou is stationed_officers at another count, the one pair allowed.
    assert mechanisms.count("enforcement.stationed_officers") == 2
    assert len(set(mechanisms)) == len(mechanisms) - 1


def test_reform_2019_sets_every_mechanism_of_the_lever_presets():
    package = _changed("reform_2019")
    missing = {next(iter(_changed(p))) for p in LEVER_PRESETS} - package
    assert missing == set()


def test_stationed_tengzhou_says_which_pool_it_needs():
    # Tengzhou's x (seed 004: 各选派2名左右 from 4 departments) is 8 per township: 72 in
    # Wuchuan's 9 townships, more than the 45 county officers its preset assumes.
    with pytest.raises(ConfigError, match=r"need 72 county officers but county\.enforcement_of"):
        scenario("county=wuchuan", "policy=stationed_tengzhou")
    s = scenario("county=wuchuan", "policy=stationed_tengzhou", "county.enforcement_officers=117")
    assert s.policy.enforcement.stationed_officers == 8

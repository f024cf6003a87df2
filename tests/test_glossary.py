"""The README's metric glossary names every metric a run emits, and nothing else."""

from __future__ import annotations

from sim import engine, glossary

from .conftest import scenario

SHORT = ("run.replications=1", "run.horizon_days=30", "run.warmup_days=5", "run.timeseries=false")


def emitted_patterns() -> set[str]:
    # reform_2019 has every mechanism on (stationed officers, returns, secondment caps).
    names = set()
    for policy in ("reform_2019", "pre_reform"):
        t = engine.run(scenario("county=small", f"policy={policy}", *SHORT)).replications
        names |= set(t.columns) - {"replication"}
    return {glossary.pattern_of(n) for n in names}


def test_every_emitted_metric_is_in_the_glossary_and_the_reverse():
    documented = {e.name for e in glossary.entries()}
    emitted = emitted_patterns()
    assert emitted - documented == set(), "emitted but not in the glossary"
    assert documented - emitted == set(), "in the glossary but never emitted"


def test_readme_glossary_is_up_to_date():
    text = glossary.README.read_text()
    assert glossary.render(text) == text, "README glossary is stale: run python -m sim.glossary"


def test_patterns_fold_scopes_streams_and_pools():
    assert glossary.pattern_of("rural_2.enforcement.wait_mean_h") == "<stream>.wait_mean_h"
    assert glossary.pattern_of("county.services.visits_mean") == "services.visits_mean"
    assert (
        glossary.pattern_of("town_1.staff.window_staff.utilisation_share")
        == "staff.<pool>.utilisation_share"
    )
    assert glossary.pattern_of("county.county_side.staff") == "county_side.staff"

"""The README's metric glossary names every metric a run emits, and nothing else."""

from __future__ import annotations

from sim.analysis import glossary
from sim.run import engine

from .conftest import scenario

SHORT = ("run.replications=1", "run.horizon_days=30", "run.warmup_days=5", "run.timeseries=false")


def emitted_patterns() -> set[str]:
    # reform_2019 has every mechanism on (stationed officers, returns, secondment caps).
    names = set()
    # The surge and the report day add their metrics only when set.
    surge = ("run.report_day=10", "policy.surge.staff=1", "policy.surge.days=5")
    for policy, extra in (("reform_2019", ()), ("pre_reform", surge)):
        t = engine.run(scenario("county=small", f"policy={policy}", *SHORT, *extra)).replications
        names |= set(t.columns) - {"replication"}
    return {glossary.pattern_of(n) for n in names}


def test_every_emitted_metric_is_in_the_glossary_and_the_reverse():
    documented = {e.name for e in glossary.entries()}
    emitted = emitted_patterns()
    assert emitted - documented == set(), "emitted but not in the glossary"
    assert documented - emitted == set(), "in the glossary but never emitted"


def test_readme_glossary_is_up_to_date():
    text = glossary.README.read_text()
    assert glossary.render(text) == text, (
        "README glossary is stale: run python -m sim.analysis.glossary"
    )


def test_patterns_fold_scopes_streams_and_pools():
    assert glossary.pattern_of("rural_2.enforcement.wait_mean_h") == "<stream>.wait_mean_h"
    assert glossary.pattern_of("county.services.visits_mean") == "services.visits_mean"
    assert (
        glossary.pattern_of("town_1.staff.window_staff.utilisation_share")
        == "staff.<pool>.utilisation_share"
    )
    assert glossary.pattern_of("county.county_side.staff") == "county_side.staff"


def test_each_headline_kpi_has_its_better_direction_declared():
    from sim.report import plots

    expected = {
        "county.services.wait_mean_h": "lower",
        "county.services.on_time_share": "higher",
        "county.enforcement.lead_time_mean_h": "lower",
        "county.delegated.overdue_share": "lower",  # a stream's extra (its MetricDoc)
        "county.county_side.response_mean_h": "lower",
        "county.staff.seconded_days": "lower",
        "county.county_side.staff": None,  # the county's side of a trade-off
        "county.staff.departments.utilisation_share": None,
        "county.staff.county_enforcement.utilisation_share": None,
        "county.county_side.whistle_response_mean_h": "lower",
    }
    assert [k.metric for k in plots.KPIS] == list(expected)
    documented = {e.name for e in glossary.entries()}
    for metric, way in expected.items():
        assert glossary.pattern_of(metric) in documented, metric
        assert glossary.better(metric) == way, metric


def test_better_is_read_from_the_entry_not_guessed_from_the_name():
    assert glossary.better("town_3.services.on_time_share") == "higher"
    assert glossary.better("town_3.grid.wait_mean_h") == "lower"
    # "in_limit" shares were missed by the old substring rules (only "answered_in_limit").
    assert glossary.better("county.county_side.whistle_in_limit_share") == "higher"
    assert glossary.better("county.services.arrivals") is None
    assert glossary.better("county.nothing.like_this_h") is None
    assert {e.better for e in glossary.entries()} <= {"higher", "lower", None}


def test_township_centres_add_their_metrics_as_county_centres_do(monkeypatch):
    from sim.model.centres.service_centre import ServiceCentre

    def metrics(self, records, w, h):
        return {f"{self.township.id}.services.centre_probe": 1.0}

    monkeypatch.setattr(ServiceCentre, "metrics", metrics)
    s = scenario("county=small", *SHORT[:1], "run.horizon_days=3", "run.warmup_days=1")
    table = engine.run(s).replications
    probes = [c for c in table.columns if c.endswith(".centre_probe")]
    assert probes and all(not c.startswith("county.") for c in probes)
    assert len(probes) == sum(s.county.townships.values())
    assert (table[probes] == 1.0).all().all()

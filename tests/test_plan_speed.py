"""The planner's shortcuts change nothing they should not: a subset of the metrics is
the full computation's subset, the early stop keeps its stated error rate, townships
searched in parallel give the serial answer, and a candidate's scenario built from the
composed one is the scenario composed afresh.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.analysis import metrics
from sim.analysis.metrics import replication_metrics
from sim.core.records import Records
from sim.model.build import build
from sim.plan import stopping
from sim.plan.plan_config import Target

from .conftest import scenario

WUCHUAN = ("county=wuchuan", "policy=reform_2019", "run.horizon_days=40", "run.warmup_days=5")


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


# ------------------------------------------------------------- metrics: only those read
@pytest.fixture(scope="module")
def wuchuan_model():
    model = build(scenario(*WUCHUAN), 0)
    model.run()
    return model, Records.of(model.items)


def test_a_subset_of_the_metrics_is_the_full_computations_subset(wuchuan_model):
    model, rec = wuchuan_model
    full = replication_metrics(model, rec)
    rng = np.random.default_rng(7)
    names = sorted(full)
    subsets = [
        ["county.services.wait_mean_h", "county.enforcement.wait_mean_h"],
        ["town_1.staff.window_staff.headcount_mean", "county.staff.cost"],
        [n for n in names if n.startswith("rural_3.")],
        list(rng.choice(names, 40, replace=False)),
        names,
    ]
    for wanted in subsets:
        part = replication_metrics(model, rec, wanted)
        assert set(part) == set(wanted)
        assert all(_same(part[n], full[n]) for n in wanted)
    assert replication_metrics(model, rec, ["no.such.metric"]) == {}


def test_a_planners_handful_of_metrics_skips_the_streams_scopes_and_centres_it_does_not_read(
    wuchuan_model, monkeypatch
):
    model, rec = wuchuan_model
    calls = []
    real = metrics.stream_metrics
    monkeypatch.setattr(metrics, "stream_metrics", lambda r, w, h: calls.append(1) or real(r, w, h))
    for c in metrics.centres(model):
        monkeypatch.setattr(c, "metrics", lambda *a: pytest.fail("a centre's metrics computed"))
    out = replication_metrics(model, rec, ["county.services.wait_mean_h"])
    assert list(out) == ["county.services.wait_mean_h"] and len(calls) == 1

"""The structure the rest of the code relies on: streams and centres as components,
layers that only point down, wiring that fails loudly, an immutable scenario.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from sim import engine, plots, registry, results
from sim.build import build
from sim.centres.base import Centre, WiringError
from sim.config import config_hash, load_scenario
from sim.registry import MetricDoc, ParameterSource, StreamSpec
from sim.report import report
from sim.settings import Settings, knob
from sim.station import Desk
from sim.work import Step

from .conftest import raw_config, scenario

SHORT = ("run.replications=2", "run.horizon_days=30", "run.warmup_days=5")


def test_report_side_imports_nothing_of_simpy_the_engine_or_the_model():
    code = (
        "import sys, sim.report, sim.report_stats, sim.report_table, sim.report_markdown,"
        " sim.plots, sim.jobs, sim.outputs, sim.table, sim.results;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'simpy' or m in "
        "('sim.engine', 'sim.model', 'sim.build', 'sim.station', 'sim.metrics') "
        "or m.startswith('sim.centres'));"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------- a toy stream, from here
@dataclass
class ToyWorkload(Settings):
    """Settings of the toy stream (composed under ``workload.toy``)."""

    per_day: float = knob(4.0, 0.0, 1e4)
    effort_h: float = knob(0.5, 0.0, 100.0)


class ToyDesk(Centre):
    """One desk serving the toy stream."""

    def __init__(self, model, township):
        super().__init__(model, township)
        self.desk = Desk(model, f"{township.id}/toy")
        self.stations = [self.desk]

    def place(self, s):
        """New toy staff work at the desk."""
        self.desk.add(s)

    def start(self):
        """Poisson arrivals of fixed effort."""
        spec = registry.stream("toy")
        cfg = spec.settings(self.model.scenario)
        tw, model = self.township, self.model

        def create(t):
            model.new_item(tw.index, spec, t, 1.0, [Step(self.desk, cfg.effort_h)])

        self.arrive(spec, self.poisson("toy", cfg.per_day), create)


@pytest.fixture
def toy_stream():
    registry.register_stream(
        StreamSpec(
            id="toy",
            label="Toy requests",
            unit="toys",
            centre="toy",
            config=ToyWorkload,
            extra_metrics=lambda r, w, h: {"effort_total_h": float(len(r.arr)) * 0.5},
            extra_docs=(MetricDoc("effort_total_h", "toy effort", "hours"),),
            sources=(ParameterSource("*", "per day / hours", "test"),),
            staff={"toy_staff": {"quota_type": "auxiliary", "headcount": 2, "centre": "toy"}},
        )
    )
    registry.register_centre("toy")(ToyDesk)
    yield registry.stream("toy")
    registry.unregister_stream("toy")
    registry.unregister_centre("toy")


def toy_scenario(*overrides):
    # No county file names the toy pool: the stream's declaration brings it.
    return load_scenario(raw_config("county=single", *SHORT, *overrides))


def test_a_stream_registered_from_a_test_file_reaches_every_output(toy_stream, tmp_path):
    s = toy_scenario()
    assert s.workload.toy.per_day == 4.0  # the schema grew a workload.toy section
    out = engine.run(s)
    t = out.replications
    assert (t["county.toy.arrivals"] > 0).all()
    assert (t["town_1.toy.effort_total_h"] > 0).all()
    assert (t["county.toy.completions"] > 0).all()
    assert (t["county.staff.toy_staff.utilisation_share"] > 0).all()
    assert "toy" in set(out.timeseries["stream"])
    run_dir = tmp_path / "run"
    (run_dir / ".hydra").mkdir(parents=True)
    results.write_run(run_dir, out, seed=s.run.seed, replications=2, config_hash=config_hash(s))
    assert {"id": "toy", "label": "Toy requests", "unit": "toys", "in_backlog_total": True} in (
        json.loads((run_dir / "summary.json").read_text())["streams"]
    )
    titles = []

    def keep_titles(fig, path):
        titles.append((Path(path).name, [ax.get_title() for ax in fig.axes if ax.get_visible()]))
        plots.plt.close(fig)
        return path

    original = plots._save
    plots._save = keep_titles
    try:
        report([run_dir])
    finally:
        plots._save = original
    comparison = pd.read_csv(run_dir / "comparison.csv")
    assert "county.toy.arrivals" in set(comparison.metric)
    backlog = dict(titles)["backlog_over_time.png"]
    assert backlog == [s.label for s in registry.streams()]  # a panel per stream
    assert backlog[-1] == "Toy requests"


def test_a_new_streams_default_staff_reach_every_county_but_not_a_quiet_one(toy_stream):
    yishui = load_scenario(raw_config("county=yishui", *SHORT))
    assert all(kind.staff["toy_staff"].headcount == 2 for kind in yishui.county.kinds.values())
    assert "street" in yishui.county.kinds  # a kind with staff of its own gets the pool too
    quiet = load_scenario(raw_config("county=yishui", "workload=quiet", *SHORT))
    assert all("toy_staff" not in kind.staff for kind in quiet.county.kinds.values())


def test_quiet_workload_silences_a_new_stream_without_naming_it(toy_stream):
    t = engine.run(toy_scenario("workload=quiet")).replications
    assert (t["county.toy.arrivals"] == 0).all()


def test_a_need_no_centre_offers_fails_before_the_run_with_one_clear_line():
    class Lost(Centre):
        needs = {"help": "nowhere.inlet"}  # noqa: RUF012

        def place(self, s):
            """Never staffed."""

    registry.register_centre("lost")(Lost)
    try:
        with pytest.raises(WiringError, match=r"town_1/lost needs 'nowhere\.inlet': there is no"):
            build(scenario("county=single", *SHORT), 0)
    finally:
        registry.unregister_centre("lost")


def test_a_missing_inlet_is_named_with_what_the_centre_offers():
    class Asks(Centre):
        needs = {"cases": "enforcement.complaints"}  # noqa: RUF012

        def place(self, s):
            """Never staffed."""

    registry.register_centre("asks")(Asks)
    try:
        with pytest.raises(WiringError, match="town_1/enforcement offers cases"):
            build(scenario("county=single", *SHORT), 0)
    finally:
        registry.unregister_centre("asks")


def test_a_validated_scenario_is_immutable():
    s = scenario("county=single")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.run.seed = 1
    with pytest.raises(TypeError):
        s.county.kinds["town"].staff["window_staff"] = None
    with pytest.raises(TypeError):
        s.county.townships.update({"town": 3})
    copy = dataclasses.replace(s.run, seed=1)  # the way to vary a scenario
    assert copy.seed == 1
    assert s.run.seed != 1


def test_a_stream_without_a_centre_class_fails_before_the_run_with_one_clear_line():
    registry.register_stream(
        StreamSpec(id="orphan", label="Orphans", unit="items", centre="nowhere", config=ToyWorkload)
    )
    try:
        with pytest.raises(WiringError, match="'orphan' is served by centre 'nowhere'"):
            build(scenario("county=single", *SHORT), 0)
    finally:
        registry.unregister_stream("orphan")

"""The structure the rest of the code relies on: streams and centres as components,
layers that only point down, wiring that fails loudly, an immutable scenario.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import simpy

from sim.analysis.county_queues import COUNTY_QUEUES
from sim.calibrate.observed import read_counts
from sim.calibrate.rates import estimate
from sim.config import ConfigError, config_hash, load_scenario, schema
from sim.config.townships import kind_staff
from sim.core import registry
from sim.core.registry import MetricDoc, ParameterSource, StreamSpec
from sim.core.settings import Settings, knob
from sim.core.workload import Effort, Source, Visit
from sim.model.build import build
from sim.model.centres.base import Centre, WiringError
from sim.model.quota import township_staff
from sim.model.station import Desk
from sim.model.work import Step
from sim.plan import sizing
from sim.report import plots
from sim.report.compare import report
from sim.run import engine, guard, results

from .conftest import raw_config, scenario

SHORT = ("run.replications=2", "run.horizon_days=30", "run.warmup_days=5")


def _loaded_of(imports: str, forbidden: tuple[str, ...]) -> list[str]:
    """Modules of SimPy or named in ``forbidden`` (a trailing dot: a package and all it
    holds) that a fresh interpreter has loaded after ``import <imports>``.
    """
    code = (
        f"import sys, {imports};"
        f"bad = {forbidden!r};"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'simpy' or m in bad "
        "or any(m.startswith(b) for b in bad if b.endswith('.'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return list(ast.literal_eval(out.stdout.strip()))


def test_report_side_imports_nothing_of_simpy_the_engine_or_the_model():
    report_side = (
        "sim.report.compare, sim.report.stats, sim.report.console, sim.report.markdown, "
        "sim.report.plots, sim.report.jobs, sim.report.outputs, sim.report.table, sim.run.results"
    )
    engine_side = ("sim.run.engine", "sim.model.state", "sim.model.build", "sim.model.station")
    assert (
        _loaded_of(report_side, (*engine_side, "sim.analysis.metrics", "sim.model.centres.")) == []
    )


def test_configuration_imports_nothing_of_the_model_its_data_files_or_the_guard():
    # Loading and validating is about the configuration's values alone; what needs the
    # model's logic or a data file is sim.run.guard.check_scenario's (no cycle config → model).
    model_side = (
        "sim.run.engine", "sim.model.state", "sim.model.build", "sim.model.backlog",
        "sim.config.datafiles", "sim.run.guard", "sim.model.quota", "sim.model.demand",
        "sim.cli.preflight",
    )  # fmt: skip
    assert _loaded_of("sim.config", model_side) == []


def test_the_scenario_holds_only_what_a_simulation_reads():
    # The M/M/c preset's keys feed the model's by interpolation, then stay with the preset.
    s = scenario("+validation=mmc", "mmc.servers=7")
    names = {f.name for f in dataclasses.fields(s)}
    assert names == {"run", "calendar", "county", "workload", "policy"}
    assert s.county.kinds["town"].staff["window_staff"].headcount == 7


# ---------------------------------------------------------------- a toy stream, from here
@dataclass
class ToyWorkload(Settings):
    """Settings of the toy stream (composed under ``workload.toy``)."""

    per_day: float = knob(4.0, 0.0, 1e4)
    effort_h: float = knob(0.5, 0.0, 100.0)


class ToyDesk(Centre):
    """One desk serving the toy stream."""

    def __init__(self, model, township, settings):
        super().__init__(model, township, settings)
        self.desk = Desk(model, f"{township.id}/toy")
        self.stations = [self.desk]

    def place(self, s):
        """New toy staff work at the desk."""
        self.desk.add(s)

    def start(self):
        """Poisson arrivals of fixed effort, at the declared rate."""
        spec = registry.stream("toy")
        cfg = self.settings.workload(spec)
        tw, model = self.township, self.model

        def create(t):
            model.new_item(tw.index, spec, t, 1.0, [Step(self.desk, cfg.effort_h)])

        per_day = self.settings.rate_per_day("toy", "toy", tw)
        self.arrive(spec, self.poisson("toy", per_day), create)


def toy_workload(s):
    """Toys per township and day, one visit of fixed effort each."""
    cfg = s.workload.toy
    visit = Visit("toy", 1.0, Effort(cfg.effort_h))
    return (Source("toys", (visit,), "per_day", cfg.per_day, "township", "toy"),)


TOY = StreamSpec(
    id="toy",
    label="Toy requests",
    unit="toys",
    centre="toy",
    config=ToyWorkload,
    workload=toy_workload,
    extra_metrics=lambda r, w, h: {"effort_total_h": float(len(r.arr)) * 0.5},
    extra_docs=(MetricDoc("effort_total_h", "toy effort", "hours"),),
    sources=(ParameterSource("*", "per day / hours", "test"),),
    staff={"toy_staff": {"quota_type": "auxiliary", "headcount": 2, "centre": "toy"}},
)


@pytest.fixture
def toy_stream():
    with registry.extended(TOY, centres={"toy": ToyDesk}) as (toy,):
        yield toy


def toy_scenario(*overrides):
    # No county file names the toy pool: the stream's declaration brings it.
    return load_scenario(raw_config("county=single", *SHORT, *overrides))


def test_a_stream_registered_from_a_test_file_reaches_every_output(
    toy_stream, tmp_path, monkeypatch
):
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

    monkeypatch.setattr(plots, "_save", keep_titles)
    report([run_dir])
    comparison = pd.read_csv(run_dir / "comparison.csv")
    assert "county.toy.arrivals" in set(comparison.metric)
    backlog = dict(titles)["backlog_over_time.png"]
    queues = [q.label for q in COUNTY_QUEUES]  # after them, one per county queue
    assert backlog == [s.label for s in registry.streams()] + queues  # a panel per stream
    assert backlog[-1 - len(queues)] == "Toy requests"


def test_a_stream_added_for_a_block_is_gone_with_its_schema_section_after_it():
    before = registry.streams()
    with registry.extended(TOY, centres={"toy": ToyDesk}):
        assert registry.streams()[-1].id == "toy"
        assert schema.scenario_schema() is schema.scenario_schema()  # built once per set
        assert schema.scenario_schema() is not schema.ScenarioSchema
        assert toy_scenario().workload.toy.per_day == 4.0
    with pytest.raises(RuntimeError), registry.extended(TOY, centres={"toy": ToyDesk}):
        raise RuntimeError  # a failing test leaves nothing behind either
    assert registry.streams() == before
    assert "toy" not in {c.name for c in registry.centres()}
    assert schema.scenario_schema() is schema.ScenarioSchema  # Hydra's base_config
    assert not hasattr(toy_scenario().workload, "toy")


def test_a_new_streams_default_staff_reach_every_county_but_not_a_quiet_one(toy_stream):
    yishui = load_scenario(raw_config("county=yishui", *SHORT))
    assert all(kind_staff(yishui, kind)["toy_staff"].headcount == 2 for kind in yishui.county.kinds)
    assert "street" in yishui.county.kinds  # a kind with staff of its own gets the pool too
    assert township_staff(yishui, "street_1")["toy_staff"].headcount == 2  # the model's pools
    # The scenario keeps what was configured: the default pool is resolved, not added.
    assert all("toy_staff" not in kind.staff for kind in yishui.county.kinds.values())
    quiet = load_scenario(raw_config("county=yishui", "workload=quiet", *SHORT))
    assert all("toy_staff" not in kind_staff(quiet, kind) for kind in quiet.county.kinds)


def test_a_streams_default_pool_may_be_named_like_a_configured_one(toy_stream):
    s = toy_scenario("+county.township_staff.town_1.toy_staff=5", "policy.quota.pools=[toy_staff]")
    assert township_staff(s, "town_1")["toy_staff"].headcount == 5
    with pytest.raises(ConfigError, match=r"township_staff\.town_1\.toy_pool: not a staff pool"):
        toy_scenario("+county.township_staff.town_1.toy_pool=5")


def test_a_new_streams_declaration_reaches_the_guard_sizing_and_calibration(toy_stream, tmp_path):
    s = toy_scenario()
    hours = s.calendar.hours_per_day
    others = ",".join(x.id for x in registry.streams() if x.id != "toy")
    quiet = toy_scenario(f"workload.streams=[{others}]")
    grown = guard.estimate(s).per_replication - guard.estimate(quiet).per_replication
    # One township: 4 toys a day, and the 2 staff of the pool the stream brings.
    assert grown == pytest.approx(4.0 * s.run.horizon_days + 2)
    (row,) = [r for r in sizing.size(s) if r.centre == "toy"]
    assert row.offered_load == pytest.approx(4.0 * 0.5 / hours)
    assert row.quota == 2  # the stream's default pool
    unstaffed = toy_scenario("+county.township_staff.town_1.toy_staff=0")
    assert any("'toy' centre, so its toy work" in line for line in guard.unserved_work(unstaffed))
    path = tmp_path / "counts.csv"
    path.write_text(  # 2020-01-06 … 2020-01-31: 20 working days
        "township,stream,period_start,period_end,arrivals\ntown_1,toy,2020-01-06,2020-01-31,60\n"
    )
    est = estimate(s, read_counts(str(path), s))
    (rate,) = [r for r in est.rates if r.key == "workload.toy.per_day"]
    assert rate.value == pytest.approx(60 / 20)


def test_quiet_workload_silences_a_new_stream_without_naming_it(toy_stream):
    t = engine.run(toy_scenario("workload=quiet")).replications
    assert (t["county.toy.arrivals"] == 0).all()


def test_a_need_no_centre_offers_fails_before_the_run_with_one_clear_line():
    class Lost(Centre):
        needs = {"help": "nowhere.inlet"}  # noqa: RUF012

        def place(self, s):
            """Never staffed."""

    with (
        registry.extended(centres={"lost": Lost}),
        pytest.raises(WiringError, match=r"town_1/lost needs 'nowhere\.inlet': there is no"),
    ):
        build(scenario("county=single", *SHORT), 0)


def test_a_missing_inlet_is_named_with_what_the_centre_offers():
    class Asks(Centre):
        needs = {"cases": "enforcement.complaints"}  # noqa: RUF012

        def place(self, s):
            """Never staffed."""

    with (
        registry.extended(centres={"asks": Asks}),
        pytest.raises(WiringError, match="town_1/enforcement offers cases"),
    ):
        build(scenario("county=single", *SHORT), 0)


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
    orphan = StreamSpec(
        id="orphan", label="Orphans", unit="items", centre="nowhere", config=ToyWorkload
    )
    with (
        registry.extended(orphan),
        pytest.raises(WiringError, match="'orphan' is served by centre 'nowhere'"),
    ):
        build(scenario("county=single", *SHORT), 0)
    with (
        registry.extended(orphan),
        pytest.raises(ConfigError, match="'orphan' is served by centre 'nowhere'") as err,
    ):
        guard.check_scenario(scenario("county=single", *SHORT))  # what every command runs
    assert "\n" not in str(err.value)


# ---------------------------------------------------------------- SimPy's private side
SIM = Path(__file__).resolve().parents[1] / "sim"


def _private_names(source: str) -> set[str]:
    """Private attributes a module defines on its own objects (``self._x``, ``def _x``)."""
    return set(re.findall(r"\bself\.(_[a-z]\w*)", source)) | set(
        re.findall(r"\bdef (_[a-z]\w*)", source)
    )


def test_simpys_private_attributes_are_used_only_in_the_timer_module():
    simpy_root = Path(simpy.__file__).parent
    simpys = set().union(*(_private_names(p.read_text()) for p in simpy_root.rglob("*.py")))
    modules = {p: p.read_text() for p in SIM.rglob("*.py") if p.name != "timer.py"}
    ours = set().union(*(_private_names(text) for text in modules.values()))
    # A name SimPy uses privately that the model never defines itself (``_value``,
    # ``_ok``, ``_queue``, ``_now`` …), or any private attribute of an env or event.
    private = simpys - ours
    assert {"_value", "_ok", "_queue", "_eid", "_now"} <= private
    found = [
        f"{path.relative_to(SIM.parent)}:{n}: {line.strip()}"
        for path, text in modules.items()
        for n, line in enumerate(text.splitlines(), 1)
        for owner, attr in re.findall(r"(\w+)\.(_[a-z]\w*)", line)
        if attr in private
        or owner in ("env", "event")
        or re.search(r"\bsimpy\.(?!Environment\b)\w+", line)
    ]
    assert found == [], "SimPy internals outside sim/core/timer.py:\n" + "\n".join(found)


# ---------------------------------------------------------------- what a centre reads
def test_no_centre_reads_the_scenario():
    """The builder hands every centre its settings (``CentreSettings``) when the model is
    built, so what the centres depend on is listed in one place and fixed before the run
    starts. A centre reaching into ``model.scenario`` deep in the engine (in ``start``, a
    daily review, or ``metrics`` after the run) would bring back a hidden dependency on
    any key of the scenario, one the builder cannot see. So no module of
    ``sim/model/centres/`` may name ``.scenario`` at all (a textual check: comments
    count too, which keeps it simple and strict).
    """
    centres = sorted((SIM / "model" / "centres").glob("*.py"))
    assert len(centres) >= 8  # the glob found the package
    found = [
        f"{path.relative_to(SIM.parent)}:{n}: {line.strip()}"
        for path in centres
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if ".scenario" in line
    ]
    assert found == [], "centres reading the scenario:\n" + "\n".join(found)

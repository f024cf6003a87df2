"""The edges of issue 22, one parametrised test per class: every input that adds work
passes the run-size guard; values that are each in range but wrong together, or switches
set to numbers, are refused; a backlog file that says two things at once is refused. Each
case is one line naming the key or the file and row.
"""

from __future__ import annotations

import pytest

from sim.calibrate.calibration import calibrate
from sim.calibrate.observed import MAX_YEARS, read_counts
from sim.cli import preflight
from sim.config import ConfigError
from sim.config.location import config_dir
from sim.plan import plan_config
from sim.run import guard

from .conftest import checked_scenario, raw_config, scenario
from .test_plan import MMC, planner_config

RUN = ("county=small", "run.horizon_days=30", "run.warmup_days=0")
BACKLOG = "township,stream,open_items\n"
COUNTS = "township,stream,period_start,period_end,arrivals\n"


def _one_line(err: pytest.ExceptionInfo[ConfigError], *named: str) -> str:
    msg = str(err.value)
    assert "\n" not in msg, msg
    for name in named:
        assert name in msg, msg
    return msg


# ------------------------------------------------- inputs that add work pass the guard
def _backlog(tmp_path, body: str) -> None:
    path = tmp_path / "backlog.csv"
    path.write_text(BACKLOG + body)
    checked_scenario(*RUN, f"run.initial_backlog={path}")


def _counts(tmp_path, *rows: str) -> str:
    path = tmp_path / "counts.csv"
    path.write_text(COUNTS + "".join(f"{r}\n" for r in rows))
    return str(path)


def _far_period(tmp_path) -> None:
    far = _counts(tmp_path, FIRST, "town_1,services,2150-01-01,2150-01-31,100")
    read_counts(far, scenario("county=small"))


def _long_fit_check(tmp_path) -> None:
    data = _counts(tmp_path, FIRST, "town_1,services,2040-01-01,2040-01-31,100")
    cfg = raw_config("county=small", "run.max_items_per_replication=2e5")
    try:
        calibrate(cfg, data, tmp_path / "out")
    finally:
        assert not (tmp_path / "out").exists()  # refused before a file is written


FIRST = "town_1,services,2020-01-06,2020-01-31,100"
GUARD = ("run too large", "run.max_items_per_replication")


@pytest.mark.parametrize(
    "refuse, named",
    [
        (lambda _: checked_scenario(*RUN, "county.enforcement_work_per_day=1e6"), GUARD),
        (lambda tmp: _backlog(tmp, "town_1,services,5000000\n"), GUARD),
        (lambda tmp: _backlog(tmp, "town_1,services,1e12\n"), GUARD),
        # was an OverflowError building the items, then a sum past a float's range
        (lambda tmp: _backlog(tmp, "town_1,services,1e300\n"), GUARD),
        (lambda tmp: _backlog(tmp, "town_1,services,1e300\nrural_1,services,1e300\n"), GUARD),
        (_far_period, ("counts.csv, row 3, column period_end", f"{MAX_YEARS} years after")),
        (_long_fit_check, ("the fit check simulates", *GUARD)),
    ],
    ids=[
        "county-rate",
        "backlog-5e6",
        "backlog-1e12",
        "backlog-1e300",
        "backlog-sum",
        "2150",
        "fit-check",
    ],
)
def test_work_of_any_input_is_weighed_by_the_guard(tmp_path, refuse, named):
    with pytest.raises(ConfigError) as err:
        refuse(tmp_path)
    _one_line(err, *named)


def test_a_small_backlog_passes_and_is_counted(tmp_path):
    path = tmp_path / "backlog.csv"
    path.write_text(BACKLOG + "town_1,services,1000\n")
    plain = guard.estimate(scenario(*RUN)).per_replication
    size = guard.estimate(checked_scenario(*RUN, f"run.initial_backlog={path}"))
    assert size.opening == 1000 and size.per_replication == pytest.approx(plain + 1000)


# ------------------------------------------------------------------- cross-key checks
def _plan(decisions: dict[str, list[int]]) -> None:
    plan_config.check(planner_config(*MMC, decisions=decisions))


def _switch(arg: str) -> None:
    # OmegaConf reads any integer as a boolean (2 → true): the run went ahead switched on.
    preflight.check([arg], config_dir())


CROSS_KEY = [
    (
        lambda: checked_scenario("county=small", "county.department_staff=80"),
        ("county.department_staff = 80", "≤ county.quota_total = 70"),
    ),
    (
        lambda: checked_scenario("run.precision_kpis=[county.nonexistent.metric]"),
        ("run.precision_kpis", "'county.nonexistent.metric'", "<scope>.<stream>.<metric>"),
    ),
    (
        lambda: checked_scenario("run.precision_kpis=[county.staff.nopool.utilisation_share]"),
        ("run.precision_kpis", "'county.staff.nopool.utilisation_share'"),
    ),
    (
        lambda: checked_scenario("run.precision_kpis=[town_9.services.wait_mean_h]"),
        ("run.precision_kpis", "'town_9.services.wait_mean_h'"),
    ),
    *[
        (lambda arg=arg: _switch(arg), (f"{arg.split('=')[0]} = ", "must be true or false"))
        for arg in (
            "run.common_random_numbers=2",
            "policy.rebalancing.enabled=2",
            "policy.enforcement.integrated=2",
            "policy.rebalancing.enabled=true,0",
            "county.cover.across_centres=-1",
        )
    ],
    (lambda: _plan({"mmc.servers": [2, 20000]}), ("plan.decisions.mmc.servers:", "≤ 10000")),
    (lambda: _plan({"mmc.servers": [0, 5]}), ("plan.decisions.mmc.servers:", "≥ 1")),
    (
        lambda: _plan({"county.kinds.town.staff.window_staff.headcount": [1, 20000]}),
        ("plan.decisions.county.kinds.town.staff.window_staff.headcount:", "≤ 10000"),
    ),
    (
        lambda: _plan({"county.township_staff.town_1.window_staff": [0, 20_000_000]}),
        ("plan.decisions.county.township_staff.town_1.window_staff:", "≤ 1e+07"),
    ),
]


CROSS_KEY_IDS = [
    "staff-over-quota",
    "kpi-unknown",
    "kpi-no-pool",
    "kpi-no-township",
    *[f"switch-{i}" for i in range(5)],
    "plan-above",
    "plan-below",
    "plan-headcount",
    "plan-township-staff",
]


@pytest.mark.parametrize("refuse, named", CROSS_KEY, ids=CROSS_KEY_IDS)
def test_values_wrong_together_are_one_line(refuse, named):
    with pytest.raises(ConfigError) as err:
        refuse()
    _one_line(err, *named)


def test_what_is_right_together_passes():
    checked_scenario("county=small", "county.department_staff=70")
    checked_scenario("run.precision_kpis=[county.staff.departments.utilisation_share]")
    _switch("policy.rebalancing.enabled=yes,false")
    _plan({"mmc.servers": [1, 10_000]})


# ------------------------------------------------------ backlog files that say two things
@pytest.mark.parametrize(
    "text, where",
    [
        (
            "township,stream,open_items,arrival_date\ntown_1,services,3,2019-12-30\n",
            "row 1: both columns open_items and arrival_date",
        ),
        (
            BACKLOG + "town_1,services,3\nrural_1,services,2\ntown_1,services,4\n",
            "row 4, column township: town_1 services is counted again (first on row 2)",
        ),
    ],
    ids=["both-layouts", "repeated-row"],
)
def test_an_ambiguous_backlog_file_is_one_line(tmp_path, text, where):
    path = tmp_path / "backlog.csv"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        checked_scenario(*RUN, f"run.initial_backlog={path}")
    msg = _one_line(err, where)
    assert msg.startswith(str(path))


def test_items_dated_on_the_same_day_are_not_repeats(tmp_path):
    path = tmp_path / "backlog.csv"
    path.write_text("township,stream,arrival_date\n" + "town_1,services,2019-12-30\n" * 3)
    checked_scenario(*RUN, f"run.initial_backlog={path}")

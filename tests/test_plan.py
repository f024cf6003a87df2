"""``tsim-plan``: the search against Erlang C, resuming, and bad plans.

The expected answers are the smallest c that Erlang C gives (sim.plan.analytic, itself
checked against a birth–death chain in test_theory), never the simulator's own output.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from sim.config import ConfigError
from sim.plan import analytic, plan_config, search
from sim.plan import planner as plan
from sim.plan.plan_config import PlanConfig
from sim.plan.search import Decision, Outcome

from .conftest import compose_config, one_line

MMC = ("+validation=mmc", "run.horizon_days=300", "run.warmup_days=20")


def planner_config(*overrides: str, **plan_fields):
    cfg = compose_config("planner", "plan=mmc_servers", *overrides)
    # A plan is verified on all verify_replications: 10 here, not the default 40, unless
    # a test asks (the verification's own tests do), as the old rule often stopped at 10.
    plan_fields.setdefault("verify_replications", 10)
    return set_plan(cfg, **plan_fields)


def set_plan(cfg, **fields):
    """Replace whole fields of the plan (a typed dict would merge, not replace)."""
    current = OmegaConf.to_container(cfg.plan)
    current.update(fields)
    cfg.plan = OmegaConf.merge(OmegaConf.structured(PlanConfig), current)
    return cfg


# ------------------------------------------------------------- the search, on formulas
def erlang_outcome(cases, point):
    """Shortfall of Wq against each station's target, from the formula."""
    miss = 0.0
    for (lam, mu, target), c in zip(cases, point, strict=True):
        miss += max(0.0, analytic.mmc_wait_mean(lam, mu, c) - target) / target
    return Outcome(miss, miss == 0.0)


@pytest.mark.parametrize("start", [(1, 1), (6, 2), (20, 20)])
def test_search_finds_each_independent_minimum_from_any_start(start):
    cases = [(4.0, 1.0, 0.3), (9.0, 1.0, 0.15)]
    decisions = [Decision("a", 1, 20, 1.0), Decision("b", 1, 20, 1.0)]
    result = search.search(decisions, start, lambda p: erlang_outcome(cases, p))
    expected = tuple(analytic.mmc_servers_for_wait(lam, mu, w) for lam, mu, w in cases)
    assert result.feasible and result.point == expected == (6, 12)
    assert len({s.point for s in result.steps}) == len(result.steps)  # each once


def test_search_within_a_budget_reports_the_closest_infeasible_plan():
    cases = [(4.0, 1.0, 0.3), (9.0, 1.0, 0.15)]
    decisions = [Decision("a", 1, 20, 1.0), Decision("b", 1, 20, 1.0)]
    result = search.search(decisions, (1, 1), lambda p: erlang_outcome(cases, p), budget=15)
    assert not result.feasible
    assert result.cost <= 15
    assert result.outcome.shortfall == min(s.outcome.shortfall for s in result.steps)


def test_a_replication_without_a_value_for_a_target_misses_it():
    # days_to_clear has no value in a run whose backlog never clears: the worst case,
    # not one to leave out of the bound.
    t = plan_config.Target("town_1.services.days_to_clear", 20.0, True)
    clears = plan.Evaluation((), "", {t.metric: [10.0, 12.0, 11.0, 9.0]}, 0.0, False)
    assert plan.miss(t, plan.bound(clears, t, 0.95)) == 0.0
    never = plan.Evaluation((), "", {t.metric: [10.0, 12.0, None, 11.0, 9.0]}, 0.0, False)
    assert math.isnan(plan.bound(never, t, 0.95)) and plan.miss(t, math.nan) > 0


def test_a_step_that_makes_things_worse_does_not_drive_another_decision_to_its_bound():
    # One more unit of a makes the shortfall worse (windows regrouped), two meet the
    # target; b helps a little each unit. The old greedy raised b to its bound 10.
    g = {4: 2.0, 5: 1.0, 6: 1.5}

    def outcome(p):
        a, b = p
        s = max(0.0, g.get(a, 0.0) - 0.1 * b)
        return Outcome(s, s == 0.0)

    decisions = [Decision("a", 1, 10, 1.0), Decision("b", 1, 10, 1.0)]
    result = search.search(decisions, (5, 1), outcome)
    assert result.feasible and result.point == (7, 1)
    assert max(s.point[1] for s in result.steps) == 2  # b only tried, never taken
    assert "add 2" in {s.phase for s in result.steps}


def test_no_step_that_helps_stops_instead_of_wandering():
    decisions = [Decision("a", 1, 10, 1.0)]
    result = search.search(decisions, (1,), lambda p: Outcome(1.0 + p[0], False))
    assert not result.feasible and result.point == (1,)
    assert "cuts the shortfall" in result.stopped and len(result.steps) == 3  # 1, 2, 3


def test_townships_that_share_nothing_are_searched_apart():
    cases = [(4.0, 1.0, 0.3), (9.0, 1.0, 0.15)]
    decisions = [Decision("a", 1, 20, 1.0), Decision("b", 1, 20, 1.0)]
    parts = search.groups(["town_1", "rural_1"], ["rural_1", "town_1"])
    assert [(g.name, g.decisions, g.targets) for g in parts] == [
        ("rural_1", (1,), (0,)),
        ("town_1", (0,), (1,)),
    ]
    # A kind-wide decision or a county target couples everything.
    assert len(search.groups([None, "rural_1"], ["rural_1", "town_1"])) == 1
    assert len(search.groups(["town_1", "rural_1"], [None, "town_1"])) == 1

    def judged(point, targets):
        # target 0 is b's (rural_1), target 1 is a's (town_1)
        own = {0: (cases[1], point[1]), 1: (cases[0], point[0])}
        m = sum(
            max(0.0, analytic.mmc_wait_mean(lam, mu, c) - w) / w
            for j, ((lam, mu, w), c) in own.items()
            if j in targets
        )
        return Outcome(m, m == 0.0)

    apart = search.search_groups(decisions, (1, 1), judged, parts)
    together = search.search(decisions, (1, 1), lambda p: judged(p, (0, 1)))
    assert apart.feasible and apart.point == together.point == (6, 12)
    # Each group's steps move only its own decision; the union is judged on every target.
    for s in apart.steps[:-1]:
        moved = [i for i in (0, 1) if s.point[i] != 1]
        assert moved in ([], [0] if s.phase.startswith("town_1") else [1])
    assert apart.steps[-1].phase == "groups combined" and apart.steps[-1].point == (6, 12)
    assert len(apart.steps) < len(together.steps)


# ------------------------------------------------------------- the plan, by simulation
def run(cfg, tmp_path, overrides=()):
    return plan.run_plan(cfg, tmp_path, list(overrides))


@pytest.mark.slow
@pytest.mark.parametrize("lam,mu,max_wait,expected", [(4.0, 1.0, 0.3, 6), (9.0, 1.0, 0.15, 12)])
def test_plan_equals_the_smallest_erlang_c_servers(tmp_path, lam, mu, max_wait, expected):
    assert analytic.mmc_servers_for_wait(lam, mu, max_wait) == expected
    overrides = [*MMC, f"mmc.lam_per_h={lam}", f"mmc.mu_per_h={mu}"]
    cfg = planner_config(*overrides)
    set_plan(cfg, targets={"county.services.wait_mean_h": {"max": max_wait}})
    result = run(cfg, tmp_path, ["plan=mmc_servers", *overrides])
    assert result.feasible and result.chosen == {"mmc.servers": expected}
    saved = json.loads((tmp_path / "plan.json").read_text())
    assert saved["decisions"] == {"mmc.servers": expected} and saved["feasible"]
    assert saved["cost"] == expected  # one post per server
    wait = saved["metrics"]["county.services.wait_mean_h"]
    assert wait["ci_high"] <= max_wait and set(wait) == {"mean", "ci_low", "ci_high", "n"}
    trace = (tmp_path / "trace.csv").read_text().splitlines()
    assert len(trace) == 1 + saved["evaluations"]
    assert (tmp_path / "frontier.png").stat().st_size > 0
    # The table: today's servers (the validation's default), the plan's, and what one
    # server fewer misses — Erlang C's wait for c − 1 exceeds the target.
    [row] = saved["table"]
    assert row["today"] == cfg.mmc.servers and row["plan"] == expected
    assert analytic.mmc_wait_mean(lam, mu, expected - 1) > max_wait
    assert row["one_unit_fewer_misses"].startswith("county.services.wait_mean_h bound ")
    assert "`mmc.servers`" in (tmp_path / "decisions.md").read_text()
    line = (tmp_path / "command.txt").read_text().strip()
    assert line == f"tsim {' '.join(overrides)} mmc.servers={expected}"


TWO_STATIONS = (
    *MMC,
    "county.townships.rural=1",  # a second township: 12,000 people, so λ = 4.8 per hour
    *[
        f"county.kinds.rural.staff.{pool}.headcount=0"
        for pool in ("window_aux", "enforcement_officers", "enforcement_aux", "office_staff")
    ],
    "county.kinds.rural.staff.grid_workers.headcount=0",
)


@pytest.mark.slow
def test_two_independent_stations_each_reach_their_own_minimum(tmp_path):
    cfg = planner_config(
        *TWO_STATIONS,
        start="low",
        decisions={
            "county.kinds.town.staff.window_staff.headcount": [5, 12],
            "county.kinds.rural.staff.window_staff.headcount": [5, 12],
        },
        targets={
            "town_1.services.wait_mean_h": {"max": 0.3},
            "rural_1.services.wait_mean_h": {"max": 0.25},
        },
    )
    result = run(cfg, tmp_path)
    town = analytic.mmc_servers_for_wait(4.0, 1.0, 0.3)
    rural = analytic.mmc_servers_for_wait(4.8, 1.0, 0.25)
    assert (town, rural) == (6, 7)
    assert result.feasible
    assert result.chosen == {
        "county.kinds.town.staff.window_staff.headcount": town,
        "county.kinds.rural.staff.window_staff.headcount": rural,
    }


@pytest.mark.slow
def test_rerun_reads_finished_evaluations_back(tmp_path, monkeypatch):
    cfg = planner_config(*MMC, "run.horizon_days=60", "mmc.servers=6", verify_replications=0)
    first = run(cfg, tmp_path)
    # Each candidate (the targets' metrics), and the chosen plan once more with every
    # metric for plan.json: without a verification nothing else computed them.
    assert first.simulated == first.evaluations + 1 >= 3
    calls = []
    real = plan.replicate
    monkeypatch.setattr(plan, "replicate", lambda *a, **k: calls.append(a) or real(*a, **k))
    again = run(cfg, tmp_path)
    assert calls == [] and again.simulated == 0
    assert again.chosen == first.chosen and again.evaluations == first.evaluations


# ------------------------------------------------------------- bad plans: one line each
BAD = [
    ({"decisions": {"mmc.serverz": [1, 5]}}, "plan.decisions.mmc.serverz: not a key"),
    ({"decisions": {"mmc.servers": [6, 2]}}, r"plan.decisions.mmc.servers: \[6, 2\]: needs"),
    ({"decisions": {"mmc.lam_per_h": [1, 5]}}, "must be an integer key"),
    ({"targets": {"county.services.wait_h": {"max": 1}}}, "plan.targets.county.services.wait_h"),
    ({"targets": {"town_9.services.wait_mean_h": {"max": 1}}}, "not a metric of this scenario"),
    (
        {"targets": {"county.services.wait_mean_h": {"max": 1, "min": 0}}},
        "exactly one of",
    ),
    ({"confidence": 1.0}, "plan.confidence = 1: must be ≥ 0.5 and < 1"),
    ({"confidence": 0.2}, "plan.confidence = 0.2"),
    ({"cost": {"mmc.mu_per_h": 2.0}}, "plan.cost.mmc.mu_per_h: not one of plan.decisions"),
    ({"replications": 1}, "plan.replications = 1"),
    ({"verify_replications": 1}, "plan.verify_replications = 1: must be 0 .* or at least 2"),
]


@pytest.mark.parametrize("fields,message", BAD)
def test_bad_plan_is_one_clear_line(tmp_path, fields, message):
    cfg = planner_config(*MMC, **fields)
    with pytest.raises(ConfigError, match=message) as err:
        run(cfg, tmp_path)
    assert "\n" not in str(err.value)
    assert not (tmp_path / "evaluations").exists()  # nothing simulated


def tsim_plan(*args, **kw):
    return subprocess.Popen(
        [sys.executable, "-m", "sim.cli.plan", "plan=mmc_servers", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


EXITS = {  # case: (what it adds to the plan, tsim-plan's exit status)
    "feasible": ((), 0),
    "infeasible": (("plan.budget=3",), 3),
    "bad": (("plan.confidence=1.5",), 2),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", EXITS)  # a test each: two ~10 s plans run side by side
def test_cli_exit_codes_feasible_infeasible_and_bad(tmp_path, capsys, case):
    from sim.cli import plan as plan_cli

    # In this process: the statuses are main's (a process each cost ~2 s of start-up).
    base = ["plan=mmc_servers", *MMC, "run.horizon_days=60", "plan.replications=3"]
    base.append("plan.verify_replications=10")  # as planner_config: not the default 40
    more, status = EXITS[case]
    capsys.readouterr()
    assert plan_cli.main([*base, *more, f"hydra.run.dir={tmp_path}"]) == status
    if case == "infeasible":
        assert json.loads((tmp_path / "plan.json").read_text())["feasible"] is False
    if case == "bad":
        assert "plan.confidence = 1.5" in one_line(capsys)


@pytest.mark.slow
def test_killed_plan_resumes_without_repeating_evaluations(tmp_path):
    args = [
        *MMC,
        "run.horizon_days=200",
        "plan.start=low",  # from c = 1: many evaluations, time to kill mid-search
        "plan.verify_replications=0",  # counts below are the search's
        f"hydra.run.dir={tmp_path}",
    ]
    proc = tsim_plan(*args, start_new_session=True)
    cache = Path(tmp_path) / "evaluations"
    deadline = time.time() + 120
    while time.time() < deadline and len(list(cache.glob("*.json"))) < 2:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.json")}
    assert len(before) >= 2 and not (Path(tmp_path) / "plan.json").exists()
    again = tsim_plan(*args)
    assert again.wait() == 0, again.stderr.read()
    saved = json.loads((Path(tmp_path) / "plan.json").read_text())
    # The candidates not yet cached, and the chosen plan with every metric (no verification).
    assert saved["simulated_this_run"] == saved["evaluations"] - len(before) + 1
    after = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.json")}
    assert all(after[name] == t for name, t in before.items())  # not rewritten
    assert saved["decisions"] == {"mmc.servers": 6}


@pytest.mark.slow
def test_verification_reruns_the_chosen_plan_on_the_next_seed(tmp_path):
    cfg = planner_config(*MMC, "run.horizon_days=60", verify_replications=4)
    result = run(cfg, tmp_path)
    check = json.loads(result.path.read_text())["verification"]
    assert check["replications"] == 4 and check["seed"] == cfg.run.seed + 1
    wait = check["targets"]["county.services.wait_mean_h"]
    assert wait["met"] == (wait["bound"] <= 0.3) and check["meets_targets"] == wait["met"]
    assert result.evaluations == len(list((tmp_path / "evaluations").glob("*.json"))) - 1


def test_unit_costs_count_the_posts_or_their_pay_and_commands_add_new_keys():
    cfg = compose_config("planner", "plan=mmc_servers", "county=wuchuan")
    decisions = {
        "county.kinds.town.staff.window_staff.headcount": [1, 9],  # 3 towns: 3 posts a unit
        "county.township_staff.rural_2.window_staff": [1, 5],  # one township: 1 post
    }
    targets = {"county.services.wait_mean_h": {"max": 1.0}}
    set_plan(cfg, decisions=decisions, targets=targets)
    posts = {d.key: d.unit_cost for d in plan_config.check(cfg).decisions}
    assert list(posts.values()) == [3.0, 1.0]
    set_plan(cfg, cost_basis="pay")
    pay = {d.key: d.unit_cost for d in plan_config.check(cfg).decisions}
    institutional = cfg.county.pay.institutional  # window staff; pre_reform: no premium
    assert list(pay.values()) == [3 * institutional, institutional]
    line = plan_config.command(
        cfg, ["plan=mmc_servers", "county=wuchuan"], dict.fromkeys(decisions, 4)
    )
    assert line == (
        "tsim county=wuchuan county.kinds.town.staff.window_staff.headcount=4 "
        "+county.township_staff.rural_2.window_staff=4"
    )


def test_plan_and_calibrate_have_their_own_help_and_a_missing_plan_is_one_line(capsys):
    # tsim-plan --help used to end in Hydra's traceback for the missing plan, and
    # tsim-calibrate --help printed tsim's help.
    from sim.cli import calibrate as calibrate_cli
    from sim.cli import plan as plan_cli

    assert plan_cli.main(["--help"]) == 0
    assert "usage: tsim-plan plan=NAME" in capsys.readouterr().out
    assert calibrate_cli.main(["--help"]) == 0
    assert "usage: tsim-calibrate FILE" in capsys.readouterr().out
    assert plan_cli.main(["county=small"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "plan=NAME" in err[0], err


# ------------------------------------------------------------- structure, verification, output
def test_add_steps_try_only_the_decisions_that_serve_a_missed_target():
    tried = []

    def outcome(p):
        tried.append(p)
        a, b = p
        misses = {0: max(0.0, 5 - a) / 5, 1: max(0.0, 3 - b) / 3}
        s = sum(misses.values())
        return Outcome(s, s == 0.0, frozenset(j for j, m in misses.items() if m))

    decisions = [Decision("a", 1, 10, 1.0), Decision("b", 1, 10, 1.0)]
    # b already meets its target; it serves only target 1, so no add step moves it.
    result = search.search(decisions, (1, 3), outcome, serves=[frozenset({0}), frozenset({1})])
    assert result.point == (5, 3)
    assert all(b <= 3 for _, b in tried)
    unpruned = search.search(decisions, (1, 3), lambda p: outcome(p))
    assert unpruned.point == (5, 3) and len(unpruned.steps) > len(result.steps)


class FakeChecks:
    """Stands in for the Evaluator in confirm(): verification = a formula per point."""

    def __init__(self, passes):
        self.passes, self.verified, self.rounds = passes, {}, 0

    def evaluation(self, point, verify=False):
        assert verify
        self.verified[point] = point
        return point

    def meets(self, e, indices=None):
        return self.passes(e)

    def shortfall(self, e):
        return 0.0 if self.passes(e) else 10.0 - sum(e)


def fake_plan(**kw):
    p = plan_config.Plan(
        decisions=(Decision("a", 1, 10, 2.0), Decision("b", 1, 10, 1.0)),
        targets=(plan_config.Target("county.services.wait_mean_h", 1.0, True),),
        budget=None,
        confidence=0.95,
        replications=10,
        max_evaluations=100,
        start="analytic",
        cost_basis="posts",
        verify_replications=20,
    )
    return dataclasses.replace(p, **kw)


def test_a_plan_that_misses_on_the_fresh_seed_steps_up_to_one_that_meets():
    p = fake_plan()
    found = search.SearchResult((3, 3), 9.0, Outcome(0.0, True), True)
    # On the fresh seed (3, 3) misses; (4, 3) and (3, 4) meet; b is the cheaper unit.
    checks = FakeChecks(lambda x: sum(x) >= 7)
    served = [frozenset({0}), frozenset({0})]
    chosen = plan.confirm(checks, p, found, served)
    assert chosen.point == (3, 4) and chosen.cost == 2 * 3 + 1 * 4
    # A plan that meets on the fresh seed is kept; none verified: nothing changes.
    assert plan.confirm(FakeChecks(lambda x: True), p, found, served).point == (3, 3)
    off = plan.confirm(checks, fake_plan(verify_replications=0), found, served)
    assert off.point == (3, 3)


def test_candidates_stop_replicating_once_the_rule_says_so(monkeypatch):
    ran = []

    def fake(s, k, names=None):
        ran.append(k)
        return {"m": float(k)}

    monkeypatch.setattr(plan, "replicate", fake)
    s = OmegaConf.create({"run": {"replications": 10, "jobs": 1}})  # the fake runs here
    reps = plan.simulate(s, 3, lambda r: len(r["m"]) >= 2)  # satisfied from 2, asked from 3
    assert ran == [0, 1, 2] and reps == {"m": [0.0, 1.0, 2.0]}
    ran.clear()
    assert plan.simulate(s, 3, lambda r: False) == {"m": [float(k) for k in range(10)]}
    # An evaluation that stopped early is continued from its next replication (a rule
    # that wants more, e.g. another plan's targets, read it back).
    ran.clear()
    more = plan.simulate(s, 3, lambda r: len(r["m"]) >= 5, {"m": [0.0, 1.0, None]})
    assert ran == [3, 4] and more["m"][:3] == [0.0, 1.0, None] and len(more["m"]) == 5


def test_frontier_with_nine_targets_is_a_grid_not_one_long_row(tmp_path):
    from matplotlib import image

    from sim.plan import frontier

    pts = [frontier.Point(c, 1.0 / c, 1.2 / c, c > 3, c == 4) for c in range(1, 7)]
    panels = [frontier.Panel(f"town_{k}.services.wait_mean_h", 0.3, True, pts) for k in range(9)]
    height, width, _ = image.imread(frontier.draw(panels, tmp_path / "f.png")).shape
    assert width <= 3 * 4.8 * 110 + 1 and height <= 3 * 4.0 * 110 + 1

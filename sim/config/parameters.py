"""The parameter provenance table: every default, its unit and where it comes from.

``python -m sim.config.parameters`` writes ``docs/PARAMETERS.md`` from the schema defaults
(sim/config/ and the stream declarations) and every YAML file under ``configs/``;
:data:`SOURCES`, and each stream's own ``sources`` for ``workload.<id>.*``, give each key
(by glob pattern, first match wins) its own unit and its source — a seed (short name
and file name, see :mod:`sim.core.sources`) and the phrase it rests on, or "assumption" with
a one-line reason. A test fails when a key matches no
pattern or the committed table is out of date, so a new knob cannot go undocumented.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import sys
from pathlib import Path
from typing import Any

import yaml

from sim.config import schema
from sim.core import registry
from sim.core.sources import S000, S001, S002, S003, S004, SEEDS, A

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "configs"
DOC = ROOT / "docs" / "PARAMETERS.md"


# (pattern, unit, source) — first match wins, so specific patterns come first.
SOURCES: list[tuple[str, str, str]] = [
    (
        "run.replications",
        "replications or auto",
        A + "5 gives CI half-widths of 40–60% on busy county KPIs (issue 12); "
        "`auto` adds replications until `run.precision` is met",
    ),
    ("run.precision", "relative half-width", "output precision target for replications=auto"),
    ("run.min_replications", "replications", "replications=auto starts with this many"),
    ("run.max_replications", "replications", "replications=auto stops here at the latest"),
    ("run.precision_kpis", "metric names", "headline KPIs whose precision auto controls"),
    ("run.label", "text", "a job's short name in reports (output option)"),
    ("run.jobs", "processes or auto", "speed option: results are the same for any value"),
    (
        "run.seed",
        "—",
        A
        + "any fixed seed; no date: the Wuchuan reform began mid-November 2019, "
        + S001
        + ": 2019年11月中旬",
    ),
    ("run.horizon_days", "working days", A + "one working year (250 days)"),
    ("run.warmup_days", "working days", A + "a month lets queues fill from empty"),
    ("run.timeseries", "flag", "output option"),
    ("run.initial_backlog", "CSV file", "input option: today's open items (sim.model.backlog)"),
    ("run.report_day", "working day", "output option: the day backlog_at_report_day counts"),
    ("run.common_random_numbers", "flag", "paired comparisons across the jobs of a sweep"),
    (
        "run.max_items",
        "work items",
        "guard: about 23 min on one core compiled, 40 from source (sim/run/guard.py)",
    ),
    ("run.max_items_per_replication", "work items", "guard: about 1.2 GB (sim/run/guard.py)"),
    ("calendar.hours_per_day", "hours", "8-hour working day (standard office hours)"),
    ("calendar.days_per_week", "days", "5-day working week"),
    ("calendar.start_date", "date", "labels only; the first Monday of 2020"),
    ("county.name", "—", "label"),
    (
        "county.townships.*",
        "townships",
        S001
        + ": 3 towns 可镇、哈乐镇、西乌兰不浪镇 and 其余6个乡; "
        + S004
        + ": Yishui 全县18处乡镇(街道); "
        "the kind split is an assumption",
    ),
    (
        "county.cover.delay_days",
        "working days",
        A + "a township head reassigns someone within a couple of days",
    ),
    (
        "county.cover.share",
        "share of a working day",
        A + "the covering clerk or officer splits the day between two posts",
    ),
    (
        "county.cover.across_centres",
        "flag",
        A + "a head sends someone to a hall, grid desk or office left with nobody",
    ),
    (
        "county.kinds.developed_town.staff.window_staff.headcount",
        "staff",
        S004 + ": Shahe town, 16个一线窗口; one clerk a window is an assumption",
    ),
    (
        "county.kinds.developed_town.staff.enforcement_aux.headcount",
        "staff",
        S004 + ": Shahe town, 安全协管、城镇协管等工作人员61名 (劳务派遣)",
    ),
    (
        "county.kinds.developed_town.other_posts",
        "posts",
        S004 + ": Shahe town, 行政、事业编制均增至70名 (140 in all) less the modelled pools' posts",
    ),
    (
        "county.kinds.developed_town.approval_body",
        "flag",
        S004 + ": Shahe town, 设置政务服务局 … 盖一个章",
    ),
    (
        "county.kinds.developed_town.population",
        "people",
        A + "a town that 吸纳人口多 (" + S002 + "); Shahe's size is not in " + S004,
    ),
    (
        "county.kinds.developed_town.villages",
        "villages",
        A + "Shahe has 农村社区服务中心26处 (" + S004 + "); its villages are not given",
    ),
    ("county.kinds.developed_town.grid_cells", "grid cells", A + "about 3 cells per village"),
    (
        "county.kinds.developed_town.staff.*.headcount",
        "staff",
        A + "Shahe's offices and teams are not in " + S004 + " beyond its windows and 61 协管",
    ),
    (
        "county.kinds.*.approval_body",
        "flag",
        S000 + ": 经济发达镇和重点镇 … 可探索设立专门的审批服务机构，实行“一枚印章管审批（服务）”; "
        "that its staff stay at its windows is an assumption",
    ),
    (
        "county.overtime.hours_per_week",
        "hours a week",
        A + "off; no seed gives overtime rules or hours (a planner's what-if)",
    ),
    (
        "county.overtime.hours_per_day",
        "hours a day",
        A + "a couple of hours after closing time",
    ),
    (
        "county.cover.help_line_per_clerk",
        "requests waiting per clerk",
        A + "off: before 一窗受理 a department's window serves its own requests; "
        "the seeds give no number",
    ),
    ("county.kinds.*.population", "people", A + "typical township sizes in the seed counties"),
    ("county.kinds.*.villages", "villages", A + "typical administrative villages per township"),
    ("county.kinds.*.grid_cells", "grid cells", A + "about 3–4 cells per village"),
    (
        "county.kinds.*.other_posts",
        "posts",
        A + "0: the presets model only the three centres; Huimin's townships hold "
        "614 administrative and 520 institutional posts over 15, "
        + S004
        + ": 行政编制614名, 事业编制520名",
    ),
    (
        "county.kinds.*.staff.enforcement_officers.headcount",
        "staff",
        A
        + "Wuchuan's teams (2 rural, 4 town) are smaller than Yishui's offices, "
        + S004
        + ": 核定行政编制4-5名 (Yishui)",
    ),
    (
        "county.kinds.*.staff.enforcement_aux.headcount",
        "staff",
        A
        + "Wuchuan 1 per team; Yishui gives one per village, "
        + S004
        + ": 每个村明确一名综合执法协管员",
    ),
    (
        "county.kinds.*.staff.*.headcount",
        "staff",
        A
        + "service centres of a few windows (Shahe town has 16, "
        + S004
        + ": 16个一线窗口); small offices absorb delegated tasks",
    ),
    (
        "county.kinds.*.staff.*.quota_type",
        "—",
        "quota types: " + S004 + ": 行政编制, 事业编制, 辅助人员; " + S000 + ": 派驻",
    ),
    (
        "county.kinds.*.staff.*.centre",
        "—",
        "centres of " + S001 + ": 便民服务中心, 综合行政执法",
    ),
    (
        "county.kinds.*.staff.*.certified",
        "flag",
        S004 + ": 严禁使用辅助人员执法 — only officers are certified",
    ),
    ("county.department_staff", "staff", A + "county staff answering townships, beside own work"),
    ("county.quota_total", "posts", A + "county department quota the moved posts come from"),
    ("county.own_work_per_day", "items per working day", A + "keeps department staff ~70% busy"),
    ("county.own_work_effort.kind", "distribution", A + "variable items"),
    ("county.own_work_effort.mean_h", "hours", A + "a day's work per item"),
    ("county.own_work_effort.cv", "coefficient of variation", A + "variable items"),
    (
        "county.enforcement_officers",
        "staff",
        A + "about 5 per township; Tengzhou, " + S004 + ": 各选派2名左右 from each of four "
        "departments stationed (派驻人员232名) and 执法人员197名 on call",
    ),
    (
        "county.enforcement_work_per_day",
        "items per working day",
        A + "keeps the county officers at home about a third busy before the reform",
    ),
    ("county.enforcement_work_effort.kind", "distribution", A + "variable items"),
    ("county.enforcement_work_effort.mean_h", "hours", A + "a day's work per item"),
    ("county.enforcement_work_effort.cv", "coefficient of variation", A + "variable items"),
    (
        "county.pay.*",
        "thousand yuan/year",
        A + "yearly pay of a filled post by quota type, for `staff.cost` and budgets",
    ),
    (
        "workload.streams",
        "stream ids",
        "switch: which streams' own sources produce work (null: all; the quiet workload sets [])",
    ),
    (
        "workload.demand_scale",
        "factor",
        "stress-test knob: 1 is the preset rates (sim.model.demand); a study sets it",
    ),
    (
        "workload.*.monthly_profile",
        "factor per month",
        "none by default (flat rates); tsim-calibrate fits one when counts vary by month",
    ),
    (
        "workload.*.demand_scale",
        "factor",
        "stress-test knob per stream: 1 is the preset rates (sim.model.demand)",
    ),
    ("policy.name", "—", "label"),
    (
        "policy.quota.township_increase_share",
        "share of the township's posts",
        S003 + ": 乡镇人员编制总量增幅较改革前不低于25% (item 12)",
    ),
    ("policy.quota.pools", "pool names", A + "the posts go to the three work centres"),
    (
        "policy.quota.centres_share",
        "share of added posts",
        A + "1: every added post goes to the front-line centres",
    ),
    (
        "policy.quota.working_staff_share",
        "share of moved posts",
        A + "1: every moved post cut a working county post; Huimin gave townships posts "
        "nobody held, " + S004 + ": 原39名待分配行政编制",
    ),
    (
        "policy.workforce.incentives",
        "flag",
        S003 + ": 收入高于县直 … 20%; 优秀比例 20% … 35% (item 14)",
    ),
    (
        "policy.workforce.incentive_pay_premium_share",
        "share",
        S003 + ": 乡镇机关事业单位工作人员收入高于县直机关事业单位同职级人员20% (item 14)",
    ),
    (
        "policy.workforce.incentive_attrition_cut_share",
        "share of attrition",
        A + "size of the incentives' effect on attrition (not in the seeds)",
    ),
    ("policy.workforce.hiring_round_days", "working days", A + "recruitment rounds each quarter"),
    ("policy.workforce.hires_per_round", "posts per round", A + "a county's recruitment round"),
    ("policy.workforce.hiring_lag_days", "working days", A + "a month from round to first day"),
    ("policy.workforce.training_days", "working days", A + "two months' training"),
    ("policy.workforce.training_speed", "share of full speed", A + "trainees work at 60%"),
    ("policy.workforce.attrition_per_year", "share per year", A + "8% of staff leave a year"),
    (
        "policy.rebalancing.enabled",
        "flag",
        S003 + ": 统筹调剂 … 动态管理 (item 12); " + S000 + ": 优先保障空编 (§4)",
    ),
    ("policy.rebalancing.interval_days", "working days", A + "a review every month"),
    (
        "policy.secondment.max_per_township",
        "staff",
        S001 + ": 同一时期同一乡镇被上级部门借调干部不超过2名",
    ),
    ("policy.secondment.max_days", "working days", S001 + ": 时间不得超过3个月 (≈63 working days)"),
    (
        "policy.secondment.min_service_days",
        "working days",
        S001 + ": 新录用公务员在服务期限内不得 … 以借用 … 方式抽调 — newly recruited civil "
        "servants (administrative quota) only; the length is an assumption",
    ),
    (
        "policy.secondment.capped",
        "flag",
        S001 + ": 借调 … 审批 (approval and the caps above)",
    ),
    (
        "policy.secondment.requests_per_township_per_day",
        "requests per township per working day",
        A + "pre-reform borrowing, about 2 requests a year per township",
    ),
    ("policy.secondment.duration_mean_days", "working days", A + "about 3 months a request"),
    (
        "policy.secondment.pools",
        "pool names (null: any permanent staff)",
        S001 + ": 借用乡镇在编人员 — any administrative or institutional staff",
    ),
    (
        "policy.windows.mode",
        "choice",
        S003 + ": 一窗受理 (items 3–5); " + S002 + ": 无差别受理, 受办分离 (十六)",
    ),
    (
        "policy.windows.pooled_effort_factor",
        "× effort",
        A + "a generalist window takes 10% longer",
    ),
    (
        "policy.windows.proxy_share",
        "share of requests",
        S000 + ": 代办; the share is an assumption",
    ),
    (
        "policy.windows.front_intake.kind",
        "distribution",
        S002 + ": 前台全科受理 (受办分离); the distribution is an assumption",
    ),
    (
        "policy.windows.front_intake.mean_h",
        "hours",
        S002 + ": 前台全科受理; about 10 minutes at the counter is an assumption",
    ),
    ("policy.windows.front_intake.cv", "coefficient of variation", A + "variable"),
    (
        "policy.windows.handout.kind",
        "distribution",
        S002 + ": 统一窗口出件; the distribution is an assumption",
    ),
    (
        "policy.windows.handout.mean_h",
        "hours",
        S002 + ": 统一窗口出件; about 3 minutes is an assumption",
    ),
    ("policy.windows.handout.cv", "coefficient of variation", A + "variable"),
    (
        "policy.windows.front_desk_share",
        "share of service clerks",
        S002 + ": 前台全科受理、后台分类办理; the share is an assumption",
    ),
    (
        "policy.windows.back_at_county",
        "category names",
        S002 + ": 后台分类办理; which categories the county's departments handle is an assumption",
    ),
    (
        "policy.enforcement.stationed_officers",
        "officers per township",
        S004 + ": Tengzhou's x, 各选派2名左右 from each of four departments; "
        "2 in all is an assumption for the small modelled teams",
    ),
    (
        "policy.enforcement.on_call_officers",
        "staff (county-wide)",
        S004 + ": Tengzhou's y, 执法人员随时听候镇街吹哨; the number is an assumption",
    ),
    (
        "policy.enforcement.whistle_limit_days",
        "working days",
        S004 + ": Yantai development zone's 各执法机构即时报到 (at once: 0); Tengzhou's "
        "y only 随时听候镇街吹哨",
    ),
    ("policy.enforcement.integrated", "flag", S000 + ": 一支队伍管执法 (§2)"),
    (
        "policy.enforcement.whistle_domains",
        "domains (null: any)",
        S004 + ": Tengzhou's list, 生态环境、市场监管、应急管理、城乡建设、自然资源、"
        "综合执法等8大领域97项吹哨事项, and 农业农村 among the departments "
        "随时听候镇街吹哨; the model's domains among them (not `other`); "
        "pre_reform: null, no list before the reform",
    ),
    (
        "policy.enforcement.management_share",
        "share of officers (rounded down)",
        S004 + ": Weicheng, 执法队伍管理岗位不超过20% (the reform's cap, read as the share); "
        "pre_reform: the same, an assumption — the seeds give no figure before the reform",
    ),
    (
        "policy.escalation.enabled",
        "flag",
        S003 + ": 乡呼县应 (item 7); " + S004 + ": 镇街吹哨、部门报到",
    ),
    ("policy.escalation.review_days", "working days", A + "departments read their inbox weekly"),
    ("policy.escalation.response_limit_days", "working days", A + "an answer within 3 days"),
    (
        "policy.admission.enabled",
        "flag",
        S000
        + ": 职责准入制度 (§5), 人随事转 (§4); "
        + S001
        + ": 职责准入 (§3 (六)); "
        + S003
        + ": 职责准入 (items 15–16)",
    ),
    ("policy.admission.off_list_share", "share of tasks", A + "tasks off the duty list"),
    ("policy.admission.resourced_share", "share of off-list tasks", A + "few come resourced"),
    (
        "policy.admission.assessment_cut_share",
        "share of assessments",
        A + "half of them cleared; " + S001 + ": 督查检查考核",
    ),
    (
        "policy.grid.parallel_grids",
        "grids",
        S000
        + ": 多网合一 (§3); "
        + S003
        + ": 多网合一, and 两网合一 (item 9) of two networks (党建服务点设在网格); "
        "three grids before is an assumption",
    ),
    ("policy.grid.duplicate_share", "share of issues", A + "half the issues seen twice"),
    ("policy.flexible_staff.enabled", "flag", S003 + ": 统筹使用行政事业人员 (item 12)"),
    ("policy.flexible_staff.review_days", "working days", A + "a head reassigns staff daily"),
    (
        "policy.flexible_staff.reserve_days",
        "working days",
        A + "a head lends office staff only with a day to spare before its deadlines",
    ),
    (
        "policy.timing.powers_day",
        "working day",
        S001 + ": 先立后破 (§4); reform_2019: 从2019年11月中旬开始到2020年6月底结束 (§4), "
        "powers from the end, 2020-06-30; otherwise the day is an assumption",
    ),
    ("policy.timing.staff_day", "working day", S001 + ": 先立后破 (§4); the day is an assumption"),
    (
        "policy.timing.refer_up_before_powers_share",
        "share of cases",
        A + "most cases are beyond township powers before delegation",
    ),
    ("policy.timing.transfer.*", "staff per township", A + "the staff a county transfers"),
    ("policy.surge.staff", "staff per township", "a planner's lever: temporary staff (0: none)"),
    ("policy.surge.pool", "pool name", "a planner's lever: the pool the temporary staff join"),
    ("policy.surge.townships", "township ids or kinds", "a planner's lever ([]: every one)"),
    ("policy.surge.start_day", "working day", "a planner's lever: when the surge starts"),
    ("policy.surge.days", "working days", "a planner's lever: how long it lasts (0: none)"),
    ("policy.surge.day_rate", "thousand yuan per staff-day", A + "a temporary clerk's day"),
    ("mmc.lam_per_h", "arrivals per working hour", "the M/M/c reduction (validation only)"),
    ("mmc.mu_per_h", "services per working hour", "the M/M/c reduction (validation only)"),
    ("mmc.servers", "servers", "the M/M/c reduction (validation only)"),
    ("plan.*", "posts / KPI units", "a planner's question for tsim-plan (not a model input)"),
]


def flatten(node: Any, prefix: str = "") -> dict[str, object]:
    """Leaves of a nested mapping as dotted keys (lists kept as values)."""
    out: dict[str, object] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    else:
        out[prefix] = node
    return out


def sources() -> list[tuple[str, str, str]]:
    """Every (pattern, unit, source): each stream's own first, then :data:`SOURCES`."""
    own = [
        (f"workload.{spec.id}.{src.pattern}", src.unit, src.source)
        for spec in registry.streams()
        for src in spec.sources
    ]
    return own + SOURCES


def schema_defaults() -> dict[str, object]:
    """Every key of the schema with its default value."""
    d = dataclasses.asdict(schema.scenario_schema()())
    return flatten(d)


def yaml_files() -> list[tuple[str, dict[str, object]]]:
    """(file, its keys at their place in the composed config) for every config file."""
    out = []
    for path in sorted(CONFIGS.rglob("*.yaml")):
        rel = path.relative_to(CONFIGS)
        if rel.parts[0] == "hydra":  # Hydra's own settings (the help text), not the model's
            continue
        text = path.read_text()
        data = yaml.safe_load(text) or {}
        data.pop("defaults", None)
        data.pop("hydra", None)
        glob = "@package _global_" in text or len(rel.parts) == 1
        prefix = "" if glob else ".".join(rel.parts[:-1])
        if data:
            out.append((str(rel), flatten(data, prefix)))
    return out


def source_of(key: str) -> tuple[str, str] | None:
    """Unit and source of a key (None if no pattern matches)."""
    for pattern, unit, source in sources():
        if fnmatch.fnmatchcase(key, pattern):
            return unit, source
    return None


def _row(key: str, value: object) -> str:
    unit, source = source_of(key) or ("?", "UNDOCUMENTED")
    shown = f"`{value}`" if value not in ("", None) else "—"
    return f"| `{key}` | {shown} | {unit} | {source} |"


def render() -> str:
    """The whole text of docs/PARAMETERS.md."""
    lines = [
        "# Parameters: every default, its unit and its source",
        "",
        "Generated by `python -m sim.config.parameters` from the schema and `configs/`; edit",
        "`SOURCES` in `sim/config/parameters.py` (or a stream's `sources`), not this file.",
        'Seeds are the source documents in `shared/seeds/`; "assumption" marks numbers no',
        "seed gives.",
        "",
    ]
    lines += [
        "## Sources",
        "",
        "Rows cite a seed by a short name and its file name; a Chinese phrase after the",
        "file name is quoted from that file (tests/test_seed_quotes.py checks it).",
        "",
        "| file | short name | title | issuer |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {s.file} | {s.short} | {s.title} | {s.issuer} |" for s in SEEDS]
    lines.append("")
    sections = [("Schema defaults (sim/config/schema.py and sim/streams/)", schema_defaults())]
    sections += [(f"configs/{name}", keys) for name, keys in yaml_files()]
    for title, keys in sections:
        lines += [f"## {title}", "", "| key | value | unit | source |", "| --- | --- | --- | --- |"]
        lines += [_row(k, v) for k, v in keys.items()]
        lines.append("")
    return "\n".join(lines)


def undocumented() -> list[str]:
    """Keys that no source pattern matches."""
    keys = list(schema_defaults()) + [k for _, ks in yaml_files() for k in ks]
    return sorted({k for k in keys if source_of(k) is None})


def main() -> int:
    """Write docs/PARAMETERS.md (exit 1 when a key has no source)."""
    missing = undocumented()
    if missing:
        print(
            "keys without a source in sim/config/parameters.py SOURCES:\n  " + "\n  ".join(missing),
            file=sys.stderr,
        )
        return 1
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(render())
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The parameter provenance table: every default, its unit and where it comes from.

``python -m sim.parameters`` writes ``docs/PARAMETERS.md`` from the schema defaults
(sim/config/ and the stream declarations) and every YAML file under ``configs/``;
:data:`SOURCES`, and each stream's own ``sources`` for ``workload.<id>.*``, give each key
(by glob pattern, first match wins) its unit and its source — a seed file and the phrase
it rests on, or "assumption" with a one-line reason. A test fails when a key matches no
pattern or the committed table is out of date, so a new knob cannot go undocumented.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import sys
from pathlib import Path
from typing import Any

import yaml

from . import registry
from .config import schema
from .sources import S000, S001, S002, S003, S004, A

ROOT = Path(__file__).resolve().parent.parent
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
    ("run.seed", "—", A + "any fixed seed; the date the Wuchuan reform began"),
    ("run.horizon_days", "working days", A + "one working year (250 days)"),
    ("run.warmup_days", "working days", A + "a month lets queues fill from empty"),
    ("run.timeseries", "flag", "output option"),
    ("run.common_random_numbers", "flag", "paired comparisons across the jobs of a sweep"),
    ("calendar.hours_per_day", "hours", "8-hour working day (standard office hours)"),
    ("calendar.days_per_week", "days", "5-day working week"),
    ("calendar.start_date", "date", "labels only; the first Monday of 2020"),
    ("county.name", "—", "label"),
    (
        "county.townships.*",
        "townships",
        S001 + ": 3 towns (镇) and 6 townships (乡); "
        "Yishui 18 (" + S004 + "); the kind split is an assumption",
    ),
    ("county.kinds.*.population", "people", A + "typical township sizes in the seed counties"),
    ("county.kinds.*.villages", "villages", A + "typical administrative villages per township"),
    ("county.kinds.*.grid_cells", "grid cells", A + "about 3–4 cells per village"),
    (
        "county.kinds.*.staff.enforcement_officers.headcount",
        "staff",
        S004 + ": 核定行政编制4-5名 per township enforcement office (Yishui)",
    ),
    (
        "county.kinds.*.staff.enforcement_aux.headcount",
        "staff",
        S004 + ": 每个村明确一名综合执法协管员 (Yishui); Wuchuan: assumption of 1",
    ),
    (
        "county.kinds.*.staff.*.headcount",
        "staff",
        A + "service centres of 4–16 windows "
        "(Shahe town has 16, " + S004 + "); small offices absorb delegated tasks",
    ),
    (
        "county.kinds.*.staff.*.quota_type",
        "—",
        "quota types of " + S000 + " (行政/事业编制, 辅助人员, 派驻)",
    ),
    (
        "county.kinds.*.staff.*.centre",
        "—",
        "centres of " + S001 + " (便民服务中心, 综合行政执法, 办公室)",
    ),
    (
        "county.kinds.*.staff.*.certified",
        "flag",
        S004 + ": 严禁使用辅助人员执法 — only officers are certified",
    ),
    ("county.department_staff", "staff", A + "county staff answering townships, beside own work"),
    ("county.quota_total", "posts", A + "county department quota the moved posts come from"),
    ("county.own_work_per_day", "items/working day", A + "keeps department staff ~70% busy"),
    ("county.own_work_effort.*", "hours (kind, mean, cv)", A + "a day's work per item"),
    (
        "workload.streams",
        "stream ids",
        "switch: which streams' own sources produce work (null: all; the quiet workload sets [])",
    ),
    ("policy.name", "—", "label"),
    (
        "policy.quota.township_increase_share",
        "share",
        S003 + ": 乡镇人员编制总量增幅较改革前不低于25% (item 12)",
    ),
    ("policy.quota.pools", "pool names", A + "the posts go to the three work centres"),
    (
        "policy.workforce.incentives",
        "flag",
        S003 + ": 收入高于县直…20%; 优秀比例 20%–35% (item 14)",
    ),
    (
        "policy.workforce.incentive_attrition_cut_share",
        "share",
        A + "size of the incentives' effect on attrition (not in the seeds)",
    ),
    (
        "policy.workforce.*",
        "days / share / staff",
        A + "recruitment rounds every quarter, "
        "a month to start, two months' training, 8% leave a year",
    ),
    (
        "policy.rebalancing.*",
        "flag / working days",
        S003
        + ": 统筹调剂、动态管理 (item 12); "
        + S000
        + " §4 优先保障空编; the interval is an assumption",
    ),
    (
        "policy.secondment.max_per_township",
        "staff",
        S001 + ": 同一时期同一乡镇被上级部门借调干部不超过2名",
    ),
    ("policy.secondment.max_days", "working days", S001 + ": 时间不得超过3个月 (≈63 working days)"),
    (
        "policy.secondment.min_service_days",
        "working days",
        S001 + ": 新录用公务员在服务期限内不得…借用; the length is an assumption",
    ),
    (
        "policy.secondment.*",
        "per township per day / days / flag",
        A + "pre-reform borrowing, about 2 requests a year per township for ~3 months",
    ),
    (
        "policy.windows.*",
        "mode / factor / share",
        S000
        + " §1, "
        + S002
        + " (十六), "
        + S003
        + " items 3–5: 一窗受理、受办分离、代办; the effort penalty and shares are assumptions",
    ),
    (
        "policy.enforcement.stationed_officers",
        "officers per township",
        S004 + ": Tengzhou 1+x+y, ~2 officers from each department stationed",
    ),
    ("policy.enforcement.*", "flag", S000 + " §2: 一支队伍管执法"),
    (
        "policy.escalation.*",
        "flag / working days",
        S003
        + " item 7, "
        + S004
        + ": 乡呼县应 / 吹哨报到; the pick-up and answer times are assumptions",
    ),
    (
        "policy.admission.*",
        "flag / share",
        S000
        + " §5, "
        + S001
        + " §3(六), "
        + S003
        + " items 15–16: 职责准入, 人随事转; the shares are assumptions",
    ),
    (
        "policy.grid.*",
        "grids / share",
        S000 + " §3, " + S003 + " item 9: 多网合一; three parallel grids before is an assumption",
    ),
    ("policy.flexible_staff.*", "flag / working days", S003 + " item 12: 统筹使用行政事业人员"),
    (
        "policy.timing.*",
        "working days / share / staff",
        S001 + " §4: 先立后破; the days and shares are assumptions",
    ),
    ("mmc.*", "per hour / servers", "the M/M/c reduction (validation only)"),
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
    d = dataclasses.asdict(schema.ScenarioSchema())
    d.pop("mmc")
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
        "Generated by `python -m sim.parameters` from the schema and `configs/`; edit",
        "`SOURCES` in `sim/parameters.py` (or a stream's `sources`), not this file.",
        'Seeds are the source documents in `shared/seeds/`; "assumption" marks numbers no',
        "seed gives.",
        "",
    ]
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
            "keys without a source in sim/parameters.py SOURCES:\n  " + "\n  ".join(missing),
            file=sys.stderr,
        )
        return 1
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(render())
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

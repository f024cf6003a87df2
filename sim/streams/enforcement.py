"""Enforcement cases (综合执法): five-stage cases at the township enforcement office."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.core.records import Records, in_window, mean_or_nan, overlap
from sim.core.registry import MetricDoc, ParameterSource, StreamSpec, register_stream
from sim.core.settings import (
    ConfigError,
    Dist,
    Settings,
    StreamSettings,
    check_shares_sum,
    dist,
    knob,
    share,
)
from sim.core.sources import S000, S004, A
from sim.core.workload import Effort, Feed, Source, Visit

ENFORCEMENT_STAGES = ("inspect", "file", "investigate", "review", "decide")
FIELD_STAGES = ("inspect", "investigate")
"""Stages in the field: no officer in a management post takes them."""


@dataclass
class EnforcementStage(Settings):
    """One stage of a case: its effort and the crew it needs at once."""

    effort: Dist = dist("lognormal", 2.0, 0.7)
    crew: int = knob(1, 1, 10, integer=True)
    """Staff needed at once for the whole stage."""
    certified: int = knob(1, 0, 10, integer=True)
    """How many of the crew must hold an enforcement certificate."""


def _stage(mean_h: float, crew: int, certified: int) -> Any:
    return field(
        default_factory=lambda: EnforcementStage(Dist("lognormal", mean_h, 0.7), crew, certified)
    )


@dataclass
class EnforcementStages(Settings):
    """检查、受立案、调查、审查、决定; field stages need two certified officers."""

    inspect: EnforcementStage = _stage(3.0, 2, 2)
    file: EnforcementStage = _stage(1.0, 1, 0)
    investigate: EnforcementStage = _stage(6.0, 2, 2)
    review: EnforcementStage = _stage(2.0, 1, 1)
    decide: EnforcementStage = _stage(1.0, 1, 1)


@dataclass
class EnforcementWorkload(StreamSettings):
    """Enforcement stream (综合执法) handled by the enforcement office."""

    inspections_per_village_per_day: float = knob(0.01, 0.0, 1e4)
    complaints_per_10k_pop_per_day: float = knob(0.1, 0.0, 1e4)
    county_referrals_per_day: float = knob(0.05, 0.0, 1e4)
    """Cases the county sends down to the township."""
    domains: dict[str, float] = field(default_factory=dict)
    """Share of cases by law domain (生态环境, 市场监管 …)."""
    stages: EnforcementStages = field(default_factory=EnforcementStages)
    refer_up_share: float = share(0.1)
    """Cases beyond township powers: after inspection they go to the county and wait."""
    legal_review_share: float = share(0.1)
    """Major decisions: county legal review (法制审核) between review and decision."""
    referral_effort: Dist = dist("lognormal", 6.0, 1.0)
    """County staff time to take over a referred case."""
    legal_review_effort: Dist = dist("lognormal", 3.0, 0.8)
    whistle_share: float = share(0.1)
    """Filed cases that need another department's officer at their investigation: the
    township blows the whistle (吹哨) and the county's enforcement officers answer (only
    when ``county.enforcement_officers`` > 0)."""
    whistle_effort: Dist = dist("lognormal", 4.0, 0.8)
    """County officer hours per whistle call answered."""
    time_limit_days: float = knob(64.0, 0.0, 10_000.0)
    """Decision limit in working days from filing (立案) (assumption: 90 calendar days ≈
    64 working days)."""
    statement_days: float = knob(3.0, 0.0, 1_000.0)
    """After the notice of the intended decision (告知), the party's time to state its
    case (陈述申辩) before the decision can be taken."""
    hearing_share: float = share(0.05)
    """Cases whose party asks for a hearing (听证) before the decision."""
    hearing_days: float = knob(10.0, 0.0, 1_000.0)
    """From the request for a hearing to its end."""
    payment_days: float = knob(11.0, 0.0, 1_000.0)
    """After the decision, the time to pay or comply before the case closes (15 calendar
    days ≈ 11 working days)."""


def whistle_listed(domains: list[str], whistle_domains: list[str] | None) -> list[bool]:
    """Per domain (in ``domains`` order): whether its cases may blow the whistle (吹哨)
    under the list ``whistle_domains`` (``policy.enforcement``; None: every domain).
    """
    if whistle_domains is None:
        return [True] * len(domains)
    return [d in whistle_domains for d in domains]


def _extras(r: Records, w: float, h: float) -> dict[str, float]:
    answered = in_window(r.answer, w, h)
    sent = ~np.isnan(r.up)
    return {
        "county_waiting_mean": overlap(r.up[sent], r.answer[sent], w, h) / (h - w),
        "county_response_mean_h": mean_or_nan(r.answer[answered] - r.up[answered]),
    }


def _check(cfg: EnforcementWorkload, path: str) -> None:
    check_shares_sum(f"{path}.domains", dict(cfg.domains))
    for name in ENFORCEMENT_STAGES:
        stage = getattr(cfg.stages, name)
        if stage.certified > stage.crew:
            raise ConfigError(
                f"{path}.stages.{name}.certified = {stage.certified}: must be ≤ crew = {stage.crew}"
            )


def _workload(s: Any) -> tuple[Source, ...]:
    """Inspections, complaints and referrals down, and cases from grid reports; each goes
    through the stages in crews, a case beyond township powers stops after inspection
    and goes to the county, a share of decisions waits for the county's legal review.
    """
    cfg: EnforcementWorkload = s.workload.enforcement
    kept = 1.0 - cfg.refer_up_share
    stages = [getattr(cfg.stages, name) for name in ENFORCEMENT_STAGES]
    route = [
        Visit("enforcement", 1.0 if i == 0 else kept, Effort.of(st.effort), st.crew, st.certified)
        for i, st in enumerate(stages)
    ]
    route += [
        Visit(
            "departments",
            cfg.refer_up_share,
            Effort.of(cfg.referral_effort),
            scope="county",
            call=True,
        ),
        Visit(
            "departments",
            kept * cfg.legal_review_share,
            Effort.of(cfg.legal_review_effort),
            scope="county",
            call=True,
        ),
    ]
    if s.county.enforcement_officers > 0:  # the whistle is answered only by county officers
        whistle = Effort.of(cfg.whistle_effort)
        listed = whistle_listed(list(cfg.domains), s.policy.enforcement.whistle_domains)
        shares = list(cfg.domains.values())
        on_list = sum(w for w, ok in zip(shares, listed, strict=True) if ok) if shares else 1.0
        calls = kept * cfg.whistle_share * on_list
        route.append(Visit("county_enforcement", calls, whistle, 1, 1, "county"))
    visits = tuple(route)
    return (
        Source(
            "inspections",
            visits,
            "inspections_per_village_per_day",
            cfg.inspections_per_village_per_day,
            "villages",
            "enforcement",
        ),
        Source(
            "complaints",
            visits,
            "complaints_per_10k_pop_per_day",
            cfg.complaints_per_10k_pop_per_day,
            "population_10k",
            "enforcement",
        ),
        Source(
            "referrals",
            visits,
            "county_referrals_per_day",
            cfg.county_referrals_per_day,
            "township",
            "enforcement",
        ),
        Source(
            "from_grid",
            visits,
            fed_by=Feed("grid", s.workload.grid.to_enforcement_share, "to_enforcement_share"),
        ),
    )


ENFORCEMENT = register_stream(
    StreamSpec(
        id="enforcement",
        label="Enforcement cases",
        unit="cases",
        centre="enforcement",
        config=EnforcementWorkload,
        workload=_workload,
        extra_metrics=_extras,
        check=_check,
        extra_docs=(
            MetricDoc(
                "county_waiting_mean",
                "time-average number of cases sent up to the "
                "county (referral or legal review) and not yet answered",
                "cases",
                better="lower",
            ),
            MetricDoc(
                "county_response_mean_h",
                "from sending a case up to the county's answer, over answers in the window",
                "working hours",
                better="lower",
            ),
        ),
        sources=(
            ParameterSource(
                "stages.*.crew",
                "staff",
                A + "two officers at every field step (the national penalty law's rule, "
                "not in the seeds)",
            ),
            ParameterSource(
                "stages.*.certified", "staff", S004 + ": 严禁使用辅助人员执法 — officers only"
            ),
            ParameterSource(
                "stages.*.effort.kind",
                "distribution",
                A + "the stages of " + S000 + ": 检查、受立案、调查、审查、决定",
            ),
            ParameterSource("stages.*.effort.mean_h", "hours", A + "hours to days per stage"),
            ParameterSource("stages.*.effort.cv", "coefficient of variation", A + "variable"),
            ParameterSource(
                "time_limit_days", "working days", A + "90 calendar days from filing ≈ 64 working"
            ),
            ParameterSource(
                "statement_days",
                "working days",
                A + "the national penalty law's notice and statement period, not in the seeds",
            ),
            ParameterSource("hearing_share", "share", A + "few parties ask for a hearing"),
            ParameterSource("hearing_days", "working days", A + "two weeks to hold a hearing"),
            ParameterSource(
                "payment_days",
                "working days",
                A + "the national penalty law's 15 days to pay, not in the seeds",
            ),
            ParameterSource(
                "whistle_share",
                "share of filed cases",
                A + "cases needing another department's officer; " + S004 + ": 镇街吹哨、部门报到",
            ),
            ParameterSource("whistle_effort.kind", "distribution", A + "variable calls"),
            ParameterSource("whistle_effort.mean_h", "hours", A + "half a day per call answered"),
            ParameterSource("whistle_effort.cv", "coefficient of variation", A + "variable calls"),
            ParameterSource(
                "domains.*",
                "share of cases",
                A + "domains named in " + S004 + ": 环保, 市场监管, 住建, 农业",
            ),
            ParameterSource(
                "inspections_per_village_per_day",
                "cases per village per working day",
                A + "rates give a town about one case a day",
            ),
            ParameterSource(
                "complaints_per_10k_pop_per_day",
                "cases per 10,000 people per working day",
                A + "rates give a town about one case a day",
            ),
            ParameterSource(
                "county_referrals_per_day",
                "cases per township per working day",
                A + "a case sent down every few weeks",
            ),
            ParameterSource("refer_up_share", "share of cases", A + "beyond township powers"),
            ParameterSource("legal_review_share", "share of cases", A + "major decisions"),
            ParameterSource("*_effort.kind", "distribution", A + "variable work"),
            ParameterSource("*_effort.mean_h", "hours", A + "hours of county staff per case"),
            ParameterSource("*_effort.cv", "coefficient of variation", A + "variable work"),
        ),
    )
)

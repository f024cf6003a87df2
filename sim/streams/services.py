"""Services (审批服务): citizens' and businesses' requests at the service centre."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.core.records import Records, mean_or_nan
from sim.core.registry import MetricDoc, ParameterSource, StreamSpec, register_stream
from sim.core.settings import Dist, Settings, StreamSettings, check_shares_sum, dist, knob, share
from sim.core.sources import S000, S002, A
from sim.core.workload import Effort, Source, Visit


@dataclass
class ServiceCategory(Settings):
    """One kind of citizen/business request (社保, 民政, 户籍 …)."""

    share: float = share(0.2)
    effort: Dist = dist("lognormal", 0.5, 0.8)
    time_limit_days: float = knob(1.0, 0.0, 1000.0)
    """Statutory limit in working days after the day of acceptance (受理) of complete
    materials — arrival, or the applicant's return with the missing papers (0 = same
    day, 马上办)."""


@dataclass
class ServicesWorkload(StreamSettings):
    """Services stream (审批服务) handled by the service centre (便民服务中心)."""

    requests_per_10k_pop_per_day: float = knob(15.0, 0.0, 1e6)
    online_share: float = share(0.2)
    """Requests filed online (网上办): handled without a visit."""
    online_effort_factor: float = knob(0.7, 0.0, 5.0)
    """Staff effort of an online or proxy request relative to one at the window (no
    intake, identity check or explaining at the counter)."""
    incomplete_share: float = share(0.15)
    """Requests whose materials are incomplete: the first handling is an intake only
    and the applicant comes back (or re-uploads) after ``return_delay_days``."""
    incomplete_effort: Dist = dist("exponential", 0.2)
    return_delay_days: float = knob(2.0, 0.0, 1000.0)
    give_up_line_per_clerk: float = knob(0.0, 0.0, 1e6)
    """An in-person applicant who finds at least this many requests waiting per clerk at
    their window goes home and comes back ``give_up_return_days`` later: an extra visit,
    counted against 最多跑一次 (0: nobody gives up, as before)."""
    give_up_return_days: float = knob(1.0, 0.0, 1000.0)
    """Working days until an applicant who gave up comes back to look again."""
    categories: dict[str, ServiceCategory] = field(default_factory=dict)


def _extras(r: Records, w: float, h: float) -> dict[str, float]:
    arrived = r.arr >= w
    return {
        "visits_mean": mean_or_nan(r.visits[arrived]),
        "one_visit_share": mean_or_nan((r.visits[arrived] <= 1).astype(float)),
        "give_ups_mean": mean_or_nan(r.tag[arrived]),  # the tag counts give-ups
        "gave_up_share": mean_or_nan((r.tag[arrived] > 0).astype(float)),
    }


def _check(cfg: ServicesWorkload, path: str) -> None:
    check_shares_sum(f"{path}.categories", {k: c.share for k, c in cfg.categories.items()})


def desk_work(cfg: ServicesWorkload) -> list[float]:
    """Expected staff-hours per request of each category (intake included), weighted by
    its share: what a split of the windows into department desks must balance.
    """
    intake = cfg.incomplete_share * cfg.incomplete_effort.mean_h
    return [c.share * (c.effort.mean_h + intake) for c in cfg.categories.values()]


def _workload(s: Any) -> tuple[Source, ...]:
    """Requests per 10,000 residents; one with incomplete materials gets an intake first
    and is handled in full when the applicant returns. Remote requests (online, proxy)
    take ``online_effort_factor`` of the effort, a pooled window ``pooled_effort_factor``;
    a front and back office (``front_back``) splits the handling (:func:`_front_back`).
    """
    cfg: ServicesWorkload = s.workload.services
    lever = s.policy.windows
    remote = cfg.online_share + lever.proxy_share
    pooled = lever.pooled_effort_factor if lever.mode == "pooled" else 1.0
    channels = ((remote, cfg.online_effort_factor * pooled), (1.0 - remote, pooled))
    intake = Effort.mix((w, Effort.of(cfg.incomplete_effort, f)) for w, f in channels)
    if lever.mode == "front_back":
        visits = (Visit("service", cfg.incomplete_share, intake), *_front_back(cfg, lever, remote))
    else:
        handling = Effort.mix(
            (w * c.share, Effort.of(c.effort, f))
            for w, f in channels
            for c in cfg.categories.values()
        )
        visits = (Visit("service", cfg.incomplete_share, intake), Visit("service", 1.0, handling))
    return (
        Source(
            "requests",
            visits,
            "requests_per_10k_pop_per_day",
            cfg.requests_per_10k_pop_per_day,
            "population_10k",
            "services",
        ),
    )


def _front_back(cfg: ServicesWorkload, lever: Any, remote: float) -> tuple[Visit, ...]:
    """受办分离: every request's acceptance at the front desk, its category's handling
    in a back office — the township's, or the county departments' for the categories in
    ``back_at_county`` — and, in person, the hand-out at the window. The back office does
    no counter work, so its effort is ``online_effort_factor`` of the category's for
    every channel: the counter part moves to the front desk.
    """
    f = cfg.online_effort_factor
    front = Effort.mix(
        ((remote, Effort.of(lever.front_intake, f)), (1.0 - remote, Effort.of(lever.front_intake)))
    )
    at_county = set(lever.back_at_county)
    visits = [Visit("service", 1.0, front)]
    for scope, centre in (("township", "service"), ("county", "departments")):
        cats = [c for k, c in cfg.categories.items() if (k in at_county) == (scope == "county")]
        share = sum(c.share for c in cats)
        if share > 0.0:
            back = Effort.mix((c.share / share, Effort.of(c.effort, f)) for c in cats)
            visits.append(Visit(centre, share, back, scope=scope))  # type: ignore[arg-type]
    visits.append(Visit("service", 1.0 - remote, Effort.of(lever.handout)))
    return tuple(visits)


SERVICES = register_stream(
    StreamSpec(
        id="services",
        label="Services",
        unit="requests",
        centre="service",
        config=ServicesWorkload,
        workload=_workload,
        extra_metrics=_extras,
        check=_check,
        extra_docs=(
            MetricDoc(
                "visits_mean",
                "visits per service request arriving in the window "
                "(online 0; in person 1, or 2 with incomplete materials)",
                "visits",
                better="lower",
            ),
            MetricDoc(
                "give_ups_mean",
                "visits per service request arriving in the window at which the applicant "
                "found the line too long and went home (`give_up_line_per_clerk`; "
                "included in visits_mean)",
                "visits",
                better="lower",
            ),
            MetricDoc(
                "gave_up_share",
                "share of service requests arriving in the window whose applicant gave up "
                "at least once",
                "0–1",
                better="lower",
            ),
            MetricDoc(
                "one_visit_share",
                "share of service requests done with at most one visit (最多跑一次)",
                "0–1",
                better="higher",
            ),
        ),
        sources=(
            ParameterSource(
                "requests_per_10k_pop_per_day",
                "requests/10k people/working day",
                A + "about 1 request per 700 residents a day",
            ),
            ParameterSource(
                "online_share",
                "share",
                S002 + ": online handling encouraged, 网上办; 0.2 is an assumption",
            ),
            ParameterSource(
                "online_effort_factor",
                "× effort",
                A + "no counter intake for a request filed online or by proxy",
            ),
            ParameterSource(
                "incomplete_share",
                "share",
                A + "repeat visits, which " + S002 + ": 最多跑一次 targets",
            ),
            ParameterSource("incomplete_effort.kind", "distribution", A + "variable intake"),
            ParameterSource("incomplete_effort.mean_h", "hours", A + "a short intake"),
            ParameterSource("incomplete_effort.cv", "coefficient of variation", A + "variable"),
            ParameterSource("return_delay_days", "working days", A + "time to fetch papers"),
            ParameterSource(
                "give_up_line_per_clerk",
                "requests waiting per clerk",
                A
                + "off; the seeds give no number, only the aim "
                + S002
                + ": 最多跑一次 that a turned-away visit misses",
            ),
            ParameterSource(
                "give_up_return_days", "working days", A + "the applicant comes back next day"
            ),
            ParameterSource(
                "categories.*.share", "share", A + "mix of 社保, 民政, 户籍, 不动产, 医保"
            ),
            ParameterSource("categories.*.effort.kind", "distribution", A + "variable requests"),
            ParameterSource(
                "categories.*.effort.mean_h", "hours", A + "minutes to an hour a request"
            ),
            ParameterSource("categories.*.effort.cv", "coefficient of variation", A + "variable"),
            ParameterSource(
                "categories.*.time_limit_days",
                "working days",
                S000 + ": 马上办 (same day) … statutory limits; the values are assumptions",
            ),
        ),
    )
)

__all__ = ["SERVICES", "ServiceCategory", "ServicesWorkload"]

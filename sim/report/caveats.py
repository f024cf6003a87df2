"""What ``report.md`` says beside the results a reader could take for more than they are.

Two of the headline numbers rest on choices the seeds do not make: the quota lever's
+25% is the seeds' share of a township's whole quota (乡镇人员编制总量), but the model
adds it to the posts of its modelled pools only; and most of a case's lead time is
statutory waiting (statement, hearing, payment) whose lengths are assumptions, which no
lever shortens. Both are read from each job's composed configuration.
"""

from __future__ import annotations

import math
from typing import Any

from sim.report.jobs import Job, config_value


def _modelled_posts(cfg: dict[str, Any]) -> tuple[int, int] | None:
    """(posts in the quota lever's pools, posts it adds) county-wide, from the kinds'
    headcounts; None when townships override their staff or the config lacks a part.
    """
    share = config_value(cfg, "policy.quota.township_increase_share")
    pools = config_value(cfg, "policy.quota.pools")
    counts, kinds = config_value(cfg, "county.townships"), config_value(cfg, "county.kinds")
    if config_value(cfg, "county.township_staff") or None in (share, pools, counts, kinds):
        return None
    base = added = 0
    for kind, n in counts.items():
        staff = config_value(kinds, f"{kind}.staff") or {}
        posts = sum(int((staff.get(p) or {}).get("headcount") or 0) for p in pools)
        posts += int(config_value(kinds, f"{kind}.other_posts") or 0)
        base += n * posts
        # As sim.model.quota.township_posts: rounded up per township.
        added += n * (math.ceil(posts * share - 1e-9) if posts else 0)
    return base, added


def quota_note(job: Job) -> str | None:
    """What the job's quota increase is counted on, when it raises the quota."""
    cfg = job.config()
    share = config_value(cfg, "policy.quota.township_increase_share")
    if not share:
        return None
    pools = ", ".join(f"`{p}`" for p in config_value(cfg, "policy.quota.pools") or [])
    counted = _modelled_posts(cfg)
    size = (
        f": {counted[1]} posts on {counted[0]} ({counted[1] / counted[0]:.0%}, rounded up "
        "per township)"
        if counted and counted[0]
        else ""
    )
    return (
        f"- **{job.name}**: the quota increase of {share:.0%} is counted on the posts of "
        f"the modelled pools ({pools}) and `other_posts`{size}. The seeds' +25% "
        "(003_…: 乡镇人员编制总量) is on a township's whole quota, whose other offices the "
        "model does not simulate."
    )


def statutory_note(job: Job) -> str | None:
    """The statutory waiting inside a township-decided case's lead time, in hours."""
    cfg = job.config()
    enf = config_value(cfg, "workload.enforcement") or {}
    hours = config_value(cfg, "calendar.hours_per_day")
    keys = ("statement_days", "hearing_share", "hearing_days", "payment_days")
    if hours is None or any(enf.get(k) is None for k in keys):
        return None
    days = enf["statement_days"] + enf["hearing_share"] * enf["hearing_days"] + enf["payment_days"]
    return (
        f"- **{job.name}**: a case the township decides waits about {days * hours:.0f} "
        f"working hours of its lead time in statutory periods — statement "
        f"{enf['statement_days']:g} days, a hearing of {enf['hearing_days']:g} days for "
        f"{enf['hearing_share']:.0%} of cases, payment {enf['payment_days']:g} days "
        "(`workload.enforcement.*`). Their lengths are assumptions (the national penalty "
        "law's periods), not from the seeds; no lever shortens them."
    )


def notes(ok: list[Job]) -> list[str]:
    """The report's notes on what the quota increase and the case lead time count."""
    statutory = [n for n in map(statutory_note, ok) if n]
    quota = [n for n in map(quota_note, ok) if n]
    lines: list[str] = []
    if statutory:
        lines += ["### What the case lead time holds", "", *_once(statutory), ""]
    if quota:
        lines += ["### What the quota increase is counted on", "", *quota, ""]
    return lines


def _once(lines: list[str]) -> list[str]:
    """One line for all jobs when they differ only in the job's name."""
    bodies = {line.split("**: ", 1)[-1] for line in lines}
    return ["- Every job: " + bodies.pop()] if len(bodies) == 1 else lines

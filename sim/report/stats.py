"""The report's statistics: every job's metrics as one long table, and each job's
difference from the baseline with its 95% CI — paired by replication when the jobs share
their random numbers (common random numbers), Welch's otherwise.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from sim.analysis.stats import CI, paired_difference, welch_difference
from sim.report.jobs import Job


def comparison(jobs: list[Job]) -> pd.DataFrame:
    """One row per finished job × metric: mean, CI, replications."""
    rows = [
        {
            "job": j.name,
            "metric": name,
            "mean": m["mean"],
            "ci_low": m["ci_low"],
            "ci_high": m["ci_high"],
            "replications": m["n"],
        }
        for j in jobs
        if j.ok
        for name, m in j.metrics.items()
    ]
    return pd.DataFrame(
        rows, columns=["job", "metric", "mean", "ci_low", "ci_high", "replications"]
    )


def readable_replications(job: Job) -> pd.DataFrame | None:
    """The job's replications table, or None when it cannot be read (shown as unknown;
    the report names the unreadable file elsewhere).
    """
    try:
        return job.replications()
    except (OSError, ValueError):
        return None


def backlog_total(job: Job) -> pd.Series:
    """Items in the system county-wide, summed over the streams of the headline total,
    per replication (indexed by replication number; empty if a stream's column is missing).
    """
    counted = [f"county.{s.id}.backlog_mean" for s in job.streams if s.in_backlog_total]
    replications = readable_replications(job)
    if replications is None or not counted:
        return pd.Series(dtype=float)
    table = replications.set_index("replication")
    if any(c not in table for c in counted):
        return pd.Series(dtype=float)
    return table[counted].astype(float).sum(axis=1, skipna=False)


def paired(job: Job, base: Job) -> bool:
    """Replication k of both jobs drew the same random numbers (same seed; with
    ``run.replications=auto`` the counts may differ and the common replications pair).
    """
    assert job.summary is not None and base.summary is not None
    return bool(job.summary["seed"] == base.summary["seed"])


def difference(job: Job, base: Job, metric: str) -> CI:
    """CI of job − baseline for one metric: paired by replication number when the jobs
    share random numbers (over the replications both have), else Welch.
    """
    a, b = job.replications(), base.replications()
    if metric not in a or metric not in b:
        return {"mean": None, "ci_low": None, "ci_high": None, "n": 0}
    if paired(job, base):
        both = a[["replication", metric]].merge(
            b[["replication", metric]], on="replication", suffixes=("_a", "_b")
        )
        return paired_difference(both[f"{metric}_a"].to_numpy(), both[f"{metric}_b"].to_numpy())
    return welch_difference(a[metric].to_numpy(float), b[metric].to_numpy(float))


def differences(jobs: list[Job], base: Job) -> tuple[pd.DataFrame, dict[str, dict[str, CI]]]:
    """Every finished job against the baseline, for every metric."""
    rows: list[dict[str, Any]] = []
    by_job: dict[str, dict[str, CI]] = {}
    for job in jobs:
        if not job.ok or job is base:
            continue
        by_job[job.name] = {}
        for metric in job.replications().columns:
            if metric == "replication":
                continue
            d = difference(job, base, metric)
            by_job[job.name][metric] = d
            rows.append(
                {
                    "job": job.name,
                    "baseline": base.name,
                    "metric": metric,
                    "diff_mean": d["mean"],
                    "ci_low": d["ci_low"],
                    "ci_high": d["ci_high"],
                    "paired": paired(job, base),
                    "replications": d["n"],  # paired: those both jobs have
                }
            )
    return pd.DataFrame(rows), by_job

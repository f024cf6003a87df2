"""report.md says what the runs were: the calendar it names is the run's own."""

from __future__ import annotations

from pathlib import Path

from sim.report.jobs import Job
from sim.report.markdown import markdown

STREAMS = [
    {"id": "services", "label": "Service requests", "unit": "requests", "in_backlog_total": True}
]


def _job(name: str, hours: float, days: int) -> Job:
    job = Job(Path(name), [], summary={"metrics": {}, "seed": 1, "replications": 2})
    job.summary["streams"] = STREAMS
    job.name = name
    job._cache["config"] = {
        "calendar": {"hours_per_day": hours, "days_per_week": days, "start_date": "2024-01-01"},
        "run": {"horizon_days": 30, "warmup_days": 5, "replications": 2, "seed": 1},
        "county": {"name": "small", "townships": {"town": 2}},
    }
    return job


def test_report_names_the_calendar_of_the_run(tmp_path):
    text = markdown([_job("a", 7.5, 6)], None, {}, [], tmp_path)
    assert "7.5-hour days, 6-day weeks" in text
    assert "8-hour" not in text and "8 h days" not in text and "5-day" not in text


def test_jobs_on_different_calendars_are_each_named(tmp_path):
    text = markdown([_job("a", 8, 5), _job("b", 7.5, 6)], None, {}, [], tmp_path)
    assert "a: 8-hour days, 5-day weeks; b: 7.5-hour days, 6-day weeks" in text

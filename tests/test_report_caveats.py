"""report.md names what the quota increase is counted on and which part of the case
lead time is assumed statutory waiting (issue 18 item 6).
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import OmegaConf

from sim.report import caveats
from sim.report.jobs import Job
from sim.report.markdown import markdown

from .conftest import _composed


def _job(name: str, *overrides: str) -> Job:
    job = Job(Path(name), [], summary={"metrics": {}, "seed": 1, "replications": 2})
    job.summary["streams"] = []
    job.name = name
    cfg = OmegaConf.to_container(_composed("config", overrides), resolve=True)
    job._cache["config"] = cfg
    return job


def test_the_quota_increase_is_said_to_count_the_modelled_pools_only(tmp_path):
    plus = _job("staff_plus25", "county=wuchuan", "policy=staff_plus25")
    # Wuchuan's pools: towns 4 + 4 + 3 = 11 posts → ceil(2.75) = 3 each; rural
    # 2 + 2 + 2 = 6 → ceil(1.5) = 2 each: 3·3 + 6·2 = 21 posts on 3·11 + 6·6 = 69.
    note = caveats.quota_note(plus)
    assert note is not None and "21 posts on 69 (30%" in note
    assert "`window_staff`, `enforcement_officers`, `office_staff`" in note
    assert "whole quota" in note
    assert caveats.quota_note(_job("pre_reform", "county=wuchuan")) is None
    text = markdown([plus], None, {}, [], tmp_path)
    assert "### What the quota increase is counted on" in text


def test_the_statutory_periods_are_named_as_assumptions_beside_the_lead_time(tmp_path):
    job = _job("pre_reform", "county=small")
    # (3 statement + 0.05 × 10 hearing + 11 payment) working days × 8 h = 116 h.
    note = caveats.statutory_note(job)
    assert note is not None and "about 116 working hours" in note and "assumptions" in note
    longer = _job("longer", "county=small", "workload.enforcement.payment_days=21")
    assert "about 196 working hours" in (caveats.statutory_note(longer) or "")
    text = markdown([job], None, {}, [], tmp_path)
    assert text.index("### What the case lead time holds") > text.index("## 6. Results")
    # Jobs that share the periods get one line, not one each.
    items = [n for n in caveats.notes([job, _job("b", "county=small")]) if n.startswith("- ")]
    assert len(items) == 1 and items[0].startswith("- Every job: ")

"""The county's own queues: the work its departments and officers do for themselves.

With 乡呼县应 townships' calls go ahead of the county's own work, so the county's answer
times can look fine while its own queue grows. Each queue is measured as a township
stream is (``county.<id>.<metric>``, :mod:`sim.analysis.metrics`) and flagged as one is
(:mod:`sim.report.outputs`). This module imports nothing, so the report side can name
the queues without loading the model.
"""

from __future__ import annotations

from typing import NamedTuple


class CountyQueue(NamedTuple):
    """A queue of the county's own work: the source its items come from (the middle
    part of its metric names, ``county.<id>.<metric>``) and the pool whose desk serves
    it (``county.staff.<pool>.utilisation_share``).
    """

    id: str
    label: str
    pool: str


COUNTY_QUEUES = (
    CountyQueue("own_work", "Departments' own work", "departments"),
    CountyQueue("enforcement_work", "County officers' own enforcement", "county_enforcement"),
)
"""The sources of :meth:`sim.model.centres.base.Centre.own_work`, as the county centres
name them (``county.own_work_per_day``, ``county.enforcement_work_per_day``)."""

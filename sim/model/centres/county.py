"""The county side (县直部门): its departments' staff, own work and answers to townships.

County departments take over cases referred up by townships (beyond township powers),
do the legal review (法制审核) of major enforcement decisions, and have their own work.
All of it falls on one pool of department staff, cut pro rata when quota moves down to
townships ("减上补下") — so moving staff down leaves the county slower to answer. With
escalation (乡呼县应) townships' calls go ahead of own work. The departments also issue
the delegated tasks; those arrival processes live with the general office that absorbs
them (:mod:`sim.model.centres.general_office`).

Tasks a township's admission control (职责准入) returns come back here as the issuing
department's own work (the ``returns`` inlet).

This is a county centre: built once, shared by every township through its ``calls``
inlet (the departments' desk, where a township's case waits as one step of its route).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.core.records import in_window, mean_or_nan
from sim.core.registry import register_centre
from sim.model.centres.base import Centre
from sim.model.station import CountyDesk
from sim.model.work import Step, WorkItem

if TYPE_CHECKING:
    from sim.core.records import Records
    from sim.model.centre_settings import CentreSettings
    from sim.model.staff import Staff
    from sim.model.state import Model, Township

COUNTY = "county"
DEPARTMENTS = "departments"


@register_centre(DEPARTMENTS, scope="county")
class CountyDepartments(Centre):
    """The departments' staff pool and desk; offers ``calls`` to every township."""

    def __init__(self, model: Model, township: Township | None, settings: CentreSettings):
        super().__init__(model, township, settings)
        self.desk = CountyDesk(
            model, f"{COUNTY}/{DEPARTMENTS}", townships_first=settings.policy.escalation.enabled
        )
        self.stations = [self.desk]
        self.inlets["calls"] = self.desk
        self.inlets["returns"] = self.take_back
        self.returned: list[WorkItem] = []
        self.staff = settings.county_staff
        pool = model.add_pool(
            COUNTY, None, DEPARTMENTS, "administrative", DEPARTMENTS, False, self.staff
        )
        model.workforce.place[pool.index] = self.place
        for _ in range(self.staff):
            model.workforce.join(pool, hired_at=float("-inf"), attrition=False)

    def take_back(self, t: float, hours: float) -> None:
        """A task returned by a township's admission control (职责准入) becomes the
        issuing department's own work again: the lever moves the load, not deletes it.
        """
        item = WorkItem(None, None, t, t, [Step(self.desk, hours)])
        self.returned.append(item)
        self.model.advance(item)

    def place(self, s: Staff) -> None:
        """New department staff work at the departments' desk."""
        self.desk.add(s)

    def start(self) -> None:
        """Start the departments' own work."""
        cfg = self.settings.county
        self.own_work("own_work", cfg.own_work_per_day, cfg.own_work_effort, self.desk)

    def metrics(self, records: Records, w: float, h: float) -> dict[str, float]:
        """How fast the departments answer townships' calls, and their staff."""
        answered = in_window(records.answer, w, h)
        response = records.answer[answered] - records.up[answered]
        limit = self.model.clock.hours(self.settings.policy.escalation.response_limit_days)
        p90 = float(np.percentile(response, 90)) if response.size else math.nan
        back = np.array([i.t_arr for i in self.returned], dtype=float)
        done = np.array([math.nan if i.t_done is None else i.t_done for i in self.returned])
        return {
            f"{COUNTY}.county_side.returned_arrivals": float(in_window(back, w, h).sum()),
            f"{COUNTY}.county_side.returned_completions": float(in_window(done, w, h).sum()),
            f"{COUNTY}.county_side.response_mean_h": mean_or_nan(response),
            f"{COUNTY}.county_side.response_p90_h": p90,
            f"{COUNTY}.county_side.answered_in_limit_share": mean_or_nan(
                (response <= limit).astype(float)
            ),
        }

    def staff_at_county(self) -> int:
        """The departments' staff (after quota moved down)."""
        return self.staff

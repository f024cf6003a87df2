"""The county side (县直部门): its departments' own staff.

County departments take over cases referred up by townships (beyond township powers)
and do the legal review (法制审核) of major enforcement decisions. Both are work for one
finite pool of county staff, so moving quota down to townships ("减上补下") — a lever of
the next stage — leaves the county slower to answer. The departments also issue the
delegated tasks; those arrival processes live with the general office that absorbs them
(:mod:`sim.centres.general_office`).
"""

from __future__ import annotations

from .config import CountyConfig
from .station import Desk

COUNTY = "county"
DEPARTMENTS = "departments"


def build_county(model, cfg: CountyConfig) -> Desk:
    staff = model.add_pool(COUNTY, DEPARTMENTS, "administrative", cfg.department_staff,
                           certified=False)
    return Desk(model, f"{COUNTY}/{DEPARTMENTS}", staff)

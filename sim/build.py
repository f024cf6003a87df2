"""Scenario → the wired model of one replication.

Creates the county's own station, then each township (ids ``<kind>_<n>``, in config
order) with one station per centre staffed by the pools configured for that centre, and
wires every centre's arrival sources. Wiring fails loudly: a centre that receives work
but has no station would be a silent error, so every township gets all four stations
(possibly with no staff, in which case its work simply waits — a visible backlog).
"""

from __future__ import annotations

from .centres.enforcement import build_enforcement
from .centres.general_office import build_general_office
from .centres.grid import build_grid
from .centres.service_centre import build_service_centre
from .config import CENTRES, Scenario
from .county import build_county
from .model import Model, Township
from .station import CrewStation, Desk


def township_ids(scenario: Scenario) -> list[str]:
    return [f"{kind}_{i}" for kind, n in scenario.county.townships.items()
            for i in range(1, n + 1)]


def build(scenario: Scenario, replication: int) -> Model:
    model = Model(scenario, replication)
    county = build_county(model, scenario.county)
    work = scenario.workload
    for tid in township_ids(scenario):
        kind_name = tid.rsplit("_", 1)[0]
        kind = scenario.county.kinds[kind_name]
        tw = Township(len(model.townships), tid, kind_name, kind.population,
                      kind.villages, kind.grid_cells)
        model.townships.append(tw)
        for centre in CENTRES:
            staff = []
            for pool_name, p in kind.staff.items():
                if p.centre == centre:
                    staff += model.add_pool(tid, pool_name, p.quota_type, p.headcount,
                                            p.certified)
            # Only enforcement steps need crews; every other centre is a plain desk.
            kind_of = CrewStation if centre == "enforcement" else Desk
            tw.stations[centre] = kind_of(model, f"{tid}/{centre}", staff)
        build_service_centre(model, tw, work.services)
        open_case = build_enforcement(model, tw, work.enforcement, county)
        open_task = build_general_office(model, tw, work.delegated, work.grid)
        build_grid(model, tw, work.grid, open_case, open_task)
    return model

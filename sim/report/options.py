"""What ``tsim-report``'s options name and default to: the headline KPIs (``--kpi``), the
baseline job (``--baseline``), where a report goes (``--out``) and the drivers table's
file (``--drivers``).

Kept apart from the modules that use them (:mod:`.plots`, :mod:`.compare`,
:mod:`.drivers`), which load pandas and matplotlib: the command's help and its argument
errors need neither.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple


class Kpi(NamedTuple):
    """A metric shown in the figures and tables: its name, axis label, console heading."""

    metric: str
    label: str
    short: str


# What a county committee asks first (``tsim-report --kpi NAME…`` shows others).
KPIS = [
    Kpi("county.services.wait_mean_h", "Service wait (working h)", "service wait h"),
    Kpi("county.services.on_time_share", "Services on time (share)", "services on time"),
    Kpi("county.enforcement.lead_time_mean_h", "Case lead time (working h)", "case lead time h"),
    Kpi("county.delegated.overdue_share", "Delegated tasks overdue (share)", "tasks overdue"),
    Kpi("county.county_side.response_mean_h", "County answer time (working h)", "county answer h"),
    Kpi("county.staff.seconded_days", "Staff-days seconded", "staff-days seconded"),
    # The county's side of the levers (issue 9): what moving capacity down costs it.
    Kpi("county.county_side.staff", "Staff left at the county", "county staff"),
    Kpi(
        "county.staff.departments.utilisation_share",
        "County departments busy (share)",
        "county busy",
    ),
    Kpi(
        "county.staff.county_enforcement.utilisation_share",
        "County officers at home busy (share)",
        "county officers busy",
    ),
    Kpi(
        "county.county_side.whistle_response_mean_h",
        "Whistle answer time (working h)",
        "whistle answer h",
    ),
]


def kpi(metric: str) -> Kpi:
    """The :class:`Kpi` of a metric name (a known headline KPI keeps its label)."""
    for k in KPIS:
        if k.metric == metric:
            return k
    name = metric.removeprefix("county.")  # a township's KPI keeps its scope
    return Kpi(metric, name, name)


BASELINE_DEFAULT = "pre_reform"
"""The job every other is compared with, when the runs have one of that name."""
REPORTS_DIR = Path("results") / "reports"
"""Where a report of several paths goes without ``--out`` (a new directory each time)."""
DRIVERS_FILE = "drivers.md"
"""The table of ``--drivers``, beside report.md."""

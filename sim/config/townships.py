"""How the configuration names townships and their pools: ``<kind>_<n>`` ids, the size
fields a township may set itself (``county.township_size``) and the staff pools of a
township kind.

Validation checks the keys of ``county.township_staff`` and ``county.township_size``
against these names, and the model gives its townships the same ids and pools.
"""

from __future__ import annotations

from sim.config.schema import PoolSpec, Scenario
from sim.core import registry
from sim.core.settings import seal

SIZE_FIELDS = ("population", "villages", "grid_cells")
"""Size drivers of a township kind that one township may set to its own value."""


def township_ids(s: Scenario) -> list[str]:
    """Township ids ``<kind>_<n>``, in config order."""
    return [f"{kind}_{i}" for kind, n in s.county.townships.items() for i in range(1, n + 1)]


def kind_of(township_id: str) -> str:
    """The kind of a township id (``rural_4`` → ``rural``)."""
    return township_id.rsplit("_", 1)[0]


def kind_staff(s: Scenario, kind: str) -> dict[str, PoolSpec]:
    """The staff pools of a township kind: those configured, then the default pools of
    each switched-on stream that the kind does not name itself (``StreamSpec.staff``:
    a new stream needs no edit in each county file). The scenario keeps only what was
    configured; everything that reads pools resolves them here.
    """
    pools = dict(s.county.kinds[kind].staff)
    active = s.workload.streams
    for spec in registry.streams():
        if active is not None and spec.id not in active:
            continue
        for name, fields in spec.staff.items():
            if name not in pools:
                pools[name] = seal(PoolSpec(**fields))
    return pools


def surge_townships(s: Scenario) -> list[str]:
    """The townships ``policy.surge`` reaches: those named by id or kind (every one when
    ``policy.surge.townships`` is empty), in config order.
    """
    named = s.policy.surge.townships
    return [t for t in township_ids(s) if not named or t in named or kind_of(t) in named]

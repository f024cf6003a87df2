"""How the configuration names townships: ``<kind>_<n>`` ids, and the size fields a
township may set itself (``county.township_size``).

Validation checks the keys of ``county.township_staff`` and ``county.township_size``
against these names, and the model gives its townships the same ids.
"""

from __future__ import annotations

from .schema import Scenario

SIZE_FIELDS = ("population", "villages", "grid_cells")
"""Size drivers of a township kind that one township may set to its own value."""


def township_ids(s: Scenario) -> list[str]:
    """Township ids ``<kind>_<n>``, in config order."""
    return [f"{kind}_{i}" for kind, n in s.county.townships.items() for i in range(1, n + 1)]


def kind_of(township_id: str) -> str:
    """The kind of a township id (``rural_4`` → ``rural``)."""
    return township_id.rsplit("_", 1)[0]

"""Stream declarations: one module per work stream, each registering a ``StreamSpec``.

Every module in this package is imported here, so a new stream is a new file: nothing
else has to list it. The order below (services, enforcement, delegated, grid, then any
others by name) is the order of tables and figures.
"""

from __future__ import annotations

import importlib
import pkgutil

_FIRST = ("services", "enforcement", "delegated", "grid")


def _import_all() -> None:
    names = [m.name for m in pkgutil.iter_modules(__path__)]
    for name in [*_FIRST, *sorted(set(names) - set(_FIRST))]:
        if name in names:
            importlib.import_module(f"{__name__}.{name}")


_import_all()

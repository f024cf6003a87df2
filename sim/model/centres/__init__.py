"""Work centres: every module in this package is imported, so that each registers its
centre class (:func:`sim.core.registry.register_centre`); a new centre is a new file.
"""

from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

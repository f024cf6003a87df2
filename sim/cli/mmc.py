"""The M/M/c reduction preset's own keys (configs/validation/mmc.yaml).

``tsim +validation=mmc mmc.lam_per_h=4 mmc.mu_per_h=1 mmc.servers=5`` reduces the model
to one M/M/c queue through the ordinary config keys, which refer to these by
interpolation; the simulated queue is then compared with :mod:`sim.plan.analytic`. The
section is the preset's, not the model's: the scenario leaves it out.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.config.schema import add_section
from sim.core.settings import Settings, knob


@dataclass
class MMCConfig(Settings):
    """Parameters of the M/M/c reduction preset (``mmc.*``)."""

    lam_per_h: float = knob(4.0, 0.0, 1e6, lo_open=True)
    mu_per_h: float = knob(1.0, 0.0, 1e6, lo_open=True)
    servers: int = knob(5, 1, 10_000, integer=True)


add_section("mmc", MMCConfig)

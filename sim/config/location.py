"""Where ``tsim`` finds its Hydra config tree, in a checkout and in an installed wheel.

The repository's top-level ``configs/`` is the one source. A wheel carries a copy of
it as ``sim/_configs`` (copied by the build hook in ``setup.py``); an editable install
or a plain checkout has no such copy and reads ``configs/`` beside the package.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
PACKAGED = PACKAGE / "_configs"
"""The copy of ``configs/`` inside an installed wheel."""
CHECKOUT = PACKAGE.parent / "configs"
"""``configs/`` of the repository (editable install, ``python -m sim`` in a checkout)."""


def config_dir() -> Path:
    """The config tree of this installation: the wheel's copy, else the checkout's."""
    return PACKAGED if (PACKAGED / "config.yaml").is_file() else CHECKOUT

"""Build hook: a wheel carries the repository's ``configs/`` as ``sim/_configs``.

Everything else is declared in pyproject.toml. ``configs/`` stays the one source; the
copy is made only into the build directory, never into the source tree, and editable
installs read ``configs/`` in place (see ``sim/config/location.py``).
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildWithConfigs(build_py):
    """``build_py`` that also copies ``configs/`` into the built ``sim`` package."""

    def run(self) -> None:
        """Build as usual, then add the config tree (not for editable installs)."""
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "sim" / "_configs"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(HERE / "configs", target, ignore=shutil.ignore_patterns("*~", ".*"))


setup(cmdclass={"build_py": BuildWithConfigs})

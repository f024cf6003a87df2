"""``python -m sim``: the same as ``tsim`` (:mod:`sim.cli.tsim`)."""

import sys

from sim.cli.tsim import main

if __name__ == "__main__":
    sys.exit(main())

"""township-sim: a discrete-event simulator of township staffing and workload (see README.md)."""

from sim.core import compiled

compiled.install()  # before any model module is imported: never a stale compiled one

"""township-sim: a discrete-event simulator of township staffing and workload (see README.md)."""

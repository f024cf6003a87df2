"""``tsim-select``: which policy of a sweep is best on one KPI, with a stated guarantee.

:mod:`sim.select.contenders` turns a sweep's finished jobs into systems the Kim–Nelson
procedure (:mod:`sim.analysis.selection`) can ask for replication ``r``: the stored
replication when the job has it, else a new simulation of the job's own configuration,
kept beside the sweep so that a second question costs nothing. :mod:`sim.select.verdict`
writes what was chosen and why.
"""

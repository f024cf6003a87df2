# C types for the compiled build of ledger.py (setup.py, sim/core/compiled.py); the .py
# is what it does.

from sim.model.work cimport WorkItem


cdef class Ledger:
    cdef public object keep_items, untracked
    cdef object _rows
    cdef dict _open
    cdef Py_ssize_t _created, _finished_steps
    cpdef enter(self, WorkItem item)
    cpdef close(self, WorkItem item)
    cpdef record(self, WorkItem item)


cpdef bytes _row(WorkItem item)

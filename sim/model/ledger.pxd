# C types for the compiled build of ledger.py (setup.py, sim/core/compiled.py); the .py
# is what it does. A row is written through a typed view of the current block's doubles.

cimport cython

from sim.model.work cimport WorkItem

cdef double NAN
cdef Py_ssize_t _WIDTH


cdef class Ledger:
    cdef public object keep_items, untracked
    cdef list _blocks
    cdef double[::1] _block
    cdef dict _open
    cdef Py_ssize_t _created, _finished_steps, _size, _used
    cpdef enter(self, WorkItem item)
    cpdef close(self, WorkItem item)
    cpdef record(self, WorkItem item)
    @cython.locals(at=Py_ssize_t, row="double[::1]")
    cpdef _write(self, WorkItem item)


# C types for the compiled build of station.py (setup.py, sim/core/compiled.py); the .py
# is what it does. A Desk's start and finish of a step are C calls.

cimport cython

from sim.core.timer cimport Calendar
from sim.model.staff cimport Staff
from sim.model.state cimport Model
from sim.model.work cimport WorkItem


cdef class Station:
    cdef public Model model
    cdef public Calendar calendar
    cdef public Py_ssize_t active
    cdef public object name, members


cdef class Desk(Station):
    cdef public list free
    cdef public object line
    cdef object _on_finish
    cpdef request(self, WorkItem item)
    @cython.locals(now=double, hours=double)
    cpdef _start(self, WorkItem item, Staff s)
    @cython.locals(item=WorkItem, s=Staff, model=Model, now=double, since=double)
    cpdef _finish(self, value)
    cpdef _done(self, WorkItem item, double now)

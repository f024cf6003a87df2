# C types for the compiled build of timer.py (setup.py, sim/core/compiled.py); the .py
# is what it does. `after` is callable from C by the compiled stations and sources.

cdef class Calendar:
    cdef public object env
    cdef public double now
    cdef public list _queue
    cdef public object _eid
    cpdef after(self, double delay, object callback, object value=*)

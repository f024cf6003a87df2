# C types for the compiled build of timer.py (setup.py, sim/core/compiled.py); the .py
# is what it does. `after` is callable from C by the compiled stations and sources, and
# a Timer compares with another in C.

cimport cython


cdef class Timer:
    cdef public double at
    cdef public Py_ssize_t eid
    cdef public object callback, value


cdef class Calendar:
    cdef public object env
    cdef public double now
    cdef public list _queue
    cdef public object _eid
    cpdef after(self, double delay, object callback, object value=*)
    @cython.locals(timer=Timer, now=double)
    cpdef run_until(self, double at)


cpdef bint _before(Timer a, Timer b)

@cython.locals(timer=Timer)
cdef Timer _timer(double at, Py_ssize_t eid, object callback, object value)

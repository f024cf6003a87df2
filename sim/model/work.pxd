# C types for the compiled build of work.py (setup.py, sim/core/compiled.py); the .py
# is what it does. Times that may still be None stay objects.

cimport cython

from sim.core.timer cimport Calendar


cdef class Step:
    cdef public object station, hours, crew, certified, field


@cython.locals(step=Step)
cpdef Step one_clerk(object station, object hours)


cdef class WorkItem:
    cdef public list route
    cdef public double t_arr, due
    cdef public Py_ssize_t pos, seq
    cdef public object origin, stream, t_answer, t_decided, t_done, t_enq, t_start, t_up
    cdef public object tag, then, township, visits


cdef class AddedArrival:
    cdef public bint on


cdef class Rows:
    cdef AddedArrival _added
    cdef object _chunk, _draw, _extra, _extra_rng, _rng, _rows


cdef class ArrivalSource:
    cdef Calendar calendar
    cdef object _times, _gaps, _sizes, _create, _on_arrive

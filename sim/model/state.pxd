# C types for the compiled build of state.py (setup.py, sim/core/compiled.py); the .py
# is what it does.

cimport cython

from sim.core.timer cimport Calendar
from sim.model.ledger cimport Ledger
from sim.model.work cimport WorkItem


cdef class Model:
    cdef public Calendar calendar
    cdef public Ledger ledger
    cdef public double horizon_h, warmup_h
    cdef public object added_arrival, all_staff, backlog_named, clock, county_centres, env
    cdef public list pool_busy, pool_overtime
    cdef public object pools, replication, returned, scenario
    cdef public object secondment_refused, secondment_unfilled, secondments, staff_log
    cdef public object townships, workforce
    cdef object __weakref__

    # hpd stays a Python float: t // hpd must be Python's floor division, which C's
    # floor(t / hpd) is not (at 7.2 hours a day, a deadline a day early).
    @cython.locals(item=WorkItem)
    cpdef new_item(self, object township, object stream_, double t, double limit_days,
                   list route, object visits=*, object then=*, object tag=*, object origin=*)
    cpdef advance(self, WorkItem item)

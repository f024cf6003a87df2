# C types for the compiled build of staff.py (setup.py, sim/core/compiled.py); the .py
# is what it does.

cdef class Staff:
    cdef public Py_ssize_t pool
    cdef public object busy_until, certified, employed, hired_at, manager, on_release
    cdef public object overtime, seconded, since, speed, station

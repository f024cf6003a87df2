"""Work items and the arrival processes that create them.

A :class:`WorkItem` carries its whole **route** from the moment it arrives: a list of
steps ``(station, hours, crew, certified)``, where ``station is None`` means a pure delay
(an applicant away fetching missing papers). Every random attribute — category,
channel, branch taken, the effort of every step — is drawn when the item is created, from
the stream of the source that created it. The route therefore does not depend on
staffing or policy, which is what makes common random numbers exact: two runs that
differ only in staff see the same items with the same efforts, in the same order.

Attributes are drawn in vectorised chunks (:func:`draws`) because a numpy call per
scalar costs more than the rest of an item's handling.
"""

from __future__ import annotations

from typing import Callable, Iterator, Sequence

import numpy as np

STREAMS = ("services", "enforcement", "delegated", "grid")
SERVICES, ENFORCEMENT, DELEGATED, GRID = range(4)


class WorkItem:
    """One request, case, task or grid report moving through a township."""

    __slots__ = ("township", "stream", "t_arr", "t_start", "t_done", "due", "route",
                 "pos", "visits", "then", "t_enq", "t_up", "t_answer", "tag")

    def __init__(self, township: int, stream: int, t_arr: float, due: float,
                 route: list, visits: int = 0, then: Callable | None = None, tag: int = 0):
        self.township = township
        self.stream = stream
        self.t_arr = t_arr
        self.t_start = -1.0  # start of first handling; -1 until then
        self.t_done = -1.0
        self.due = due
        self.route = route
        self.pos = 0
        self.visits = visits
        self.then = then  # called with the item when its route is finished
        # t_enq (time queued at a crew station) is set by CrewStation.request.
        self.t_up = -1.0  # sent up to the county (referral, legal review); -1 if never
        self.t_answer = -1.0  # the county's answer
        self.tag = tag  # sub-kind: DUPLICATE for a grid report another grid also made


DUPLICATE = 1


def draws(rng: np.random.Generator,
          draw: Callable[[np.random.Generator, int], Sequence[np.ndarray]],
          chunk: int = 256) -> Iterator[tuple]:
    """Endless rows of item attributes from one stream, drawn ``chunk`` rows at a time.

    ``draw(rng, n)`` returns equally long columns; each ``next()`` on the result gives
    one row (a tuple of Python scalars).
    """
    while True:
        yield from zip(*(np.asarray(c).tolist() for c in draw(rng, chunk)))


class ArrivalSource:
    """Feeds pre-drawn arrival epochs into the simulation, one event at a time.

    ``times`` are the arrival epochs (working hours) and ``sizes`` how many items arrive
    together at each (1 for Poisson streams; a whole rectification list for batches).
    ``create(t)`` makes and routes one item.
    """

    def __init__(self, env, times: np.ndarray, create: Callable[[float], None],
                 sizes: np.ndarray | None = None):
        self.env = env
        self._times = iter(times.tolist())
        self._gaps = iter(np.diff(times).tolist())
        self._sizes = None if sizes is None else iter(sizes.tolist())
        self._create = create
        if len(times):
            env.timeout(times[0]).callbacks.append(self._arrive)

    def _arrive(self, _event) -> None:
        t = next(self._times)
        if self._sizes is None:
            self._create(t)
        else:
            for _ in range(next(self._sizes)):
                self._create(t)
        gap = next(self._gaps, None)
        if gap is not None:
            self.env.timeout(gap).callbacks.append(self._arrive)

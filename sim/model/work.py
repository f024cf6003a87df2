"""Work items, the steps of their routes, and the arrival processes that create them.

A :class:`WorkItem` carries its whole **route** from the moment it arrives: a list of
:class:`Step` s, each a station with the hours it takes there and the crew it needs; a
step without a station is a pure delay (an applicant away fetching missing papers).
Every random attribute — category, channel, branch taken, the effort of every step — is
drawn when the item is created, from the stream of the source that created it. The
route therefore does not depend on staffing or policy, which is what makes common random
numbers exact: two runs that differ only in staff see the same items with the same
efforts, in the same order.

Attributes are drawn in vectorised chunks (:func:`draws`) because a numpy call per
scalar costs more than the rest of an item's handling.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterator, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.core.rng import sibling

if TYPE_CHECKING:
    from sim.core.registry import StreamSpec
    from sim.core.timer import Calendar


class Step:
    """One step of a route: ``hours`` of work at ``station`` by a crew of ``crew`` of
    whom ``certified`` hold an enforcement certificate; ``station`` None is a delay.
    A ``field`` step (inspection, investigation) takes no officer in a management post.
    """

    __slots__ = ("certified", "crew", "field", "hours", "station")

    def __init__(
        self, station: Any, hours: float, crew: int = 1, certified: int = 0, field: bool = False
    ):
        self.station = station
        self.hours = hours
        self.crew = crew
        self.certified = certified
        self.field = field

    def __repr__(self) -> str:
        return (
            f"Step(station={self.station!r}, hours={self.hours!r}, crew={self.crew!r}, "
            f"certified={self.certified!r}, field={self.field!r})"
        )


def one_clerk(station: Any, hours: float) -> Step:
    """``Step(station, hours)``, the step of most items, made without calling
    ``__init__``: compiled (``sim/model/work.pxd``), an allocation and five stores
    instead of a Python-level call with its arguments parsed.
    """
    step = Step.__new__(Step)
    step.station, step.hours, step.crew, step.certified, step.field = station, hours, 1, 0, False
    return step


class WorkItem:
    """One request, case, task or grid report moving through a township (or, with
    ``township`` None, a piece of the county departments' own work).
    """

    t_enq: float  # set by CrewStation.request when the item joins a crew line
    seq: int  # creation order, set by the ledger (sim.model.ledger) of a township item
    __slots__ = (
        "due",
        "origin",
        "pos",
        "route",
        "seq",
        "stream",
        "t_answer",
        "t_arr",
        "t_decided",
        "t_done",
        "t_enq",
        "t_start",
        "t_up",
        "tag",
        "then",
        "township",
        "visits",
    )

    def __init__(
        self,
        township: int | None,
        stream: StreamSpec[Any] | None,
        t_arr: float,
        due: float,
        route: list[Step],
        visits: int = 0,
        then: Callable[[WorkItem], None] | None = None,
        tag: int = 0,
        origin: float | None = None,
    ):
        self.township = township
        self.stream = stream
        self.t_arr = t_arr
        self.t_start: float | None = None  # start of the first handling
        self.t_done: float | None = None
        self.due = due
        self.route = route
        self.pos = 0
        self.visits = visits
        self.then = then  # called with the item when its route is finished
        # t_enq, when it joined its current crew line, is set by CrewStation.request
        # (left unset here: one attribute less per item on the hot path).
        self.t_up: float | None = None  # sent up to the county (referral, legal review)
        self.t_answer: float | None = None  # the county's answer
        self.t_decided: float | None = None  # the act its time limit is for, if not the end
        self.tag = tag  # sub-kind (a duplicate grid report); a request's give-ups
        self.origin = origin  # first contact: arrival of the item this one came from


Draw = Callable[[np.random.Generator, int], Sequence[np.ndarray]]


def _chunk(rng: np.random.Generator, draw: Draw, n: int) -> Iterator[tuple[Any, ...]]:
    """``n`` rows of ``draw`` from ``rng``, each a tuple of Python scalars."""
    return zip(*(np.asarray(c).tolist() for c in draw(rng, n)), strict=True)


class AddedArrival:
    """Whether the items being created come from an arrival added by demand scaling.

    One per model, shared by every :class:`Rows` of the model: while ``on``, rows come
    from sibling streams, so the base arrivals keep their own rows (common random
    numbers across demand scales). :meth:`marking` sets it around a source's creations.
    """

    __slots__ = ("on",)

    def __init__(self) -> None:
        self.on = False

    def marking(
        self, epochs: Container[float], create: Callable[[float], None]
    ) -> Callable[[float], None]:
        """``create`` that switches this on while it creates an item at one of ``epochs``."""

        def create_marked(t: float) -> None:
            if t not in epochs:
                create(t)
                return
            self.on = True
            try:
                create(t)
            finally:
                self.on = False

        return create_marked


class Rows:
    """Endless rows of item attributes from one stream, drawn ``chunk`` rows at a time.

    ``draw(rng, n)`` returns equally long columns; each ``next()`` gives one row (a
    tuple of Python scalars). While the model creates the items of an added arrival
    (``added.on``, see :class:`AddedArrival`), rows come from a sibling stream instead.
    """

    __slots__ = ("_added", "_chunk", "_draw", "_extra", "_extra_rng", "_rng", "_rows")

    def __init__(self, rng: np.random.Generator, draw: Draw, added: AddedArrival, chunk: int = 256):
        self._rng, self._draw, self._chunk, self._added = rng, draw, chunk, added
        self._rows: Iterator[tuple[Any, ...]] = iter(())
        self._extra: Iterator[tuple[Any, ...]] = iter(())
        self._extra_rng: np.random.Generator | None = None

    def __iter__(self) -> Rows:
        return self

    def __next__(self) -> tuple[Any, ...]:
        if not self._added.on:
            # The current chunk's rows, then the next chunk's: no generator in between
            # (a frame less per item).
            row = next(self._rows, None)
            if row is None:
                self._rows = _chunk(self._rng, self._draw, self._chunk)
                row = next(self._rows)
            return row
        row = next(self._extra, None)
        if row is None:
            if self._extra_rng is None:
                self._extra_rng = sibling(self._rng)
            self._extra = _chunk(self._extra_rng, self._draw, self._chunk)
            row = next(self._extra)
        return row


def draws(
    rng: np.random.Generator, draw: Draw, added: AddedArrival, chunk: int = 256
) -> Iterator[tuple[Any, ...]]:
    """The :class:`Rows` of ``draw`` from the stream ``rng`` (siblings' while ``added.on``)."""
    return Rows(rng, draw, added, chunk)


def _floats(values: np.ndarray, chunk: int = 1024) -> Iterator[Any]:
    """The values as Python scalars, converted a chunk at a time: a whole year's list
    would hold about 32 bytes an arrival to the end of the run.
    """
    return chain.from_iterable(values[i : i + chunk].tolist() for i in range(0, len(values), chunk))


class ArrivalSource:
    """Feeds pre-drawn arrival epochs into the simulation, one event at a time.

    ``times`` are the arrival epochs (working hours) and ``sizes`` how many items arrive
    together at each (1 for Poisson streams; a whole rectification list for batches).
    ``create(t)`` makes and routes one item.
    """

    def __init__(
        self,
        calendar: Calendar,
        times: np.ndarray,
        create: Callable[[float], None],
        sizes: np.ndarray | None = None,
    ):
        self.calendar = calendar
        self._times = _floats(times)
        self._gaps = _floats(np.diff(times))
        self._sizes = None if sizes is None else _floats(sizes)
        self._create = create
        self._on_arrive = self._arrive  # bound once: one allocation less per arrival
        if len(times):
            calendar.after(times[0], self._on_arrive)

    def _arrive(self, _value: Any) -> None:
        t = next(self._times)
        if self._sizes is None:
            self._create(t)
        else:
            for _ in range(next(self._sizes)):
                self._create(t)
        gap = next(self._gaps, None)
        if gap is not None:
            self.calendar.after(gap, self._on_arrive)

"""The one interface of every work centre, township or county.

A centre is built from the model, its township (``None`` for a county centre) and the
replication's :class:`~sim.model.centre_settings.CentreSettings` — the levers and
workload settings it reads, handed over by :mod:`sim.model.build`; a centre never reads
the scenario itself. It owns its **stations** (desks, crew stations), says
where a new member of staff goes (:meth:`Centre.place`), offers named **inlets** that
other centres feed (the enforcement office's ``cases``, the general office's ``tasks``,
the county departments' ``calls``), and names the inlets it needs in ``needs``.
:func:`wire` connects every need before anything runs and fails with one clear line if
an inlet is missing; :meth:`Centre.start` then starts the centre's own arrivals.
A county centre exists once and is shared by every township (the county departments;
later, on-call pools).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from sim.core.registry import Scope, StreamSpec
from sim.core.rng import poisson_times, sample
from sim.core.settings import Dist
from sim.model import demand
from sim.model.ledger import Ledger
from sim.model.work import ArrivalSource, WorkItem, draws, one_clerk

if TYPE_CHECKING:
    from sim.core.records import Records
    from sim.model.centre_settings import CentreSettings
    from sim.model.staff import Staff
    from sim.model.state import Model, Township


Opener = Callable[..., None]
"""``open(t, origin=None)``: create a reserved item at ``t`` (``origin``: when the item
that led to it first arrived)."""
Reserve = Callable[[], Opener]
"""An inlet that draws an item's attributes when called and opens it later."""


class WiringError(RuntimeError):
    """A centre needs an inlet that no centre offers."""


class Centre:
    """Base class of the township's and the county's work centres."""

    name: ClassVar[str]  # set by sim.core.registry.register_centre
    scope: ClassVar[Scope]
    needs: ClassVar[Mapping[str, str]] = {}
    """Local link name → ``"<centre>.<inlet>"`` this centre sends work to."""
    takes_cover: ClassVar[bool] = True
    """Whether staff of the township's other centres can stand in here when nobody is
    present (``county.cover.across_centres``)."""
    lends_staff: bool = True
    """Whether its staff may leave it for other work: seconded to the county, lent to
    the township's other centres (flexible use) or sent to cover one. A dedicated
    approval body (``county.kinds.*.approval_body``) keeps its own."""

    def __init__(self, model: Model, township: Township | None, settings: CentreSettings):
        self.model = model
        self.township = township
        self.settings = settings
        self.stations: list[Any] = []
        self.inlets: dict[str, Any] = {}
        self.links: dict[str, Any] = {}
        self.creators: dict[str, Callable[[float], None]] = {}
        """Stream id → ``create(t)`` of its first source here (sim.model.backlog uses it)."""
        self.added: set[float] = set()
        """Arrival epochs added by demand scaling (their items draw sibling rows)."""
        self.own_items: dict[str, Ledger] = {}
        """Source → the ledger of the county's own work started here (:meth:`own_work`):
        its items are no township's, so not in the model's ledger; the county's own queue
        is measured from them (:mod:`sim.analysis.metrics`)."""

    @property
    def label(self) -> str:
        """``<township id>/<centre>`` (or ``county/<centre>``), as in station names."""
        return f"{self.township.id if self.township else 'county'}/{self.name}"

    def link(self, name: str) -> Any:
        """The inlet wired to this centre's need ``name``."""
        try:
            return self.links[name]
        except KeyError:
            raise WiringError(
                f"{self.label}: need {name!r} is not wired "
                f"(declared needs: {', '.join(self.needs) or 'none'})"
            ) from None

    def place(self, s: Staff) -> None:
        """Put a new (or returning) member of staff to work here."""
        raise NotImplementedError(f"{type(self).__name__} takes no staff")

    def start(self) -> None:
        """Start the centre's own arrivals and reviews (called once all are wired)."""

    def team_size(self, certified: bool) -> int:
        """How many (certified) staff a step here may need at once: a team smaller than
        this cannot work, so staff move in and out of it in units of this size.
        """
        return 1

    def staff_at_county(self) -> int:
        """Staff of a county centre who work at the county (``county_side.staff``)."""
        return 0

    def metrics(self, records: Records, w: float, h: float) -> dict[str, float]:
        """Centre-level metrics (full names) beyond the per-stream ones."""
        return {}

    # ---- helpers for arrivals
    def rng(self, source: str) -> np.random.Generator:
        """The random stream ``<township id>/<source>`` of this replication."""
        prefix = self.township.id if self.township else "county"
        return self.model.rng(f"{prefix}/{source}")

    def poisson(self, source: str, per_day: float) -> np.ndarray:
        """Poisson arrival epochs at ``per_day`` from the stream ``<source>/arrivals``,
        scaled by the demand scale and monthly profile (:mod:`sim.model.demand`) without
        redrawing the base stream.
        """
        model = self.model
        rate = model.per_hour(per_day)
        base = poisson_times(self.rng(f"{source}/arrivals"), rate, model.horizon_h)
        times, added = demand.arrivals(
            self.settings.demand(source),
            source,
            base,
            rate,
            model.clock,
            self.settings.horizon_days,
            self.rng,
        )
        self.added.update(added.tolist())
        return times

    def own_work(self, source: str, per_day: float, effort: Dist, desk: Any) -> None:
        """Start the county's own work at ``desk``: Poisson arrivals from ``source`` of
        one step of ``effort`` each. It loads the county's staff but is no township's item,
        and not a stream, so ``workload.streams`` never switches it off.
        """
        model = self.model
        ledger = self.own_items.setdefault(source, Ledger(model.ledger.keep_items, untracked=True))
        rows = draws(
            self.rng(f"{source}/attributes"),
            lambda rng, n: (sample(rng, effort, n),),
            model.added_arrival,
        )

        def create(t: float) -> None:
            (hours,) = next(rows)
            item = WorkItem(None, None, t, t, [one_clerk(desk, hours)], then=ledger.record)
            ledger.enter(item)
            model.advance(item)

        ArrivalSource(model.calendar, self.poisson(source, per_day), create)

    def arrive(
        self,
        stream: StreamSpec[Any],
        times: np.ndarray,
        create: Callable[[float], None],
        sizes: np.ndarray | None = None,
    ) -> None:
        """Feed ``times`` to ``create`` — unless the stream is switched off
        (``workload.streams``).
        """
        self.creators.setdefault(stream.id, create)
        tw = self.township
        if tw is not None and (tw.id, stream.id) in self.model.backlog_named:
            # Its open items arrive with the warm-up's end; the other streams warm up.
            later = times >= self.model.warmup_h
            times, sizes = times[later], None if sizes is None else sizes[later]
        if self.settings.active(stream.id):
            if self.added:
                create = self.model.added_arrival.marking(self.added, create)
            ArrivalSource(self.model.calendar, times, create, sizes)


def wire(centres: Mapping[str, Centre], shared: Mapping[str, Centre]) -> None:
    """Connect every need of ``centres`` to an inlet of a centre of the same township
    or of the county (``shared``).
    """
    for centre in centres.values():
        for local, target in centre.needs.items():
            name, _, inlet = target.partition(".")
            provider = centres.get(name) or shared.get(name)
            if provider is None:
                known = ", ".join([*centres, *shared])
                raise WiringError(
                    f"{centre.label} needs {target!r}: there is no centre "
                    f"{name!r} (centres: {known})"
                )
            if inlet not in provider.inlets:
                raise WiringError(
                    f"{centre.label} needs {target!r}: {provider.label} "
                    f"offers {', '.join(provider.inlets) or 'no inlets'}"
                )
            centre.links[local] = provider.inlets[inlet]

"""How a hall manager lays out dedicated windows (pre-reform service centre).

Before the reform each department has its own window, but the clerks are few and the
departments' work uneven. Splitting the categories evenly over one window per clerk
(:func:`even_split`, the old rule) left each Wuchuan town's real-estate clerk alone at
ρ 0.95 while the household-registration clerk of the same hall sat at 0.31. A manager
does better without pooling the hall (一窗受理 is the reform, not the baseline):

1. clerks are handed out one at a time to the department whose work per clerk would
   be largest with one more (D'Hondt's rule), so a busy department gets a second clerk
   before a quiet one gets its first;
2. a department left without a clerk of its own is served at the window where it
   raises the work per clerk least (largest department first), as when one clerk
   staffs the windows of several departments;
3. while a window is overloaded (ρ ≥ 1: its line grows without end) and the hall's
   clerks could carry the hall's load, it is merged with the window that leaves the
   merged one least loaded — ending, at worst, in one hall window, below ρ 1 (a hall
   overloaded as a whole stays split: no merge would stop its lines growing);
4. the old even split is kept where it gives no window a higher ρ (a tie keeps it).

A merge never raises the highest ρ (the merged window's lies between its parts') and
step 4 keeps the better of the two, so the layout is never worse than the old split and
no window is overloaded when the clerks can carry the hall's load (tests/test_hall.py
checks both on every shipped county and on random halls). The service centre places its
clerks where the layout puts them (:func:`~sim.model.centres.teams.neediest` among the
windows short of their planned clerks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sim.model.centres.teams import group_by_load


@dataclass(frozen=True)
class Window:
    """One window: the categories it serves, its clerks and its offered load (clerks'
    worth of work: arrivals an hour × hours each).
    """

    categories: tuple[int, ...]
    clerks: int
    load: float

    @property
    def rho(self) -> float:
        """Utilisation of its clerks (load per clerk; infinite without a clerk)."""
        return self.load / self.clerks if self.clerks else float("inf")

    def merged(self, other: Window) -> Window:
        """This window and ``other`` as one, with both windows' clerks."""
        return Window(
            tuple(sorted(self.categories + other.categories)),
            self.clerks + other.clerks,
            self.load + other.load,
        )


Layout = list[Window]


def max_rho(layout: Layout) -> float:
    """The highest utilisation among the windows."""
    return max(w.rho for w in layout)


def even_split(loads: Sequence[float], clerks: int) -> Layout:
    """The old rule: one window per clerk at most, categories spread over them by the
    longest-processing-time rule, and clerks beyond one a window to the window with
    the most work per clerk after one more joins (:func:`~sim.model.centres.teams.neediest`).
    """
    groups = group_by_load(list(loads), min(len(loads), max(1, clerks)))
    k = len(groups)
    group_load = [sum(loads[i] for i in g) for g in groups]
    staff = [1] * k
    for _ in range(max(1, clerks) - k):
        g = max(range(k), key=lambda g: group_load[g] / (staff[g] + 1))
        staff[g] += 1
    return [Window(tuple(sorted(groups[g])), staff[g], group_load[g]) for g in range(k)]


def manager_layout(loads: Sequence[float], clerks: int) -> Layout:
    """Windows, clerks and categories as a hall manager sets them (see the module text)."""
    clerks = max(1, clerks)
    staff = [0] * len(loads)
    for _ in range(clerks):  # 1. D'Hondt: the next clerk to the largest work per clerk
        c = max(range(len(loads)), key=lambda c: loads[c] / (staff[c] + 1))
        staff[c] += 1
    layout = [Window((c,), staff[c], loads[c]) for c in range(len(loads)) if staff[c]]
    for c in sorted((c for c in range(len(loads)) if not staff[c]), key=lambda c: -loads[c]):
        extra = Window((c,), 0, loads[c])  # 2. served where it adds least per clerk
        i = min(range(len(layout)), key=lambda i: layout[i].merged(extra).rho)
        layout[i] = layout[i].merged(extra)
    layout = _relieve_overload(layout)
    old = even_split(loads, clerks)
    return old if max_rho(old) <= max_rho(layout) else layout  # 4. keep what works


def _relieve_overload(layout: Layout) -> Layout:
    """3. Merge an overloaded window with the window that leaves the pair least loaded,
    until none is overloaded or the hall has one window — if the hall's clerks can carry
    its load at all.
    """
    layout = sorted(layout, key=lambda w: w.categories)
    if sum(w.load for w in layout) >= sum(w.clerks for w in layout):
        return layout
    while len(layout) > 1 and max_rho(layout) >= 1.0:
        busiest = max(layout, key=lambda w: w.rho)
        rest = [w for w in layout if w is not busiest]
        partner = min(rest, key=lambda w: busiest.merged(w).rho)
        rest.remove(partner)
        layout = sorted([*rest, busiest.merged(partner)], key=lambda w: w.categories)
    return layout

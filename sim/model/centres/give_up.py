"""Applicants who find a long line at their window and come back another day.

An in-person applicant looks at the line of the window that serves their request: with
at least ``give_up_line_per_clerk`` requests waiting per clerk present there
(``workload.services``), they go home and come back ``give_up_return_days`` later to look
again. Each time is a visit that served nothing — counted in the request's visits, so
against 最多跑一次 — and in its ``tag`` (the times its applicant gave up), from which
the services stream reports ``give_ups_mean``. Giving up takes no clerk's time: the
centre's load is unchanged, only when it arrives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.model.state import Model
    from sim.model.station import Desk
    from sim.model.work import WorkItem


class LineCheck:
    """A zero-time step before an in-person visit to ``window``: stay in line, or go
    home and come back ``back_h`` working hours later.
    """

    def __init__(self, model: Model, window: Desk, per_clerk: float, back_h: float):
        self.model = model
        self.window = window
        self.per_clerk = per_clerk
        self.back_h = back_h

    def too_long(self) -> bool:
        """The line an applicant sees is at least ``per_clerk`` requests a clerk."""
        window = self.window
        return window.waiting() >= self.per_clerk * max(window.active, 1)

    def request(self, item: WorkItem) -> None:
        """Join the window's line, or give up: one more visit, back another day."""
        if self.too_long():
            item.visits += 1
            item.tag += 1
            self.model.after(self.back_h, self._back, item)
        else:
            item.pos += 1
            self.model.advance(item)

    def _back(self, item: Any) -> None:
        """The applicant is back and looks at the line again."""
        self.request(item)

"""Help from a quiet window to a swamped one (``county.cover.help_line_per_clerk``).

The covering rule (:func:`~sim.model.centres.teams.cover_gaps`) staffs a window left
with nobody; this one helps a window that is staffed but swamped. Reviewed every working
day: a window with at least ``help_line_per_clerk`` requests waiting per clerk gets a
free clerk of a window of the same hall with nothing waiting — its last, if need be:
the quiet window's next applicants wait for their clerk's return — for ``share`` of the
day (``county.cover.share``). Off by default: before the reform a department's window
serves that department's requests, and a clerk crossing to another department's line
is what 无差别受理 (any window takes any request) makes the rule; turned on, it shows
how much of the one-window lever a head's daily judgement already gives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.config.schema import CoverRule
    from sim.model.staff import Staff
    from sim.model.state import Model


def help_swamped(model: Model, rule: CoverRule, windows: list[Any]) -> None:
    """Every working day, each swamped window borrows a free clerk of a quiet one."""
    if len(windows) < 2 or rule.help_line_per_clerk <= 0.0 or rule.share <= 0.0:
        return
    stay_h = model.clock.hours(rule.share)

    def review() -> None:
        for busy in windows:
            if busy.active == 0 or busy.waiting() < rule.help_line_per_clerk * busy.active:
                continue  # a window with nobody is the covering rule's
            quiet, s = _free_clerk(windows, busy)
            if s is not None:
                quiet.remove(s, busy.add)
                model.after(stay_h, _home, (s, busy, quiet))

    model.every(1.0, review)


def _free_clerk(windows: list[Any], busy: Any) -> tuple[Any, Staff | None]:
    """A free clerk (not moving) of a window with nothing waiting, from the window with
    the most clerks; ``(None, None)`` when there is none.
    """
    quiet = [w for w in windows if w is not busy and w.waiting() == 0]
    for window in sorted(quiet, key=lambda w: -w.active):
        for s in window.members:
            if s.since is None and s.on_release is None:
                return window, s
    return None, None


def _home(value: Any) -> None:
    """The helper goes back to their own window (unless moved or gone since)."""
    s, busy, home = value
    if s.employed and not s.seconded and s.station is busy and s.on_release is None:
        busy.remove(s, home.add)

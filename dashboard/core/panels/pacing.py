"""Refreshes that take turns on the frame tick."""

from __future__ import annotations

from collections.abc import Callable

# A refresh does its work and says in how many seconds it wants its next turn, or returns
# None when it had nothing to do (it is asked again on the next frame).
Refresh = Callable[[], float | None]


class Pacer:
    """Runs at most one refresh per frame: of those due, the one waiting longest.

    The window's repaints (a chart's new lines, the log's new rows, the cards, the field
    browser, the status bar) are started from the bus tick, so each paint falls in the
    frame that started it, right after the tick's events were folded, and never holds the
    next tick back. One per frame, so that a chart's paint and the log's never pile into
    one frame. A refresh with nothing to do passes its turn to the next one due.
    """

    def __init__(self) -> None:
        self._due: dict[Refresh, float] = {}

    def add(self, refresh: Refresh) -> None:
        """Take *refresh* into the turns; it is due at once."""
        self._due.setdefault(refresh, float("-inf"))

    def remove(self, refresh: Refresh) -> None:
        self._due.pop(refresh, None)

    def clear(self) -> None:
        self._due.clear()

    def frame(self, now: float) -> Refresh | None:
        """Give the turn to the longest-waiting refresh due at *now*; return the one that
        did something, if any."""
        for refresh, due in sorted(self._due.items(), key=lambda item: item[1]):
            if due > now:
                return None
            wait = refresh()
            if wait is not None:
                if refresh in self._due:  # (a refresh may remove itself)
                    self._due[refresh] = now + wait
                return refresh
        return None

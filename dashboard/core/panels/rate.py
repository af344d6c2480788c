"""The one rate meter: events per second over a sliding window, in a fixed ring of
buckets (so its memory is the same however fast or long the events come).

It takes counts as they come (:meth:`RateMeter.add`, what a fold of a batch has) or a
running total sampled now and then (:meth:`RateMeter.update`, what a status bar has: the
first total is the base, not counted). The rate is what the buckets of the last *window*
seconds hold, divided by the window, or by the time counted so far while that is shorter
(a type seen for a moment is not diluted over the whole window).
"""

from __future__ import annotations

import math

__all__ = ["RateMeter"]


class RateMeter:
    """Events per second over the last *window* seconds, kept in *buckets* buckets."""

    __slots__ = ("_counts", "_since", "_stamps", "_total", "width", "window")

    def __init__(self, window: float = 2.0, buckets: int = 4) -> None:
        self.window = window
        self.width = window / buckets  # seconds a bucket holds
        self._stamps: list[int | None] = [None] * buckets
        self._counts = [0] * buckets
        self._since: float | None = None  # the time counting covers from
        self._total: int | None = None  # the last running total (update)

    def add(self, now: float, count: int) -> None:
        """*count* events came at *now* (over the bucket before it, for the first)."""
        if self._since is None:
            self._since = now - self.width
        bucket = math.floor(now / self.width)
        slot = bucket % len(self._stamps)
        if self._stamps[slot] != bucket:
            self._stamps[slot], self._counts[slot] = bucket, 0
        self._counts[slot] += count

    def update(self, now: float, total: int) -> float:
        """A running *total* at *now*; answers the rate. The first total (and one that
        went back, a count started over) is a base to count from."""
        if self._total is None or total < self._total:
            self._total = total
            if self._since is None:
                self._since = now
            return self.rate(now)
        self.add(now, total - self._total)
        self._total = total
        return self.rate(now)

    def rate(self, now: float) -> float:
        """Events per second at *now* (falling to zero when nothing comes)."""
        if self._since is None:
            return 0.0
        bucket = math.floor(now / self.width)
        oldest = bucket - len(self._stamps)
        counted = sum(
            n
            for stamp, n in zip(self._stamps, self._counts, strict=True)
            if stamp is not None and oldest < stamp <= bucket
        )
        span = min(self.window, now - self._since)
        return counted / span if span > 0 else 0.0

"""Which stored events the event log shows: all of them, or those a query selects.

The log keeps the seqs it shows in one growing int64 array (8 bytes a row), filled a
block at a time: a new filter over a million events is scanned in steps, so the window
keeps drawing while it runs, and each tick's new events are one more small step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard.core.events.event import Severity
from dashboard.core.lang.query import Query, parse
from dashboard.core.panels.histogram import Histogram, bin_events
from dashboard.core.storage.store import EventStore

SCAN_BLOCK = 65_536  # events examined per step of a scan


class SeqList:
    """An ordered list of seqs with cheap appends at the end and drops at the front."""

    def __init__(self) -> None:
        self._buffer = np.empty(4096, dtype=np.int64)
        self._head = 0
        self._tail = 0

    def __len__(self) -> int:
        return self._tail - self._head

    @property
    def view(self) -> np.ndarray:
        """The seqs, oldest first (valid until the next change)."""
        return self._buffer[self._head : self._tail]

    def __getitem__(self, row: int) -> int:
        return int(self._buffer[self._head + row])

    def index(self, seq: int) -> int:
        """The row of *seq*, or -1."""
        view = self.view
        row = int(np.searchsorted(view, seq))
        return row if row < len(view) and view[row] == seq else -1

    def count_below(self, seq: int) -> int:
        return int(np.searchsorted(self.view, seq))

    def drop_front(self, count: int) -> None:
        self._head += count

    def extend(self, seqs: np.ndarray) -> None:
        size = len(self)
        needed = size + len(seqs)
        if self._tail + len(seqs) > len(self._buffer):
            if needed * 2 <= len(self._buffer):  # room enough once the dropped front goes
                self._buffer[:size] = self.view
            else:
                grown = np.empty(max(needed * 2, 4096), dtype=np.int64)
                grown[:size] = self.view
                self._buffer = grown
            self._head, self._tail = 0, size
        self._buffer[self._tail : self._tail + len(seqs)] = seqs
        self._tail += len(seqs)


class LogRows:
    """The seqs a query selects from a store, kept up to date as events come and go.

    ``scanned`` is the first seq not yet looked at; :meth:`advance` looks at more.
    """

    def __init__(self, store: EventStore, query: Query | None = None) -> None:
        self.store = store
        self.query = query if query is not None else parse("")
        self.seqs = SeqList()
        self.scanned = store.first_seq
        self.started_at = store.first_seq

    def __len__(self) -> int:
        return len(self.seqs)

    @property
    def caught_up(self) -> bool:
        return self.scanned >= self.store.end_seq

    @property
    def progress(self) -> float:
        """How much of the store has been looked at, 0..1."""
        store = self.store
        start = max(self.started_at, store.first_seq)
        total = store.end_seq - start
        return 1.0 if total <= 0 else min(1.0, max(0, self.scanned - start) / total)

    def evicted_rows(self) -> int:
        """How many of the rows at the front are no longer in the store."""
        return self.seqs.count_below(self.store.first_seq)

    def advance(self, limit: int | None = None) -> np.ndarray:
        """Look at up to *limit* (SCAN_BLOCK) more stored events; the seqs that matched."""
        limit = SCAN_BLOCK if limit is None else limit
        store = self.store
        start = max(self.scanned, store.first_seq)
        stop = min(store.end_seq, start + limit)
        self.scanned = max(self.scanned, stop)
        if start >= stop:
            return np.empty(0, dtype=np.int64)
        if self.query.is_empty:
            return np.arange(start, stop, dtype=np.int64)
        return start + np.flatnonzero(self.query.select(store.columns(start, stop)))


@dataclass(frozen=True)
class Overview:
    """What the log's histogram and scrollbar marks show."""

    histogram: Histogram | None
    severities: np.ndarray  # of the rows shown, in order
    outside: int = 0  # events left out of the histogram: times far from all the others


def shown_overview(
    store: EventStore, first: int, end: int, seqs: np.ndarray | None = None
) -> Overview:
    """The histogram and the row severities of the events ``first <= seq < end`` (all of
    them), or of *seqs*. Safe in a worker thread: it only reads numeric columns, and a row
    evicted meanwhile is at worst counted as the event that replaced it, until next time."""
    if seqs is None:
        block = store.columns(first, end)
        times, severities = block.time, block.severity
    else:
        times, severities = store.times(seqs), store.severities(seqs)
    if len(times) == 0:
        return Overview(None, np.array(severities, copy=True))
    span = usual_span(times)
    outside = 0
    if span is not None:
        outside = int(np.count_nonzero((times < span[0]) | (times > span[1])))
    histogram = bin_events(times, severities, min_buckets=60, span=span)
    return Overview(histogram, np.array(severities, copy=True), outside)


def usual_span(times: np.ndarray) -> tuple[float, float] | None:
    """The range the times really cover, when a few stray ones (a producer with a wrong
    clock) would otherwise stretch a histogram into two bars; None when there are none."""
    finite = times[np.isfinite(times)]
    if len(finite) < 100:
        return None
    first, last = float(finite.min()), float(finite.max())
    low, high = (float(q) for q in np.quantile(finite, (0.001, 0.999)))
    margin = max(high - low, 60.0)
    low, high = max(first, low - margin), min(last, high + margin)
    return None if (low, high) == (first, last) else (low, high)


def severity_marks(severities: np.ndarray, slots: int) -> list[tuple[int, Severity]]:
    """Where warnings and worse sit along a scrollbar of *slots* pixels: the worst
    severity per pixel, for rows whose severities are given in order."""
    rows = len(severities)
    if rows == 0 or slots <= 0:
        return []
    bad = np.flatnonzero(severities >= Severity.WARNING)
    if len(bad) == 0:
        return []
    pixels = bad * slots // rows
    levels = severities[bad]
    order = np.lexsort((levels, pixels))  # by pixel, then by severity
    pixels, levels = pixels[order], levels[order]
    last_of_pixel = np.append(pixels[1:] != pixels[:-1], True)
    return [
        (int(pixel), Severity(int(level)))
        for pixel, level in zip(pixels[last_of_pixel], levels[last_of_pixel], strict=True)
    ]

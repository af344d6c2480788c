"""Chart data: series of a field's values or of counts per interval, in numpy rings.

A chart holds several series. Each is either a field's values (``field = "cpu"``) or the
events matching a query counted per interval (no field: "errors per 10 s"), and may be
split into one line per value of another attribute (``split_by = "source"``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from dashboard.core.event import Event
from dashboard.core.fields import as_number, lookup
from dashboard.core.query import Query, parse
from dashboard.core.rules import key_of

MIN_WINDOW_S = 30.0
MAX_WINDOW_S = 86_400.0
MAX_POINTS = 200_000  # per line, whatever the window
MAX_LINES = 64  # per series: a split by a field with a thousand values is not a chart
MAX_MARKERS = 500


class RingSeries:
    """(time, value) points in a fixed-size ring; appending never allocates."""

    def __init__(self, capacity: int = 8192) -> None:
        self.capacity = capacity
        self._t = np.empty(capacity, dtype=np.float64)
        self._v = np.empty(capacity, dtype=np.float64)
        self._end = 0

    def __len__(self) -> int:
        return min(self._end, self.capacity)

    def append(self, t: float, v: float) -> None:
        i = self._end % self.capacity
        self._t[i] = t
        self._v[i] = v
        self._end += 1

    def add_to_last(self, v: float) -> None:
        """Add *v* to the newest point's value (a count bucket still filling)."""
        self._v[(self._end - 1) % self.capacity] += v

    def last_time(self) -> float:
        return float(self._t[(self._end - 1) % self.capacity])

    def first_time(self) -> float:
        """The time of the oldest point held (the ring must not be empty)."""
        oldest = self._end % self.capacity if self._end > self.capacity else 0
        return float(self._t[oldest])

    def arrays(self, since: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the points in time order, those at or after *since* when given."""
        n = len(self)
        start = self._end % self.capacity if self._end > self.capacity else 0
        idx = (np.arange(n) + start) % self.capacity
        t, v = self._t[idx], self._v[idx]
        if since is not None:
            keep = t >= since
            t, v = t[keep], v[keep]
        return t, v


@dataclass(frozen=True)
class SeriesSpec:
    """One series: a field's values, or (no field) matching events counted per interval."""

    type: str = ""
    field: str = ""
    query: str = ""
    split_by: str = ""
    interval: float = 10.0  # seconds per count
    label: str = ""

    def __post_init__(self) -> None:
        if self.interval <= 0:
            raise ValueError("interval must be longer than 0")
        if self.query:
            parse(self.query)

    @property
    def counts(self) -> bool:
        return not self.field

    def name(self) -> str:
        """The legend's name for the series (before any split key)."""
        if self.label:
            return self.label
        if self.field:
            return self.field
        what = self.query or self.type or "events"
        return f"{what} per {self.interval:g} s"


@dataclass(frozen=True)
class ChartSpec:
    title: str
    series: tuple[SeriesSpec, ...]
    unit: str = ""
    window: float = 300.0  # seconds shown
    markers: str = ""  # a query: a vertical line at each matching event

    def __post_init__(self) -> None:
        if not MIN_WINDOW_S <= self.window <= MAX_WINDOW_S:
            raise ValueError("window must be between 30s and 24h")
        if self.markers:
            parse(self.markers)

    def with_series(self, series: SeriesSpec) -> ChartSpec:
        return ChartSpec(self.title, (*self.series, series), self.unit, self.window, self.markers)


class _Series:
    def __init__(self, spec: SeriesSpec, window: float) -> None:
        self.spec = spec
        self.query: Query | None = parse(spec.query) if spec.query else None
        if spec.counts:
            self.capacity = min(MAX_POINTS, int(window / spec.interval) + 4)
        else:
            self.capacity = min(MAX_POINTS, max(8192, int(window) * 4))

    def wants(self, event: Event) -> bool:
        spec = self.spec
        if spec.type and event.type != spec.type:
            return False
        return self.query is None or self.query.matches(event, event.time)


class ChartData:
    """Folds events into one RingSeries per line; lines are keyed ``(series index, split
    key)``. Markers are the times of events matching the chart's marker query."""

    def __init__(self, spec: ChartSpec) -> None:
        self.spec = spec
        self._series = [_Series(s, spec.window) for s in spec.series]
        self.lines: dict[tuple[int, str], RingSeries] = {}
        self._markers_query: Query | None = parse(spec.markers) if spec.markers else None
        self.markers: list[tuple[float, str]] = []  # (time, what)
        self.dropped_lines = 0

    def line_name(self, key: tuple[int, str]) -> str:
        index, split = key
        name = self._series[index].spec.name()
        if not split:
            return name
        return split if len(self._series) == 1 else f"{name} {split}"

    def fold(self, events: Iterable[Event]) -> set[tuple[int, str]]:
        """Take in new events; answers the lines that grew."""
        grown: set[tuple[int, str]] = set()
        marks = self._markers_query
        for event in events:
            for index, series in enumerate(self._series):
                if series.wants(event):
                    key = self._fold_one(index, series, event)
                    if key is not None:
                        grown.add(key)
            if marks is not None and marks.matches(event, event.time):
                self.markers.append((event.time, event.type))
                del self.markers[:-MAX_MARKERS]
        return grown

    def _line(
        self, index: int, series: _Series, event: Event
    ) -> tuple[tuple[int, str], RingSeries] | None:
        split = key_of(event, series.spec.split_by) if series.spec.split_by else ""
        key = (index, split)
        line = self.lines.get(key)
        if line is None:
            if sum(1 for k in self.lines if k[0] == index) >= MAX_LINES:
                self.dropped_lines += 1
                return None
            line = self.lines[key] = RingSeries(series.capacity)
        return key, line

    def _fold_one(self, index: int, series: _Series, event: Event) -> tuple[int, str] | None:
        spec = series.spec
        if not spec.counts:
            number = as_number(lookup(event.data, spec.field))
            if number is None:
                return None
            found = self._line(index, series, event)
            if found is None:
                return None
            found[1].append(event.time, number)
            return found[0]
        found = self._line(index, series, event)
        if found is None:
            return None
        key, line = found
        start = math.floor(event.time / spec.interval) * spec.interval
        if len(line) and start <= line.last_time():
            line.add_to_last(1.0)  # late events count in the newest interval
            return key
        if len(line):  # intervals without events are zero, not a straight line across
            gap = line.last_time() + spec.interval
            for _ in range(min(int((start - gap) / spec.interval + 0.5), series.capacity)):
                line.append(gap, 0.0)
                gap += spec.interval
        line.append(start, 1.0)
        return key

    def arrays(
        self, key: tuple[int, str], since: float, now: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """A line's points from *since*; a count line that heard nothing lately falls to
        zero up to *now*, rather than holding its last count."""
        t, v = self.lines[key].arrays(since)
        spec = self._series[key[0]].spec
        if spec.counts and len(t):
            quiet = float(t[-1]) + spec.interval  # the first interval nothing came in
            if now >= quiet:
                current = math.floor(now / spec.interval) * spec.interval
                tail = [quiet] if current <= quiet else [quiet, current]
                t = np.concatenate([t, tail])
                v = np.concatenate([v, np.zeros(len(tail))])
        return t, v

    def markers_since(self, since: float) -> list[tuple[float, str]]:
        return [m for m in self.markers if m[0] >= since]

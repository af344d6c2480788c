"""Chart data: series of a field's values or of counts per interval, in numpy rings.

A chart holds several series. Each is either a field's values (``field = "cpu"``) or the
events matching a query counted per interval (no field: "errors per 10 s"), and may be
split into one line per value of another attribute (``split_by = "source"``).

A value series draws one line per connection: two feeds that both send ``web-1`` are two
lines, not one line zig-zagging between them (the first connection's line has the plain
name, another's adds `` · <connection>``), unless the series sets ``merge_connections``.
Counts add up every connection's events (a sum has no zig-zag).

Each series has a unit: its own (``unit`` in the layout), else one its field's name says
(``cpu``, ``*_pct``, ``*_ms``, ``*_bytes``...: :func:`unit_from_name`), else the chart's
for a field's values and ``per N s`` for counts. The chart puts the first unit on its left
axis and the others on a second, right axis (see :meth:`ChartData.axis_of`).
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from dashboard.core.events.event import Event
from dashboard.core.events.fieldpath import as_number, lookup
from dashboard.core.lang.duration import DurationRange
from dashboard.core.lang.query import Query, parse
from dashboard.core.monitor.rules import key_of

CHART_WINDOWS = DurationRange(30.0, 86_400.0)  # the time a chart shows: 30s to 1d
MAX_POINTS = 200_000  # per line, whatever the window
MAX_LINES = 64  # per series: a split by a field with a thousand values is not a chart
MAX_MARKERS = 500
LATE_INTERVALS = 64  # how far back a late event may still be added to its count
MAX_DROPPED_KEPT = 10_000  # lines not drawn that are remembered (to say how many)
CLOCK_AHEAD_S = 5.0  # how far after arriving an event may be drawn


class RingSeries:
    """(time, value) points in a ring that grows (doubling) up to *limit* points, then
    keeps the newest; appending allocates only when it grows."""

    def __init__(self, limit: int = 8192, initial: int = 1024) -> None:
        self.limit = limit
        self.capacity = min(initial, limit)
        self._t = np.empty(self.capacity, dtype=np.float64)
        self._v = np.empty(self.capacity, dtype=np.float64)
        self._end = 0

    def __len__(self) -> int:
        return min(self._end, self.capacity)

    def append(self, t: float, v: float) -> None:
        if self._end == self.capacity < self.limit:
            self._grow()
        i = self._end % self.capacity
        self._t[i] = t
        self._v[i] = v
        self._end += 1

    def _grow(self) -> None:
        size = min(self.capacity * 2, self.limit)
        for name in ("_t", "_v"):
            bigger = np.empty(size, dtype=np.float64)
            bigger[: self.capacity] = getattr(self, name)
            setattr(self, name, bigger)
        self.capacity = size

    def extend(self, t: list[float], v: list[float]) -> None:
        """Append many points at once (the same as appending them one by one)."""
        n = len(t)
        if self._end <= self.capacity < self.limit and self._end + n > self.capacity:
            while self.capacity < min(self._end + n, self.limit):  # not wrapped yet: grow
                self._grow()
        if n > self.capacity:  # only the newest fit
            self._end += n - self.capacity
            t, v, n = t[-self.capacity :], v[-self.capacity :], self.capacity
        start = self._end % self.capacity
        first = min(n, self.capacity - start)  # up to the ring's end, then from its start
        self._t[start : start + first] = t[:first]
        self._v[start : start + first] = v[:first]
        self._t[: n - first] = t[first:]
        self._v[: n - first] = v[first:]
        self._end += n

    def add_at(self, t: float, v: float, look_back: int = 64) -> bool:
        """Add *v* to the value of the point at time *t* among the newest *look_back*
        points (a count interval still filling, or one a late event belongs to)."""
        for back in range(1, min(look_back, len(self)) + 1):
            i = (self._end - back) % self.capacity
            if self._t[i] == t:
                self._v[i] += v
                return True
            if self._t[i] < t:
                return False
        return False

    def last_time(self) -> float:
        return float(self._t[(self._end - 1) % self.capacity])

    def first_time(self) -> float:
        """The time of the oldest point held (the ring must not be empty)."""
        oldest = self._end % self.capacity if self._end > self.capacity else 0
        return float(self._t[oldest])

    def arrays(self, since: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the points in time order, those at or after *since* when given.

        Points come in arrival order; one from a producer whose clock is behind the others
        (or sent late) is put in its place here, so a line never runs back in time."""
        n = len(self)
        start = self._end % self.capacity if self._end > self.capacity else 0
        idx = (np.arange(n) + start) % self.capacity
        t, v = self._t[idx], self._v[idx]
        if n > 1 and bool((t[1:] < t[:-1]).any()):
            order = np.argsort(t, kind="stable")
            t, v = t[order], v[order]
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
    unit: str = ""  # "": the field's name says it, else the chart's (see unit_of)
    merge_connections: bool = False  # one line for every connection's events of a key

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


# Units a field's name gives away: its whole name, or its last part after "_" or ".".
_NAMED_UNITS = {"cpu": "%", "percent": "%", "pct": "%", "ms": "ms", "millis": "ms",
                "seconds": "s", "secs": "s", "bytes": "B", "kb": "kB", "mb": "MB",
                "gb": "GB", "celsius": "°C"}  # fmt: skip


def unit_from_name(field: str) -> str:
    """The unit a field's name gives away (``cpu_pct``: ``%``, ``latency_ms``: ``ms``),
    "" when it does not."""
    name = field.rsplit(".", 1)[-1].lower()
    return _NAMED_UNITS.get(name) or _NAMED_UNITS.get(name.rsplit("_", 1)[-1], "")


@dataclass(frozen=True)
class ChartSpec:
    title: str
    series: tuple[SeriesSpec, ...]
    unit: str = ""
    window: float = 300.0  # seconds shown
    markers: str = ""  # a query: a vertical line at each matching event

    def __post_init__(self) -> None:
        CHART_WINDOWS.read(self.window, "window")
        if self.markers:
            parse(self.markers)

    def with_series(self, series: SeriesSpec) -> ChartSpec:
        return dataclasses.replace(self, series=(*self.series, series))

    def unit_of(self, series: SeriesSpec) -> str:
        """The unit *series* is drawn in (see the module's docstring)."""
        if series.unit:
            return series.unit
        if series.counts:
            return f"per {series.interval:g} s"
        return unit_from_name(series.field) or self.unit

    def units(self) -> list[str]:
        """The units of the series, each once, the left axis's first."""
        return list(dict.fromkeys(self.unit_of(s) for s in self.series))


class _Series:
    def __init__(self, spec: SeriesSpec, window: float) -> None:
        self.spec = spec
        self.query: Query | None = parse(spec.query) if spec.query else None
        if spec.counts:
            self.limit = min(MAX_POINTS, int(window / spec.interval) + 4)
        else:  # up to 20 points a second per line over the window, within MAX_POINTS
            self.limit = min(MAX_POINTS, max(8192, int(window) * 20))

    def wanted(self, events: list[Event], by_type: Mapping[str, list[Event]]) -> list[Event]:
        spec = self.spec
        chosen = by_type.get(spec.type, []) if spec.type else events
        return chosen if self.query is None else self.query.filter(chosen)


def _moment(event: Event) -> float:
    """Where an event goes on the time axis: its own time, but never later than a little
    after it arrived (a producer an hour ahead would otherwise draw in the future)."""
    return min(event.time, event.received + CLOCK_AHEAD_S)


class ChartData:
    """Folds events into one RingSeries per line; lines are keyed ``(series index, split
    key)``. Markers are the times of events matching the chart's marker query."""

    def __init__(self, spec: ChartSpec) -> None:
        self.spec = spec
        self._series = [_Series(s, spec.window) for s in spec.series]
        self.lines: dict[tuple[int, str], RingSeries] = {}
        self._markers_query: Query | None = parse(spec.markers) if spec.markers else None
        self.markers: list[tuple[float, str]] = []  # (time, what)
        self.markers_taken = 0  # markers ever folded in (the list above is capped)
        self.dropped_lines: set[tuple[int, str]] = set()  # lines past MAX_LINES, not drawn
        self.late_dropped = 0  # events counted too late: their interval had left the ring
        self.first_connection: str | None = None  # its lines have plain names (see fold)

    def not_drawn(self) -> str:
        """What this chart holds back, in words ("" when nothing): said, never hidden."""
        parts = []
        if self.dropped_lines:
            many = len(self.dropped_lines)
            more = "+" if many >= MAX_DROPPED_KEPT else ""
            parts.append(
                f"{many:,}{more} line{'s' * (many != 1)} not drawn (at most {MAX_LINES} "
                "per series: split by a field with fewer values)"
            )
        if self.late_dropped:
            parts.append(
                f"{self.late_dropped:,} event{'s' * (self.late_dropped != 1)} too late to "
                f"count (over {LATE_INTERVALS} intervals behind their line)"
            )
        return "; ".join(parts)

    def axis_of(self, index: int) -> int:
        """0 for the left axis (the first series' unit), 1 for the right (any other)."""
        spec = self.spec
        return 0 if spec.unit_of(spec.series[index]) == spec.unit_of(spec.series[0]) else 1

    def line_name(self, key: tuple[int, str]) -> str:
        index, split = key
        spec = self._series[index].spec
        name = spec.name()
        if not split:
            return name
        if not spec.split_by:  # another connection's line
            return f"{name} · {split}"
        return split if len(self._series) == 1 else f"{name} {split}"

    def fold(
        self, events: list[Event], by_type: Mapping[str, list[Event]] | None = None
    ) -> set[tuple[int, str]]:
        """Take in a tick's events (*by_type*: the same grouped by type, when the caller
        has it); answers the lines that grew."""
        if by_type is None:
            by_type = {}
            for event in events:
                by_type.setdefault(event.type, []).append(event)
        grown: set[tuple[int, str]] = set()
        for index, series in enumerate(self._series):
            wanted = series.wanted(events, by_type)
            if wanted:
                fold = self._fold_counts if series.spec.counts else self._fold_values
                grown |= fold(index, series, wanted)
        marks = self._markers_query
        if marks is not None:
            new = [(_moment(e), e.type) for e in marks.filter(events)]
            if new:
                self.markers += new
                del self.markers[:-MAX_MARKERS]
                self.markers_taken += len(new)
        return grown

    def _line(self, key: tuple[int, str], series: _Series) -> RingSeries | None:
        line = self.lines.get(key)
        if line is None:
            if key in self.dropped_lines:
                return None
            if sum(1 for k in self.lines if k[0] == key[0]) >= MAX_LINES:
                if len(self.dropped_lines) < MAX_DROPPED_KEPT:
                    self.dropped_lines.add(key)
                return None
            line = self.lines[key] = RingSeries(series.limit)
        return line

    def _split(self, series: _Series, event: Event) -> str:
        split_by = series.spec.split_by
        return key_of(event, split_by) if split_by else ""

    def _fold_values(
        self, index: int, series: _Series, events: list[Event]
    ) -> set[tuple[int, str]]:
        path = series.spec.field
        split_by = series.spec.split_by
        ahead = CLOCK_AHEAD_S
        points: dict[str, tuple[list[float], list[float]]] = {}  # per line, then in one go
        merge = series.spec.merge_connections or split_by == "connection"
        if self.first_connection is None and events:
            self.first_connection = events[0].connection
        first = self.first_connection
        for event in events:
            number = as_number(lookup(event.data, path))
            if number is None or not math.isfinite(number):
                continue
            split = key_of(event, split_by) if split_by else ""
            if not merge and event.connection != first:  # another feed's line
                split = f"{split} · {event.connection}" if split else event.connection
            line_points = points.get(split)
            if line_points is None:
                line_points = points[split] = ([], [])
            line_points[0].append(min(event.time, event.received + ahead))  # _moment
            line_points[1].append(number)
        grown = set()
        for split, (times, values) in points.items():
            key = (index, split)
            line = self._line(key, series)
            if line is not None:
                line.extend(times, values)
                grown.add(key)
        return grown

    def _fold_counts(
        self, index: int, series: _Series, events: list[Event]
    ) -> set[tuple[int, str]]:
        """Counted per tick first, then one update per line and interval."""
        interval = series.spec.interval
        n = len(events)
        times = np.fromiter((e.time for e in events), np.float64, n)
        arrived = np.fromiter((e.received for e in events), np.float64, n)
        starts = np.floor(np.minimum(times, arrived + CLOCK_AHEAD_S) / interval) * interval
        split_by = series.spec.split_by
        if split_by in ("type", "source", "connection"):
            splits = [getattr(e, split_by) for e in events]
        else:
            splits = [self._split(series, e) for e in events]
        first, last = float(starts.min()), float(starts.max())
        counts: Mapping[tuple[str, float], int]
        if first == last:  # a tick's events mostly fall in one interval: count splits alone
            counts = {(split, first): n for split, n in Counter(splits).items()}
        else:
            counts = Counter(zip(splits, starts.tolist(), strict=True))
        grown = set()
        for (split, start), n in sorted(counts.items(), key=lambda item: item[0][1]):
            key = (index, split)
            line = self._line(key, series)
            if line is None:
                continue
            grown.add(key)
            if len(line) and start <= line.last_time():
                # The interval filling, or a late event's; later than that is counted apart.
                missed = not line.add_at(start, float(n), LATE_INTERVALS)
                if missed and start > line.last_time() - self.spec.window:  # on the chart
                    self.late_dropped += n
                continue
            if len(line):  # intervals without events are zero, not a straight line across
                gap = line.last_time() + interval
                for _ in range(min(int((start - gap) / interval + 0.5), line.limit)):
                    line.append(gap, 0.0)
                    gap += interval
            line.append(start, float(n))
        return grown

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

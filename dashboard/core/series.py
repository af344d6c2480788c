"""Time series in preallocated numpy ring buffers, one per split key."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from dashboard.core.event import Event
from dashboard.core.fields import numbers


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


@dataclass(frozen=True, slots=True)
class ChartSpec:
    title: str
    event_type: str
    field: str
    split_by: str = "source"  # one line per value of this event attribute
    unit: str = ""
    window: float = 300.0  # seconds shown


class ChartData:
    """Folds events into one RingSeries per split key (e.g. per source)."""

    def __init__(self, spec: ChartSpec, capacity: int = 8192) -> None:
        self.spec = spec
        self.capacity = capacity
        self.series: dict[str, RingSeries] = {}

    def fold(self, events: Iterable[Event]) -> set[str]:
        """Take in new events; answers the keys whose series grew."""
        spec = self.spec
        grown: set[str] = set()
        for event, number in numbers(events, spec.event_type, spec.field):
            key = str(getattr(event, spec.split_by, "")) if spec.split_by else spec.field
            series = self.series.get(key)
            if series is None:
                series = self.series[key] = RingSeries(self.capacity)
            series.append(event.time, number)
            grown.add(key)
        return grown

"""Metric cards: which field of which events a card shows, and how values combine."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from dashboard.core.event import Event
from dashboard.core.fields import numbers


class Combine(Enum):
    """How the values from several sources make one figure."""

    LAST = "last"  # the newest value, whichever source sent it
    MEAN = "mean"  # the mean of each source's newest value
    SUM = "sum"  # the sum of each source's newest value
    TOTAL = "total"  # the sum of every value ever received


@dataclass(frozen=True, slots=True)
class CardSpec:
    title: str
    event_type: str
    field: str
    unit: str = ""
    decimals: int = 0
    combine: Combine = Combine.LAST
    description: str = ""


class CardState:
    """Folds events into the figure one card shows."""

    def __init__(self, spec: CardSpec) -> None:
        self.spec = spec
        self.latest: dict[str, float] = {}
        self.total = 0.0
        self.last: float | None = None
        self.updated: float | None = None  # producer time of the newest value
        self.count = 0

    def fold(self, events: Iterable[Event]) -> bool:
        """Take in new events; True if the card's figure may have changed."""
        spec = self.spec
        changed = False
        for event, number in numbers(events, spec.event_type, spec.field):
            self.latest[event.source] = number
            self.total += number
            self.last = number
            self.updated = event.time
            self.count += 1
            changed = True
        return changed

    @property
    def value(self) -> float | None:
        if self.last is None:
            return None
        combine = self.spec.combine
        if combine is Combine.MEAN:
            return sum(self.latest.values()) / len(self.latest)
        if combine is Combine.SUM:
            return sum(self.latest.values())
        if combine is Combine.TOTAL:
            return self.total
        return self.last

    def text(self) -> str:
        """The figure as the card prints it, e.g. ``41.5 %`` or ``—`` before any value."""
        value = self.value
        if value is None:
            return "—"
        number = f"{value:,.{self.spec.decimals}f}"
        return f"{number} {self.spec.unit}".strip()

    def caption(self) -> str:
        """A short line saying where the figure comes from."""
        sources = len(self.latest)
        if sources == 0:
            return f"waiting for {self.spec.event_type}"
        combine = self.spec.combine
        noun = "source" if sources == 1 else "sources"
        if combine is Combine.MEAN:
            return f"mean of {sources} {noun}"
        if combine is Combine.SUM:
            return f"sum of {sources} {noun}"
        if combine is Combine.TOTAL:
            return f"total of {self.count:,} reports"
        return f"latest of {sources} {noun}"

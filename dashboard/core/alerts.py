"""Which events are alerts, by the feed's own conventions."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field

from dashboard.core.event import Event, Severity
from dashboard.core.summary import summarize


@dataclass(frozen=True)
class AlertConventions:
    """Which feed events are alerts (a type among *types*, globs allowed, or a severity of
    *min_severity* or worse; ``none`` turns that off), and when a feed that is down for
    *connection_down* seconds becomes one."""

    types: tuple[str, ...] = ("alert", "alert.*")
    min_severity: str = "warning"
    connection_down: float = 30.0
    _types: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _floor: Severity | None = field(init=False, repr=False, compare=False)
    _by_type: dict[str, bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.min_severity != "none" and Severity.named(self.min_severity) is None:
            raise ValueError(f"min_severity: {self.min_severity!r} is not a severity (or 'none')")
        either = "|".join(fnmatch.translate(t) for t in self.types) or "(?!)"
        object.__setattr__(self, "_types", re.compile(either))
        object.__setattr__(self, "_floor", self.severity)
        object.__setattr__(self, "_by_type", {})  # type -> is an alert type (asked per event)

    @property
    def severity(self) -> Severity | None:
        """The severity from which an event is an alert; None when only types make them."""
        return None if self.min_severity == "none" else Severity.named(self.min_severity)

    def is_alert(self, event: Event) -> bool:
        floor = self._floor
        if floor is not None and event.severity >= floor:
            return True
        known = self._by_type.get(event.type)
        if known is None:
            if len(self._by_type) > 10_000:  # a feed inventing types: start over
                self._by_type.clear()
            known = self._by_type[event.type] = self._types.match(event.type) is not None
        return known


def alert_message(event: Event) -> str:
    """What the alert says: its ``message`` field, else the event's summary."""
    return summarize(event, limit=300)

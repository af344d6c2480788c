"""Which events are alerts, by the feed's own conventions, and which alert each one is."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import Any

from dashboard.core.events.event import Event, Severity
from dashboard.core.events.summary import summary_text

Labels = tuple[tuple[str, str], ...]  # sorted (name, value) pairs
# Where a feed alert names itself, first found first (Prometheus/Alertmanager's alertname,
# then the usual spellings); without one, its event type is its name.
NAME_FIELDS = ("alertname", "labels.alertname", "alert_name", "alert", "name")
MAX_LABELS = 20  # labels of a feed alert kept in its identity (sorted by name, the first)
LABEL_TEXT = 100  # characters of a label's name and of its value kept
NAME_TEXT = 200  # characters of a feed alert's own name kept
MESSAGE_TEXT = 300  # characters of a feed alert's message kept (the last one "…" when cut)


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
    """What the alert says: its ``message`` field, else the event's summary; in the feed's
    own words, as its alert event records it (made inert where it is shown), cut to
    :data:`MESSAGE_TEXT` characters."""
    text = summary_text(event, MESSAGE_TEXT)
    return text if len(text) <= MESSAGE_TEXT else text[: MESSAGE_TEXT - 1] + "…"


def feed_alert_name(event: Event) -> tuple[str, str]:
    """The alert's name and the data field it came from (``("HighCPU", "alertname")``),
    or its event type and ``""`` when its data names none (see :data:`NAME_FIELDS`)."""
    data = event.data
    if type(data) is dict:  # (this runs for every alert of a storm: plain dict lookups)
        labels = data.get("labels")
        for path in NAME_FIELDS:
            if path == "labels.alertname":
                value = labels.get("alertname") if type(labels) is dict else None
            else:
                value = data.get(path)
            if value is not None and _is_scalar(value) and str(value).strip():
                return str(value).strip()[:NAME_TEXT], path
    return event.type, ""


def feed_alert_labels(event: Event) -> Labels:
    """The alert's labels (``data.labels``, an object of scalars, ``alertname`` aside):
    at most :data:`MAX_LABELS`, each cut to :data:`LABEL_TEXT` characters."""
    labels = event.data.get("labels") if isinstance(event.data, dict) else None
    if not isinstance(labels, dict):
        return ()
    pairs = sorted(
        (str(name)[:LABEL_TEXT], str(value)[:LABEL_TEXT])
        for name, value in labels.items()
        if name != "alertname" and _is_scalar(value)
    )
    return tuple(pairs[:MAX_LABELS])


def is_recovery(event: Event, floor: Severity) -> bool:
    """Whether a feed alert says it is over: a severity under *floor* ("back to 70%") or
    an Alertmanager-style ``status = "resolved"``."""
    if event.severity < floor:
        return True
    status = event.data.get("status") if isinstance(event.data, dict) else None
    return isinstance(status, str) and status.lower() == "resolved"


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)

"""Which events are alerts, by the feed's own conventions."""

from __future__ import annotations

from dashboard.core.event import Event, Severity
from dashboard.core.summary import summarize


def is_alert(event: Event, min_severity: Severity = Severity.WARNING) -> bool:
    """Type ``alert`` or ``alert.*``, or a severity of *min_severity* or worse."""
    etype = event.type
    return event.severity >= min_severity or etype == "alert" or etype.startswith("alert.")


def alert_message(event: Event) -> str:
    """What the alert says: its ``message`` field, else the event's summary."""
    return summarize(event, limit=300)

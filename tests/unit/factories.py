"""Events for tests, with only the fields a test cares about spelled out."""

from __future__ import annotations

from typing import Any

import orjson

from dashboard.core.events.event import Event, Rejected, Severity


def make_event(
    type: str = "metrics.update",
    data: Any = None,
    *,
    source: str = "web-1",
    time: float = 1_000.0,
    severity: Severity = Severity.INFO,
    connection: str = "conn",
) -> Event:
    """An event whose raw bytes decode back to its payload (the store rebuilds from them)."""
    data = {} if data is None else data
    return Event(
        type=type,
        time=time,
        received=time,
        source=source,
        severity=severity,
        data=data,
        raw=orjson.dumps(data),
        connection=connection,
        declared_type=type,
    )


def make_rejected(reason: str = "invalid JSON", connection: str = "conn") -> Rejected:
    return Rejected(reason, b"{", 1_000.0, connection, 1)


# A payload with one of each JSON kind, nested, for the detail pane and its layout.
SAMPLE_PAYLOAD = {
    "host": "web-1",
    "cpu": 93.5,
    "disk": [{"mount": "/", "used": 0.71}],
    "tags": {"env": "prod"},
    "ok": True,
    "note": None,
}


def nested(depth: int, leaf: Any = "foo", key: str | None = None) -> Any:
    """*leaf* inside *depth* levels of arrays (of objects under *key*, when given)."""
    value = leaf
    for _ in range(depth):
        value = [value] if key is None else {key: value}
    return value


def nested_text(depth: int, leaf: bytes = b'"foo"') -> bytes:
    """The JSON of ``nested(depth, leaf)``, written without recursing (json.dumps recurses)."""
    return b"[" * depth + leaf + b"]" * depth

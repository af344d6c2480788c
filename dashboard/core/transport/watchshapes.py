"""The event shapes of well-known JSON-lines streams, recognised without configuration.

* A Kubernetes watch event, ``{"type": "ADDED", "object": {...}}``: the event's type is the
  object's kind and the watch type (``Pod.ADDED``, ``Deployment.MODIFIED``,
  ``Event.ADDED``), its source the object's ``namespace/name`` (for a Kubernetes Event,
  the object it is about), its time from the object's metadata (see
  :func:`kubernetes_time`), its severity warning for a ``Warning`` Event and error for an
  ``ERROR`` watch event.
* A Docker engine event (``/events``), with ``Type``, ``Action`` and ``Actor``: the type
  is ``container.start``, ``image.pull``... (an action's detail after a colon is left
  out), the source the actor's name (else its short id), the time ``timeNano`` (else
  ``time``); an ``oom`` is an error, a ``die`` with a non-zero exit code and an
  ``unhealthy`` health status a warning.

Pure functions on a decoded JSON object; the reader decides what else to do with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dashboard.core.events.event import Severity

__all__ = [
    "WATCH_TYPES",
    "Shape",
    "docker_event",
    "kubernetes_time",
    "kubernetes_watch",
    "object_key",
    "recognise",
]

WATCH_TYPES = frozenset(("ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"))
KUBERNETES, DOCKER = "kubernetes", "docker"


@dataclass(frozen=True, slots=True)
class Shape:
    """What a recognised line says about itself. *time* is the producer's time as sent (ISO
    text or an epoch number), None if it has none; *version* what resuming needs (a
    Kubernetes resourceVersion, a Docker event's time in nanoseconds)."""

    api: str  # KUBERNETES or DOCKER
    type: str
    time: Any
    source: str
    severity: int
    version: str | int | None = None


def recognise(value: dict[str, Any]) -> Shape | None:
    """The shape of a decoded line, if it is one this module knows."""
    if "object" in value:
        return kubernetes_watch(value)
    if "Action" in value:
        return docker_event(value)
    return None


def kubernetes_watch(value: dict[str, Any]) -> Shape | None:
    watch_type = value.get("type")
    body = value.get("object")
    if type(watch_type) is not str or watch_type not in WATCH_TYPES or type(body) is not dict:
        return None
    kind = _text(body.get("kind")) or "Object"
    metadata = _mapping(body.get("metadata"))
    severity = Severity.INFO
    if watch_type == "ERROR":
        severity = Severity.ERROR
    elif kind == "Event" and body.get("type") == "Warning":
        severity = Severity.WARNING
    subject = body.get("involvedObject") or body.get("regarding") if kind == "Event" else None
    source = _namespaced(_mapping(subject)) or _namespaced(metadata)
    if watch_type == "ERROR":
        source = source or _text(body.get("reason"))
    return Shape(
        KUBERNETES,
        f"{kind}.{watch_type}",
        kubernetes_time(kind, body, watch_type),
        source,
        int(severity),
        _text(metadata.get("resourceVersion")) or None,
    )


def kubernetes_time(kind: str, body: dict[str, Any], watch_type: str = "") -> Any:
    """When a Kubernetes object's change happened, as its metadata says: for an Event its
    last occurrence (``series.lastObservedTime``, ``lastTimestamp``, ``eventTime``...); for
    a deletion ``deletionTimestamp``; else the newest ``managedFields`` time (the last
    write), else ``creationTimestamp``. None if it says nothing."""
    metadata = _mapping(body.get("metadata"))
    if kind == "Event":
        series = _mapping(body.get("series"))
        for when in (
            series.get("lastObservedTime"),
            body.get("lastTimestamp"),
            body.get("deprecatedLastTimestamp"),
            body.get("eventTime"),
            body.get("firstTimestamp"),
        ):
            if when:
                return when
    elif watch_type == "DELETED" and metadata.get("deletionTimestamp"):
        return metadata["deletionTimestamp"]
    fields = metadata.get("managedFields")
    if type(fields) is list:
        # RFC 3339 times in UTC ("...Z"), as the API server writes them, sort as text.
        times = [f["time"] for f in fields if type(f) is dict and type(f.get("time")) is str]
        if times:
            return max(times)
    return metadata.get("creationTimestamp") or None


def docker_event(value: dict[str, Any]) -> Shape | None:
    kind, action, actor = value.get("Type"), value.get("Action"), value.get("Actor")
    if type(kind) is not str or type(action) is not str or type(actor) is not dict:
        return None
    attributes = _mapping(actor.get("Attributes"))
    verb = action.partition(":")[0].strip() or action
    severity = Severity.INFO
    if verb == "oom":
        severity = Severity.ERROR
    elif (verb == "die" and attributes.get("exitCode") not in (None, "0")) or (
        verb == "health_status" and "unhealthy" in action
    ):
        severity = Severity.WARNING
    nanos = value.get("timeNano")
    if type(nanos) is not int:
        seconds = value.get("time")
        nanos = seconds * 1_000_000_000 if type(seconds) is int else None
    name = _text(attributes.get("name")) or _text(actor.get("ID"))[:12]
    return Shape(DOCKER, f"{kind}.{verb}", nanos, name or kind, int(severity), nanos)


def object_key(body: dict[str, Any]) -> tuple[str, str, str]:
    """A Kubernetes object's identity in a watch: (kind, namespace, name)."""
    metadata = _mapping(body.get("metadata"))
    return (
        _text(body.get("kind")),
        _text(metadata.get("namespace")),
        _text(metadata.get("name")),
    )


def _namespaced(metadata: dict[str, Any]) -> str:
    name = _text(metadata.get("name"))
    namespace = _text(metadata.get("namespace"))
    return f"{namespace}/{name}" if namespace and name else name


def _mapping(value: Any) -> dict[str, Any]:
    return value if type(value) is dict else {}


def _text(value: Any) -> str:
    return value if type(value) is str else ""

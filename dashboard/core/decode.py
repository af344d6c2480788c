"""Frame -> Event | Rejected: envelope detection with no I/O.

Recognised shapes, tried in this order on a JSON object:

* CloudEvents (``specversion`` + ``type``): type, source, id, time from the attributes,
  the payload is ``data`` (or ``data_base64`` as text).
* Any object with envelope keys (``{type, data}``, ``{event, ...}``, the
  ``what/when/who/where/details`` shape): the first present key of each group below names
  the type, time, source and severity; the payload is the ``data`` member when there is
  one, else the object without the keys that were used.

Other JSON values are the payload as they are; text that is not JSON becomes a text event.
Text that starts like a JSON object or array but does not parse is rejected, as is
invalid UTF-8 and a frame over the size limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from dashboard.core.event import Event, Rejected, Severity

DEFAULT_MAX_FRAME_BYTES = 1 << 20
PREVIEW_BYTES = 4096

# First bytes that may start a JSON document; '{', '[' and '"' can start nothing else.
_JSON_FIRST = frozenset(b'{["-0123456789tfn')
_JSON_ONLY_FIRST = frozenset(b'{["')
_WHITESPACE = b" \t\r\n"


@dataclass(frozen=True, slots=True)
class EnvelopeKeys:
    """Which JSON keys hold the envelope fields; the first one present wins."""

    type: tuple[str, ...] = ("type", "event", "what")
    time: tuple[str, ...] = ("time", "when", "timestamp", "ts")
    source: tuple[str, ...] = ("source", "where")
    severity: tuple[str, ...] = ("severity", "level")


@dataclass(slots=True)
class Decoder:
    """Decodes the frames of one connection."""

    connection: str
    keys: EnvelopeKeys = field(default_factory=EnvelopeKeys)
    max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES

    def decode(
        self,
        frame: bytes,
        *,
        received: float,
        event_type: str | None = None,
        event_id: str | None = None,
    ) -> Event | Rejected:
        """Turn one frame into an Event, or a Rejected record saying why not.

        *event_type* and *event_id* come from the transport (SSE ``event:`` and ``id:``)
        and win over the envelope.
        """
        size = len(frame)
        if size > self.max_frame_bytes:
            return self.oversized(frame[:PREVIEW_BYTES], size, received, event_id)
        body = frame.strip(_WHITESPACE)
        if body and body[0] in _JSON_FIRST:
            try:
                value = orjson.loads(body)
            except orjson.JSONDecodeError as exc:
                if body[0] in _JSON_ONLY_FIRST:
                    reason = _utf8_error(frame) or f"invalid JSON: {exc}"
                    return Rejected(reason, frame, received, self.connection, size, event_id)
            else:
                return self._from_json(value, frame, received, event_type, event_id)
        try:
            text = frame.decode("utf-8")
        except UnicodeDecodeError as exc:
            reason = f"invalid UTF-8 at byte {exc.start}"
            return Rejected(reason, frame, received, self.connection, size, event_id)
        return Event(
            type=event_type or "message",
            time=received,
            received=received,
            source=self.connection,
            severity=Severity.INFO,
            data=text,
            raw=frame,
            connection=self.connection,
            id=event_id,
        )

    def oversized(
        self, preview: bytes, size: int, received: float, event_id: str | None = None
    ) -> Rejected:
        """The record for a frame cut at the size limit (only a preview is kept)."""
        reason = f"frame of {size:,} bytes is over the {self.max_frame_bytes:,}-byte limit"
        return Rejected(reason, preview, received, self.connection, size, event_id)

    def _from_json(
        self,
        value: Any,
        raw: bytes,
        received: float,
        event_type: str | None,
        event_id: str | None,
    ) -> Event:
        if not isinstance(value, dict):
            return Event(
                type=event_type or "message",
                time=received,
                received=received,
                source=self.connection,
                severity=Severity.INFO,
                data=value,
                raw=raw,
                connection=self.connection,
                id=event_id,
            )
        if "specversion" in value and "type" in value:
            return self._from_cloudevent(value, raw, received, event_type, event_id)

        keys = self.keys
        used: list[str] = []
        etype = event_type or _pick_str(value, keys.type, used) or "message"
        when = _pick(value, keys.time, used)
        source = _pick_str(value, keys.source, used) or self.connection
        severity = _pick(value, keys.severity, used)
        if "data" in value:
            payload = value["data"]
        elif used:
            payload = {k: v for k, v in value.items() if k not in used}
        else:
            payload = value
        return Event(
            type=etype,
            time=parse_time(when, received),
            received=received,
            source=source,
            severity=Severity.parse(severity),
            data=payload,
            raw=raw,
            connection=self.connection,
            id=event_id,
        )

    def _from_cloudevent(
        self,
        value: dict[str, Any],
        raw: bytes,
        received: float,
        event_type: str | None,
        event_id: str | None,
    ) -> Event:
        ce_type = value.get("type")
        ce_source = value.get("source")
        ce_id = value.get("id")
        payload = value["data"] if "data" in value else value.get("data_base64")
        return Event(
            type=event_type or (ce_type if isinstance(ce_type, str) else "message"),
            time=parse_time(value.get("time"), received),
            received=received,
            source=ce_source if isinstance(ce_source, str) and ce_source else self.connection,
            severity=Severity.parse(value.get("severity", value.get("level"))),
            data=payload,
            raw=raw,
            connection=self.connection,
            id=event_id if event_id is not None else (str(ce_id) if ce_id is not None else None),
        )


def _pick(obj: dict[str, Any], names: tuple[str, ...], used: list[str]) -> Any:
    for name in names:
        if name in obj:
            used.append(name)
            return obj[name]
    return None


def _pick_str(obj: dict[str, Any], names: tuple[str, ...], used: list[str]) -> str | None:
    for name in names:
        value = obj.get(name)
        if isinstance(value, str) and value:
            used.append(name)
            return value
    return None


def _utf8_error(frame: bytes) -> str | None:
    try:
        frame.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"invalid UTF-8 at byte {exc.start}"
    return None


def parse_time(value: Any, default: float) -> float:
    """Epoch seconds from ISO 8601 text or an epoch number in s, ms, µs or ns.

    ISO text without an offset is taken as UTC. Anything unreadable gives *default*.
    """
    if isinstance(value, bool) or value is None:
        return default
    if isinstance(value, str):
        text = value.strip()
        try:
            value = float(text)
        except ValueError:
            try:
                parsed = datetime.fromisoformat(text)
            except ValueError:
                return default
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return parsed.timestamp()
    if isinstance(value, int | float):
        number = float(value)
        if number != number or number <= 0:  # NaN or not a plausible epoch
            return default
        while number > 1e11:  # ms, µs or ns since the epoch
            number /= 1000.0
        return number
    return default

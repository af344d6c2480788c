"""Frame -> Event | Rejected: envelope detection with no I/O.

Recognised shapes, tried in this order on a JSON object:

* CloudEvents (``specversion`` + ``type``): type, source, id, time from the attributes,
  the payload is ``data`` (or ``data_base64`` as text); the other attributes (``subject``,
  ``datacontenttype``, ``dataschema``, extensions such as ``traceparent``) are the event's
  *attributes* (:func:`event_attributes`), read from its raw bytes when asked for.
* Any object with envelope keys (``{type, data}``, ``{event, ...}``, the
  ``what/when/who/where/details`` shape): the first present key of each group below names
  the type, time, source and severity; the payload is the ``data`` member when there is
  one, else the object without the keys that were used.

Other JSON values are the payload as they are; text that is not JSON becomes a text event.
Text that starts like a JSON object or array but does not parse is rejected, as is a frame
over the size limit, or JSON nested deeper than 64 levels (:mod:`.nesting`). Text that is
not valid UTF-8 is decoded as browsers decode an event stream (the WHATWG Encoding
standard: one U+FFFD for each maximal invalid subpart, which is what Python's
``"replace"`` error handler does) and kept: the event is *repaired*, its raw bytes stay as
they came (:func:`is_repaired` tells it), and the decoder counts it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from dashboard.core.events.event import (
    PREVIEW_BYTES,
    Event,
    Rejected,
    Row,
    Severity,
    event_from_row,
)
from dashboard.core.events.nesting import MAX_DEPTH, TOO_DEEP, too_deep

DEFAULT_MAX_FRAME_BYTES = 1 << 20

# First bytes that may start a JSON document; '{', '[' and '"' can start nothing else.
_JSON_FIRST = frozenset(b'{["-0123456789tfn')
_JSON_ONLY_FIRST = frozenset(b'{["')
_WHITESPACE = b" \t\r\n"
_INFO = int(Severity.INFO)


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
    repaired: int = field(default=0, compare=False)  # frames whose invalid UTF-8 was replaced
    # Keys of a JSON object whose value is the producer id when the transport gives none
    # (a WebSocket message's top-level ``id``); the first present one, text or a number.
    id_keys: tuple[str, ...] = ()
    _envelope_names: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys = self.keys
        self._envelope_names = frozenset((*keys.type, *keys.time, *keys.source, *keys.severity))

    def decode(
        self,
        frame: bytes,
        *,
        received: float,
        event_type: str | None = None,
        event_id: str | None = None,
        default_type: str = "message",
    ) -> Event | Rejected:
        """Turn one frame into an Event, or a Rejected record saying why not.

        *event_type* and *event_id* come from the transport (SSE ``event:`` and ``id:``)
        and win over the envelope; *default_type* is the type when neither names one (a
        Pub/Sub channel's name, say).
        """
        row = self.decode_row(frame, received, event_type, event_id, default_type)
        if type(row) is not tuple:
            return row  # type: ignore[return-value]
        return event_from_row(row, self.connection)

    def decode_row(
        self,
        frame: bytes,
        received: float,
        event_type: str | None = None,
        event_id: str | None = None,
        default_type: str = "message",
    ) -> Row | Rejected:
        """What :meth:`decode` says of a frame, as a row of a DecodedBatch (no Event made:
        this runs for every event a source reads)."""
        size = len(frame)
        if size > self.max_frame_bytes:
            return self.oversized(frame[:PREVIEW_BYTES], size, received, event_id)
        body = frame.strip(_WHITESPACE)
        if body and body[0] in _JSON_FIRST:
            try:
                value = orjson.loads(body)
            except orjson.JSONDecodeError as exc:
                if _utf8_error(frame):
                    return self._repaired_row(frame, received, event_type, event_id, default_type)
                if body[0] in _JSON_ONLY_FIRST:
                    reason = f"invalid JSON: {exc}"
                    return Rejected(reason, frame, received, self.connection, size, event_id)
            else:
                # too_deep's own count of brackets, here to spare most frames the call
                if (
                    size > 2 * MAX_DEPTH
                    and body.count(b"[") + body.count(b"{") > MAX_DEPTH
                    and too_deep(value)
                ):
                    return Rejected(TOO_DEEP, frame, received, self.connection, size, event_id)
                event_type = event_type or None
                if event_id is None and self.id_keys and type(value) is dict:
                    event_id = _own_id(value, self.id_keys)
                if type(value) is not dict:
                    etype = event_type or default_type
                    return (etype, received, received, self.connection, _INFO, value, frame,
                            event_id, event_type)  # fmt: skip
                if "specversion" in value and "type" in value:
                    return self._cloudevent_row(value, frame, received, event_type, event_id)
                etype, when, source, severity, payload = self._envelope(
                    value, event_type, default_type
                )
                time = received if when is None else parse_time(when, received)
                return (etype, time, received, source, severity, payload, frame, event_id,
                        event_type)  # fmt: skip
        try:
            text = frame.decode("utf-8")
        except UnicodeDecodeError:
            return self._repaired_row(frame, received, event_type, event_id, default_type)
        etype = event_type or default_type
        return (etype, received, received, self.connection, _INFO, text, frame, event_id,
                event_type)  # fmt: skip

    def _repaired_row(
        self,
        frame: bytes,
        received: float,
        event_type: str | None,
        event_id: str | None,
        default_type: str,
    ) -> Row | Rejected:
        """A frame with invalid UTF-8, decoded from its repaired text; the raw bytes kept."""
        repaired = frame.decode("utf-8", "replace").encode()
        row = self.decode_row(repaired, received, event_type, event_id, default_type)
        if type(row) is tuple:
            self.repaired += 1
            return (*row[:6], frame, *row[7:])  # type: ignore[return-value]
        row.raw = frame  # type: ignore[union-attr]
        return row

    def oversized(
        self, preview: bytes, size: int, received: float, event_id: str | None = None
    ) -> Rejected:
        """The record for a frame cut at the size limit (only a preview is kept)."""
        reason = f"frame of {size:,} bytes is over the {self.max_frame_bytes:,}-byte limit"
        return Rejected(reason, preview, received, self.connection, size, event_id)

    def payload(self, frame: bytes, event_type: str | None = None) -> Any:
        """The payload :meth:`decode` gives a frame it accepted, and nothing else: what a
        query on ``data`` fields needs from each of a million stored frames."""
        body = frame.strip(_WHITESPACE)
        if body and body[0] in _JSON_FIRST:
            try:
                value = orjson.loads(body)
            except orjson.JSONDecodeError:
                if _utf8_error(frame):
                    return self.payload(frame.decode("utf-8", "replace").encode(), event_type)
            else:
                if not isinstance(value, dict):
                    return value
                if "specversion" in value and "type" in value:
                    return value["data"] if "data" in value else value.get("data_base64")
                return self._envelope(value, event_type)[4]
        return frame.decode("utf-8", "replace")

    def payload_under(self, frame: bytes, event_type: str | None, key: str) -> Any:
        """Something to look up a path starting at *key* in, giving what :meth:`payload`
        would: the payload, or, faster, the whole object when *key* is no envelope name
        (decode only ever takes envelope names out of an object)."""
        if frame[:1] == b"{":
            try:
                value = orjson.loads(frame)
            except orjson.JSONDecodeError:
                return self.payload(frame, event_type)
            if type(value) is dict and "specversion" not in value:
                if "data" in value:
                    return value["data"]
                if key not in self._envelope_names:
                    return value
        return self.payload(frame, event_type)

    def _envelope(
        self, value: dict[str, Any], event_type: str | None, default_type: str = "message"
    ) -> tuple[str, Any, str, int, Any]:
        """(type, raw time, source, severity number, payload) of an envelope object."""
        # This runs for nearly every event: plain loops, no helper calls.
        keys = self.keys
        used: list[str] = []
        etype = event_type
        if not etype:
            for name in keys.type:
                candidate = value.get(name)
                if candidate and isinstance(candidate, str):
                    etype = candidate
                    used.append(name)
                    break
            else:
                etype = default_type
        when = None
        for name in keys.time:
            if name in value:
                when = value[name]
                used.append(name)
                break
        source = self.connection
        for name in keys.source:
            candidate = value.get(name)
            if candidate and isinstance(candidate, str):
                source = candidate
                used.append(name)
                break
        severity = _INFO
        for name in keys.severity:
            if name in value:
                severity = int(Severity.parse(value[name]))
                used.append(name)
                break
        if "data" in value:
            payload = value["data"]
        else:
            for name in used:  # the payload is what is left once the envelope is taken
                del value[name]
            payload = value
        return etype, when, source, severity, payload

    def _cloudevent_row(
        self,
        value: dict[str, Any],
        raw: bytes,
        received: float,
        event_type: str | None,
        event_id: str | None,
    ) -> Row:
        ce_type = value.get("type")
        ce_source = value.get("source")
        ce_id = value.get("id")
        return (
            event_type or (ce_type if isinstance(ce_type, str) else "message"),
            parse_time(value.get("time"), received),
            received,
            ce_source if isinstance(ce_source, str) and ce_source else self.connection,
            int(Severity.parse(value.get("severity", value.get("level")))),
            value["data"] if "data" in value else value.get("data_base64"),
            raw,
            event_id if event_id is not None else (str(ce_id) if ce_id is not None else None),
            event_type,
        )


def _own_id(value: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        found = value.get(key)
        if isinstance(found, str) and found:
            return found
        if isinstance(found, int | float) and not isinstance(found, bool):
            return str(found)
    return None


# A CloudEvent's attributes that the envelope already holds (or that hold the payload)
CLOUDEVENT_CORE = frozenset(("specversion", "id", "source", "type", "time", "data", "data_base64"))
ATTRIBUTES = "attributes"  # the member of a record (storage/recordformat.py) that keeps them


def event_attributes(raw: bytes) -> dict[str, Any]:
    """The attributes of the event with these raw bytes beyond its envelope: a CloudEvent's
    ``subject``, ``datacontenttype``, ``dataschema`` and extension attributes, or those a
    record kept (its ``attributes`` member); empty for any other event. Parsed from *raw*
    each time: only export, the detail pane and queries on ``attributes.*`` ask."""
    if b"specversion" not in raw and b'"attributes"' not in raw:
        return {}
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        if not _utf8_error(raw):
            return {}
        return event_attributes(raw.decode("utf-8", "replace").encode())
    if type(value) is not dict:
        return {}
    if "specversion" in value and "type" in value:
        return {k: v for k, v in value.items() if k not in CLOUDEVENT_CORE}
    kept = value.get(ATTRIBUTES)
    if type(kept) is dict and "received" in value:  # a record that kept them
        return kept
    return {}


def is_repaired(raw: bytes) -> bool:
    """Whether an event with these raw bytes was repaired: they are not valid UTF-8."""
    if raw.isascii():
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _utf8_error(frame: bytes) -> str | None:
    try:
        frame.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"invalid UTF-8 at byte {exc.start}"
    return None


_UTC_LENGTHS = frozenset((20, 23, 24, 27))
_MINUTES: dict[str, float] = {}  # "2026-11-23T10:42" -> epoch; producers repeat minutes a lot
# Whole time texts already read: past 1,000 events/s, events share their millisecond.
_TEXTS: dict[str, float] = {}
_CACHE_LIMIT = 4096


def _utc_minute_form(text: str) -> float | None:
    """The common ``YYYY-MM-DDTHH:MM:SS[.fff]Z`` form, without re-parsing the same minute."""
    if len(text) not in _UTC_LENGTHS or text[-1] != "Z" or text[16] != ":":
        return None
    seconds = text[17:-1]  # "07", "07.12", "07.123" or "07.123456"
    if (
        seconds[2:3] not in ("", ".")
        or not seconds.replace(".", "", 1).isdigit()
        or seconds[:2] > "60"
    ):
        return None
    minute = text[:16]
    base = _MINUTES.get(minute)
    if base is None:
        try:
            base = datetime.fromisoformat(minute).replace(tzinfo=UTC).timestamp()
        except ValueError:
            return None
        if len(_MINUTES) > _CACHE_LIMIT:
            _MINUTES.clear()
        _MINUTES[minute] = base
    try:
        return base + float(seconds)
    except ValueError:
        return None


def iso_time(text: str) -> float | None:
    """Epoch seconds of an ISO 8601 time (UTC when it names no offset), or None."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def parse_time(value: Any, default: float) -> float:
    """Epoch seconds from ISO 8601 text or an epoch number in s, ms, µs or ns.

    ISO text without an offset is taken as UTC. Anything unreadable gives *default*.
    """
    if type(value) is str:
        known = _TEXTS.get(value)
        if known is not None:
            return known
        fast = _utc_minute_form(value)
        if fast is not None:
            if len(_TEXTS) > _CACHE_LIMIT:
                _TEXTS.clear()
            _TEXTS[value] = fast
            return fast
    if isinstance(value, bool) or value is None:
        return default
    if isinstance(value, str):
        text = value.strip()
        try:
            value = float(text)
        except ValueError:
            seconds = iso_time(text)
            return default if seconds is None else seconds
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an integer too big for a float
            return default
        if not math.isfinite(number) or number <= 0:  # NaN, inf: not a plausible epoch
            return default
        while number > 1e11:  # ms, µs or ns since the epoch
            number /= 1000.0
        return number
    return default

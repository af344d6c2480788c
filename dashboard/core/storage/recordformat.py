"""Events as JSON Lines and CSV records: what export writes and ``dashboard query`` reads.

A record is one JSON object per line::

    {"seq": 17, "received": 1795430533.25, "connection": "demo", "id": "17",
     "type": "payment.failed", "time": 1795430533.1, "source": "payments-eu",
     "severity": "error", "data": {"message": "Card declined", "amount": 80}}

``time`` and ``received`` are epoch seconds; ``data`` is the decoded payload (the text
when it was not JSON); a CloudEvent's other attributes (``subject``, ``datacontenttype``,
extensions) are kept in an ``attributes`` object. Reading also takes plain JSONL, one
event per line in any shape the decoder knows, and tolerates a last line cut short by a
crash.
"""

from __future__ import annotations

import base64
import csv
import gzip
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson

from dashboard.core.events.decode import ATTRIBUTES, Decoder, event_attributes
from dashboard.core.events.event import Event, Rejected, Severity
from dashboard.core.events.fieldpath import MISSING, as_number, lookup
from dashboard.core.events.nesting import MAX_DEPTH, json_bytes, too_deep
from dashboard.core.events.summary import summarize

CSV_COLUMNS = (
    "seq",
    "time",
    "received",
    "connection",
    "id",
    "type",
    "source",
    "severity",
    "summary",
    "data",
)


def event_record(event: Event) -> dict[str, Any]:
    """The event as a record (a dict ready for JSON); a CloudEvent's other attributes
    (``subject``, extensions...) under ``attributes``. An event without a sequence number
    (read from a record that had none) has ``"seq": null``, which reads back in."""
    record = {
        "seq": event.seq if event.seq >= 0 else None,
        "received": event.received,
        "connection": event.connection,
        "id": event.id,
        "type": event.type,
        "time": event.time,
        "source": event.source,
        "severity": event.severity.label,
        "data": event.data,
    }
    attributes = event_attributes(event.raw)
    if attributes:
        record[ATTRIBUTES] = attributes
    return record


def to_json(value: Any, indent: bool = False) -> bytes:
    """JSON for any decoded value, never an exception (:func:`json_bytes`: integers beyond
    64 bits written too, and what nests deeper than 64 levels, which no reader lets in, cut)."""
    return json_bytes(value, orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0))


def record_line(event: Event) -> bytes:
    return to_json(event_record(event)) + b"\n"


def utc_text(epoch: float) -> str:
    """``2026-11-23T10:42:13.250Z``: unambiguous for scripts and spreadsheets."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def csv_header(fields: Sequence[str] = ()) -> list[str]:
    return [*CSV_COLUMNS, *fields]


def _cell(text: str) -> str:
    """A CSV cell a spreadsheet will not run: text starting like a formula gets a ``'``."""
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and as_number(text) is None:
        return "'" + text
    return text


def csv_row(event: Event, fields: Sequence[str] = ()) -> list[str]:
    """The event as CSV cells: envelope, one-line summary, payload JSON, then *fields*."""
    extra = []
    for path in fields:
        value = lookup(event.data, path.removeprefix("data.")) if path != "data" else event.data
        if value is MISSING:
            extra.append("")
        else:
            extra.append(value if isinstance(value, str) else to_json(value).decode())
    cells = [
        str(event.seq) if event.seq >= 0 else "",
        utc_text(event.time),
        utc_text(event.received),
        event.connection,
        event.id or "",
        event.type,
        event.source,
        event.severity.label,
        summarize(event, limit=1000),
        event.data if isinstance(event.data, str) else to_json(event.data).decode(),
        *extra,
    ]
    return [_cell(cell) for cell in cells]


class CsvWriter:
    """Writes events as CSV rows to a text stream, the header first."""

    def __init__(self, stream: IO[str], fields: Sequence[str] = ()) -> None:
        self._writer = csv.writer(stream)
        self._fields = tuple(fields)
        self._writer.writerow(csv_header(self._fields))

    def write(self, events: Iterable[Event]) -> None:
        self._writer.writerows(csv_row(event, self._fields) for event in events)


# -- reading ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BadLine:
    """A line that is neither a record nor an event, and why (for a message); *unreadable*
    when the file cannot be read at all (a ``.gz`` that is not gzip)."""

    number: int
    reason: str
    unreadable: bool = False


_SEVERITY_LABELS = {severity.label: severity for severity in Severity}
# The times a record may hold (epoch seconds): 1970-01-01 to 3000-01-01 UTC. Past them the
# clocks that show a time give up (time_t, datetime), and no feed sends such a time.
EARLIEST = 0.0
LATEST = 32_503_680_000.0


def _what(value: Any) -> str:
    """What kind of JSON value *value* is, for a message."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return "a number"


def _epoch_problem(name: str, value: Any) -> str | None:
    if type(value) is float or type(value) is int:
        if EARLIEST <= value <= LATEST:
            return None
        return f"{name} {value:g} is not a time from 1970 to 3000 (epoch seconds)"
    return f"{name} is {_what(value)}, not epoch seconds"


def _text_problem(value: dict[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        member = value.get(name)
        if member is not None and type(member) is not str:
            return f"{name} is {_what(member)}, not text"
    return None


def _count_problem(name: str, member: Any) -> str | None:
    if member is None or (type(member) is int and member >= 0):
        return None
    if type(member) is int:
        return f"{name} {member} is not a whole number 0 or more"
    return f"{name} is {_what(member)}, not a whole number 0 or more"


def _id_problem(member: Any) -> str | None:
    if member is None or type(member) is str or type(member) is int:
        return None
    return f"id is {_what(member)}, not text"


def is_record(value: Any) -> bool:
    """Whether *value* claims to be a record: an object with a record's ``type``, ``time``
    and ``received`` (whether they hold what they should is :func:`record_problem`'s)."""
    return type(value) is dict and "type" in value and "time" in value and "received" in value


def record_problem(value: dict[str, Any], line: bytes | None = None) -> str | None:
    """Why *value*, a record (:func:`is_record`), cannot be read as one: a member of the
    wrong type, a time no clock can show, or a member nested deeper than MAX_DEPTH (as a
    frame may not be: nothing could write it again); None when it can. *line*, the text it
    was read from, makes the depth check cheap.

    The one place these rules live: query, replay and its indexing all read records
    through it, so a line is good or bad the same way everywhere."""
    # This runs for every line of a recording: the usual case in one test, the reasons
    # worked out only when it fails.
    get = value.get
    etype, time, received = value["type"], value["time"], value["received"]
    severity, connection, source = get("severity"), get("connection"), get("source")
    seq, event_id = get("seq"), get("id")
    if (
        type(etype) is str
        and (type(time) is float or type(time) is int)
        and EARLIEST <= time <= LATEST
        and (type(received) is float or type(received) is int)
        and EARLIEST <= received <= LATEST
        and (type(severity) is str or severity is None)
        and (type(connection) is str or connection is None)
        and (type(source) is str or source is None)
        and ((type(seq) is int and seq >= 0) or seq is None)
        and (type(event_id) is str or event_id is None)
    ):
        return _depth_problem(value, line)
    if type(etype) is not str:
        return f"type is {_what(etype)}, not text"
    if not (type(severity) in (str, int, float) or severity is None):
        return f"severity is {_what(severity)}, not a name or a number"
    return (
        _epoch_problem("time", time)
        or _epoch_problem("received", received)
        or _text_problem(value, ("connection", "source"))
        or _count_problem("seq", seq)
        or _id_problem(event_id)
        or _depth_problem(value, line)
    )


def _depth_problem(value: dict[str, Any], line: bytes | None) -> str | None:
    """Which member nests deeper than MAX_DEPTH (``data``, mostly), if one does."""
    if not too_deep(value, line):  # (its members then nest 63 levels at most)
        return None
    for name, member in value.items():
        if (type(member) is dict or type(member) is list) and too_deep(member):
            return f"{name} nested deeper than {MAX_DEPTH} levels"
    return None


def record_severity(value: dict[str, Any]) -> Severity:
    """The severity of a record that :func:`record_problem` passed."""
    severity = value.get("severity")
    level = _SEVERITY_LABELS.get(severity) if type(severity) is str else None
    return Severity.parse(severity) if level is None else level


def from_record(value: dict[str, Any], line: bytes) -> Event:
    """The event a record describes, once :func:`record_problem` passed it (this runs for
    every line of a replay: kept lean)."""
    get = value.get
    connection = get("connection") or ""
    source = get("source")
    event_id = get("id")
    seq = get("seq")
    return Event(
        value["type"],
        float(value["time"]),
        float(value["received"]),
        source or connection,
        record_severity(value),
        get("data"),
        line,  # the record itself: decoding it again gives back exactly its data
        connection,
        None if event_id is None else str(event_id),
        None,
        -1 if seq is None else seq,
    )


def parse_record(value: dict[str, Any], line: bytes, number: int) -> Event | BadLine:
    """The event of record *value* (line *number*), or a BadLine saying what is wrong."""
    problem = record_problem(value, line)
    if problem is None:
        return from_record(value, line)
    return BadLine(number, f"not a valid record: {problem}")


def is_rejected_record(value: Any) -> bool:
    """Whether *value* is a recorded rejected frame (a plain event may have a
    ``rejected`` member of its own: only text with a ``raw`` beside it counts)."""
    return type(value) is dict and type(value.get("rejected")) is str and "raw" in value


def rejected_problem(value: dict[str, Any]) -> str | None:
    """Why *value*, a recorded rejected frame, cannot be read as one; None when it can."""
    raw = value["raw"]
    if type(raw) is not str:
        return f"raw is {_what(raw)}, not base64 text"
    received = value.get("received")
    return (
        (None if received is None else _epoch_problem("received", received))
        or _text_problem(value, ("connection",))
        or _count_problem("size", value.get("size"))
        or _count_problem("seq", value.get("seq"))
        or _id_problem(value.get("id"))
    )


def rejected_from_record(value: dict[str, Any], number: int) -> Rejected | BadLine:
    problem = rejected_problem(value)
    if problem is None:
        try:
            raw = base64.b64decode(value["raw"], validate=True)
        except ValueError as exc:
            problem = f"raw is not base64 ({exc})"
        else:
            event_id = value.get("id")
            return Rejected(
                value["rejected"],
                raw,
                float(value.get("received") or 0.0),
                value.get("connection") or "",
                value.get("size") or len(raw),
                None if event_id is None else str(event_id),
            )
    return BadLine(number, f"not a valid rejected-frame record: {problem}")


def read_events(
    stream: IO[bytes], name: str, rejected: bool = False
) -> Iterator[Event | Rejected | BadLine]:
    """Events from a JSON Lines stream (records or plain events), and the recorded rejected
    frames when *rejected* is set; a line that is none of these comes back as a BadLine and
    reading goes on. A compressed file that ends early (a recorder that crashed) ends with
    a BadLine."""
    decoder = Decoder(name)
    number = 0
    loads = orjson.loads
    try:
        for number, line in enumerate(stream, start=1):
            if line.endswith(b"}\n"):  # the usual case, a whole record: the short way
                try:
                    value = loads(line)
                except orjson.JSONDecodeError:
                    pass
                else:
                    if is_record(value):
                        yield parse_record(value, line[:-1], number)
                        continue
            yield from read_line(number, line, decoder, rejected)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        if number == 0 and isinstance(exc, gzip.BadGzipFile):
            yield BadLine(1, f"not a gzip file ({exc})", unreadable=True)
        else:
            yield BadLine(number + 1, cut_file_reason(exc))


def cut_file_reason(exc: Exception) -> str:
    return f"the compressed file ends early ({exc}); read up to here"


def read_line(
    number: int, line: bytes, decoder: Decoder, rejected: bool
) -> Iterator[Event | Rejected | BadLine]:
    """What line *number* of a JSON Lines file holds: a record, a plain event (arriving
    now), a recorded rejected frame (when *rejected* is set), or a BadLine saying why not;
    nothing for a blank line."""
    body = line.strip()
    if not body:
        return
    cut = not line.endswith(b"\n") and number > 1  # (a file's only line is not "cut")
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if cut:
            yield BadLine(
                number,
                "the last line is cut short (the file was still being written, or the "
                "writer crashed); ignored",
            )
        else:
            yield BadLine(number, f"not JSON: {exc}")
        return
    if is_rejected_record(value):
        if rejected:  # a recorded rejected frame
            yield rejected_from_record(value, number)
        return
    if is_record(value):
        yield parse_record(value, body, number)
        return
    decoded = decoder.decode(body, received=datetime.now().timestamp())
    if isinstance(decoded, Rejected):
        yield BadLine(number, decoded.reason)
    else:
        decoded.seq = number
        yield decoded


def open_events_file(path: str) -> IO[bytes]:
    """A JSONL file (``.gz`` too) for reading, or standard input for ``-``."""
    import sys

    if path == "-":
        return sys.stdin.buffer
    if path.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return Path(path).open("rb")


def write_jsonl(events: Iterable[Event], stream: IO[bytes]) -> int:
    count = 0
    for event in events:
        stream.write(record_line(event))
        count += 1
    return count

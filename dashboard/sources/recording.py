"""A recording opened for replay: read once, each line kept with the time it arrived.

Seeking needs to know where every moment of the recording is, so a replay reads the whole
file first (a million events in a few seconds) and keeps each line's bytes, its arrival
time and what kind of line it is. Playing then parses only the lines it hands over.

What opens as a recording:

* our own recordings (``dashboard record``, the Record menu) and log exports: records
  with ``received`` times;
* plain JSON Lines of events from other tools, paced by each event's own time (one
  without a time of its own at the time of the line before); each line is kept as it is
  and decoded again, as its feed's frame would be, when it is played;
* ``text/event-stream`` captures (``curl -N URL > capture.sse``), paced the same way,
  turned into records while indexing.

Reading and indexing are one pass over the file, with progress told by how much of it
has been read. A record's members are checked by the rules ``dashboard query`` reads them
by (:func:`~dashboard.core.storage.recordformat.record_problem`): a line that breaks them is
played as a rejected frame saying which line and why, like a line that is no JSON.
"""

from __future__ import annotations

import gzip
import itertools
import math
import time
import zlib
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import IntEnum
from pathlib import Path
from typing import IO, Any

import numpy as np
import orjson

from dashboard.core.events.decode import Decoder
from dashboard.core.events.event import Event, Rejected
from dashboard.core.lang.query import moment
from dashboard.core.monitor.feedalerts import AlertConventions
from dashboard.core.storage.recordformat import (
    cut_file_reason,
    from_record,
    is_record,
    is_rejected_record,
    open_events_file,
    read_line,
    record_line,
    record_problem,
    record_severity,
    rejected_from_record,
)
from dashboard.core.storage.recordwriter import rejected_line
from dashboard.sources.sse_protocol import DONE, SSEParser, declared_type

PROGRESS_EVERY = 65_536  # lines between progress reports while indexing (a power of 2)
FEED_ALERTS = AlertConventions()  # the timeline marks alerts by the default conventions
_SSE_FIELDS = (b"data:", b"event:", b"id:", b"retry:", b":")
_HEAD_LINES = 50  # what is looked at to tell an event-stream capture from JSON Lines
_NOT_JSON = object()


class Kind(IntEnum):
    EVENT = 0  # a record
    PLAIN = 1  # a plain event (another tool's JSON Lines): decoded again when played
    REJECTED = 2  # a rejected frame the recorder kept
    BAD = 3  # a line that could not be read: played as a rejected frame saying why


class IndexCancelled(Exception):
    """The operator cancelled opening a recording."""


Progress = Callable[[float], bool]  # told how far (0..1); answers False to cancel


@dataclass
class Recording:
    """Lines with their arrival times (never decreasing) and kinds; ``bad`` holds, for
    each unreadable line's index, the message it is played as."""

    name: str
    lines: list[bytes]
    times: np.ndarray
    kinds: np.ndarray
    alert_times: np.ndarray
    bad: dict[int, str] = field(default_factory=dict)
    decoder: Decoder | None = None  # what decodes the plain events (named after the file)

    def __len__(self) -> int:
        return len(self.lines)

    @property
    def start(self) -> float:
        return float(self.times[0]) if len(self.lines) else 0.0

    @property
    def end(self) -> float:
        return float(self.times[-1]) if len(self.lines) else 0.0

    @property
    def events(self) -> int:
        return self.events_before(len(self.lines))

    def events_before(self, position: int) -> int:
        """How many of the first *position* lines are events."""
        return int(np.count_nonzero(self.kinds[:position] <= Kind.PLAIN))

    def index_at(self, when: float) -> int:
        """How many lines arrived at or before *when*."""
        return int(np.searchsorted(self.times, when, side="right"))

    def event_index(self, position: int, direction: int) -> int | None:
        """The index of the nearest event line at or after *position* (direction 1), or
        before it (direction -1); None when there is none."""
        if direction > 0:
            found = np.flatnonzero(self.kinds[position:] <= Kind.PLAIN)
            return position + int(found[0]) if len(found) else None
        found = np.flatnonzero(self.kinds[:position] <= Kind.PLAIN)
        return int(found[-1]) if len(found) else None

    def density(self, most: int) -> np.ndarray:
        """Events per time bin over the whole recording (for the replay bar): up to *most*
        bins, with 8 events in each on average at least, so that a steady feed draws flat
        rather than as a comb of full and empty bins."""
        events = self.times[self.kinds <= Kind.PLAIN]
        bins = int(min(most, max(1, len(events) // 8)))
        if not len(events):
            return np.zeros(bins, dtype=np.int64)
        if self.end - self.start < 0.001:  # all at one moment (a burst, or no times)
            return np.array([len(events)])
        counts, _edges = np.histogram(events, bins=bins, range=(self.start, self.end))
        return counts

    def items(self, start: int, stop: int) -> list[Event | Rejected]:
        """The events and rejected frames of lines ``start <= index < stop``."""
        lines = self.lines[start:stop]
        kinds = self.kinds[start:stop]
        loads = orjson.loads
        if not kinds.any():  # only records, the usual case: the short way
            return [from_record(loads(line), line.rstrip(b"\n")) for line in lines]
        items: list[Event | Rejected] = []
        decoder = self.decoder or Decoder(self.name)
        for index, kind, line in zip(range(start, stop), kinds.tolist(), lines, strict=True):
            if kind == Kind.EVENT:
                items.append(from_record(loads(line), line.rstrip(b"\n")))
            elif kind == Kind.PLAIN:  # arriving when indexing said: its time, or the last one
                item = decoder.decode(line.rstrip(b"\r\n"), received=float(self.times[index]))
                item.seq = index
                items.append(item)
            elif kind == Kind.REJECTED:
                item = rejected_from_record(loads(line), index + 1)
                if isinstance(item, Rejected):
                    items.append(item)
            else:
                received = float(self.times[index])
                items.append(Rejected(self.bad[index], b"", received, self.name, 0))
        return items


def open_recording(path: str | Path, progress: Progress | None = None) -> Recording:
    """Read and index the recording at *path* (JSONL, ``.gz``, or an event-stream capture),
    telling *progress* how much of the file has been read.

    Raises OSError when the file cannot be read, IndexCancelled when *progress* says stop.
    """
    path = Path(path)
    modified = path.stat().st_mtime  # for events that carry no time of their own
    with open_events_file(str(path)) as stream:
        head = _head(stream)
        if _looks_like_event_stream(head):
            data = b"".join(head) + _rest(stream)
            return _index_event_stream(path.name, data, modified, progress)
        size = max(path.stat().st_size, 1)
        # How far through the file reading is: for a compressed file, how much of the
        # compressed bytes (the stream's own position counts what they expand to).
        raw = getattr(stream, "fileobj", stream)
        lines = itertools.chain(head, stream)
        return _index_lines(path.name, lines, modified, progress, lambda _i: raw.tell() / size)


def recording_from_lines(name: str, lines: list[bytes]) -> Recording:
    """A recording of JSON Lines already in memory (records, or plain events)."""
    return _index_lines(name, lines, time.time(), None, lambda index: index / len(lines))


def _head(stream: IO[bytes]) -> list[bytes]:
    """The first lines: enough to see whether they are an event-stream capture."""
    head: list[bytes] = []
    try:
        for line in stream:
            head.append(line)
            if line.strip() or len(head) >= _HEAD_LINES:
                break
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        if not head:
            raise OSError(f"not a readable gzip file ({exc})") from exc
    return head


def _rest(stream: IO[bytes]) -> bytes:
    try:
        return stream.read()
    except (EOFError, zlib.error, gzip.BadGzipFile):
        return b""  # an event stream's last message, cut short, is left out


def _looks_like_event_stream(lines: list[bytes]) -> bool:
    for line in lines[:_HEAD_LINES]:
        text = line.strip()
        if text:
            return text.startswith(_SSE_FIELDS)
    return False


def _report(progress: Progress | None, done: float) -> None:
    if progress is not None and not progress(done):
        raise IndexCancelled


def _index_lines(
    name: str,
    source: Iterable[bytes],
    modified: float,
    progress: Progress | None,
    read: Callable[[int], float],
) -> Recording:
    """Index lines as they are read: each line's arrival time, kind and alert mark, and
    for an unreadable one, why. *read* says how far through its file the reading is when
    line *index* comes (0 to 1).

    Every line is parsed once here, and again only when it is played. Records are checked
    by :func:`~dashboard.core.storage.recordformat.record_problem` (what ``dashboard query``
    uses too); a plain event is decoded as its feed's frame would be, and kept as it is."""
    lines: list[bytes] = []
    times = array("d")
    kinds = bytearray()
    alert_times: list[float] = []
    bad: dict[int, str] = {}
    decoder = Decoder(name)
    decode_row = decoder.decode_row
    loads = orjson.loads
    json_error = orjson.JSONDecodeError
    keep, time_of, kind_of = lines.append, times.append, kinds.append
    alerts_known = _AlertMarks()  # whether a (type, severity) makes an alert
    alert_known, is_alert = alerts_known.get, alerts_known.decide
    nan = math.nan
    every = PROGRESS_EVERY - 1
    _report(progress, 0.0)
    index = -1
    try:
        for index, line in enumerate(source):
            if not index & every and index:
                _report(progress, min(read(index), 1.0))
            keep(line)
            try:
                value: Any = loads(line)
            except json_error:
                value = _NOT_JSON
            if is_record(value):
                problem = record_problem(value, line)
                if problem is None:
                    received = value["received"]
                    time_of(received)
                    kind_of(Kind.EVENT)
                    key = (value["type"], value.get("severity"))
                    known = alert_known(key)
                    if known or (known is None and is_alert(key)):
                        alert_times.append(received)
                    continue
                reason = f"not a valid record: {problem}"
            elif value is _NOT_JSON:  # blank, cut short, or no JSON: read_line says which
                said = list(read_line(index + 1, line, decoder, rejected=False))
                reason = said[0].reason if said else "a blank line"  # type: ignore[union-attr]
            elif type(value) is dict and "rejected" in value and is_rejected_record(value):
                item = rejected_from_record(value, index + 1)
                if isinstance(item, Rejected):
                    time_of(item.received or nan)
                    kind_of(Kind.REJECTED)
                    continue
                reason = item.reason
            else:  # a plain event: paced by its own time, or by the line before's
                row = decode_row(line, nan)
                if type(row) is tuple:
                    time_of(row[1])
                    kind_of(Kind.PLAIN)
                    key = (row[0], row[4])
                    known = alert_known(key)
                    if known or (known is None and is_alert(key)):
                        alert_times.append(row[1])
                    continue
                reason = row.reason  # type: ignore[union-attr]
            time_of(nan)
            kind_of(Kind.BAD)
            bad[index] = f"{name} line {index + 1}: {reason}"
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:  # a compressed file cut short
        index += 1
        keep(b"")
        time_of(nan)
        kind_of(Kind.BAD)
        bad[index] = f"{name} line {index + 1}: {cut_file_reason(exc)}"
    _report(progress, 1.0)
    arrivals = _arrival_order(np.frombuffer(times, dtype=np.float64).copy(), modified)
    kind_array = np.frombuffer(kinds, dtype=np.uint8).copy()
    alerts = np.array(alert_times, dtype=np.float64)
    alerts = alerts[~np.isnan(alerts)]  # (a plain alert with no time of its own: unmarked)
    return Recording(name, lines, arrivals, kind_array, alerts, bad, decoder)


class _AlertMarks(dict[tuple[str, Any], bool]):
    """Whether a type and severity (a name or number, as a record holds it) make an alert
    by the feed's conventions: looked up (``get``), decided once per pair (``decide``), as
    most lines repeat a few."""

    def decide(self, key: tuple[str, Any]) -> bool:
        if len(self) > 10_000:  # a feed inventing types: start over
            self.clear()
        etype, severity = key
        level = record_severity({"severity": severity})
        probe = Event(etype, 0.0, 0.0, "", level, None, b"", "")
        known = self[key] = FEED_ALERTS.is_alert(probe)
        return known


def _arrival_order(times: np.ndarray, fallback: float) -> np.ndarray:
    """Times for every line, never decreasing: a line without one (or one that arrived
    out of order) takes the time of the line before it, the lines before the first time
    that time; with no time at all, *fallback* (the file's modification time)."""
    if not len(times):
        return times
    known = np.flatnonzero(~np.isnan(times))
    if not len(known):
        return np.full(len(times), fallback)
    times[: known[0]] = times[known[0]]
    times = np.where(np.isnan(times), -np.inf, times)
    return np.maximum.accumulate(times)


def _index_event_stream(
    name: str, data: bytes, start: float, progress: Progress | None
) -> Recording:
    """An event-stream capture: each message decoded as the SSE source would, then kept
    as a record, arriving at its own time (a capture does not say when each came)."""
    _report(progress, 0.0)
    parser = SSEParser()
    decoder = Decoder(name)
    lines: list[bytes] = []
    last = start
    messages = [m for m in parser.feed(data) if m.data != DONE]  # [DONE] ends, is no event
    for number, message in enumerate(messages, start=1):
        if message.oversized:
            item: Event | Rejected = Rejected(
                f"{name} event {number}: {message.oversized:,} bytes, over the size limit",
                message.data,
                last,
                name,
                message.oversized,
            )
        else:
            item = decoder.decode(
                message.data,
                received=last,
                event_type=declared_type(message.event),
                event_id=message.id or None,
            )
        if isinstance(item, Event):
            item.received = last = item.time
            item.seq = number - 1
            lines.append(record_line(item))
        else:
            item.seq = number - 1
            lines.append(rejected_line(item))
    count = max(len(lines), 1)
    return _index_lines(name, lines, start, progress, lambda index: index / count)


def time_in_recording(text: str, start: float, end: float) -> float:
    """The moment *text* names in a recording running from *start* to *end*: a time of
    day is taken on the recording's days (the first day it falls within the recording),
    a full date and time as it is. ValueError when it is no time, or outside."""
    first_day = datetime.fromtimestamp(start).date()
    last_day = datetime.fromtimestamp(end).date()
    day: date = first_day
    candidates = []
    while day <= last_day:
        candidates.append(moment(text, day))
        day += timedelta(days=1)
    for when in candidates:
        if start - 0.001 <= when <= end + 0.001:
            return min(max(when, start), end)
    raise ValueError(
        f"{text.strip()} is outside the recording ({_local_text(start)} to {_local_text(end)})"
    )


def _local_text(epoch: float) -> str:
    return datetime.fromtimestamp(epoch).isoformat(sep=" ", timespec="milliseconds")

"""A recording opened for replay: read once, each line kept with the time it arrived.

Seeking needs to know where every moment of the recording is, so a replay reads the whole
file first (a million events in a few seconds) and keeps each line's bytes, its arrival
time and what kind of line it is. Playing then parses only the lines it hands over.

What opens as a recording:

* our own recordings (``dashboard record``, the Record menu) and log exports: records
  with ``received`` times;
* plain JSON Lines of events from other tools, paced by each event's own time;
* ``text/event-stream`` captures (``curl -N URL > capture.sse``), paced the same way.

The last two are turned into records while indexing, so playing knows one format.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import IntEnum
from pathlib import Path

import numpy as np
import orjson

from dashboard.core.alerts import AlertConventions
from dashboard.core.decode import Decoder
from dashboard.core.event import Event, Rejected, Severity
from dashboard.core.query import moment
from dashboard.core.recorder import rejected_line
from dashboard.core.records import (
    cut_file_reason,
    from_record,
    is_record,
    open_events_file,
    read_line,
    record_line,
    rejected_from_record,
)
from dashboard.sources.sse_protocol import SSEParser

PROGRESS_EVERY = 65_536  # lines between progress reports while indexing
FEED_ALERTS = AlertConventions()  # the timeline marks alerts by the default conventions
_SSE_FIELDS = (b"data:", b"event:", b"id:", b"retry:", b":")
_ALERT_LABELS = frozenset(s.label for s in Severity if s >= Severity.WARNING)


class Kind(IntEnum):
    EVENT = 0
    REJECTED = 1  # a rejected frame the recorder kept
    BAD = 2  # a line that could not be read: played as a rejected frame saying why


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
        return int(np.count_nonzero(self.kinds == Kind.EVENT))

    def index_at(self, when: float) -> int:
        """How many lines arrived at or before *when*."""
        return int(np.searchsorted(self.times, when, side="right"))

    def event_index(self, position: int, direction: int) -> int | None:
        """The index of the nearest event line at or after *position* (direction 1), or
        before it (direction -1); None when there is none."""
        if direction > 0:
            found = np.flatnonzero(self.kinds[position:] == Kind.EVENT)
            return position + int(found[0]) if len(found) else None
        found = np.flatnonzero(self.kinds[:position] == Kind.EVENT)
        return int(found[-1]) if len(found) else None

    def density(self, most: int) -> np.ndarray:
        """Events per time bin over the whole recording (for the replay bar): up to *most*
        bins, with 8 events in each on average at least, so that a steady feed draws flat
        rather than as a comb of full and empty bins."""
        events = self.times[self.kinds == Kind.EVENT]
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
        if not kinds.any():  # only events, the usual case: the short way
            return [from_record(loads(line), line.rstrip(b"\n")) for line in lines]
        items: list[Event | Rejected] = []
        for index, kind, line in zip(range(start, stop), kinds.tolist(), lines, strict=True):
            if kind == Kind.EVENT:
                items.append(from_record(loads(line), line.rstrip(b"\n")))
            elif kind == Kind.REJECTED:
                item = rejected_from_record(loads(line), index + 1)
                if isinstance(item, Rejected):
                    items.append(item)
            else:
                received = float(self.times[index])
                items.append(Rejected(self.bad[index], b"", received, self.name, 0))
        return items


def open_recording(path: str | Path, progress: Progress | None = None) -> Recording:
    """Read and index the recording at *path* (JSONL, ``.gz``, or an event-stream capture).

    Raises OSError when the file cannot be read, IndexCancelled when *progress* says stop.
    """
    path = Path(path)
    lines, cut = _read_lines(path)
    if _looks_like_event_stream(lines):
        start = path.stat().st_mtime  # for events that carry no time of their own
        return _index_event_stream(path.name, b"".join(lines), start, progress)
    return _index_lines(path.name, lines, cut, progress)


def recording_from_lines(name: str, lines: list[bytes]) -> Recording:
    """A recording of JSON Lines already in memory (records, or plain events)."""
    return _index_lines(name, lines, None, None)


def _read_lines(path: Path) -> tuple[list[bytes], str | None]:
    """The file's lines, and why it ended early when a compressed file is cut short."""
    lines: list[bytes] = []
    with open_events_file(str(path)) as stream:
        try:
            for line in stream:
                lines.append(line)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            if not lines:
                raise OSError(f"not a readable gzip file ({exc})") from exc
            return lines, cut_file_reason(exc)
    return lines, None


def _looks_like_event_stream(lines: list[bytes]) -> bool:
    for line in lines[:50]:
        text = line.strip()
        if text:
            return text.startswith(_SSE_FIELDS)
    return False


def _report(progress: Progress | None, done: float) -> None:
    if progress is not None and not progress(done):
        raise IndexCancelled


def _index_lines(
    name: str, lines: list[bytes], cut: str | None, progress: Progress | None
) -> Recording:
    count = len(lines)
    times = np.full(count, np.nan)
    kinds = np.zeros(count, dtype=np.uint8)
    alert_times: list[float] = []
    bad: dict[int, str] = {}
    decoder = Decoder(name)
    loads = orjson.loads
    for index, line in enumerate(lines):
        if index % PROGRESS_EVERY == 0:
            _report(progress, index / max(count, 1))
        try:
            value = loads(line)
        except orjson.JSONDecodeError:
            value = None
        if is_record(value):
            times[index] = value["received"]
            severity = value.get("severity")
            kind = value["type"]
            if severity in _ALERT_LABELS or (type(kind) is str and kind.startswith("alert")):
                alert_times.append(value["received"])
            continue
        # The rare lines: rejected frames, plain events, blank and broken lines.
        items = list(read_line(index + 1, line, decoder, rejected=True))
        if not items:
            kinds[index] = Kind.BAD
            bad[index] = f"{name} line {index + 1}: a blank line"
            continue
        item = items[0]
        if isinstance(item, Event):  # a plain event: paced by its own time
            item.received = item.time
            item.seq = index
            lines[index] = record_line(item)
            times[index] = item.time
            if FEED_ALERTS.is_alert(item):
                alert_times.append(item.time)
        elif isinstance(item, Rejected):
            kinds[index] = Kind.REJECTED
            times[index] = item.received or np.nan
        else:
            kinds[index] = Kind.BAD
            bad[index] = f"{name} line {item.number}: {item.reason}"
    if cut is not None:
        lines.append(b"")
        times = np.append(times, np.nan)
        kinds = np.append(kinds, np.uint8(Kind.BAD))
        bad[count] = f"{name} line {count + 1}: {cut}"
    _report(progress, 1.0)
    return Recording(name, lines, _arrival_order(times), kinds, np.array(alert_times), bad)


def _arrival_order(times: np.ndarray) -> np.ndarray:
    """Times for every line, never decreasing: a line without one (or one that arrived
    out of order) takes the time of the line before it."""
    if not len(times):
        return times
    known = np.flatnonzero(~np.isnan(times))
    if not len(known):
        return np.zeros(len(times))
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
    for number, message in enumerate(parser.feed(data), start=1):
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
                event_type=message.event or None,
                event_id=message.id or None,
            )
        if isinstance(item, Event):
            item.received = last = item.time
            item.seq = number - 1
            lines.append(record_line(item))
        else:
            item.seq = number - 1
            lines.append(rejected_line(item))
    return _index_lines(name, lines, None, progress)


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

"""An incremental, I/O-free parser for ``text/event-stream`` (WHATWG HTML, 9.2).

Bytes go in with :meth:`SSEParser.feed`, dispatched messages come out. It covers the
points where httpx-sse's ``EventSource`` departs from the spec, each one tested:

* the stream is UTF-8 whatever charset the Content-Type claims, and a leading BOM is
  dropped (httpx-sse decodes with the header's charset);
* CR, LF and CRLF end lines, and a CR ends its line at once (httpx-sse holds a trailing
  CR back until the next chunk arrives);
* an event is dispatched only when it has ``data`` (httpx-sse also dispatches blocks that
  only carry ``event``, ``id`` or ``retry``);
* ``retry`` counts only when it is all ASCII digits and takes effect at once (httpx-sse
  accepts ``int()`` forms like `` 12`` or ``+5`` and holds it until a dispatch);
* an ``id`` containing NUL is ignored, and the last event id persists across events and,
  through the *last_event_id* argument, across reconnects.

Data stays bytes: the event decoder replaces invalid UTF-8 as the spec does (U+FFFD per
maximal invalid subpart) but keeps the bytes as they came, so that the event can say it
was repaired, where the spec would replace it silently. A line or event larger than
*max_event_bytes* is never buffered whole: it is cut, and dispatched as an oversized message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashboard.core.events.event import PREVIEW_BYTES

_BOM = b"\xef\xbb\xbf"
_LINE_END = re.compile(rb"\r\n|\r|\n")
# The shape nearly every server sends: an id line, an event line, one data line, a blank
# line (the first two optional). _feed_lines, reading line by line, makes the same message
# of each (a test checks it).
_REGULAR_EVENT = re.compile(rb"(?:id: ([^\n\0]*)\n)?(?:event: ([^\n]*)\n)?data: ([^\n]*)\n\n")
EVENT_NAMES = 256  # event names kept decoded
DONE = b"[DONE]"  # the data of the message that ends an LLM-style stream: no event


def declared_type(event: str) -> str | None:
    """The type an ``event:`` field names: none for ``message``, the format's default name
    (a stream that sends ``event: message`` on every event means no name; the payload's
    own type decides, as when the line is absent)."""
    return event if event and event != "message" else None


@dataclass(slots=True)
class SSEMessage:
    """One dispatched event. When *oversized* is set, *data* is only a preview."""

    data: bytes
    event: str = ""
    id: str = ""
    oversized: int = 0
    own_id: bool = False  # the event had an id line of its own (else *id* is the last one)


class SSEParser:
    def __init__(self, max_event_bytes: int = 1 << 20, last_event_id: str = "") -> None:
        self.max_event_bytes = max_event_bytes
        self.last_event_id = last_event_id
        self.reconnection_time: int | None = None  # ms, from the latest valid retry field
        self.comments = 0
        self._id_buffer = last_event_id
        self._own_id = False  # the event being read had an id line
        self._event = ""
        self._data: list[bytes] = []
        self._data_size = 0
        self._oversized = 0  # bytes seen in this event, once it went over the limit
        self._preview = b""
        self._pending: list[bytes] = []  # the parts of an unfinished line
        self._pending_size = 0
        self._line_overflow = 0  # bytes dropped from the unfinished line
        self._overflow_is_data = False  # whether that line is a data line
        self._skip_lf = False
        self._at_start = True
        self._event_names: dict[bytes, str] = {}

    def new_stream(self) -> None:
        """Forget a half-received event (a reconnect); the last event id stays."""
        self._id_buffer = self.last_event_id
        self._own_id = False
        self._event = ""
        self._reset_data()
        self._pending = []
        self._pending_size = 0
        self._line_overflow = 0
        self._overflow_is_data = False
        self._skip_lf = False
        self._at_start = True

    def feed(self, chunk: bytes) -> list[SSEMessage]:
        """The messages *chunk* completes (the rest waits for the next chunk)."""
        out: list[SSEMessage] = []
        if not chunk:
            return out
        # Between its first and last blank line a chunk holds whole events, which the
        # regular ones (an id line, an event line, one data line) read in a single regex.
        if b"\r" not in chunk and not self._at_start:
            first = chunk.find(b"\n\n") + 2
            last = chunk.rfind(b"\n\n") + 2
            if 2 <= first < last and last - first <= self.max_event_bytes:
                self._feed_lines(chunk[:first], out)
                done = self._read_regular_events(chunk, first, last, out)
                self._feed_lines(chunk[done:], out)
                return out
        self._feed_lines(chunk, out)
        return out

    def _read_regular_events(
        self, chunk: bytes, start: int, stop: int, out: list[SSEMessage]
    ) -> int:
        """Dispatch the regular events in ``chunk[start:stop]`` from its start on, and say
        where they ended. Only right after a blank line: nothing of an event is pending.
        (No data line is over the limit: the caller checked the whole span against it.)"""
        last_id = self.last_event_id
        names = self._event_names
        at = start
        for match in _REGULAR_EVENT.finditer(chunk, start, stop):
            if match.start() != at:
                break
            at = match.end()
            event_id, event, data = match.groups()
            if event_id is not None:
                last_id = event_id.decode("utf-8", "replace")
            if event is not None:
                event = names.get(event) or self._event_name(event)
            out.append(SSEMessage(data, event or "", last_id, 0, event_id is not None))
        self.last_event_id = self._id_buffer = last_id
        return at

    def _event_name(self, raw: bytes) -> str:
        """An event line's name as text; the few names a feed uses are decoded once."""
        if len(self._event_names) >= EVENT_NAMES:
            self._event_names.clear()
        name = self._event_names[raw] = raw.decode("utf-8", "replace")
        return name

    def _feed_lines(self, chunk: bytes, out: list[SSEMessage]) -> None:
        """The reference reading of *chunk*, line by line."""
        if not chunk:
            return
        if self._at_start:
            head = b"".join(self._pending) + chunk
            self._pending = []
            if len(head) < len(_BOM) and _BOM.startswith(head):
                self._pending = [head]  # not yet known whether this is a BOM
                return out
            self._at_start = False
            chunk = head[len(_BOM) :] if head.startswith(_BOM) else head
        if self._skip_lf:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        if b"\r" in chunk:
            lines = _LINE_END.split(chunk)
            self._skip_lf = chunk.endswith(b"\r")
        else:
            lines = chunk.split(b"\n")
        tail = lines.pop()
        if lines:
            first = 0
            if self._line_overflow:
                self._end_overflowed_line(len(lines[0]))
                first = 1
            elif self._pending:
                lines[0] = b"".join(self._pending) + lines[0]
                self._pending = []
                self._pending_size = 0
            # The common lines are handled inline (this loop runs for every line received);
            # everything else goes through _line, which is the reference behaviour.
            limit = self.max_event_bytes
            for line in lines[first:] if first else lines:
                if not line:
                    self._dispatch(out)
                elif line[:6] == b"data: " and not self._oversized:
                    self._data_size += len(line) - 5  # the value and its line break
                    if self._data_size - 1 > limit:
                        self._data_size -= len(line) - 5
                        self._add_data(line[6:])
                    else:
                        self._data.append(line[6:])
                elif line[:4] == b"id: " and b"\0" not in line:
                    self._id_buffer = line[4:].decode("utf-8", "replace")
                    self._own_id = True
                elif line[:7] == b"event: ":
                    self._event = line[7:].decode("utf-8", "replace")
                else:
                    self._line(line, out)
        if tail:
            self._keep_unfinished(tail)

    # -- lines -------------------------------------------------------------------------
    def _keep_unfinished(self, tail: bytes) -> None:
        if self._line_overflow:
            self._line_overflow += len(tail)
            if self._overflow_is_data:
                self._oversized += len(tail)
            return
        self._pending.append(tail)
        self._pending_size += len(tail)
        # Past the limit (plus room for a "data: " field name) a line is never held whole.
        if self._pending_size > self.max_event_bytes + 6:
            line = b"".join(self._pending)
            self._pending = []
            self._pending_size = 0
            self._line_overflow = len(line)
            self._overflow_is_data = line.startswith(b"data:")
            if self._overflow_is_data:  # the event is oversized; keep a preview of its data
                value = line[6:] if line.startswith(b"data: ") else line[5:]
                if not self._oversized:
                    self._preview = b"\n".join([*self._data, value])[:PREVIEW_BYTES]
                    self._oversized = self._data_size
                    self._data = []
                self._oversized += len(value)
            # any other field this long (a comment, an id) is dropped and changes nothing

    def _end_overflowed_line(self, rest: int) -> None:
        """The rest of a line over the limit arrived: count it, and its line break."""
        if self._overflow_is_data:
            self._oversized += rest + 1
        self._line_overflow = 0
        self._overflow_is_data = False

    def _line(self, line: bytes, out: list[SSEMessage]) -> None:
        if not line:
            self._dispatch(out)
            return
        if line[0] == 0x3A:  # ':' comment, e.g. a heartbeat
            self.comments += 1
            return
        name, colon, value = line.partition(b":")
        if colon and value[:1] == b" ":
            value = value[1:]
        if name == b"data":
            self._add_data(value)
        elif name == b"event":
            self._event = value.decode("utf-8", "replace")
        elif name == b"id":
            if b"\0" not in value:
                self._id_buffer = value.decode("utf-8", "replace")
                self._own_id = True
        elif name == b"retry":
            # bytes.isdigit() is ASCII digits only, and False for b""; past 9 digits (11 days)
            # a value is nonsense, and int() of thousands of digits raises.
            if value.isdigit() and len(value) <= 9:
                self.reconnection_time = int(value)

    def _add_data(self, value: bytes) -> None:
        if self._oversized:
            self._oversized += len(value) + 1
            return
        self._data_size += len(value) + 1
        if self._data_size - 1 > self.max_event_bytes:
            self._preview = b"\n".join([*self._data, value])[:PREVIEW_BYTES]
            self._oversized = self._data_size
            self._data = []
            return
        self._data.append(value)

    def _dispatch(self, out: list[SSEMessage]) -> None:
        self.last_event_id = self._id_buffer
        if self._oversized:
            size = self._oversized - 1  # the data's length, as the lines joined would be
            out.append(
                SSEMessage(self._preview, self._event, self.last_event_id, size, self._own_id)
            )
        elif self._data:
            data = self._data[0] if len(self._data) == 1 else b"\n".join(self._data)
            out.append(SSEMessage(data, self._event, self.last_event_id, 0, self._own_id))
        self._event = ""
        self._own_id = False
        self._reset_data()

    def _reset_data(self) -> None:
        self._data = []
        self._data_size = 0
        self._oversized = 0
        self._preview = b""

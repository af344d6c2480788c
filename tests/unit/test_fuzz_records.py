"""Fuzz targets for the recording readers: whatever a file holds, ``dashboard query``'s reader
and replay's index answer each line with an event, a rejected frame or a bad line (with its
number), never another exception, and replay hands every line over."""

from __future__ import annotations

import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.core.events.event import Event, Rejected
from dashboard.core.events.nesting import too_deep
from dashboard.core.events.summary import summarize
from dashboard.core.storage.recordformat import BadLine, read_events, record_line
from dashboard.sources.recording import recording_from_lines
from tests.unit.strategies import deep_in, deep_json

ODD = st.sampled_from(
    [None, True, -1, 0, 1e300, -1e300, 1e20, 2**70, "x", "", "\x1b[2J\u202e", [], {}, {"a": 1},
     [1, 2], "2026-11-23T10:42:13Z", "warning", "7", float("inf")]
)  # fmt: skip
MEMBERS = ("seq", "connection", "id", "source", "severity", "data")
RECORD = st.fixed_dictionaries(
    {"type": ODD | st.text(max_size=8), "time": ODD, "received": ODD},
    optional={name: ODD | st.text(max_size=8) for name in MEMBERS}
    | {"rejected": ODD, "size": ODD, "raw": ODD | st.sampled_from(["e30=", "!!", ""])},
)


def as_line(value: object) -> bytes:
    """JSON as a careless writer makes it: NaN, Infinity and big integers included."""
    return json.dumps(value).encode()


# Records and lines nested up to 1,100 levels (orjson reads 1,024, writes 254)
DEEP_LINE = st.one_of(
    deep_in(b'{"seq": 1, "received": 1795430000, "type": "a", "time": 1795430000, "data": @}'),
    deep_in(b'{"received": 1795430000, "type": "a", "time": 1, "attributes": {"s": @}}'),
    deep_in(b'{"rejected": "r", "raw": "e30=", "received": 1795430000, "x": @}'),
    deep_json(),
)
LINE = (
    RECORD.map(as_line)
    | DEEP_LINE
    | st.binary(max_size=80)
    | st.sampled_from([b"", b"{", b"[1,2]", b'"text"', b"null", b'{"type": "a"}', b"\xff\xfe"])
)


@given(lines=st.lists(LINE, max_size=12), cut=st.booleans())
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_query_reads_any_file_line_by_line(lines: list[bytes], cut: bool) -> None:
    lines = [line.replace(b"\n", b" ") for line in lines]
    text = b"\n".join(lines) + (b"" if cut else b"\n")
    numbers = []
    for item in read_events(io.BytesIO(text), "fuzz", rejected=True):
        assert isinstance(item, Event | Rejected | BadLine)
        if isinstance(item, Event):
            assert not too_deep(item.data) and record_line(item)
        if isinstance(item, BadLine):
            assert item.reason and 1 <= item.number <= len(lines)
            numbers.append(item.number)
    assert numbers == sorted(numbers)


@given(lines=st.lists(LINE, min_size=1, max_size=12))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_replay_opens_and_plays_any_file(lines: list[bytes]) -> None:
    lines = [line.replace(b"\n", b" ") + b"\n" for line in lines]
    recording = recording_from_lines("fuzz.jsonl", lines)
    items = recording.items(0, len(recording))
    assert len(items) == len(recording) <= len(lines)
    for item in items:
        assert isinstance(item, Event | Rejected)
        assert isinstance(item.received, float)
        if isinstance(item, Event):
            assert isinstance(item.type, str) and isinstance(item.time, float)
            assert not too_deep(item.data)  # (nothing let in is too deep to write again)
            assert isinstance(summarize(item), str) and record_line(item)

"""Event records: what export writes and ``dashboard query`` reads back."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import orjson
import pytest

from dashboard.core.events.event import Event, Severity
from dashboard.core.events.nesting import CUT
from dashboard.core.events.summary import summarize
from dashboard.core.storage.recordformat import (
    CSV_COLUMNS,
    BadLine,
    CsvWriter,
    csv_row,
    open_events_file,
    read_events,
    record_line,
    to_json,
)
from tests.unit.factories import make_event, nested, nested_text


def _failed() -> Event:
    event = make_event(
        "payment.failed",
        {"message": "Card declined", "amount": 80, "tags": ["eu"]},
        source="payments-eu",
        severity=Severity.ERROR,
        time=1_795_430_533.1,
    )
    event.seq, event.id, event.received = 17, "pay-17", 1_795_430_533.25
    return event


def test_a_record_reads_back_as_the_same_event() -> None:
    event = _failed()
    (back,) = read_events(io.BytesIO(record_line(event)), "file")
    assert isinstance(back, Event)
    assert (back.seq, back.id, back.type, back.source, back.connection) == (
        17,
        "pay-17",
        "payment.failed",
        "payments-eu",
        "conn",
    )
    assert (back.time, back.received, back.severity) == (1_795_430_533.1, 1_795_430_533.25, 40)
    assert back.data == event.data


def test_plain_json_lines_are_decoded_like_frames_and_bad_lines_are_reported() -> None:
    text = (
        b'{"type": "order.placed", "source": "shop", "data": {"amount": 12}}\n'
        b"\n"
        b"{not json\n"
        b'{"rejected": "invalid JSON", "raw": "e25vdA=="}\n'
        b'"just a string"\n'
        b'{"type": "order.placed", "sou'
    )
    items = list(read_events(io.BytesIO(text), "orders.jsonl"))
    assert [type(i).__name__ for i in items] == ["Event", "BadLine", "Event", "BadLine"]
    first, bad, string, cut = items
    assert isinstance(first, Event) and (first.type, first.source, first.data) == (
        "order.placed",
        "shop",
        {"amount": 12},
    )
    assert first.connection == "orders.jsonl" and first.seq == 1
    assert isinstance(bad, BadLine) and bad.number == 3 and bad.reason.startswith("not JSON")
    assert isinstance(string, Event) and string.data == "just a string"
    assert isinstance(cut, BadLine) and cut.number == 6 and "cut short" in cut.reason


def test_csv_cells_line_up_with_the_header() -> None:
    out = io.StringIO()
    CsvWriter(out, ["data.amount", "data.tags", "data.missing"]).write([_failed()])
    header, row = list(csv.reader(io.StringIO(out.getvalue())))
    assert header == [*CSV_COLUMNS, "data.amount", "data.tags", "data.missing"]
    cells = dict(zip(header, row, strict=True))
    assert cells["seq"] == "17"
    assert cells["time"] == "2026-11-23T10:42:13.100Z"
    assert cells["received"] == "2026-11-23T10:42:13.250Z"
    assert (cells["type"], cells["source"], cells["severity"]) == (
        "payment.failed",
        "payments-eu",
        "error",
    )
    assert cells["summary"].startswith("Card declined amount=80")
    assert (cells["data.amount"], cells["data.tags"], cells["data.missing"]) == ("80", '["eu"]', "")


def test_gzip_files_are_read(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl.gz"
    with gzip.open(path, "wb") as stream:
        stream.write(record_line(_failed()) * 3)
    with open_events_file(str(path)) as stream:
        assert [e.seq for e in read_events(stream, path.name)] == [17, 17, 17]  # type: ignore[union-attr]


def test_only_real_rejected_records_are_skipped() -> None:
    text = (
        b'{"rejected": "invalid JSON", "raw": "e25vdA==", "received": 1.0}\n'
        b'{"type": "order.placed", "rejected": false, "data": {"n": 1}}\n'
    )
    (event,) = read_events(io.BytesIO(text), "f")
    assert isinstance(event, Event) and event.type == "order.placed"


def test_a_compressed_file_cut_short_ends_with_a_bad_line() -> None:
    whole = gzip.compress(record_line(_failed()) * 2000)
    items = list(read_events(gzip.GzipFile(fileobj=io.BytesIO(whole[: len(whole) // 2])), "f"))
    assert all(isinstance(i, Event) for i in items[:-1]) and len(items) > 1
    assert isinstance(items[-1], BadLine)
    assert items[-1].reason.startswith("the compressed file ends early")


def test_csv_cells_that_look_like_formulas_are_defused() -> None:
    event = make_event("x", {"note": '=HYPERLINK("http://evil")', "delta": -5, "at": "@home"})
    out = io.StringIO()
    CsvWriter(out, ["data.note", "data.delta", "data.at"]).write([event])
    row = list(csv.reader(io.StringIO(out.getvalue())))[1]
    assert row[-3:] == ['\'=HYPERLINK("http://evil")', "-5", "'@home"]


# A record with one member of the wrong type (or a time no clock can show), and what the
# reader says of its line. Replay, indexing and query all read them through read_events's
# rules: each is a bad line with its number, and the lines around it read on.
GOOD = {
    "seq": 0,
    "received": 1_795_430_533.25,
    "connection": "demo",
    "id": "17",
    "type": "order.placed",
    "time": 1_795_430_533.1,
    "source": "shop",
    "severity": "info",
    "data": {"amount": 12},
}
EPOCH = "not a time from 1970 to 3000 (epoch seconds)"
WRONG_RECORDS: list[tuple[dict[str, object], str]] = [
    ({"received": 1e300}, f"received 1e+300 is {EPOCH}"),
    ({"received": 1e20}, f"received 1e+20 is {EPOCH}"),
    ({"received": -1.5}, f"received -1.5 is {EPOCH}"),
    ({"time": 1e300}, f"time 1e+300 is {EPOCH}"),
    ({"time": -1e300}, f"time -1e+300 is {EPOCH}"),
    ({"time": 10**20}, f"time 1e+20 is {EPOCH}"),
    ({"time": "NaN"}, "time is text, not epoch seconds"),
    ({"time": "1e999"}, "time is text, not epoch seconds"),
    ({"time": None}, "time is null, not epoch seconds"),
    ({"received": True}, "received is true, not epoch seconds"),
    ({"severity": {"level": "error"}}, "severity is an object, not a name or a number"),
    ({"severity": ["error"]}, "severity is a list, not a name or a number"),
    ({"seq": "12"}, "seq is text, not a whole number 0 or more"),
    ({"seq": -3}, "seq -3 is not a whole number 0 or more"),
    ({"seq": 1.5}, "seq is a number, not a whole number 0 or more"),
    ({"id": [1, 2]}, "id is a list, not text"),
    ({"type": 5}, "type is a number, not text"),
    ({"type": {"name": "x"}}, "type is an object, not text"),
    ({"connection": {"name": "x"}}, "connection is an object, not text"),
    ({"source": ["a"]}, "source is a list, not text"),
    # orjson writes at most 254 levels, the json module recurses: deeper than a frame may be
    ({"data": nested(65)}, "data nested deeper than 64 levels"),
    ({"data": nested(300, key="a")}, "data nested deeper than 64 levels"),
    ({"attributes": {"subject": nested(100)}}, "attributes nested deeper than 64 levels"),
]
WRONG_REJECTED: list[tuple[dict[str, object], str]] = [
    ({"raw": 123}, "raw is a number, not base64 text"),
    ({"raw": "not base64!"}, "raw is not base64 (Only base64 data is allowed)"),
    ({"received": 1e300}, f"received 1e+300 is {EPOCH}"),
    ({"size": "big"}, "size is text, not a whole number 0 or more"),
    ({"connection": [1]}, "connection is a list, not text"),
]
GOOD_REJECTED = {"seq": 0, "received": 1_795_430_533.5, "connection": "demo",
                 "rejected": "invalid JSON", "size": 4, "raw": "e25vdA=="}  # fmt: skip


def wrong_record(change: dict[str, object]) -> bytes:
    return json.dumps({**GOOD, **change}).encode() + b"\n"  # (orjson stops at 64-bit ints)


def wrong_rejected(change: dict[str, object]) -> bytes:
    return orjson.dumps({**GOOD_REJECTED, **change}) + b"\n"


@pytest.mark.parametrize(("change", "reason"), WRONG_RECORDS, ids=[r for _c, r in WRONG_RECORDS])
def test_a_record_with_a_member_of_the_wrong_type_is_a_bad_line(
    change: dict[str, object], reason: str
) -> None:
    good = orjson.dumps(GOOD) + b"\n"
    items = list(read_events(io.BytesIO(good + wrong_record(change) + good), "rec.jsonl"))
    assert [type(i).__name__ for i in items] == ["Event", "BadLine", "Event"]
    assert items[1] == BadLine(2, f"not a valid record: {reason}")


@pytest.mark.parametrize(("change", "reason"), WRONG_REJECTED, ids=[r for _c, r in WRONG_REJECTED])
def test_a_rejected_frame_record_of_the_wrong_types_is_a_bad_line(
    change: dict[str, object], reason: str
) -> None:
    good = orjson.dumps(GOOD) + b"\n"
    text = good + wrong_rejected(change) + wrong_rejected({}) + good
    items = list(read_events(io.BytesIO(text), "rec.jsonl", rejected=True))
    assert [type(i).__name__ for i in items] == ["Event", "BadLine", "Rejected", "Event"]
    assert items[1] == BadLine(2, f"not a valid rejected-frame record: {reason}")


def test_what_is_no_record_reads_as_a_plain_event_or_a_bad_line() -> None:
    """A line without a record's type, time and received is a plain event (decoded as a
    feed's frame would be); a number too big for JSON readers is no JSON."""
    no_time = {k: v for k, v in GOOD.items() if k != "time"}
    text = (
        orjson.dumps(no_time) + b"\n"
        + b"[1, 2, 3]\n"
        + b'{"type": "a", "time": 1795430533.1, "received": 1795430533.2, "data": 1'
        + b"0" * 400 + b"}\n"
    )  # fmt: skip
    first, array, huge = read_events(io.BytesIO(text), "rec.jsonl")
    assert isinstance(first, Event) and (first.type, first.source, first.data) == (
        "order.placed",
        "shop",
        {"amount": 12},
    )
    assert isinstance(array, Event) and array.data == [1, 2, 3]
    assert isinstance(huge, BadLine) and huge.number == 3 and huge.reason.startswith("not JSON")


def test_data_as_deep_as_a_frame_may_be_reads_and_deeper_is_a_bad_line() -> None:
    """64 levels (the decoder's limit) read and write back; 1,000 (orjson reads them, and
    neither orjson nor the json module writes them) are a bad line; past 1,024 no JSON."""
    head = b'{"seq":0,"received":1795430000,"type":"a","time":1795430000,"data":'
    lines = [head + nested_text(depth) + b"}\n" for depth in (64, 1000, 1100)]
    good = orjson.dumps(GOOD) + b"\n"
    items = list(read_events(io.BytesIO(b"".join(lines) + good), "deep.jsonl"))
    assert [type(i).__name__ for i in items] == ["Event", "BadLine", "BadLine", "Event"]
    deepest, too_deep, not_json, after = items
    assert isinstance(deepest, Event) and deepest.data == nested(64)
    assert orjson.loads(record_line(deepest))["data"] == nested(64)
    assert too_deep == BadLine(2, "not a valid record: data nested deeper than 64 levels")
    assert isinstance(not_json, BadLine) and not_json.number == 3
    assert not_json.reason.startswith("not JSON")
    assert isinstance(after, Event) and after.type == "order.placed"


def test_what_shows_or_writes_a_value_survives_any_depth() -> None:
    """Nothing lets such a value in; if one came all the same, the log's summary, export
    and query's output cut it at 64 levels rather than fail (orjson stops at 254)."""
    deep = nested(1000, key="a")
    data = {"message": "deep", "x": deep, "big": 2**70}
    event = Event("a", 1.0, 1.0, "s", Severity.INFO, data, b"", "c")  # (raw: none could be)
    assert summarize(event).startswith('deep x={"a":{"a":')
    assert "nested deeper than 64 levels" in summarize(event, limit=1000)
    written = orjson.loads(to_json(deep))
    assert written == nested(63, key="a", leaf={"a": CUT})
    assert orjson.loads(to_json([deep, 2**70], indent=True))[1] == 2**70
    cell = json.loads(csv_row(event)[-1])  # (the json module: 2**70 is no 64-bit integer)
    assert (cell["message"], cell["big"]) == ("deep", 2**70)
    assert cell["x"] == nested(62, key="a", leaf={"a": CUT})  # (x is the 2nd level of 64)

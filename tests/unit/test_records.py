"""Event records: what export writes and ``dashboard query`` reads back."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

from dashboard.core.event import Event, Severity
from dashboard.core.records import (
    CSV_COLUMNS,
    BadLine,
    CsvWriter,
    open_events_file,
    read_events,
    record_line,
)
from tests.unit.factories import make_event


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

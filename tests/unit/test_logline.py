"""Text log lines read for their time and severity (core.transport.logline), and lines of a file as
rows through the decoder."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from dashboard.core.events.decode import Decoder, is_repaired
from dashboard.core.events.event import Rejected, Severity
from dashboard.core.transport.logline import line_row, read_log_line

AT = datetime(2026, 12, 6, 7, 45, 40, tzinfo=UTC).timestamp()
RECEIVED = datetime(2026, 12, 6, 12, 0, tzinfo=UTC).timestamp()


def _utc(*parts: int, micro: int = 0) -> float:
    return datetime(*parts, micro, tzinfo=UTC).timestamp()  # type: ignore[misc]


@pytest.mark.parametrize(
    ("line", "when", "severity"),
    [
        ("2026-12-06T07:45:40Z server started", AT, None),
        (
            "2026-12-06T07:45:40.123456789+01:00 ERROR db: gone",
            _utc(2026, 12, 6, 6, 45, 40, micro=123456),
            Severity.ERROR,
        ),
        (
            "2026-12-06 07:45:40,250 WARNING app.cache: slow",  # Python's logging
            _utc(2026, 12, 6, 7, 45, 40, micro=250000),
            Severity.WARNING,
        ),
        ("[2026/12/06 07:45:40] [error] upstream closed", AT, Severity.ERROR),
        ('time=2026-12-06T07:45:40Z level=warn msg="disk 91%"', None, Severity.WARNING),
        ("2026-12-06T07:45:40Z lvl=debug msg=tick", AT, Severity.DEBUG),
        ("[WARN] retrying in 5 s", None, Severity.WARNING),
        ("INFO  worker 3 ready", None, Severity.INFO),
        ("2026-12-06T07:45:40Z [main] FATAL out of memory", AT, Severity.CRITICAL),
        ("<11>1 2026-12-06T07:45:40Z web app - - - oops", AT, Severity.ERROR),
        ("<164>2026-12-06T07:45:40Z host: note", AT, Severity.WARNING),
        ("nothing to see: an error somewhere in prose", None, None),
        ("a message that says INFO later is not a level", None, None),
        ("2026-13-45T99:99:99Z not a time", None, None),
        ("[notalevel] text", None, None),
    ],
)
def test_time_and_severity_are_read_from_common_shapes(
    line: str, when: float | None, severity: Severity | None
) -> None:
    got_when, got_severity = read_log_line(line, RECEIVED)
    assert got_when == pytest.approx(when) if when is not None else got_when is None
    assert got_severity is severity


def test_a_traditional_syslog_time_is_local_time_this_year() -> None:
    when, severity = read_log_line("<30>Dec  6 07:45:40 host cron[12]: job done", RECEIVED)
    assert severity is Severity.INFO
    assert when == time.mktime((2026, 12, 6, 7, 45, 40, 0, 0, -1))
    january = datetime(2027, 1, 1, 12, tzinfo=UTC).timestamp()
    when, _ = read_log_line("Dec 31 23:59:59 host x", january)  # last year's line
    assert when == time.mktime((2026, 12, 31, 23, 59, 59, 0, 0, -1))


def test_json_lines_decode_as_events_and_text_lines_as_log_events() -> None:
    decoder = Decoder("app.log")
    row = line_row(decoder, b'{"type": "order.placed", "level": "error", "amount": 3}', RECEIVED)
    assert isinstance(row, tuple)
    assert (row[0], row[4], row[5]) == ("order.placed", int(Severity.ERROR), {"amount": 3})
    line = b"2026-12-06T07:45:40Z [WARN] disk 91% full"
    row = line_row(decoder, line, RECEIVED)
    assert row == (
        "log", AT, RECEIVED, "app.log", int(Severity.WARNING),
        line.decode(), line, None, None,
    )  # fmt: skip
    assert decoder.payload(line) == line.decode()  # what the store rebuilds from the raw bytes
    plain = line_row(decoder, b"just words", RECEIVED)
    assert isinstance(plain, tuple) and plain[:2] == ("log", RECEIVED) and plain[4] == 20
    for number in (b"42", b" -1.5 "):  # a JSON value, as the store would rebuild it
        row = line_row(decoder, number, RECEIVED)
        assert isinstance(row, tuple) and row[5] == decoder.payload(number) == float(number)
    quoted = line_row(decoder, b'"a JSON string"', RECEIVED)
    assert isinstance(quoted, tuple) and quoted[0] == "message"  # JSON: not read as a log line
    broken = line_row(decoder, b'{"half": ', RECEIVED)
    assert isinstance(broken, Rejected) and broken.reason.startswith("invalid JSON")
    for bracketed, severity, when in (  # a log line's brackets, not a broken JSON array
        (b"[ERROR] upstream closed", Severity.ERROR, RECEIVED),
        (b"[2026/12/06 07:45:40] [warn] retrying", Severity.WARNING, AT),
    ):
        row = line_row(decoder, bracketed, RECEIVED)
        assert isinstance(row, tuple), bracketed
        assert (row[0], row[1], row[4], row[5]) == ("log", when, int(severity), bracketed.decode())
        assert decoder.payload(bracketed) == bracketed.decode()
    assert line_row(decoder, b"[1, 2]", RECEIVED)[5] == [1, 2]  # type: ignore[index]
    repaired = line_row(decoder, b"\xff\xfe bad", RECEIVED)  # kept, as browsers decode it
    assert isinstance(repaired, tuple) and repaired[0] == "log"
    assert repaired[5] == "\ufffd\ufffd bad" and is_repaired(repaired[6])
    assert decoder.repaired == 1

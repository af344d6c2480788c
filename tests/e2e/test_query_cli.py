"""``dashboard query``: the filter language over files, as scripts run it."""

from __future__ import annotations

import csv
import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.core.events.event import Severity
from dashboard.core.storage.recordformat import record_line
from dashboard.sources.recording import open_recording
from tests.unit.factories import make_event, nested_text


def query(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", "query", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )


def _lines() -> bytes:
    """Twelve recorded events (seq 0..11), a plain event line, a bad line, a cut line."""
    out = io.BytesIO()
    for n in range(12):
        failed = n % 4 == 0
        event = make_event(
            "payment.failed" if failed else "payment.processed",
            {"order_id": f"ord-{n}", "amount": 10.0 * n, "reason": "card declined"}
            if failed
            else {"order_id": f"ord-{n}", "amount": 10.0 * n},
            source="payments",
            severity=Severity.WARNING if failed else Severity.INFO,
            time=1_795_430_000.0 + n,
        )
        event.seq = n
        out.write(record_line(event))
    out.write(b'{"type": "payment.failed", "source": "legacy", "data": {"amount": 999}}\n')
    out.write(b"{oops\n")
    out.write(b'{"seq": 12, "type": "paym')
    return out.getvalue()


@pytest.fixture
def recording(tmp_path: Path) -> Path:
    path = tmp_path / "incident.jsonl"
    path.write_bytes(_lines())
    return path


def test_prints_the_matching_events_as_records_and_reports_bad_lines(recording: Path) -> None:
    result = query(str(recording), "type:payment.failed amount>=40")
    assert result.returncode == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["seq"], r["data"]["amount"]) for r in records] == [(4, 40.0), (8, 80.0), (13, 999)]
    assert records[0]["severity"] == "warning" and records[0]["source"] == "payments"
    assert result.stderr.decode().splitlines() == [
        f"dashboard query: {recording}:14: not JSON: "
        + result.stderr.decode().splitlines()[0].split("not JSON: ", 1)[1],
        f"dashboard query: {recording}:15: the last line is cut short (the file was still "
        "being written, or the writer crashed); ignored",
    ]


def test_csv_with_field_columns_and_count(recording: Path) -> None:
    result = query(str(recording), "severity>=warning", "--format", "csv", "--field", "reason")
    rows = list(csv.reader(io.StringIO(result.stdout.decode())))
    assert rows[0][-1] == "reason" and rows[0][:2] == ["seq", "time"]
    assert [(r[0], r[-1]) for r in rows[1:]] == [
        ("0", "card declined"),
        ("4", "card declined"),
        ("8", "card declined"),
    ]
    counted = query(str(recording), "-type:payment.failed", "--count")
    assert (counted.returncode, counted.stdout) == (0, b"9\n")


def test_standard_input_and_gzip(recording: Path, tmp_path: Path) -> None:
    piped = query("-", "ord-3", stdin=recording.read_bytes())
    assert [json.loads(line)["seq"] for line in piped.stdout.splitlines()] == [3]
    packed = tmp_path / "incident.jsonl.gz"
    packed.write_bytes(gzip.compress(recording.read_bytes()))
    assert query(str(packed), "ord-3").stdout == piped.stdout


def test_exit_status_says_nothing_matched_or_what_went_wrong(recording: Path) -> None:
    nothing = query(str(recording), "type:order.*")
    assert (nothing.returncode, nothing.stdout) == (1, b"")
    bad = query(str(recording), "amount>=40 AND")
    assert bad.returncode == 2 and bad.stdout == b""
    assert bad.stderr.decode() == (
        "dashboard query: bad query, column 15: expected a search term after AND, found the "
        "end\n  amount>=40 AND\n                ^\n"
    )
    missing = query(str(recording.with_name("nope.jsonl")), "x")
    assert missing.returncode == 2
    assert missing.stderr.decode() == (
        f"dashboard query: cannot read {recording.with_name('nope.jsonl')}: "
        "No such file or directory\n"
    )


def test_a_file_that_is_not_gzip_or_not_json_lines_is_unreadable(tmp_path: Path) -> None:
    fake = tmp_path / "events.jsonl.gz"
    fake.write_bytes(b"hello, not gzip\n")
    result = query(str(fake), "x")
    assert result.returncode == 2 and result.stdout == b""
    assert result.stderr.decode() == (
        f"dashboard query: cannot read {fake}: not a gzip file (Not a gzipped file (b'he'))\n"
    )
    text = tmp_path / "notes.jsonl"
    text.write_bytes(b"some random text with no newline")
    result = query(str(text), "x")
    assert result.returncode == 2 and result.stdout == b""
    assert result.stderr.decode() == (
        f"dashboard query: {text}:1: not JSON: unexpected character, expected a JSON value: "
        "line 1 column 1 (char 0)\n"
        f"dashboard query: cannot read {text}: no line of it is a JSON event (is it a "
        "recording or a JSON Lines file?)\n"
    )


def test_a_query_nested_too_deeply_or_too_long_is_a_bad_query_shown_near_its_column(
    recording: Path,
) -> None:
    deep = query(str(recording), "(" * 1000 + "a" + ")" * 1000)
    assert (deep.returncode, deep.stdout) == (2, b"")
    assert deep.stderr.decode() == (
        "dashboard query: bad query, column 65: nested too deeply: at most 64 levels of "
        "'(', NOT and '-' may hold one another\n"
        "  …" + "(" * 72 + "…\n" + " " * (2 + 1 + 36) + "^\n"
    )  # a long query is shown around the column, not whole
    long = query(str(recording), "ord-3 " * 2000)
    assert long.returncode == 2
    assert long.stderr.decode().splitlines()[0] == (
        "dashboard query: bad query, column 10001: too long: 12,000 characters, and a query "
        "holds at most 10,000"
    )


def test_records_nested_too_deep_are_bad_lines_and_the_rest_is_queried(tmp_path: Path) -> None:
    """1,000 levels printed a RecursionError traceback (orjson reads them; neither it nor
    the json module writes them back): now a bad line with its number, as 300 is."""
    head = b'{"seq": %d, "received": 1795430000, "type": "deep", "time": 1795430000, "data": '
    path = tmp_path / "deep.jsonl"
    path.write_bytes(
        head % 0 + nested_text(300) + b"}\n"
        + head % 1 + nested_text(1000) + b"}\n"
        + head % 2 + b'{"message": "foo"}}\n'
    )  # fmt: skip
    result = query(str(path), "foo")
    assert result.returncode == 0
    assert [json.loads(line)["seq"] for line in result.stdout.splitlines()] == [2]
    assert result.stderr.decode().splitlines() == [
        f"dashboard query: {path}:{n}: not a valid record: data nested deeper than 64 levels"
        for n in (1, 2)
    ]


def test_a_bad_query_is_echoed_inert_with_the_caret_under_the_escaped_text(
    recording: Path,
) -> None:
    """The echo printed the query's control and bidi characters raw (ESC acted on the
    terminal), and the caret stood where the raw characters would have been."""
    bad = query(str(recording), 'msg:"\x1b[2J\u202eevil" AND')
    assert bad.returncode == 2
    assert bad.stderr.decode() == (
        "dashboard query: bad query, column 20: expected a search term after AND, found the "
        'end\n  msg:"\\x1b[2J\\u202eevil" AND\n' + " " * (2 + 27) + "^\n"
    )


def test_what_query_prints_reads_back_in_to_query_replay_and_check_rules(tmp_path: Path) -> None:
    """A record without seq was printed as "seq": -1, which query, replay and check-rules
    then refused ("seq -1 is not a whole number 0 or more")."""
    t0 = 1_795_430_000.0
    records = [
        {
            "type": "metrics.update",
            "time": t0 + n,
            "received": t0 + n,
            "source": "web-1",
            "data": {"cpu": 95 if n >= 3 else 40},
        }
        for n in range(6)
    ]
    first = tmp_path / "no-seq.jsonl"
    first.write_text("".join(json.dumps(r) + "\n" for r in records))
    printed = query(str(first), "*")
    assert printed.returncode == 0 and printed.stderr == b""
    assert [json.loads(line)["seq"] for line in printed.stdout.splitlines()] == [None] * 6
    second = tmp_path / "printed.jsonl"
    second.write_bytes(printed.stdout)

    again = query(str(second), "*")
    assert (again.returncode, again.stderr, again.stdout) == (0, b"", printed.stdout)

    replayed = open_recording(second)
    assert (replayed.events, replayed.bad) == (6, {})
    assert [e.data["cpu"] for e in replayed.items(0, 6)] == [40, 40, 40, 95, 95, 95]

    rules = tmp_path / "hot.toml"
    rules.write_text(
        '[[rules]]\nname = "Hot"\nwhen = "type:metrics.update"\ncondition = "cpu > 90"\n'
        'severity = "critical"\nmessage = "{source} at {data.cpu}%"\n'
    )
    checked = subprocess.run(
        [sys.executable, "-m", "dashboard", "check-rules", str(rules), "--against", str(second)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.splitlines() == [
        "2026-11-23T10:33:23.000Z  firing    Hot on web-1 (critical): web-1 at 95%"
    ]
    assert checked.stderr.splitlines() == [
        "dashboard check-rules: 1 rule(s) over 6 events: 1 fired, 0 resolved, "
        "1 still firing at the end"
    ]

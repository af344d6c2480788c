"""Envelope detection and bad input in the frame decoder."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from dashboard.core.events.decode import Decoder, EnvelopeKeys, is_repaired, parse_time
from dashboard.core.events.event import Event, Rejected, Severity

NOW = 1_763_900_000.0


def decode(frame: bytes, **kwargs: object) -> Event | Rejected:
    return Decoder("conn").decode(frame, received=NOW, **kwargs)  # type: ignore[arg-type]


def event(frame: bytes, **kwargs: object) -> Event:
    result = decode(frame, **kwargs)
    assert isinstance(result, Event), result
    return result


def test_cloudevent_takes_its_attributes_and_data() -> None:
    frame = orjson.dumps(
        {
            "specversion": "1.0",
            "id": "pay-7",
            "source": "payments",
            "type": "payment.processed",
            "time": "2026-11-23T10:00:00.250Z",
            "data": {"order_id": "ord-1", "amount": 12.5},
        }
    )
    e = event(frame)
    assert (e.type, e.source, e.id) == ("payment.processed", "payments", "pay-7")
    assert e.time == datetime(2026, 11, 23, 10, 0, 0, 250000, tzinfo=UTC).timestamp()
    assert e.data == {"order_id": "ord-1", "amount": 12.5}
    assert e.received == NOW and e.connection == "conn" and e.raw == frame


def test_what_when_who_where_details_shape() -> None:
    frame = orjson.dumps(
        {
            "what": "user.logged_in",
            "when": "2024-08-17T10:30:00Z",
            "who": "user-123",
            "where": "mobile-app",
            "details": {"ip": "192.0.2.1", "device": "iPhone 14"},
        }
    )
    e = event(frame)
    assert e.type == "user.logged_in"
    assert e.source == "mobile-app"
    assert e.time == datetime(2024, 8, 17, 10, 30, tzinfo=UTC).timestamp()
    assert e.data == {"who": "user-123", "details": {"ip": "192.0.2.1", "device": "iPhone 14"}}


def test_type_data_envelope_payload_is_data() -> None:
    e = event(b'{"type": "order.placed", "data": {"order_id": "ord-9"}, "severity": "warn"}')
    assert e.type == "order.placed"
    assert e.data == {"order_id": "ord-9"}
    assert e.severity is Severity.WARNING
    assert e.source == "conn"  # no envelope source: the connection's name
    assert e.time == NOW  # no producer time: arrival time


def test_flat_object_keeps_the_unused_keys_as_payload() -> None:
    e = event(
        b'{"source": "web-1", "time": 1763900001500, "cpu": 41.5, "level": "ERROR"}',
        event_type="metrics.update",
        event_id="42",
    )
    assert e.type == "metrics.update"  # the SSE event name wins
    assert e.id == "42"
    assert e.source == "web-1"
    assert e.time == pytest.approx(1763900001.5)  # epoch milliseconds
    assert e.severity is Severity.ERROR
    assert e.data == {"cpu": 41.5}


def test_transport_type_wins_and_envelope_type_stays_in_payload() -> None:
    e = event(b'{"type": "inner", "x": 1}', event_type="outer")
    assert e.type == "outer"
    assert e.data == {"type": "inner", "x": 1}


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (b"42", 42),
        (b"-1.5", -1.5),
        (b"true", True),
        (b"null", None),
        (b'"hi"', "hi"),
        (b"[1, 2]", [1, 2]),
    ],
)
def test_bare_json_values_are_the_payload(frame: bytes, expected: object) -> None:
    e = event(frame)
    assert e.type == "message"
    assert e.data == expected


@pytest.mark.parametrize("text", ["temperature rising", "42 degrees", "null pointer", "-- done"])
def test_text_that_is_not_json_is_a_text_event(text: str) -> None:
    e = event(text.encode(), event_type="log")
    assert (e.type, e.data) == ("log", text)


def test_broken_json_is_rejected_with_position() -> None:
    r = decode(b'{"type": "order.placed", "data": {"order_id": ', event_id="7")
    assert isinstance(r, Rejected)
    assert r.reason.startswith("invalid JSON: unexpected end of data: line 1 column")
    assert r.id == "7" and r.connection == "conn" and r.size == 46


def test_invalid_utf8_is_repaired_as_browsers_do_and_the_event_kept() -> None:
    decoder = Decoder("conn")
    event = decoder.decode(b'{"type": "t", "who": "\xff\xfeuser"}', received=NOW)
    assert isinstance(event, Event)
    assert (event.type, event.data) == ("t", {"who": "\ufffd\ufffduser"})
    assert event.raw == b'{"type": "t", "who": "\xff\xfeuser"}'  # the bytes as they came
    assert is_repaired(event.raw)
    text = decoder.decode(b"plain \xc3 text", received=NOW)
    assert isinstance(text, Event) and text.data == "plain \ufffd text"
    assert decoder.repaired == 2
    # what the store rebuilds from the raw bytes is what was decoded
    assert decoder.payload(event.raw) == event.data
    assert decoder.payload_under(event.raw, None, "who")["who"] == "\ufffd\ufffduser"
    assert not is_repaired(b'{"a": "caf\xc3\xa9"}') and not is_repaired(b"plain")


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        # the WHATWG Encoding standard's examples of U+FFFD per maximal invalid subpart
        (b"\xf0\x9f\x98", "\ufffd"),  # a 4-byte sequence cut short: one
        (b"\xed\xa0\x80", "\ufffd" * 3),  # a surrogate: three
        (b"\xc0\xaf", "\ufffd" * 2),  # an overlong form: two
        (b"\xf4\x90\x80\x80", "\ufffd" * 4),  # past U+10FFFF: four
        (b"a\x80b\xe2\x82", "a\ufffdb\ufffd"),
        (b"\xf0\x9f\x98\x80\x80", "\U0001f600\ufffd"),
    ],
)
def test_invalid_utf8_becomes_one_replacement_per_maximal_subpart(raw: bytes, text: str) -> None:
    event = Decoder("conn").decode(raw, received=NOW)
    assert isinstance(event, Event) and event.data == text


def test_invalid_json_with_invalid_utf8_is_still_rejected_as_invalid_json() -> None:
    decoder = Decoder("conn")
    rejected = decoder.decode(b'{"who": "\xff', received=NOW)
    assert isinstance(rejected, Rejected) and rejected.reason.startswith("invalid JSON")
    assert rejected.raw == b'{"who": "\xff' and decoder.repaired == 0


def test_oversized_frame_is_rejected_and_only_a_preview_is_kept() -> None:
    decoder = Decoder("conn", max_frame_bytes=1000)
    r = decoder.decode(b"x" * 10_000, received=NOW)
    assert isinstance(r, Rejected)
    assert r.reason == "frame of 10,000 bytes is over the 1,000-byte limit"
    assert r.size == 10_000 and len(r.raw) == 4096


def test_custom_envelope_keys() -> None:
    keys = EnvelopeKeys(type=("kind",), time=("at",), source=("origin",), severity=("sev",))
    e = Decoder("c", keys).decode(
        b'{"kind": "k", "at": 1700000000, "origin": "o", "sev": "critical", "v": 1}', received=NOW
    )
    assert isinstance(e, Event)
    assert (e.type, e.time, e.source, e.severity, e.data) == (
        "k",
        1700000000.0,
        "o",
        Severity.CRITICAL,
        {"v": 1},
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-23T10:00:00Z", datetime(2026, 11, 23, 10, tzinfo=UTC).timestamp()),
        ("2026-11-23T10:00:07.250Z", datetime(2026, 11, 23, 10, 0, 7, 250000, UTC).timestamp()),
        ("2026-11-23T10:00:07.250123Z", datetime(2026, 11, 23, 10, 0, 7, 250123, UTC).timestamp()),
        ("2026-13-23T10:00:07.250Z", NOW),  # no 13th month
        ("2026-11-23T10:00:xx.250Z", NOW),
        ("2026-11-23T10:00:07.1e5Z", NOW),
        ("2026-11-23T10:00:99Z", NOW),
        ("inf", NOW),
        ("-Infinity", NOW),
        ("nan", NOW),
        ("1e400", NOW),
        (float("inf"), NOW),
        (10**400, NOW),
        ("2026-11-23T11:00:00+01:00", datetime(2026, 11, 23, 10, tzinfo=UTC).timestamp()),
        ("2026-11-23T10:00:00", datetime(2026, 11, 23, 10, tzinfo=UTC).timestamp()),
        (1763892000, 1763892000.0),
        (1763892000123, 1763892000.123),
        (1763892000123456, 1763892000.123456),
        ("1763892000", 1763892000.0),
        ("yesterday", NOW),
        (None, NOW),
        (True, NOW),
        (-5, NOW),
        ({"a": 1}, NOW),
    ],
)
def test_parse_time(value: object, expected: float) -> None:
    assert parse_time(value, NOW) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("warn", Severity.WARNING),
        ("ERROR", Severity.ERROR),
        (" fatal ", Severity.CRITICAL),
        ("bogus", Severity.INFO),
        (None, Severity.INFO),
        (45, Severity.ERROR),
        (5, Severity.DEBUG),
        (True, Severity.INFO),
    ],
)
def test_severity_parse(value: object, expected: Severity) -> None:
    assert Severity.parse(value) is expected


def test_json_nested_too_deep_is_rejected_with_the_reason() -> None:
    decoder = Decoder("c")
    deep = b'{"a":' * 65 + b"1" + b"}" * 65
    rejected = decoder.decode(deep, received=1.0)
    assert isinstance(rejected, Rejected)
    assert rejected.reason == "JSON nested deeper than 64 levels"
    assert isinstance(decoder.decode(b"[" * 64 + b"]" * 64, received=1.0), Event)
    wide = b"[" + b",".join(b"[[1]]" for _ in range(200)) + b"]"  # many brackets, not deep
    assert isinstance(decoder.decode(wide, received=1.0), Event)


@pytest.mark.parametrize(
    "frame",
    [
        b'{"type": "m", "time": "2026-11-23T10:00:00Z", "source": "w", "cpu": 5, "x": {"y": 1}}',
        b'{"type": "m", "data": {"cpu": 7, "time": 3}}',
        b'{"specversion": "1.0", "type": "t", "source": "s", "id": "1", "data": {"cpu": 9}}',
        b'  {"cpu": 1, "level": "warn"}',
        b"[1, 2, 3]",
        b"plain text",
    ],
)
@pytest.mark.parametrize("path", ["cpu", "time", "source", "level", "x.y", "data.cpu", "0"])
def test_the_quick_payload_for_a_path_finds_what_the_full_one_does(frame: bytes, path: str) -> None:
    from dashboard.core.events.fieldpath import lookup

    for declared in (None, "declared.type"):
        decoder = Decoder("c")
        full = lookup(decoder.payload(frame, declared), path)
        quick = lookup(decoder.payload_under(frame, declared, path.split(".")[0]), path)
        assert quick == full or (quick is full), (frame, path, declared)

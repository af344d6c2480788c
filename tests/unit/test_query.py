"""The query language: what each form selects, every error message, and that the
per-event and the columnar evaluation always agree."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.core.events.decode import Decoder
from dashboard.core.events.event import Event, Severity
from dashboard.core.lang.query import (
    QueryError,
    clause,
    exists_clause,
    parse,
    quote,
    time_range_clause,
)
from dashboard.core.storage.store import EventStore
from tests.unit.factories import make_event

NOW = datetime(2026, 11, 23, 10, 30).timestamp()


def _events() -> dict[str, Event]:
    """A small mixed feed, named so that expected results read as sets of names."""
    return {
        "cpu-hot": make_event(
            "metrics.update", {"cpu": 93.5, "memory": 4200, "host": "web-1"}, time=NOW - 30
        ),
        "cpu-cool": make_event(
            "metrics.update",
            {"cpu": 12, "memory": 3900, "host": "web-2"},
            source="web-2",
            time=NOW - 600,
        ),
        "order": make_event(
            "order.placed",
            {"order_id": "o-17", "amount": 120.5, "tags": ["prod", "EU"], "note": "Gift wrap"},
            source="shop-api",
            time=NOW - 60,
        ),
        "refund": make_event(
            "order.refunded",
            {"order_id": "o-9", "amount": "35", "ok": True, "coupon": None},
            source="shop-api",
            time=NOW - 7200,
        ),
        "failed": make_event(
            "payment.failed",
            {"message": "Card declined: insufficient funds", "amount": 80, "retry": False},
            source="payments-eu",
            severity=Severity.ERROR,
            time=NOW - 5,
        ),
        "warn": make_event(
            "alert",
            {"message": "Disk nearly full on db-1", "disk": {"used": 0.93, "mount": "/"}},
            source="db-1",
            severity=Severity.WARNING,
            time=NOW - 120,
        ),
        "text": make_event("message", "plain text line: TIMEOUT after 30s", source="legacy"),
        "crit": make_event(
            "alert.pager",
            {"message": "Ünïcode störung"},
            source="prod-core",
            severity=Severity.CRITICAL,
            time=NOW - 1,
        ),
    }


EVENTS = _events()


def names(text: str) -> set[str]:
    query = parse(text)
    return {name for name, event in EVENTS.items() if query.matches(event, now=NOW)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", set(EVENTS)),
        ("   ", set(EVENTS)),
        ("declined", {"failed"}),
        ("DECLINED", {"failed"}),
        ('"insufficient funds"', {"failed"}),
        ('"funds insufficient"', set()),
        ("timeout", {"text"}),
        ("störung", {"crit"}),
        ("STÖRUNG", {"crit"}),
        ("shop-api", {"order", "refund"}),  # the source is part of the text
        ("type:order.*", {"order", "refund"}),
        ("type:ORDER.PLACED", {"order"}),
        ("type=order.placed", {"order"}),
        ("type=ORDER.PLACED", set()),
        ("type:alert*", {"warn", "crit"}),
        ("-type:metrics.*", set(EVENTS) - {"cpu-hot", "cpu-cool"}),
        ("source:prod-*", {"crit"}),
        ("source!=shop-api", set(EVENTS) - {"order", "refund"}),
        ("severity>=warning", {"failed", "warn", "crit"}),
        ("severity>warning", {"failed", "crit"}),
        ("severity:error", {"failed"}),
        ("severity=err", {"failed"}),
        ("severity<info", set()),
        ("severity<=info", set(EVENTS) - {"failed", "warn", "crit"}),
        ("severity!=info", {"failed", "warn", "crit"}),
        ("severity:warn*", {"warn"}),
        ("severity>=40", {"failed", "crit"}),
        ("data.cpu>90", {"cpu-hot"}),
        ("cpu>90", {"cpu-hot"}),
        ("cpu>=12", {"cpu-hot", "cpu-cool"}),
        ("cpu<12", set()),
        ("cpu<=12", {"cpu-cool"}),
        ("cpu=12", {"cpu-cool"}),
        ("cpu:12", {"cpu-cool"}),
        ("cpu!=12", {"cpu-hot"}),  # != needs the field to be there
        ("NOT cpu=12", set(EVENTS) - {"cpu-cool"}),
        ("amount>100", {"order"}),
        ("amount<50", {"refund"}),  # a numeric string compares as a number
        ("amount=35", {"refund"}),
        ('amount="35"', {"refund"}),
        ("host:web-*", {"cpu-hot", "cpu-cool"}),
        ("data.host:WEB-1", {"cpu-hot"}),
        ("data.host=WEB-1", set()),
        ("tags:prod", {"order"}),  # any element of an array
        ("tags:eu", {"order"}),
        ("tags=EU", {"order"}),
        ("tags!=prod", set()),
        ("disk.used>0.9", {"warn"}),
        ("data.disk.mount=/", {"warn"}),
        ("ok=true", {"refund"}),
        ("ok:true", {"refund"}),
        ("retry=false", {"failed"}),
        ("coupon=null", {"refund"}),
        ("coupon:*", {"refund"}),
        ("order_id:*", {"order", "refund"}),
        ("-order_id:*", set(EVENTS) - {"order", "refund"}),
        ("id:*", set()),
        ("note:gift*", {"order"}),
        ('note:"gift wrap"', {"order"}),
        ('note:"gift*"', set()),  # a quoted value is literal, not a glob
        ("message:*declined*", {"failed"}),
        ("type:order.* amount>100", {"order"}),
        ("type:order.* AND amount>100", {"order"}),
        ("type:order.* OR severity>=error", {"order", "refund", "failed", "crit"}),
        ("source:shop-api -refund", {"order"}),
        ("(type:alert* OR type:payment.*) severity>=error", {"failed", "crit"}),
        ("NOT (type:alert* OR type:metrics.*)", {"order", "refund", "failed", "text"}),
        ("- - type:alert", {"warn"}),
        ("time>-1m", {"cpu-hot", "failed", "crit"}),
        ("time>=-60s", {"cpu-hot", "order", "failed", "crit"}),
        ("time<-1h", {"refund", "text"}),
        ("time>2026-11-23T10:29", {"cpu-hot", "failed", "crit"}),
        ("time<2026-11-23T08:30:01", {"refund", "text"}),
        ("time:*", set(EVENTS)),
        ("connection:conn", set(EVENTS)),
        ("connection:other", set()),
    ],
)
def test_what_each_form_selects(text: str, expected: set[str]) -> None:
    assert names(text) == expected


def test_times_with_a_zone_and_times_of_day() -> None:
    utc = datetime.fromisoformat("2026-11-23T08:30:00+00:00").timestamp()
    assert names("time<2026-11-23T08:30:00Z") == {n for n, e in EVENTS.items() if e.time < utc}
    today = datetime.now().replace(hour=9, minute=5, second=0, microsecond=0).timestamp()
    early, late = make_event("x", time=today - 1), make_event("x", time=today + 1)
    query = parse("time>=9:05")
    assert (query.matches(early), query.matches(late)) == (False, True)


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ('error "disk full', 7, 'unterminated quoted phrase: expected a closing "'),
        ("cpu>", 5, "expected a value after 'cpu>'"),
        ("type:", 6, "expected a value after 'type:'"),
        (":foo", 1, "expected a field name before ':'"),
        (">90", 1, "expected a field name before '>'"),
        ("(type:alert", 12, "expected ')' to close the '(' at column 1"),
        ("(a (b)", 7, "expected ')' to close the '(' at column 1"),
        ("a)", 2, "unexpected ')': there is no '(' for it to close"),
        ("()", 2, "expected a search term before ')'"),
        ("a OR", 5, "expected a search term after OR, found the end"),
        ("a AND", 6, "expected a search term after AND, found the end"),
        ("NOT", 4, "expected a search term after NOT, found the end"),
        ("OR a", 1, "expected a search term before OR"),
        ("a AND OR b", 7, "expected a search term after AND"),
        ("a OR AND b", 6, "expected a search term after OR"),
        ("-(", 3, "expected a search term here, found the end"),
        (
            "severity>=warnnig",
            11,
            "unknown severity 'warnnig': expected one of debug, info, notice, warning, "
            "error, critical",
        ),
        (
            "time>yesterday",
            6,
            "expected a time like -5m, 10:30 or 2026-11-23T10:00 after 'time>', found 'yesterday'",
        ),
        ("time:-5m", 5, "'time' takes <, <=, > or >= (for example time>-5m), not ':'"),
        (
            "received=10:00",
            9,
            "'received' takes <, <=, > or >= (for example received>-5m), not '='",
        ),
        ("cpu>9*", 5, "a wildcard only works with ':' (as in cpu:9*), not with '>'"),
    ],
)
def test_every_mistake_says_where_and_what_was_expected(
    text: str, column: int, message: str
) -> None:
    with pytest.raises(QueryError) as caught:
        parse(text)
    assert (caught.value.column, caught.value.message) == (column, message)
    assert str(caught.value) == f"column {column}: {message}"


def _stored(events: list[Event], capacity: int) -> EventStore:
    store = EventStore(capacity)
    store.extend(events)
    store.release(store.end_seq)  # as after a tick: only the columns are left
    return store


QUERIES = [
    "declined",
    "shop-api",
    "störung",
    '""',
    "type:order.* OR severity>=error",
    "cpu>90",
    "-amount:*",
    "tags:eu amount>100",
    "NOT (host:web-* OR coupon=null)",
    "time>-1m",
    "disk.used>0.5",
    "connection:conn message:*full*",
]


@pytest.mark.parametrize("text", QUERIES)
def test_columns_and_single_events_agree_even_across_the_ring_seam(text: str) -> None:
    events = [_events()[name] for name in EVENTS] * 3
    store = _stored(events, capacity=13)  # wrapped: the retained block crosses the seam
    query = parse(text)
    block = store.columns(store.first_seq, store.end_seq)
    rebuilt = store.events(store.first_seq, store.end_seq)
    assert list(query.select(block, now=NOW)) == [query.matches(e, now=NOW) for e in rebuilt]


def test_full_text_finds_every_row_in_blocks_bigger_than_one_search_block() -> None:
    events = [make_event("noise", {"n": i}) for i in range(20_000)]
    for i in (0, 8191, 8192, 12_345, 19_999):
        events[i] = make_event("noise", {"n": i, "note": "needle in a HAYSTACK"})
    store = _stored(events, capacity=20_000)
    hits = parse("haystack").select(store.columns(0, 20_000))
    assert list(hits.nonzero()[0]) == [0, 8191, 8192, 12_345, 19_999]


def test_a_field_with_an_escaped_key_is_still_found() -> None:
    event = make_event("x", {"cpu": 95})
    event.raw = b'{"c\\u0070u": 95}'
    store = _stored([event], capacity=4)
    assert list(parse("cpu>90").select(store.columns(0, 1))) == [True]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("data.host", "web-1"),
        ("data.note", 'say "hi" (now) *'),
        ("data.note", "-starts-with-dash"),
        ("data.note", "OR"),
        ("data.note", "back\\slash"),
        ("data.cpu", 93.5),
        ("data.count", 7),
        ("data.ok", False),
        ("data.coupon", None),
        ("type", "order.placed"),
        ("source", "db 1"),
    ],
)
def test_a_clause_written_for_a_value_selects_that_value(field: str, value: object) -> None:
    inside = field.removeprefix("data.")
    if field.startswith("data."):
        hit, miss = make_event("x", {inside: value}), make_event("x", {inside: "other"})
    else:
        hit = make_event(**{"type": "x", "source": "s", field: value})  # type: ignore[arg-type]
        miss = make_event("y", source="t")
    assert parse(clause(field, value)).matches(hit)
    assert not parse(clause(field, value)).matches(miss)
    assert not parse(clause(field, value, exclude=True)).matches(hit)
    assert parse(exists_clause(field)).matches(hit)


def test_quote_leaves_plain_values_bare() -> None:
    assert quote("web-1") == "web-1"
    assert quote("two words") == '"two words"'
    assert quote("") == '""'


def test_a_time_range_clause_selects_its_range() -> None:
    query = parse(time_range_clause(NOW - 61, NOW - 29))
    assert {n for n, e in EVENTS.items() if query.matches(e)} == {"cpu-hot", "order"}


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab ()"-:=<>!*?.\\ANDORT0123456789')), max_size=30))
def test_any_input_parses_or_raises_the_documented_error(text: str) -> None:
    try:
        query = parse(text)
    except QueryError as error:
        assert 1 <= error.column <= len(text) + 1
        return
    for event in EVENTS.values():
        query.matches(event, now=NOW)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_unicode_input_parses_or_raises_the_documented_error(text: str) -> None:
    try:
        query = parse(text)
    except QueryError:
        return
    store = _stored(list(_events().values()), capacity=8)
    block = store.columns(0, 8)
    rebuilt = store.events(0, 8)
    assert list(query.select(block, now=NOW)) == [query.matches(e, now=NOW) for e in rebuilt]


def test_words_match_values_not_keys_and_escaped_text_is_found() -> None:
    decoder = Decoder("c")
    frames = [
        b'{"type": "metrics.update", "errors": 0, "cpu": 5}',
        b'{"type": "x", "message": "St\\u00f6rung at http:\\/\\/x\\/api", "code": 404}',
        b'{"type": "y", "note": "say \\"hi\\""}',
        b'{"type": "z", "error": {"kind": "Timeout"}}',
    ]
    events = [decoder.decode(frame, received=NOW) for frame in frames]
    store = _stored(events, capacity=8)  # type: ignore[arg-type]
    block, rebuilt = store.columns(0, 4), store.events(0, 4)
    for text, expected in [
        ("error", [False, False, False, False]),  # keys are not words
        ("störung", [False, True, False, False]),
        ('"http://x/api"', [False, True, False, False]),  # a bare word with : is a field
        ('"say \\"hi\\""', [False, False, True, False]),
        ("timeout", [False, False, False, True]),
        ("404", [False, True, False, False]),  # numbers are words too
    ]:
        query = parse(text)
        assert list(query.select(block, now=NOW)) == expected, text
        assert [query.matches(e, now=NOW) for e in rebuilt] == expected, text


@pytest.mark.parametrize("text", ["tags.--1:prod", "a.²:1", "tags.1x:a", "a..b:1"])
def test_odd_paths_select_nothing_rather_than_fail(text: str) -> None:
    event = make_event("x", {"tags": ["prod"], "a": [1, 2]})
    store = _stored([event], capacity=2)
    assert not parse(text).matches(event)
    assert list(parse(text).select(store.columns(0, 1))) == [False]


def test_a_date_and_a_clock_time_read_as_one_time() -> None:
    moment = datetime(2026, 11, 23, 10, 42, 13, 250_000).timestamp()
    assert (
        parse("time>=2026-11-23 10:42:13.250 word").root
        == parse("time>=2026-11-23T10:42:13.250 word").root
    )
    assert parse("time<2026-11-23 10:42").matches(make_event("x", time=moment - 14))


def test_values_that_would_read_as_something_else_are_quoted() -> None:
    assert clause("data.code", "007") == 'data.code="007"'
    assert clause("data.flag", "true") == 'data.flag="true"'
    assert clause("data.host", "web-1") == "data.host=web-1"
    seven, text = make_event("x", {"code": 7}), make_event("x", {"code": "007"})
    assert (
        parse(clause("data.code", "007")).matches(seven),
        parse(clause("data.code", "007")).matches(text),
    ) == (False, True)
    assert not parse(clause("data.host", "web-1")).matches(make_event("x", {"host": "WEB-1"}))


@pytest.mark.parametrize("text", ["*", "**", " * "])
def test_a_star_alone_matches_every_event_as_the_empty_query_does(text: str) -> None:
    assert names(text) == names("") == set(EVENTS)
    assert names(f"{text} severity>=error") == names("severity>=error")
    assert names('"*"') == set()  # a quoted star is text to look for

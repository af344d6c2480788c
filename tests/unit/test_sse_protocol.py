"""The event-stream parser: WHATWG rules, the gaps in httpx-sse, and agreement with it."""

from __future__ import annotations

import httpx
import pytest
from httpx_sse import EventSource
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.sources.sse_protocol import SSEMessage, SSEParser


def parse(*chunks: bytes, parser: SSEParser | None = None) -> list[SSEMessage]:
    parser = parser or SSEParser()
    out: list[SSEMessage] = []
    for chunk in chunks:
        out.extend(parser.feed(chunk))
    return out


def datas(messages: list[SSEMessage]) -> list[bytes]:
    return [m.data for m in messages]


def test_event_name_id_and_multiline_data() -> None:
    [m] = parse(b'event: order.placed\nid: 7\ndata: {"a":\ndata: 1}\n\n')
    assert (m.event, m.id, m.data) == ("order.placed", "7", b'{"a":\n1}')


def test_cr_lf_and_crlf_all_end_lines() -> None:
    stream = b"data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r"
    assert datas(parse(stream)) == [b"a\nb\nc", b"d"]


def test_a_lone_cr_ends_the_line_at_once() -> None:
    parser = SSEParser()
    # httpx-sse holds a trailing CR back until more bytes come; the spec dispatches now.
    assert datas(parser.feed(b"data: now\r\r")) == [b"now"]


def test_crlf_split_across_chunks_is_one_line_end() -> None:
    assert datas(parse(b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n")) == [b"a\nb"]


def test_leading_bom_is_dropped_even_when_split() -> None:
    assert datas(parse(b"\xef\xbb\xbfdata: x\n\n")) == [b"x"]
    assert datas(parse(b"\xef", b"\xbb", b"\xbfdata: y\n\n")) == [b"y"]


def test_bom_elsewhere_is_not_dropped() -> None:
    # Only the stream's first bytes may be a BOM; here it makes an unknown field name.
    assert datas(parse(b"data: a\n\n\xef\xbb\xbfdata: b\n\n")) == [b"a"]


def test_utf8_is_kept_whatever_the_charset() -> None:
    [m] = parse("data: café ☕\n\n".encode())
    assert m.data.decode("utf-8") == "café ☕"


def test_comments_never_dispatch() -> None:
    parser = SSEParser()
    assert parse(b": keepalive\n\n:\n\n", parser=parser) == []
    assert parser.comments == 2


def test_only_events_with_data_are_dispatched_but_their_id_counts() -> None:
    parser = SSEParser()
    assert parse(b"event: ping\nid: 5\n\n", parser=parser) == []
    assert parser.last_event_id == "5"
    [m] = parse(b"data: x\n\n", parser=parser)
    assert (m.event, m.id) == ("", "5")  # the event name was reset, the id persists


def test_empty_data_line_dispatches_empty_data() -> None:
    assert datas(parse(b"data\n\n", b"data:\n\n")) == [b"", b""]


def test_only_one_space_after_the_colon_is_removed() -> None:
    assert datas(parse(b"data:  two\ndata:none\n\n")) == [b" two\nnone"]


def test_retry_only_when_all_ascii_digits_and_at_once() -> None:
    parser = SSEParser()
    assert parse(b"retry: 1500\n\n", parser=parser) == []  # no event for a retry-only block
    assert parser.reconnection_time == 1500
    for bad in (
        b"retry: 15x\n",
        b"retry: +5\n",
        b"retry:  12\n",
        b"retry:\n",
        "retry: ١٢\n".encode(),
        b"retry: -1\n",
    ):
        parse(bad, parser=parser)
        assert parser.reconnection_time == 1500, bad
    parse(b"retry: 20\n", parser=parser)  # takes effect without a blank line
    assert parser.reconnection_time == 20


def test_id_with_nul_is_ignored_and_empty_id_resets() -> None:
    parser = SSEParser()
    msgs = parse(b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\nid\ndata: c\n\n", parser=parser)
    assert [m.id for m in msgs] == ["1", "1", ""]


def test_last_event_id_survives_a_new_stream_but_half_events_do_not() -> None:
    parser = SSEParser(last_event_id="41")
    parse(b"data: half", parser=parser)
    parser.new_stream()
    [m] = parse(b"data: whole\n\n", parser=parser)
    assert (m.data, m.id) == (b"whole", "41")


def test_end_of_stream_discards_an_unfinished_event() -> None:
    parser = SSEParser()
    assert parse(b"data: a\n\ndata: b\n", parser=parser) == [SSEMessage(b"a")]


def test_unknown_fields_are_ignored() -> None:
    assert datas(parse(b"foo: bar\ndata: x\nbar\n\n")) == [b"x"]


def test_a_line_over_the_limit_is_cut_not_buffered() -> None:
    parser = SSEParser(max_event_bytes=100)
    out = parse(b"data: ", *[b"y" * 10] * 100, b"\n\n", b"data: next\n\n", parser=parser)
    big, after = out
    assert big.oversized == 1000
    assert big.data == b"y" * len(big.data)  # a preview of the data, without the field name
    assert len(big.data) <= 4096
    assert after == SSEMessage(b"next")
    assert parser._pending_size <= 100  # never held the whole line


@pytest.mark.parametrize("cut", range(1, 120, 7))
def test_data_of_exactly_the_limit_is_accepted_wherever_chunks_split(cut: int) -> None:
    stream = b"data: " + b"v" * 100 + b"\n\n"
    [m] = parse(stream[:cut], stream[cut:], parser=SSEParser(max_event_bytes=100))
    assert (m.oversized, m.data) == (0, b"v" * 100)


@pytest.mark.parametrize("cut", range(1, 230, 9))
def test_a_long_comment_or_id_changes_nothing_wherever_chunks_split(cut: int) -> None:
    stream = b"data: ok\n: " + b"c" * 200 + b"\nid: " + b"i" * 200 + b"\n\n"
    parser = SSEParser(max_event_bytes=100)
    [m] = parse(stream[:cut], stream[cut:], parser=parser)
    assert (m.data, m.oversized) == (b"ok", 0)


@pytest.mark.parametrize("cut", [3, 50, 101, 108])
def test_oversized_size_and_preview_do_not_depend_on_chunks(cut: int) -> None:
    stream = b"data: ok\ndata: " + b"z" * 150 + b"\n\n"
    [m] = parse(stream[:cut], stream[cut:], parser=SSEParser(max_event_bytes=100))
    assert m.oversized == len(b"ok\n" + b"z" * 150)
    assert m.data == (b"ok\n" + b"z" * 150)[: len(m.data)]


def test_absurd_retry_values_are_ignored_not_fatal() -> None:
    parser = SSEParser()
    parse(b"retry: " + b"9" * 5000 + b"\n", b"retry: " + b"1" * 400 + b"\n", parser=parser)
    assert parser.reconnection_time is None


def test_data_lines_adding_up_over_the_limit_make_one_oversized_event() -> None:
    parser = SSEParser(max_event_bytes=50)
    [m] = parse(b"".join(b"data: " + b"z" * 20 + b"\n" for _ in range(5)) + b"\n", parser=parser)
    assert m.oversized == 104  # 5 x 20 bytes and 4 line breaks
    assert m.data.startswith(b"z" * 20 + b"\n")


# -- agreement with httpx-sse where httpx-sse follows the spec -----------------------------

_text = st.text(
    alphabet=st.characters(blacklist_characters="\r\n\x00", blacklist_categories=("Cs",)),
    max_size=30,
)
_event = st.fixed_dictionaries(
    {"data": st.lists(_text, min_size=1, max_size=4), "id_first": st.booleans()},
    optional={
        "event": _text.filter(lambda t: not t.startswith(" ")),
        "id": _text.filter(lambda t: not t.startswith(" ")),
        "comment": _text,
    },
)


def _serialise(events: list[dict], line_ends: list[str]) -> bytes:
    lines: list[str] = []
    for e in events:
        if "comment" in e:
            lines.append(":" + e["comment"])
        named = [f"{field}: {e[field]}" for field in ("event", "id") if field in e]
        lines.extend(reversed(named) if e["id_first"] else named)
        lines.extend("data: " + d for d in e["data"])
        lines.append("")
    ends = (line_ends * (len(lines) // len(line_ends) + 1))[: len(lines)]
    return "".join(line + end for line, end in zip(lines, ends, strict=True)).encode()


def _split(blob: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(blob) + 1) for c in cuts})
    return [blob[a:b] for a, b in zip([0, *points], [*points, len(blob)], strict=True) if b > a]


@settings(max_examples=300, deadline=None)
@given(
    events=st.lists(_event, min_size=1, max_size=8),
    line_ends=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1, max_size=4),
    cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=12),
)
def test_same_events_as_httpx_sse_with_chunks_cut_anywhere(
    events: list[dict], line_ends: list[str], cuts: list[int]
) -> None:
    blob = _serialise(events, line_ends)
    if blob.endswith(b"\r"):
        blob += b"\n"  # httpx-sse would never release a final lone CR; not what we compare
    chunks = _split(blob, cuts)
    response = httpx.Response(
        200, headers={"content-type": "text/event-stream"}, content=iter(chunks)
    )
    theirs = [(s.event, s.data, s.id) for s in EventSource(response).iter_sse()]
    ours = [(m.event or "message", m.data.decode(), m.id) for m in parse(*chunks)]
    assert ours == theirs


# -- the regular events read in one go, against the same parser line by line --------------

_field_value = st.text(
    alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)),
    max_size=12,
)
_line = st.one_of(
    st.builds(lambda v: "data: " + v, _field_value),
    st.builds(lambda v: "id: " + v, _field_value),  # with NUL now and then: ignored
    st.builds(lambda v: "event: " + v, _field_value),
    st.sampled_from(["", "data:", "data", "id:", "id: ", ": ping", "retry: 250", "event:x"]),
)
_regular = st.builds(
    lambda id_, event, data: (
        "".join([f"id: {id_}\n" if id_ is not None else "", f"event: {event}\n" if event else ""])
        + f"data: {data}\n\n"
    ),
    st.none() | _field_value.filter(lambda v: "\0" not in v),
    st.none() | _field_value,
    _field_value,
)


@settings(max_examples=400, deadline=None)
@given(
    parts=st.lists(_regular | _regular | _line.map(lambda line: line + "\n"), max_size=40),
    cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=6),
    limit=st.sampled_from([1 << 20, 100, 64]),  # (no line over 64: see the docstring)
)
def test_whole_chunks_read_as_byte_by_byte(parts: list[str], cuts: list[int], limit: int) -> None:
    """Chunks with whole events in them go through the regex for the regular ones; a
    stream fed one byte at a time never does. Both must give the same, in every field.
    (An oversized event's preview holds at least its first *limit* bytes, more when the
    line came whole: compared on those. A line of another field over the limit counts
    only when it came whole: no line here is that long.)"""
    blob = "".join(parts).encode()
    whole, byte_by_byte = SSEParser(limit, "start"), SSEParser(limit, "start")
    for parser in (whole, byte_by_byte):
        parser.feed(b":\n")  # past the stream's start (where a BOM is looked for)
    ours = parse(*_split(blob, cuts), parser=whole)
    reference = parse(*(blob[i : i + 1] for i in range(len(blob))), parser=byte_by_byte)
    for message in (*ours, *reference):
        if message.oversized:
            message.data = message.data[:limit]
    assert ours == reference
    assert (whole.last_event_id, whole.reconnection_time, whole.comments) == (
        byte_by_byte.last_event_id,
        byte_by_byte.reconnection_time,
        byte_by_byte.comments,
    )
    more = b"data: after\n\n"
    assert whole.feed(more) == byte_by_byte.feed(more)  # nothing half-read left behind


def test_a_chunk_of_regular_events_reads_them_all() -> None:
    parser = SSEParser()
    parser.feed(b": hello\n\n")
    chunk = (
        b'id: 1\nevent: metrics.update\ndata: {"cpu":1}\n\n'
        b'data: {"cpu":2}\n\n'
        b"id: 3\ndata: x\n\n"
        b"id: \ndata: y\n\n"
        b"data: partial"
    )
    got = [(m.event, m.id, m.own_id, m.data) for m in parser.feed(chunk)]
    assert got == [
        ("metrics.update", "1", True, b'{"cpu":1}'),
        ("", "1", False, b'{"cpu":2}'),
        ("", "3", True, b"x"),
        ("", "", True, b"y"),
    ]
    assert [m.data for m in parser.feed(b" event\n\n")] == [b"partial event"]

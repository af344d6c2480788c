"""Pretty JSON lines for the detail pane: text, paths, values, token spans, safe escaping."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dashboard.core.panels.prettyjson import (
    LONG_STRING_LIMIT,
    MAX_LINES,
    Line,
    Token,
    json_string,
    pretty_lines,
    raw_text,
)
from tests.unit.factories import SAMPLE_PAYLOAD

PAYLOAD = SAMPLE_PAYLOAD


def spans(line: Line) -> list[tuple[str, str]]:
    """Each token as (its text, its kind): easier to read than offsets."""
    return [(line.text[t.start : t.start + t.length], t.kind) for t in line.tokens]


def test_text_is_two_space_indented_json_in_insertion_order() -> None:
    text = "\n".join(line.text for line in pretty_lines(PAYLOAD))
    assert text == json.dumps(PAYLOAD, indent=2, ensure_ascii=False)
    assert json.loads(text) == PAYLOAD


def test_each_line_knows_its_path_and_scalar_value() -> None:
    rows = [(line.path, line.scalar, line.value) for line in pretty_lines(PAYLOAD)]
    assert rows == [
        ("data", False, None),  # {
        ("data.host", True, "web-1"),
        ("data.cpu", True, 93.5),
        ("data.disk", False, None),  # "disk": [
        ("data.disk.0", False, None),  # {
        ("data.disk.0.mount", True, "/"),
        ("data.disk.0.used", True, 0.71),
        (None, False, None),  # }
        (None, False, None),  # ],
        ("data.tags", False, None),
        ("data.tags.env", True, "prod"),
        (None, False, None),  # },
        ("data.ok", True, True),
        ("data.note", True, None),  # JSON null is a scalar value, unlike a bracket's None
        (None, False, None),  # }
    ]


def test_root_prefix_can_be_changed_or_dropped() -> None:
    assert [line.path for line in pretty_lines({"a": {"b": 1}}, root="payload")] == [
        "payload",
        "payload.a",
        "payload.a.b",
        None,
        None,
    ]
    assert [line.path for line in pretty_lines({"a": [1]}, root="")] == [
        None,
        "a",
        "a.0",
        None,
        None,
    ]


def test_token_spans_cover_keys_values_and_punctuation() -> None:
    lines = pretty_lines(PAYLOAD)
    assert lines[1].tokens == (
        Token(2, 6, "key"),
        Token(8, 1, "punctuation"),
        Token(10, 7, "string"),
        Token(17, 1, "punctuation"),
    )
    assert spans(lines[1]) == [
        ('"host"', "key"),
        (":", "punctuation"),
        ('"web-1"', "string"),
        (",", "punctuation"),
    ]
    assert spans(lines[2])[2] == ("93.5", "number")
    assert spans(lines[3]) == [('"disk"', "key"), (":", "punctuation"), ("[", "punctuation")]
    assert spans(lines[8]) == [("]", "punctuation"), (",", "punctuation")]
    assert spans(lines[12]) == [
        ('"ok"', "key"),
        (":", "punctuation"),
        ("true", "literal"),
        (",", "punctuation"),
    ]
    assert spans(lines[13]) == [('"note"', "key"), (":", "punctuation"), ("null", "literal")]


def test_nested_arrays_and_empty_containers() -> None:
    lines = pretty_lines({"m": [[1, 2], []], "e": {}, "z": [{}]})
    assert [line.text for line in lines] == [
        "{",
        '  "m": [',
        "    [",
        "      1,",
        "      2",
        "    ],",
        "    []",
        "  ],",
        '  "e": {},',
        '  "z": [',
        "    {}",
        "  ]",
        "}",
    ]
    assert [line.path for line in lines] == [
        "data",
        "data.m",
        "data.m.0",
        "data.m.0.0",
        "data.m.0.1",
        None,
        "data.m.1",
        None,
        "data.e",
        "data.z",
        "data.z.0",
        None,
        None,
    ]
    assert (lines[4].value, lines[4].scalar) == (2, True)
    assert not lines[8].scalar  # an empty object is not a value to filter on
    assert spans(lines[8]) == [
        ('"e"', "key"),
        (":", "punctuation"),
        ("{}", "punctuation"),
        (",", "punctuation"),
    ]


@pytest.mark.parametrize(
    ("payload", "text", "kind"),
    [
        ("plain text", '"plain text"', "string"),
        (42, "42", "number"),
        (-1.5e-07, "-1.5e-07", "number"),
        (False, "false", "literal"),
        (None, "null", "literal"),
    ],
)
def test_payloads_that_are_not_objects(payload: Any, text: str, kind: str) -> None:
    (line,) = pretty_lines(payload)
    assert (line.text, line.path, line.scalar, line.value) == (text, "data", True, payload)
    assert spans(line) == [(text, kind)]


def test_empty_object_payload_is_one_line() -> None:
    assert pretty_lines({}) == [Line("{}", "data", (Token(0, 2, "punctuation"),))]
    assert [line.text for line in pretty_lines([])] == ["[]"]


def test_strings_escape_like_json_dumps() -> None:
    text = 'quote " backslash \\ tab \t newline \n é 中 😀'
    assert json_string(text) == json.dumps(text, ensure_ascii=False)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\x00b\x1bc", '"a\\u0000b\\u001bc"'),
        ("del\x7f c1\x85\x9b", '"del\\u007f c1\\u0085\\u009b"'),
        ("\u202eevil\u202c", '"\\u202eevil\\u202c"'),
        (
            "\u202a\u202b\u202d \u2066\u2067\u2068\u2069",
            '"\\u202a\\u202b\\u202d \\u2066\\u2067\\u2068\\u2069"',
        ),
        ("line\u2028sep\u2029para", '"line\\u2028sep\\u2029para"'),
        ("mark\u200e\u200f\u061c", '"mark\\u200e\\u200f\\u061c"'),
    ],
)
def test_controls_bidi_and_separators_are_escaped(text: str, shown: str) -> None:
    assert json_string(text) == shown
    (line,) = pretty_lines({"k": text})[1:2]
    assert line.text == f'  "k": {shown}'
    assert line.value == text  # the value to filter on is the real text


def test_hostile_keys_are_escaped_too() -> None:
    line = pretty_lines({"\u202ek\n": 1})[1]
    assert line.text == '  "\\u202ek\\n": 1'
    assert spans(line)[0] == ('"\\u202ek\\n"', "key")


def test_html_like_text_stays_literal() -> None:
    line = pretty_lines({"html": "<b>bold</b> &amp; <script>x</script>"})[1]
    assert line.text == '  "html": "<b>bold</b> &amp; <script>x</script>"'


def test_no_line_holds_a_line_break() -> None:
    hostile = {"a\rb": "x\ny\r\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85z", "list": ["\n"]}
    lines = pretty_lines(hostile)
    assert len(lines) == 6
    assert all(line.text.splitlines() == [line.text] for line in lines)


def test_long_strings_are_cut_with_their_full_length() -> None:
    long = "x" * (LONG_STRING_LIMIT + 5)
    line = pretty_lines({"blob": long, "after": 1})[1]
    shown = '"' + "x" * LONG_STRING_LIMIT + '…"'
    assert line.text == f'  "blob": {shown}, (10,005 characters, cut)'
    assert spans(line)[2:] == [
        (shown, "string"),
        (",", "punctuation"),
        ("(10,005 characters, cut)", "note"),
    ]
    assert line.value == long
    exact = "y" * LONG_STRING_LIMIT
    assert pretty_lines(exact)[0].text == json.dumps(exact)


def test_keys_a_dotted_path_cannot_name_have_no_path() -> None:
    paths = [line.path for line in pretty_lines({"a.b": {"c": 1}, "": 2, "ok": 3})]
    assert paths == ["data", None, None, None, None, "data.ok", None]


def test_spans_count_characters_beyond_the_basic_plane() -> None:
    line = pretty_lines({"😀": "😀x"})[1]
    assert spans(line) == [('"😀"', "key"), (":", "punctuation"), ('"😀x"', "string")]


def test_raw_text_shows_utf8_and_escapes_invalid_bytes_and_controls() -> None:
    raw = b'{"a":"\xc3\xa9\xff"}\r\n\tnext\x00\x1b' + "\u202e\x85".encode()
    assert raw_text(raw) == '{"a":"é\\xff"}\\r\n\tnext\\x00\\x1b\\u202e\\u0085'


def test_raw_text_keeps_backslashes_as_sent() -> None:
    assert raw_text(b'{"a":"x\\ny \\u00e9"}') == '{"a":"x\\ny \\u00e9"}'


def test_raw_text_cuts_long_frames_on_a_character_boundary() -> None:
    raw = "aé".encode() * 3  # 9 bytes: a, é (2 bytes), a, é...
    assert raw_text(raw, limit=5) == "aéa\n… (first 4 of 9 bytes shown)"
    assert raw_text(raw, limit=4) == "aéa\n… (first 4 of 9 bytes shown)"
    assert raw_text(raw, limit=9) == "aéaéaé"


def test_a_huge_payload_is_cut_with_a_note() -> None:
    lines = pretty_lines(list(range(150_000)))
    assert len(lines) == MAX_LINES + 1
    assert lines[-1].text.startswith("… the rest is not shown here (20,000 lines at most)")


def test_keys_a_query_cannot_name_get_no_path() -> None:
    paths = {line.text.strip(): line.path for line in pretty_lines({"user name": 1, "k8s:pod": 2})}
    assert paths['"user name": 1,'] is None and paths['"k8s:pod": 2'] is None

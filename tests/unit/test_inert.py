"""Untrusted text made inert: controls and bidi characters escaped visibly, length capped."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.core.text.inert import INERT_LIMIT, UNSAFE, inert

HOSTILE = "bye \x1b[2J\x1b[31mred\x1b[0m \x1b]0;pwned\x07 \u202eevil\u202c \x9b2J\x00"
BIDI = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
NOTE = re.compile(r"… \(([\d,]+) more characters?\)$")


def dangerous(char: str) -> bool:
    """A character that acts on a terminal or reorders text: what must never come out."""
    code = ord(char)
    return unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") or code in BIDI or code == 0x7F


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (HOSTILE, "bye \\x1b[2J\\x1b[31mred\\x1b[0m \\x1b]0;pwned\\x07 \\u202eevil\\u202c "
         "\\u009b2J\\x00"),
        ("line\nbreak\r\ttab", "line\\nbreak\\r\\ttab"),
        ("del\x7f c1\x85", "del\\x7f c1\\u0085"),
        ("marks\u200e\u200f\u061c \u2066\u2067\u2068\u2069", "marks\\u200e\\u200f\\u061c "
         "\\u2066\\u2067\\u2068\\u2069"),
        ("sep\u2028para\u2029", "sep\\u2028para\\u2029"),
        ("lone \ud800 surrogate", "lone \\ud800 surrogate"),
        ("plain é 中 😀 \\x1b as typed", "plain é 中 😀 \\x1b as typed"),
    ],
)  # fmt: skip
def test_controls_and_bidi_characters_are_escaped_visibly(text: str, shown: str) -> None:
    assert inert(text) == shown


def test_long_text_is_cut_with_a_note_of_what_was_cut() -> None:
    assert inert("x" * 250) == "x" * INERT_LIMIT + "… (50 more characters)"
    assert inert("abcdef", 5) == "abcde… (1 more character)"
    assert inert("a" * 1234 + "b" * 2000, 1000) == "a" * 1000 + "… (2,234 more characters)"
    # The cap counts what is shown: escapes take room, and one is never split.
    assert inert("\x1b" * 10, 9) == "\\x1b\\x1b… (8 more characters)"
    assert inert("ab\u202ecd", 7) == "ab… (3 more characters)"
    assert inert("ab\u202ecd", 8) == "ab\\u202e… (2 more characters)"


def test_without_a_note_the_cut_fits_the_limit() -> None:
    assert inert("abcdef", 4, note=False) == "abc…"
    assert inert("a\x1bbcdef", 6, note=False) == "a\\x1b…"
    assert inert("abcd", 4, note=False) == "abcd"


def test_kept_characters_and_no_limit() -> None:
    assert inert("one\ntwo\x1b", None, keep="\n") == "one\ntwo\\x1b"
    assert inert("y" * 100_000, None) == "y" * 100_000


def test_inert_text_is_left_as_it_is() -> None:
    once = inert(HOSTILE)
    assert inert(once) == once
    text = "nothing to do here"
    assert inert(text) is text


def test_every_unsafe_character_is_dangerous_or_a_line_break() -> None:
    assert all(dangerous(chr(code)) for code in UNSAFE)
    assert {code for code in range(0x110000) if dangerous(chr(code))} <= UNSAFE


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.characters(codec=None),
            st.sampled_from([chr(c) for c in (*range(0x20), 0x7F, 0x85, 0x9B, *BIDI)]),
        ),
        max_size=400,
    ),
    st.integers(min_value=0, max_value=300),
)
def test_output_is_never_dangerous_and_never_longer_than_the_cap(text: str, limit: int) -> None:
    shown = inert(text, limit)
    assert not any(dangerous(c) for c in shown)
    note = NOTE.search(shown)
    body = shown[: note.start()] if note else shown
    assert len(body) <= limit
    if note:
        assert int(note[1].replace(",", "")) >= 1
    else:
        assert body == inert(text, None)  # nothing cut: all of it, escaped


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.integers(min_value=1, max_value=300))
def test_a_cell_s_cut_fits_its_limit(text: str, limit: int) -> None:
    shown = inert(text, limit, note=False)
    assert len(shown) <= limit and not any(dangerous(c) for c in shown)

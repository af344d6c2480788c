"""Pretty JSON for the event detail pane: lines that know their field path, value and tokens.

Everything here is display text for untrusted input: control characters, bidi overrides and
line separators are escaped so hostile text shows literally, one JSON line per text line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from dashboard.core.lang.query import is_field_key
from dashboard.core.text.inert import UNSAFE, inert

TokenKind = Literal["key", "string", "number", "literal", "punctuation", "note"]

INDENT = "  "
LONG_STRING_LIMIT = 10_000  # characters of a string shown before it is cut
MAX_LINES = 20_000  # a payload longer than this is cut: showing it would freeze the window
RAW_LIMIT = 1_000_000  # bytes of a raw frame shown before it is cut

# json.dumps(ensure_ascii=False) already escapes C0 controls; the rest of what could act
# on or reorder text (core.text.inert's UNSAFE: DEL and C1 controls, bidi marks, overrides and
# isolates, the line/paragraph separators a text view would break at, lone surrogates) is
# escaped the JSON way.
_ESCAPE_EXTRA = {code: f"\\u{code:04x}" for code in UNSAFE if code >= 0x7F}


@dataclass(frozen=True, slots=True)
class Token:
    """A span of a line's text to colour: *start* and *length* count Python characters."""

    start: int
    length: int
    kind: TokenKind


@dataclass(frozen=True, slots=True)
class Line:
    """One line of pretty JSON.

    ``path`` is the dotted path of the value the line opens or shows (``data.disk.0.used``),
    None on closing brackets and under keys a dotted path cannot name (empty, or holding a
    dot). ``value`` is the line's value when ``scalar`` is true (it may be None: JSON null),
    uncut even when the text shows a long string cut.
    """

    text: str
    path: str | None
    tokens: tuple[Token, ...] = ()
    value: Any = None
    scalar: bool = False


def json_string(text: str, limit: int = LONG_STRING_LIMIT) -> str:
    """*text* as a JSON string literal with every control, bidi and separator escaped.

    Longer than *limit* characters, it is cut and ends in ``…`` inside the quotes.
    """
    cut = text if len(text) <= limit else text[:limit] + "…"
    return json.dumps(cut, ensure_ascii=False).translate(_ESCAPE_EXTRA)


def scalar_text(value: Any) -> str:
    """A scalar as it appears in JSON: ``"web-1"``, ``93.5``, ``true``, ``null``."""
    if isinstance(value, str):
        return json_string(value)
    if value is None or isinstance(value, bool | int | float):
        return json.dumps(value)
    return json_string(str(value))


def pretty_lines(value: Any, root: str = "data") -> list[Line]:
    """*value* (decoded JSON) as 2-space indented lines; paths start at *root*.

    With ``root=""`` paths are bare (``host``) and the outermost line has no path.
    """
    lines: list[Line] = []
    try:
        _add(lines, value, root, key=None, depth=0, comma=False)
    except _TooLong:
        note = f"… the rest is not shown here ({MAX_LINES:,} lines at most); Copy as JSON has it"
        lines.append(_line([(note, "note")], None))
    return lines


class _TooLong(Exception):
    """Raised when a payload would take more than MAX_LINES lines to show."""


def _child_path(path: str | None, key: str) -> str | None:
    """The child's field path, or None when the query language cannot name it."""
    if path is None or not is_field_key(key):
        return None
    return f"{path}.{key}" if path else key


def _add(
    lines: list[Line], value: Any, path: str | None, key: str | None, depth: int, comma: bool
) -> None:
    """Append the lines of *value*, under *key* when it is a member of an object."""
    if len(lines) >= MAX_LINES:
        raise _TooLong
    pieces: list[tuple[str, TokenKind | None]] = [(INDENT * depth, None)]
    if key is not None:
        pieces += [(json_string(key), "key"), (":", "punctuation"), (" ", None)]
    tail: list[tuple[str, TokenKind | None]] = [(",", "punctuation")] if comma else []
    shown_path = path or None

    if isinstance(value, dict | list | tuple):
        items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
        opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
        if not items:
            lines.append(_line([*pieces, (opening + closing, "punctuation"), *tail], shown_path))
            return
        lines.append(_line([*pieces, (opening, "punctuation")], shown_path))
        is_object = isinstance(value, dict)
        for number, (item_key, item) in enumerate(items):
            name = str(item_key)
            _add(
                lines,
                item,
                _child_path(path, name),
                name if is_object else None,
                depth + 1,
                number < len(items) - 1,
            )
        lines.append(_line([(INDENT * depth, None), (closing, "punctuation"), *tail], None))
        return

    kind: TokenKind = "string"
    if value is None or isinstance(value, bool):
        kind = "literal"
    elif isinstance(value, int | float):
        kind = "number"
    pieces.append((scalar_text(value), kind))
    pieces += tail
    if isinstance(value, str) and len(value) > LONG_STRING_LIMIT:
        pieces += [(" ", None), (f"({len(value):,} characters, cut)", "note")]
    if not (value is None or isinstance(value, str | int | float)):
        value = str(value)  # not JSON: shown (and filtered on) as its text
    lines.append(_line(pieces, shown_path, value, scalar=True))


def _line(
    pieces: list[tuple[str, TokenKind | None]],
    path: str | None,
    value: Any = None,
    scalar: bool = False,
) -> Line:
    """Join *pieces* into a line, with a token for each piece that has a kind."""
    text = ""
    tokens: list[Token] = []
    for piece, kind in pieces:
        if kind is not None:
            tokens.append(Token(len(text), len(piece), kind))
        text += piece
    return Line(text, path, tuple(tokens), value, scalar)


def raw_text(raw: bytes, limit: int = RAW_LIMIT) -> str:
    """A raw frame as safe text: UTF-8 shown as text, invalid bytes as ``\\xNN``.

    Line breaks and tabs are kept; other controls are escaped as `inert` does (``\\r``,
    ``\\x1b``, ``\\u202e``). Backslashes already in the frame stay as they are, so JSON
    escapes read naturally. Past *limit* bytes the frame is cut, with a note.
    """
    shown = raw
    if len(raw) > limit:
        end = limit
        # Cut at a character boundary: back off over UTF-8 continuation bytes.
        while end > max(0, limit - 3) and raw[end] & 0xC0 == 0x80:
            end -= 1
        shown = raw[:end]
    text = inert(shown.decode("utf-8", "backslashreplace"), None, keep="\t\n")
    if len(shown) < len(raw):
        text += f"\n… (first {len(shown):,} of {len(raw):,} bytes shown)"
    return text

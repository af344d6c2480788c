"""What a TOML text may be before tomllib reads it, and what it may make.

tomllib reads arrays and inline tables by recursion (about 330 inside one another raise
RecursionError) and takes time that grows with the square of a dotted key's parts (16,000
parts: nine seconds). :func:`check_text` looks at the text first, in one pass, and refuses
brackets or dotted keys deeper than a limit, saying at which line and column;
:func:`check_document` then measures the document tomllib made, where ``[a.b]``,
``c.d = ...`` and ``[[...]]`` add up, and how many entries each table and array holds.
:func:`undecodable_at` says where bytes stop being UTF-8.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

NESTING_MESSAGE = "nested too deeply: at most {limit} levels of tables, arrays and dotted keys"

# What matters to nesting, in the order it must be tried; everything else is skipped.
_PIECES = re.compile(
    r'(?P<text>"""(?:[^"\\]+|\\[\s\S]|"(?!""))*(?:"{3,5}|\Z)'  # multi-line basic
    r"|'''(?:[^']+|'(?!''))*(?:'{3,5}|\Z)"  # multi-line literal
    r'|"(?:[^"\\\n]+|\\.)*"?'  # basic string (to the end of the line if unclosed)
    r"|'[^'\n]*'?"  # literal string
    r"|#[^\n]*)"  # comment
    r"|(?P<open>[\[{])|(?P<close>[\]}])|(?P<dot>\.)|(?P<end>[\n=,])"
)


class NestingError(ValueError):
    """Too deep, at a 1-based *line* and *column* of the text."""

    def __init__(self, line: int, column: int, limit: int) -> None:
        super().__init__(NESTING_MESSAGE.format(limit=limit))
        self.line = line
        self.column = column


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - text.rfind("\n", 0, offset)


def check_text(text: str, limit: int) -> None:
    """Raise :class:`NestingError` where arrays and inline tables open more than *limit*
    inside one another, or a key (a ``[table]`` header's too) has more than *limit* parts.

    Strings and comments are skipped; a ``[`` first on a line outside any value is a
    table header, not an array; dots count in keys, not in values (``1.5``). What is not
    valid TOML is left for tomllib to name.
    """
    opened: list[str] = []  # the brackets open around here, innermost last
    dots = 0  # in the key being read
    in_key = True  # a key (or a header) is what comes next, not a value
    header = False  # reading a [table] or [[table]] header
    line_start = True  # nothing but blanks since the last newline
    last_end = 0
    for piece in _PIECES.finditer(text):
        start, char = piece.start(), piece.group()
        if line_start and text[last_end:start].strip():
            line_start = False
        last_end = piece.end()
        kind = piece.lastgroup
        if kind == "dot":
            if in_key or header:
                dots += 1
                if dots >= limit:
                    raise NestingError(*_position(text, start), limit)
        elif kind == "end":
            dots = 0
            if char == "\n":
                header = False
                line_start = True
                in_key = in_key if opened else True
                continue
            # after "=" a value; after "," an inline table's next key or an array's value
            in_key = char == "," and bool(opened) and opened[-1] == "{"
        elif header:
            pass  # a header's brackets are not nesting
        elif kind == "open":
            if not opened and line_start and char == "[":
                header = True
            else:
                opened.append(char)
                if len(opened) > limit:
                    raise NestingError(*_position(text, start), limit)
                dots, in_key = 0, char == "{"
        elif kind == "close":
            if opened:
                opened.pop()
            in_key = False
        line_start = False


class ShapeError(ValueError):
    """A table or array too deep or too big in a document, at *path* (keys and 0-based
    indexes from the top)."""

    def __init__(self, path: list[str | int], message: str) -> None:
        super().__init__(message)
        self.path = path


def check_document(document: Mapping[str, Any], depth: int, entries: int) -> None:
    """Raise :class:`ShapeError` at the first table or array deeper than *depth* in
    *document*, or holding more than *entries* (the document itself aside). Walked with
    a stack: no recursion."""
    stack: list[tuple[Any, list[str | int]]] = [(document, [])]
    while stack:
        value, path = stack.pop()
        if not isinstance(value, dict | list):
            continue
        if len(path) > depth:
            raise ShapeError(path, NESTING_MESSAGE.format(limit=depth))
        if path and len(value) > entries:
            raise ShapeError(path, f"{len(value):,} entries, and at most {entries:,} may be here")
        items = value.items() if isinstance(value, dict) else enumerate(value)
        stack.extend((v, [*path, k]) for k, v in reversed(list(items)))


def undecodable_at(data: bytes, error: UnicodeDecodeError) -> tuple[int, int]:
    """The 1-based line and column (in characters) of the byte that *error* is about."""
    offset = error.start
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column

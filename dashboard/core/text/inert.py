"""Untrusted text made inert for a terminal, a log file, a notification or a widget.

A server chooses the words of a close reason, an HTTP reason phrase, an error body, a
header and an event's text. Written out as they are, its control characters would act on
the operator's terminal (``ESC[2J`` clears it, ``ESC]0;...BEL`` retitles it, colour codes
restyle what follows, a line break forges a log line) and its bidi overrides would make
the text read otherwise than it is. `inert` is the one way to neutralise them: each such
character is written as a visible escape, and the text is cut at a length.

Escaped (`UNSAFE`): C0 controls (``\\x00``-``\\x1f``), DEL and C1 controls
(``\\x7f``-``\\x9f``), the bidi marks, embeddings, overrides and isolates (U+061C, U+200E,
U+200F, U+202A-U+202E, U+2066-U+2069), the line and paragraph separators (U+2028, U+2029)
and lone surrogates (which no terminal encoding can write). Below U+0080 an escape reads
``\\x1b`` (tab, line feed and carriage return: ``\\t``, ``\\n``, ``\\r``); above,
``\\u202e``. Backslashes already in the text are left as they are, so a
server can make text that *looks* like an escape, never one that acts like a control.

Pure: no I/O, no Qt.
"""

from __future__ import annotations

import functools
import re

__all__ = ["INERT_LIMIT", "UNSAFE", "inert"]

INERT_LIMIT = 200  # characters of a server's string quoted in a message, by default

UNSAFE = frozenset(
    (
        *range(0x20),  # C0
        *range(0x7F, 0xA0),  # DEL, C1
        *(0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)),  # bidi
        *(0x2028, 0x2029),  # line and paragraph separators
        *range(0xD800, 0xE000),  # surrogates
    )
)


_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x80:
        return _SHORT.get(char) or f"\\x{code:02x}"
    return f"\\u{code:04x}"


@functools.cache
def _unsafe(keep: str) -> re.Pattern[str]:
    """A pattern for one character of UNSAFE, except those in *keep*."""
    codes = sorted(UNSAFE - {ord(c) for c in keep})
    ranges: list[tuple[int, int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    spans = "".join(
        f"\\u{low:04x}" if low == high else f"\\u{low:04x}-\\u{high:04x}" for low, high in ranges
    )
    return re.compile(f"[{spans}]")


def _cut_note(cut: int) -> str:
    return f"… ({cut:,} more character{'s' if cut != 1 else ''})"


def inert(text: str, limit: int | None = INERT_LIMIT, keep: str = "", note: bool = True) -> str:
    """*text* with every `UNSAFE` character (but those in *keep*, say ``"\\n"``) written as a
    visible escape, and at most *limit* characters long (None: no limit).

    Cut, it ends in ``… (1,234 more characters)``, counting the characters of *text* left
    out; with *note* false, in ``…`` alone, within *limit* (a table cell). A cut never
    splits an escape. Text already inert comes back unchanged (up to the cut).
    """
    unsafe = _unsafe(keep)
    if limit is None or len(text) <= limit:
        if unsafe.search(text) is None:
            return text
        escaped = unsafe.sub(lambda m: _escape(m[0]), text)
        if limit is None or len(escaped) <= limit:
            return escaped
    room = limit if note else max(limit - 1, 0)
    # How much of *text* fits in *room* characters once escaped.
    shown: list[str] = []
    size = used = 0
    for match in unsafe.finditer(text, 0, room + 1):
        plain = min(match.start() - used, room - size)
        shown.append(text[used : used + plain])
        size += plain
        used += plain
        escape = _escape(match[0])
        if used < match.start() or size + len(escape) > room:
            break
        shown.append(escape)
        size += len(escape)
        used = match.end()
    else:
        plain = min(len(text) - used, room - size)
        shown.append(text[used : used + plain])
        used += plain
    if used == len(text):
        return "".join(shown)
    return "".join(shown) + (_cut_note(len(text) - used) if note else "…")

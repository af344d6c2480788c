"""A line of a log file as an event: JSON lines through the decoder, text lines read for
their time and severity. Pure: no I/O.

Recognised in a text line (anything else keeps the arrival time and severity info):

* time at the start: RFC 3339 / ISO 8601 (``2026-12-06T07:45:40.123Z``,
  ``2026-12-06 07:45:40,123`` as Python's logging writes it, ``2026/12/06 07:45:40``),
  optionally in square brackets; a syslog priority ``<PRI>`` before it, or a traditional
  syslog time (``Dec  6 07:45:40``: local time, this year) after it;
* severity: the syslog priority, else ``level=``/``lvl=``/``severity=`` (logfmt), else a
  level in square brackets (``[WARN]``, ``[error]``), else an upper-case level word
  (``ERROR``, ``WARN``...) among the first three words after the time.

A text line's payload is the line itself (its raw bytes decode to the same, so the store
can rebuild it); its type is ``log``.
"""

from __future__ import annotations

import re
import time as _time

from dashboard.core.events.decode import Decoder, iso_time
from dashboard.core.events.event import Rejected, Row, Severity

__all__ = ["TEXT_TYPE", "line_row", "read_log_line"]

TEXT_TYPE = "log"

_ISO = re.compile(
    r"\[?(\d{4})[-/](\d\d)[-/](\d\d)[T ](\d\d:\d\d:\d\d)(?:[.,](\d{1,9}))?"
    r"(Z|z|[+-]\d\d:?\d\d)?\]?(?=[\s|:;,\]]|$)"
)
_SYSLOG_PRI = re.compile(r"<(\d{1,3})>(?:1 )?")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}
_BSD_TIME = re.compile(rf"({'|'.join(_MONTH_NAMES)}) ([ \d]\d) (\d\d):(\d\d):(\d\d)\b")
_LOGFMT_LEVEL = re.compile(r"(?:^|\s)(?:level|lvl|severity)=[\"']?([A-Za-z]+)")
_BRACKETED = re.compile(r"\[([A-Za-z]{3,11})\]")
_UPPER_LEVELS = frozenset(
    ("TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "WARNING", "ERROR", "ERR", "CRIT", "CRITICAL",
     "FATAL", "ALERT", "EMERG")
)  # fmt: skip
# syslog severities 0-7: emerg, alert, crit, err, warning, notice, info, debug
_SYSLOG_SEVERITY = (
    Severity.CRITICAL, Severity.CRITICAL, Severity.CRITICAL, Severity.ERROR,
    Severity.WARNING, Severity.NOTICE, Severity.INFO, Severity.DEBUG,
)  # fmt: skip
_MINUTES: dict[tuple[str | None, ...], float] = {}  # a minute's epoch, by its text
_MINUTES_KEPT = 4096
_LOOK_AT = 120  # characters at the start of a line where a bracketed level may be
_FIRST = frozenset("0123456789<[")  # what a line with a time or priority starts with
_JSON_START = frozenset((b"{", b"[", b'"'))  # a line that starts so is JSON (or rejected)
_SCALAR_START = frozenset(bytes([c]) for c in b"-0123456789tfn")  # a JSON number, true...
_WHITESPACE = frozenset((b" ", b"\t"))
_INFO = int(Severity.INFO)


def read_log_line(text: str, received: float) -> tuple[float | None, Severity | None]:
    """The time (epoch seconds) and severity a text log line states, each None if it
    states none. *received* gives the year of a syslog time, which has none."""
    when: float | None = None
    severity: Severity | None = None
    rest = text
    if text[:1] in _FIRST:
        pri = _SYSLOG_PRI.match(text) if text[0] == "<" else None
        if pri is not None and int(pri[1]) < 192:
            severity = _SYSLOG_SEVERITY[int(pri[1]) % 8]
            rest = text[pri.end() :]
        iso = _ISO.match(rest)
        if iso is not None:
            when = _iso_time(iso)
            rest = rest[iso.end() :]
    if when is None:
        bsd = _BSD_TIME.match(rest)
        if bsd is not None:
            when = _bsd_time(bsd, received)
            rest = rest[bsd.end() :]
    if severity is None:
        severity = _stated_level(rest)
    return when, severity


def _iso_time(match: re.Match[str]) -> float | None:
    year, month, day, clock, fraction, zone = match.groups()
    minute = (year, month, day, clock[:5], zone)
    base = _MINUTES.get(minute)
    if base is None:  # (lines come many to a minute: each minute is read once)
        text = f"{year}-{month}-{day}T{clock[:5]}"
        if zone:
            text += "+00:00" if zone in "Zz" else zone
        base = iso_time(text)
        if base is None:
            return None
        if len(_MINUTES) >= _MINUTES_KEPT:
            _MINUTES.clear()
        _MINUTES[minute] = base
    seconds = int(clock[6:])
    if seconds > 59:
        return None
    return base + seconds + (int(fraction[:6]) / 10 ** len(fraction[:6]) if fraction else 0.0)


def _bsd_time(match: re.Match[str], received: float) -> float | None:
    month, day, hour, minute, second = match.groups()
    year = _time.localtime(received).tm_year
    try:
        when = _time.mktime(
            (year, _MONTHS[month], int(day), int(hour), int(minute), int(second), 0, 0, -1)
        )
    except (OverflowError, ValueError):
        return None
    if when > received + 86_400:  # December's lines read in January: last year's
        when = _time.mktime(
            (year - 1, _MONTHS[month], int(day), int(hour), int(minute), int(second), 0, 0, -1)
        )
    return when


def _stated_level(text: str) -> Severity | None:
    if "=" in text:
        logfmt = _LOGFMT_LEVEL.search(text)
        if logfmt is not None:
            named = Severity.named(logfmt[1])
            if named is not None:
                return named
    head = text[:_LOOK_AT]
    if "[" in head:
        for bracketed in _BRACKETED.finditer(head):
            named = Severity.named(bracketed[1])
            if named is not None:
                return named
    for word in head.split(None, 3)[:3]:
        word = word.rstrip(":")
        if word in _UPPER_LEVELS:
            return Severity.named(word)
    return None


def line_row(decoder: Decoder, line: bytes, received: float) -> Row | Rejected:
    """One line (or one JSON document) of a file or a pipe as a row. A line that starts
    like JSON (``{``, ``[``, ``"``), or is one word that may be JSON (``42``, ``true``), is
    the decoder's (but one starting ``[`` that is no JSON is text); any other is a text
    line, typed ``log``, with the time and severity it states (not tried as JSON first:
    that costs an exception per line)."""
    first = line[:1]
    if first in _WHITESPACE:
        first = line.lstrip()[:1]
    if (
        first in _JSON_START
        or (first in _SCALAR_START and b" " not in line.strip())  # 42, true, -1.5
        or len(line) > decoder.max_frame_bytes
    ):
        row = decoder.decode_row(line, received)
        # A line that starts with [ and is no JSON is a log line's bracket ([WARN] retrying,
        # [2026/12/06 07:45:40] ...), not a broken array: read as text below
        if first != b"[" or type(row) is tuple or not row.reason.startswith("invalid JSON"):
            return row
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:  # repaired as any frame is (core.events.decode): kept, counted
        text = line.decode("utf-8", "replace")
        decoder.repaired += 1
    when, severity = read_log_line(text, received)
    return (
        TEXT_TYPE,
        received if when is None else when,
        received,
        decoder.connection,
        _INFO if severity is None else int(severity),
        text,
        line,
        None,
        None,
    )

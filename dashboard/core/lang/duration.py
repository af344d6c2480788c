"""The one duration grammar: ``30s``, ``5m``, ``1h30m``, ``250ms``, ``2d``, ``1w``.

A duration is one or more steps of a number and a unit (``ms``, ``s``, ``m``, ``h``, ``d``,
``w``), largest first, each unit at most once; spaces between them are allowed. Alert
rules, the query language (``time>-5m``), Redis options (``from=-10m``) and layout files
all read durations through :func:`parse_duration`, so that what one accepts they all do.

A setting that holds a duration declares its :class:`DurationRange` once, and the command
line, the layout file, the transport's option and the dialog all check it with
:meth:`DurationRange.read`, so a value one of them takes loads in every other (most take
:data:`SETTINGS`, 100ms to 365d).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = [
    "SETTINGS",
    "UNIT_SECONDS",
    "DurationRange",
    "duration_seconds",
    "format_duration",
    "parse_ago",
    "parse_duration",
]

UNIT_SECONDS = {"w": 604_800.0, "d": 86_400.0, "h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
_STEP = r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)"
_WHOLE = re.compile(rf"\s*(?:{_STEP}\s*)+")
_STEPS = re.compile(_STEP)
_ORDER = list(UNIT_SECONDS)  # largest first


def duration_seconds(text: str) -> float | None:
    """Seconds from a duration written with units (``1h30m``), or None when *text* is not
    one (a bare number, a unit twice, units out of order...)."""
    if len(text) > 100 or not _WHOLE.fullmatch(text):
        return None
    total, last = 0.0, -1
    for number, unit in _STEPS.findall(text):
        place = _ORDER.index(unit)
        if place <= last:
            return None  # 5m1h or 1m1m: not a duration anyone means
        last = place
        total += float(number) * UNIT_SECONDS[unit]
    return total


def parse_duration(value: Any, what: str) -> float:
    """Seconds from a duration (``30s``, ``1h30m``, ``250ms``) or a plain number of seconds
    (``30``, ``"30"``); ValueError naming *what* otherwise."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            return float(text)
        seconds = duration_seconds(text)
        if seconds is not None:
            return seconds
    raise ValueError(f"{what}: expected a duration like 30s, 5m or 1h, not {value!r}")


def format_duration(seconds: float) -> str:
    """*seconds* as the grammar writes them, what :func:`parse_duration` reads back exactly:
    ``45s``, ``1m30s``, ``250ms``, ``365d``, ``0.0001s``."""
    milliseconds = round(seconds * 1000)
    if seconds <= 0 or milliseconds / 1000 != seconds:  # not whole milliseconds
        text = format(Decimal(repr(float(seconds))), "f")  # 1e-07 -> 0.0000001
        return f"{text.rstrip('0').rstrip('.') if '.' in text else text}s"
    steps = []
    for unit in ("d", "h", "m", "s", "ms"):
        size = round(UNIT_SECONDS[unit] * 1000)
        count, milliseconds = divmod(milliseconds, size)
        if count:
            steps.append(f"{count}{unit}")
    return "".join(steps)


@dataclass(frozen=True)
class DurationRange:
    """The durations one setting takes: from *low* to *high* seconds, both included."""

    low: float
    high: float

    def __str__(self) -> str:
        return f"{format_duration(self.low)} to {format_duration(self.high)}"

    def read(self, value: Any, what: str) -> float:
        """Seconds from *value* (a duration or a number of seconds) within the range;
        ValueError naming *what*, and the range when it is outside."""
        seconds = parse_duration(value, what)
        if not self.low <= seconds <= self.high:
            raise ValueError(f"{what}: {value!r} is out of range ({self})")
        return seconds


# A layout's durations (heartbeat, a card's window, an alert's connection_down...) and the
# flags and options that set them: short enough to mean something, long enough for any use.
SETTINGS = DurationRange(0.1, 365 * 86_400.0)


def parse_ago(text: str) -> float | None:
    """The seconds of a time ago written ``-5m`` or ``-1h30m`` (a duration after a minus),
    or None when *text* is not one."""
    text = text.strip()
    if not text.startswith("-"):
        return None
    return duration_seconds(text[1:])

"""Polled endpoints: the interval an operator types, and which answers are news.

An interval is a duration in the one grammar (``core.lang.duration``: ``5s``, ``500ms``, ``2m``,
``1h30m``) or a number of seconds; from MIN_INTERVAL to MAX_INTERVAL. With
``poll_changes`` an answer is an event only when it differs from the one before in its
type, severity or payload: its time (a ``checked_at`` the server stamps on every answer
under one of the time keys) does not count. The answer before is the one thing kept, so
the memory is one answer (at most the frame size limit).
"""

from __future__ import annotations

from typing import Any

from dashboard.core.events.event import Row
from dashboard.core.lang.duration import parse_duration

__all__ = ["MAX_INTERVAL", "MIN_INTERVAL", "ChangedAnswers", "parse_interval"]

MIN_INTERVAL = 0.1
MAX_INTERVAL = 86_400.0


def parse_interval(text: str) -> float:
    """Seconds from ``5s``, ``500ms``, ``2m``, ``1h`` or ``5``; ValueError saying what is
    wrong."""
    try:
        seconds = parse_duration(text, "interval")
    except ValueError:
        raise ValueError(f"expected an interval like 5s, 500ms or 2m, got {text!r}") from None
    if not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
        raise ValueError(
            f"the interval must be from {MIN_INTERVAL * 1000:g} ms to 24 h, got {text.strip()!r}"
        )
    return seconds


class ChangedAnswers:
    """Says whether a poll's answer (a decoded row) differs from the one before."""

    def __init__(self) -> None:
        self._last: tuple[str, int, Any] | None = None

    def is_news(self, row: Row) -> bool:
        key = (row[0], row[4], row[5])  # type, severity, payload
        if key == self._last:
            return False
        self._last = key
        return True

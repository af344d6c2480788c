"""Polled endpoints: the interval an operator types, and which answers are news.

An interval is a duration in the one grammar (``core.lang.duration``: ``5s``, ``500ms``, ``2m``,
``1h30m``) or a number of seconds, within POLL_INTERVALS. With
``poll_changes`` an answer is an event only when it differs from the one before in its
type, severity or payload: its time (a ``checked_at`` the server stamps on every answer
under one of the time keys) does not count. The answer before is the one thing kept, so
the memory is one answer (at most the frame size limit).
"""

from __future__ import annotations

from typing import Any

from dashboard.core.events.event import Row
from dashboard.core.lang.duration import DurationRange

__all__ = ["POLL_INTERVALS", "ChangedAnswers"]

POLL_INTERVALS = DurationRange(0.1, 86_400.0)  # the poll option's: 100ms to 24h


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

"""One-line, plain-text summaries of events for the log and the alert panel."""

from __future__ import annotations

from typing import Any

import orjson

from dashboard.core.events.event import Event
from dashboard.core.events.nesting import json_bytes
from dashboard.core.text.inert import inert

_SPACES = dict.fromkeys(map(ord, "\t\n\r"), " ")


def harmless(text: str) -> str:
    """*text* with controls and bidi characters escaped visibly (`inert`), its line breaks
    kept (a tooltip of several lines)."""
    return inert(text, None, keep="\n")


def one_line(text: str, limit: int = 240) -> str:
    """*text* on one line: tabs and line breaks as spaces, other controls and bidi
    characters escaped visibly (`inert`), cut at *limit* characters (the last one ``…``)."""
    return inert(text[: limit + 1].translate(_SPACES), limit, note=False)


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value if value and " " not in value and "=" not in value else f'"{value}"'
    if isinstance(value, bool) or value is None:
        return orjson.dumps(value).decode()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return str(value)
    return json_bytes(value).decode()  # (an object of any depth: never raises)


# The field that says what happened in words goes first, whichever of these it is.
_HEADLINE_KEYS = ("message", "msg", "reason", "error", "description")


def summarize(event: Event, limit: int = 240) -> str:
    """The headline field (``message``, ``reason``...) first, then ``key=value`` pairs:
    on one line, inert, at most *limit* characters."""
    return one_line(summary_text(event, limit), limit)


def summary_text(event: Event, limit: int = 240) -> str:
    """What :func:`summarize` shows, in the event's own words (not escaped, line breaks
    kept): for storing, to be made inert where it is shown. Longer than *limit* only by
    its last part (a long headline is whole): the caller cuts it."""
    data = event.data
    if isinstance(data, dict):
        headline = next((k for k in _HEADLINE_KEYS if isinstance(data.get(k), str)), None)
        parts = [data[headline]] if headline else []
        size = len(parts[0]) if parts else 0
        for key, value in data.items():
            if key == headline:
                continue
            part = f"{key}={_scalar(value)}"
            parts.append(part)
            size += len(part) + 1
            if size > limit:
                break
        text = " ".join(parts)
    elif isinstance(data, str):
        text = data
    else:
        text = _scalar(data)
    return text

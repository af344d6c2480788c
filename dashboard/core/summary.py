"""One-line, plain-text summaries of events for the log and the alert panel."""

from __future__ import annotations

from typing import Any

import orjson

from dashboard.core.event import Event

# Line breaks and other C0/C1 controls (and bidi overrides) would break a one-line cell or
# reorder what follows; show a visible stand-in instead.
_CONTROL = dict.fromkeys(range(32), " ") | {0x7F: " "} | dict.fromkeys(range(128, 160), " ")
_CONTROL.update(dict.fromkeys((8234, 8235, 8236, 8237, 8238), "�"))
_CONTROL.update(dict.fromkeys((8294, 8295, 8296, 8297), "�"))


_CONTROL_BUT_LINES = {k: v for k, v in _CONTROL.items() if k != 10}


def harmless(text: str) -> str:
    """*text* with controls and bidi overrides made visible-safe, its line breaks kept (a
    tooltip of several lines)."""
    return text.translate(_CONTROL_BUT_LINES)


def one_line(text: str, limit: int = 240) -> str:
    """*text* on one line, with controls made visible-safe, cut at *limit* characters."""
    text = text.translate(_CONTROL)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value if value and " " not in value and "=" not in value else f'"{value}"'
    if isinstance(value, bool) or value is None:
        return orjson.dumps(value).decode()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return str(value)
    return orjson.dumps(value, default=str).decode()


# The field that says what happened in words goes first, whichever of these it is.
_HEADLINE_KEYS = ("message", "msg", "reason", "error", "description")


def summarize(event: Event, limit: int = 240) -> str:
    """The headline field (``message``, ``reason``...) first, then ``key=value`` pairs."""
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
    return one_line(text, limit)

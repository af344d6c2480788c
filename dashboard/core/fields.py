"""Reading fields out of event payloads by dotted path."""

from __future__ import annotations

from typing import Any

MISSING = object()


def lookup(data: Any, path: str) -> Any:
    """The value at a dotted *path* (``a.b.0.c``) in nested dicts and lists, else MISSING."""
    value = data
    for part in path.split("."):
        if isinstance(value, dict):
            if part not in value:
                return MISSING
            value = value[part]
        elif isinstance(value, list) and part.lstrip("-").isdigit():
            index = int(part)
            if not -len(value) <= index < len(value):
                return MISSING
            value = value[index]
        else:
            return MISSING
    return value


def as_number(value: Any) -> float | None:
    """A float for ints, floats and numeric strings; None for anything else (and booleans)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None

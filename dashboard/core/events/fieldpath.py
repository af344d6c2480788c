"""Reading fields out of event payloads by dotted path."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from numbers import Real
from typing import Any

from dashboard.core.events.event import Event

MISSING = object()
_INDEX = re.compile(r"-?[0-9]+")  # an array index in a path (ASCII digits only)


def lookup(data: Any, path: str) -> Any:
    """The value at a dotted *path* (``a.b.0.c``) in nested dicts and lists, else MISSING."""
    if type(data) is dict and "." not in path:  # the common case, once per event and card
        return data.get(path, MISSING)
    value = data
    for part in path.split("."):
        if isinstance(value, dict):
            if part not in value:
                return MISSING
            value = value[part]
        elif isinstance(value, list) and _INDEX.fullmatch(part):
            index = int(part)
            if not -len(value) <= index < len(value):
                return MISSING
            value = value[index]
        else:
            return MISSING
    return value


def as_number(value: Any) -> float | None:
    """A float for numbers (numpy's too) and numeric strings; None for anything else (and
    booleans)."""
    kind = type(value)
    if kind is float:  # the common cases first: checking against Real is slow
        return value  # type: ignore[no-any-return]
    if kind is int:
        return float(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, Real):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def numbers(events: Iterable[Event], event_type: str, path: str) -> Iterator[tuple[Event, float]]:
    """Each event of *event_type* whose field at *path* is a number, with that number."""
    for event in events:
        if event.type == event_type:
            number = as_number(lookup(event.data, path))
            if number is not None:
                yield event, number

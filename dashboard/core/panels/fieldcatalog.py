"""Field discovery: which fields the events of each type carry, for payloads of unknown shape.

A :class:`FieldCatalog` folds a tick's events at a time. It counts every event but walks the
payloads of only a few of the newest events per type, and bounds depth, paths and types, so
a fast or hostile feed cannot make it slow or big: it holds at most MAX_TYPES types of
MAX_PATHS paths each, with a value of at most TEXT_LIMIT characters per path, and no event
or payload once a fold returns. Past MAX_PATHS, a type's paths are counted (in its newest
sampled event, now and then), not kept.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dashboard.core.events.event import Event
from dashboard.core.events.fieldpath import as_number
from dashboard.core.panels.rate import RateMeter

SAMPLE_PER_TYPE = 4  # payloads walked per type per fold (the newest)
MAX_DEPTH = 8  # parts in a path
MAX_PATHS = 300  # paths tracked per type; past it, new paths are counted, not kept
MAX_TYPES = 200
LIST_ELEMENTS = 3  # a list's first elements get their own paths
MAX_KEY = 200  # longer keys are left out: a path nobody can read
TEXT_LIMIT = 200  # characters of a text value kept (never pin a big payload)
_WALK_LIMIT = 1_000  # paths read from one payload
_DROPPED_NAMES = 10_000  # distinct dropped types remembered (and so counted)
COUNT_LIMIT = 200_000  # paths counted in one payload at most: past it, "more than"
COUNT_EVERY_S = 1.0  # a type with MAX_PATHS paths counts those of its newest event this often
RATE_WINDOW = 10  # seconds the rate looks back over, in 1 s buckets

KINDS = ("number", "text", "boolean", "object", "list", "null")


@dataclass(slots=True)
class FieldInfo:
    """One path of one event type, updated in place as events are folded.

    ``seen`` counts the sampled events that had the path, ``sampled`` every sampled event of
    the type; ``last`` is the newest value (text cut short; ``{3 keys}`` / ``[5 items]`` for
    objects and lists).
    """

    path: str
    kind: str
    kinds: set[str] = field(default_factory=set)
    last: Any = None
    seen: int = 0
    sampled: int = 0
    numeric_text: bool = True  # every text value so far read as a number ("41.5")

    @property
    def frequency(self) -> float:
        """The share of the type's sampled events that carried this path (0..1)."""
        return self.seen / self.sampled if self.sampled else 0.0

    @property
    def is_numeric(self) -> bool:
        """Whether a card or chart can show it: numbers, or text that always read as one."""
        return self.kind == "number" or (self.kind == "text" and self.numeric_text)

    @property
    def kinds_text(self) -> str:
        """``number|text`` when the kind changed over time, else the one kind."""
        return "|".join(k for k in KINDS if k in self.kinds) if len(self.kinds) > 1 else self.kind


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """A snapshot of one event type: ``truncated`` when limits left some of its fields out.

    ``newest_paths`` is, once the type has MAX_PATHS fields, how many paths a recent sampled
    event of it had (counted at most every COUNT_EVERY_S; COUNT_LIMIT means that many or
    more); 0 before.
    """

    name: str
    total: int
    rate: float  # events per second over the last RATE_WINDOW seconds
    last_seen: float  # the newest event's time
    sampled: int
    field_count: int
    truncated: bool
    newest_paths: int = 0

    @property
    def full(self) -> bool:
        """Whether paths were left out because the type has as many as it may track."""
        return self.truncated and self.field_count >= MAX_PATHS


class _TypeStats:
    __slots__ = (
        "counted_at", "fields", "last_seen", "newest_paths", "rate", "sampled", "total",
        "truncated",
    )  # fmt: skip

    def __init__(self, now: float) -> None:
        self.fields: dict[str, FieldInfo] = {}
        self.rate = RateMeter(RATE_WINDOW, RATE_WINDOW)
        self.total = 0
        self.sampled = 0
        self.last_seen = 0.0
        self.truncated = False
        self.newest_paths = 0  # see TypeInfo
        self.counted_at = -math.inf


class FieldCatalog:
    """The fields of each event type, their kinds, last values and how often they come."""

    def __init__(self) -> None:
        self._types: dict[str, _TypeStats] = {}
        # Hashes of the dropped types' names, not the names: a name may be long.
        self._dropped: set[int] = set()
        self.now = 0.0  # the *now* of the latest fold

    def clear(self) -> None:
        self._types.clear()
        self._dropped.clear()
        self.now = 0.0

    @property
    def dropped_types(self) -> int:
        """How many event types were left out because there were too many (saturates)."""
        return len(self._dropped)

    def fold(self, events: Iterable[Event], now: float) -> bool:
        """Take in a tick's events; True if a type, a path or a kind was new."""
        self.now = now
        batch = events if isinstance(events, Sequence) else list(events)
        counts: dict[str, int] = {}
        samples: dict[str, list[Event]] = {}
        for event in reversed(batch):  # newest first: those are the ones sampled
            name = event.type
            n = counts.get(name, 0)
            counts[name] = n + 1
            if n < SAMPLE_PER_TYPE:
                samples.setdefault(name, []).append(event)
        new = False
        for name, count in counts.items():
            stats = self._types.get(name)
            if stats is None:
                if len(self._types) >= MAX_TYPES:
                    if len(self._dropped) < _DROPPED_NAMES:
                        self._dropped.add(hash(name))
                    continue
                stats = self._types[name] = _TypeStats(now)
                new = True
            stats.total += count
            stats.rate.add(now, count)
            sample = samples[name]
            stats.last_seen = sample[0].time
            for event in reversed(sample):
                new |= _fold_payload(stats, event.data)
            if len(stats.fields) >= MAX_PATHS and now - stats.counted_at >= COUNT_EVERY_S:
                stats.newest_paths = count_paths(sample[0].data)
                stats.counted_at = now
            stats.sampled += len(sample)
            for info in stats.fields.values():
                info.sampled = stats.sampled
        return new

    def types(self) -> list[str]:
        return sorted(self._types)

    def fields(self, event_type: str) -> list[FieldInfo]:
        """The type's fields by path: live records, updated by later folds (do not change)."""
        stats = self._types.get(event_type)
        return sorted(stats.fields.values(), key=lambda f: f.path) if stats else []

    def type_info(self, event_type: str, now: float | None = None) -> TypeInfo | None:
        """The type's counts, with its rate at *now* (default: the latest fold's)."""
        stats = self._types.get(event_type)
        if stats is None:
            return None
        rate = stats.rate.rate(self.now if now is None else now)
        return TypeInfo(
            event_type,
            stats.total,
            rate,
            stats.last_seen,
            stats.sampled,
            len(stats.fields),
            stats.truncated,
            stats.newest_paths,
        )


def _fold_payload(stats: _TypeStats, data: Any) -> bool:
    """One sampled payload into its type's fields; True if a path or kind was new."""
    found, truncated = _paths(data)
    stats.truncated |= truncated
    fields = stats.fields
    new = False
    for path, value in found:
        kind = _kind(value)
        info = fields.get(path)
        if info is None:
            if len(fields) >= MAX_PATHS:
                stats.truncated = True
                continue
            info = fields[path] = FieldInfo(path, kind, {kind})
            new = True
        elif kind not in info.kinds:
            info.kinds.add(kind)
            new = True
        info.kind = kind
        info.seen += 1
        if kind == "text":
            text = value if isinstance(value, str) else str(value)
            if info.numeric_text and as_number(text) is None:
                info.numeric_text = False
            info.last = text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT] + "…"
        elif kind == "object":
            info.last = _count(len(value), "key", "{", "}")
        elif kind == "list":
            info.last = _count(len(value), "item", "[", "]")
        else:
            info.last = value
    return new


def _paths(data: Any) -> tuple[list[tuple[str, Any]], bool]:
    """Every (path, value) in *data* that :func:`dashboard.core.events.fieldpath.lookup` can read,
    within the limits; and whether the limits left some out."""
    found: list[tuple[str, Any]] = []
    # (Not a closure that calls itself: that is a reference cycle, which kept each walked
    # payload's values alive until the next full garbage collection.)
    truncated = _visit(data, "", 1, found)
    return found, truncated


def _visit(value: Any, prefix: str, depth: int, found: list[tuple[str, Any]]) -> bool:
    """Add the paths under *value* to *found*; True if the limits left some out."""
    if isinstance(value, dict):
        items: Iterable[tuple[Any, Any]] = value.items()
    elif isinstance(value, list):
        items = ((str(i), v) for i, v in enumerate(value[:LIST_ELEMENTS]))
    else:
        return False
    if depth > MAX_DEPTH:
        return bool(value)
    truncated = False
    for key, child in items:
        if len(found) >= _WALK_LIMIT:
            return True
        # lookup() splits on dots: such keys (and empty ones) have no path.
        if not isinstance(key, str) or not key or "." in key or len(key) > MAX_KEY:
            truncated = True
            continue
        path = f"{prefix}.{key}" if prefix else key
        found.append((path, child))
        truncated |= _visit(child, path, depth + 1, found)
    return truncated


def count_paths(data: Any, limit: int = COUNT_LIMIT) -> int:
    """How many paths :func:`_paths` would find in *data* if it had no limit on their number
    (its limits on depth, list elements and keys hold), up to *limit*. Nothing is kept."""
    count = 0
    stack = [(data, 1)]
    while stack and count < limit:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            continue
        if isinstance(value, dict):
            if _plain_keys(value):  # the common case, without a look at each key
                count += len(value)
                stack.extend((c, depth + 1) for c in value.values() if isinstance(c, _NESTED) and c)
                continue
            for key, child in value.items():
                if not isinstance(key, str) or not key or "." in key or len(key) > MAX_KEY:
                    continue
                count += 1
                if isinstance(child, dict | list) and child:
                    stack.append((child, depth + 1))
        elif isinstance(value, list):
            for child in value[:LIST_ELEMENTS]:
                count += 1
                if isinstance(child, dict | list) and child:
                    stack.append((child, depth + 1))
    return min(count, limit)


_NESTED = (dict, list)


def _plain_keys(value: dict[Any, Any]) -> bool:
    """Whether every key of *value* names a path: text, not empty, no dot, not too long."""
    try:
        joined = "".join(value)
    except TypeError:  # a key that is not text
        return False
    return "" not in value and "." not in joined and max(map(len, value), default=0) <= MAX_KEY


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "list"
    if value is None:
        return "null"
    return "text"  # not from JSON; shown as text


def _count(n: int, noun: str, opening: str, closing: str) -> str:
    return f"{opening}{n:,} {noun}{'' if n == 1 else 's'}{closing}"

"""Metric cards: which events a card reads, what figure it makes of them, how it shows it.

A card's figure is one of:

- ``last``: the newest value (a number, or a text such as ``status`` with mappings);
- ``mean`` / ``sum``: of each source's newest value (the CPU of a fleet);
- ``total``: the sum of every value received;
- ``rate``: a counter's increase per second over the window, summed over sources
  (a counter that goes down was reset: its new value counts as increase);
- ``count``: how many events (of the type, matching the query) arrived in the window;
- ``avg`` / ``min`` / ``max``: over the values of the window.

Windows are kept in buckets (a 60th of the window each), so a card over an hour of a
100,000 events/s feed holds 60 numbers, not 360 million. Windows and staleness go by when
events *arrived* (``received``): a producer whose clock is off by minutes still counts in
"the last minute", and a replay, whose clock is the recording's arrival times, shows what
the live window showed.
"""

from __future__ import annotations

import dataclasses
import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dashboard.core.events.event import Event
from dashboard.core.events.fieldpath import MISSING, as_number, lookup
from dashboard.core.lang.query import Query, parse
from dashboard.core.panels.cardformat import Thresholds, ValueMapping, format_value, map_value

SHOW = ("last", "mean", "sum", "total", "rate", "count", "avg", "min", "max")
WINDOWED = ("rate", "count", "avg", "min", "max")
NEWEST_ONLY = ("last", "mean", "sum")  # figures made of each source's newest value
BUCKETS = 60  # per window
SPARK_POINTS = 60  # figures kept for the sparkline
# Sources whose newest value (or counter) a card keeps; past it the one heard from least
# recently is forgotten (a feed inventing source names must not grow a card without end).
MAX_SOURCES = 10_000
SAMPLE_S = 1.0  # ... one a second at most
SHOW_CHOICES = (
    ("last", "Newest value"),
    ("mean", "Mean of each source's newest"),
    ("sum", "Sum of each source's newest"),
    ("total", "Total of every value"),
    ("rate", "Rate per second (a counter)"),
    ("count", "Count of events in the window"),
    ("avg", "Average over the window"),
    ("min", "Lowest in the window"),
    ("max", "Highest in the window"),
)
STYLE_CHOICES = (
    ("number", "Number"),
    ("si", "SI prefixes (k, M, G)"),
    ("percent", "Percent of a fraction"),
    ("bytes", "Bytes (KiB, MiB)"),
    ("duration", "Duration (seconds)"),
)

DEFAULT_STALE_S = 30.0
MAX_DECIMALS = 12


@dataclass(frozen=True)
class CardSpec:
    """What a card shows. ``type`` empty means events of any type (a count with a query)."""

    title: str
    type: str = ""
    field: str = ""
    show: str = "last"
    window: float = 60.0
    query: str = ""
    style: str = "number"
    unit: str = ""
    decimals: int | None = None
    thresholds: Thresholds = dataclasses.field(default_factory=Thresholds)
    mappings: tuple[ValueMapping, ...] = ()
    stale_after: float | None = DEFAULT_STALE_S
    description: str = ""

    def __post_init__(self) -> None:
        if self.show not in SHOW:
            raise ValueError(f"show: {self.show!r} is not one of {', '.join(SHOW)}")
        if self.show != "count" and not self.field:
            raise ValueError(f"show = {self.show!r} needs a field")
        if self.window <= 0:
            raise ValueError("window must be longer than 0")
        if self.decimals is not None and (
            isinstance(self.decimals, bool) or not 0 <= self.decimals <= MAX_DECIMALS
        ):
            raise ValueError(f"decimals: expected a whole number 0 to {MAX_DECIMALS}")
        try:  # a style, unit or decimals that cannot format is an error now, not on screen
            format_value(0.0, self.style, self.unit, self.decimals)
        except TypeError as exc:
            raise ValueError(str(exc)) from None
        if self.query:
            parse(self.query)  # a QueryError says where

    def reads(self) -> str:
        """Where the figure comes from, in words (the card's tooltip)."""
        what = self.type or "any event"
        where = f" matching {self.query}" if self.query else ""
        if self.show == "count":
            return f"{what} events{where} in the last {_span(self.window)}"
        figure = {
            "last": "the newest",
            "mean": "the mean of each source's newest",
            "sum": "the sum of each source's newest",
            "total": "the sum of every",
            "rate": "the increase per second, over the last " + _span(self.window) + ", of",
            "avg": f"the average over the last {_span(self.window)} of",
            "min": f"the lowest in the last {_span(self.window)} of",
            "max": f"the highest in the last {_span(self.window)} of",
        }[self.show]
        return f"{figure} {self.field} of {what}{where}"


def _span(seconds: float) -> str:
    for unit, size in (("h", 3600.0), ("min", 60.0)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g} {unit}"
    return f"{seconds:g} s"


class _Buckets:
    """Count, sum, min and max per time bucket, for the last window."""

    def __init__(self, window: float) -> None:
        self.width = window / BUCKETS
        self.slots: deque[list[float]] = deque()  # [bucket, count, sum, min, max]

    def add(self, t: float, value: float = 0.0) -> None:
        bucket = math.floor(t / self.width)
        slots = self.slots
        if slots and slots[-1][0] >= bucket:
            slot = slots[-1]  # late events count in the newest bucket
        else:
            slot = [bucket, 0.0, 0.0, math.inf, -math.inf]
            slots.append(slot)
            while len(slots) > BUCKETS + 1:
                slots.popleft()
        slot[1] += 1
        slot[2] += value
        slot[3] = min(slot[3], value)
        slot[4] = max(slot[4], value)

    def live(self, now: float) -> list[list[float]]:
        first = math.floor(now / self.width) - BUCKETS
        return [s for s in self.slots if s[0] >= first]

    def count(self, now: float) -> float:
        """Events in the window ending at *now*; the oldest bucket, half outside the
        window, counts for the part inside (no saw-tooth at every bucket edge)."""
        slots = self.live(now)
        if not slots:
            return 0.0
        inside = 1.0 - (now / self.width) % 1.0
        oldest = math.floor(now / self.width) - BUCKETS
        return float(round(sum(s[1] * (inside if s[0] == oldest else 1.0) for s in slots)))


@dataclass
class _Counter:
    """One source's counter: its increase so far (resets counted), sampled per bucket."""

    last: float
    time: float  # the producer's time of *last*: an older sample arrived late, and is no reset
    increase: float = 0.0
    samples: deque[tuple[float, float]] = field(default_factory=deque)  # (time, increase)


class CardState:
    """Folds events into the figure one card shows; ``now`` is the window's clock."""

    def __init__(self, spec: CardSpec) -> None:
        self.spec = spec
        self._query: Query | None = parse(spec.query) if spec.query else None
        self.latest: dict[tuple[str, str], tuple[float, float]] = {}  # (conn, source): (at, v)
        self.text_value: str | None = None  # show = last, of a field that is not a number
        self.raw: Any = None  # the newest value as sent (mappings read it)
        self.total = 0.0
        self.last: float | None = None
        self.updated: float | None = None  # when the newest value arrived
        self.count = 0
        self._buckets = _Buckets(spec.window)
        self._counters: dict[tuple[str, str], _Counter] = {}
        self.history: deque[tuple[float, float]] = deque(maxlen=SPARK_POINTS)

    # -- folding -----------------------------------------------------------------------
    def fold(self, events: Iterable[Event], of_type: bool = False) -> bool:
        """Take in new events (*of_type*: all of the card's type already); True if the
        card's figure may have changed."""
        spec = self.spec
        chosen = events if of_type or not spec.type else [e for e in events if e.type == spec.type]
        if self._query is not None:
            chosen = self._query.filter(chosen)
        chosen = list(chosen)
        if len(chosen) > 1 and chosen[-1].received - chosen[0].received >= SAMPLE_S:
            # Seconds of events at once (a replay going to a moment): the sparkline gets
            # the figure of each second, as if they had come as they were recorded.
            changed = False
            for second in _by_second(chosen):
                changed = self._fold_chosen(second) or changed
                self.sample(second[-1].received)
            return changed
        return self._fold_chosen(chosen)

    def _fold_chosen(self, chosen: list[Event]) -> bool:
        if self.spec.show in NEWEST_ONLY:
            chosen = self._newest_per_source(chosen)
        changed = False
        for event in chosen:
            if self.spec.show == "count":
                self._buckets.add(event.received)
            elif not self._take(event):
                continue
            self.updated = max(self.updated or 0.0, event.received)
            self.count += 1
            changed = True
        return changed

    def _take(self, event: Event) -> bool:
        raw = lookup(event.data, self.spec.field)
        if raw is MISSING or raw is None:
            return False
        number = as_number(raw)
        if number is not None and not math.isfinite(number):
            return False  # a "NaN" would poison every sum from now on
        if number is None:  # a text: shown as it is by a last-value card that had no numbers
            if self.spec.show != "last" or self.latest or not _is_text(raw):
                return False
            self.raw, self.text_value, self.last = raw, _as_text(raw), None
            return True
        self.raw, self.text_value = raw, None
        self.last = number
        who = (event.connection, event.source)
        _keep_newest(self.latest, who, (event.received, number))
        self.total += number
        show = self.spec.show
        if show in ("avg", "min", "max"):
            self._buckets.add(event.received, number)
        elif show == "rate":
            return self._count_up(who, event, number)
        return True

    def _newest_per_source(self, events: Sequence[Event]) -> list[Event]:
        """Of a tick's events, each source's newest with a value :meth:`_take` accepts,
        oldest first: all a last, mean or sum card needs, and the same figure however the
        events were split into ticks (a newer "NaN" or text does not hide a good number)."""
        path = self.spec.field
        # a text counts only for a last card that never had a number, as in _take
        texts = self.spec.show == "last" and not self.latest
        if texts and any(_is_number(lookup(e.data, path)) for e in events):
            texts = False
        seen: set[tuple[str, str]] = set()
        newest = []
        for event in reversed(events):
            who = (event.connection, event.source)
            if who in seen:
                continue
            raw = lookup(event.data, path)
            if _is_number(raw) or (texts and _is_text(raw)):
                seen.add(who)
                newest.append(event)
        return newest[::-1]

    def _count_up(self, who: tuple[str, str], event: Event, value: float) -> bool:
        t = event.received
        counter = self._counters.get(who)
        if counter is None:
            counter = _Counter(value, event.time)
        elif event.time < counter.time:
            return False  # a sample that arrived late says nothing new about the counter
        else:
            counter.increase += value - counter.last if value >= counter.last else value
            counter.last, counter.time = value, event.time
        _keep_newest(self._counters, who, counter)
        samples = counter.samples
        width = self._buckets.width
        if samples and math.floor(samples[-1][0] / width) == math.floor(t / width):
            samples[-1] = (t, counter.increase)
        else:
            samples.append((t, counter.increase))
            while len(samples) > BUCKETS + 2:
                samples.popleft()
        return True

    def _fresh(self, now: float) -> list[float]:
        """Each source's newest value, but not of sources silent for ``stale_after``: a
        host that went away must not hold up the fleet's mean for ever."""
        limit = self.spec.stale_after
        return [v for at, v in self.latest.values() if limit is None or now - at <= limit]

    # -- the figure --------------------------------------------------------------------
    def value(self, now: float) -> float | None:
        """The figure at *now* (windows end at *now*); None before anything arrived."""
        show = self.spec.show
        if show == "count":
            return self._buckets.count(now)
        if show in ("avg", "min", "max"):
            slots = self._buckets.live(now)
            if not slots:
                return None
            if show == "min":
                return min(s[3] for s in slots)
            if show == "max":
                return max(s[4] for s in slots)
            return sum(s[2] for s in slots) / sum(s[1] for s in slots)
        if show == "rate":
            return self._rate(now)
        if self.last is None:
            return None
        if show in ("mean", "sum"):
            fresh = self._fresh(now) or [v for _at, v in self.latest.values()]  # all stale
            return sum(fresh) / len(fresh) if show == "mean" else sum(fresh)
        if show == "total":
            return self.total
        return self.last

    def _rate(self, now: float) -> float | None:
        since = now - self.spec.window
        rate, any_counter = 0.0, False
        for counter in self._counters.values():
            inside = [s for s in counter.samples if s[0] >= since]
            if len(inside) < 2:
                continue
            (t0, a0), (t1, a1) = inside[0], inside[-1]
            if t1 > t0:
                rate += (a1 - a0) / (t1 - t0)
                any_counter = True
        return rate if any_counter else None

    def text(self, now: float) -> str:
        """The figure as the card prints it: formatted, or mapped, or ``—`` before any."""
        mapping = self.mapping(now)
        shown = self._plain(now)
        if mapping is not None and mapping.text:
            return mapping.display_text(shown)
        return shown

    def _plain(self, now: float) -> str:
        if self.text_value is not None:
            return self.text_value
        value = self.value(now)
        if value is None:
            return "—"
        spec = self.spec
        return format_value(value, spec.style, spec.unit, spec.decimals)

    def mapping(self, now: float) -> ValueMapping | None:
        if not self.spec.mappings:
            return None
        value: Any = self.text_value if self.text_value is not None else self.value(now)
        if self.spec.show == "last" and self.raw is not None:
            value = self.raw
        return None if value is None else map_value(self.spec.mappings, value)

    def level(self, now: float) -> str:
        """``ok``, ``warning``, ``critical`` (thresholds), a mapping's colour, or ``none``
        (no value yet, or nothing to judge it by)."""
        mapping = self.mapping(now)
        if mapping is not None and mapping.colour:
            return mapping.colour
        value = self.value(now)
        thresholds = self.spec.thresholds
        if value is None or (thresholds.warning is None and thresholds.critical is None):
            return "none"
        return thresholds.level(value)

    def is_stale(self, now: float) -> bool:
        """No update for longer than ``stale_after`` (never for a count: zero is news)."""
        limit = self.spec.stale_after
        if limit is None or self.updated is None or self.spec.show == "count":
            return False
        return now - self.updated > limit

    def sample(self, now: float) -> None:
        """Note the figure at *now* for the sparkline and the trend (once per second)."""
        value = self.value(now)
        if value is None:
            return
        if self.history and now - self.history[-1][0] < SAMPLE_S:
            return
        self.history.append((now, value))

    def trend(self) -> float | None:
        """The change over the sparkline's span (newest minus oldest), None if unknown."""
        if len(self.history) < 2:
            return None
        return self.history[-1][1] - self.history[0][1]

    def caption(self, now: float) -> str:
        """A short line under the figure: where it comes from, or what it waits for."""
        spec = self.spec
        if self.updated is None:
            return f"waiting for {spec.type or 'events'}"
        if self.is_stale(now):
            return f"stale: nothing for {_span(round(now - self.updated))}"
        sources = len(self._fresh(now))
        noun = "source" if sources == 1 else "sources"
        return {
            "last": f"latest of {sources} {noun}" if sources else "latest",
            "mean": f"mean of {sources} {noun}",
            "sum": f"sum of {sources} {noun}",
            "total": f"total of {self.count:,} reports",
            "rate": f"per second, last {_span(spec.window)}",
            "count": f"in the last {_span(spec.window)}",
            "avg": f"average, last {_span(spec.window)}",
            "min": f"lowest, last {_span(spec.window)}",
            "max": f"highest, last {_span(spec.window)}",
        }[spec.show]


def _is_number(raw: Any) -> bool:
    """Whether a card takes *raw* as a number: one, or a numeric text, and finite."""
    number = as_number(raw)
    return number is not None and math.isfinite(number)


def _is_text(raw: Any) -> bool:
    """Whether a last card that has had no numbers shows *raw* as its text."""
    return raw is not MISSING and raw is not None and not isinstance(raw, dict | list)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return " ".join(str(value).split())[:60]


def _by_second(events: list[Event]) -> list[list[Event]]:
    """*events* (in arrival order) in runs of the same whole second of arrival."""
    runs: list[list[Event]] = []
    current = None
    for event in events:
        second = int(event.received // SAMPLE_S)
        if second != current:
            runs.append([])
            current = second
        runs[-1].append(event)
    return runs


def _keep_newest(kept: dict[Any, Any], key: Any, value: Any) -> None:
    """*value* at *key* of *kept*, last in its order; the first goes past MAX_SOURCES."""
    kept.pop(key, None)
    kept[key] = value
    if len(kept) > MAX_SOURCES:
        del kept[next(iter(kept))]

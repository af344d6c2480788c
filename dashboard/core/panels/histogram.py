"""Event rate histogram: events per time bucket, split into three severity bands.

Pure numpy, so the strip above the log only paints. Bucket widths are "nice" (1, 2, 5, 10,
15, 30 s, 1 min ... 12 h, 1 d, then 2, 5, 10, 20, 50... days) and bucket edges fall on round
local times, so a million events bin in one ``bincount`` and the bars line up with the clock.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

import numpy as np

from dashboard.core.events.event import Severity

BANDS = ("info", "warning", "error")
"""The three bands: below WARNING (debug, info, notice), WARNING, ERROR and above."""

DEFAULT_BUCKETS = 120
MAX_TIME = 1e13
"""Times beyond ±1e13 s (some 300,000 years from 1970) are ignored, like NaN and inf."""
NICE_WIDTHS: tuple[int, ...] = (
    *(1, 2, 5, 10, 15, 30),
    *(60, 120, 300, 600, 900, 1800),
    *(3600, 7200, 10800, 21600, 43200),
    86400,
)
_DAY = 86400
EN_DASH = "\N{EN DASH}"

# Severity value -> band index, looked up in one pass over a uint8 column.
_BAND_OF = np.zeros(256, dtype=np.intp)
_BAND_OF[Severity.WARNING : Severity.ERROR] = 1
_BAND_OF[Severity.ERROR :] = 2


@dataclass(frozen=True, eq=False)
class Histogram:
    """Counts per bucket ``[start + i*width, start + (i+1)*width)`` and band (see BANDS).

    ``counts`` has shape ``(n_buckets, 3)``; ``stop == start + n_buckets * width``. ``tz`` is
    the zone the edges were rounded in (None: local time), used again to label them.
    """

    start: float
    stop: float
    width: float
    counts: np.ndarray
    tz: tzinfo | None = field(default=None, repr=False)

    @property
    def n_buckets(self) -> int:
        return len(self.counts)

    @property
    def totals(self) -> np.ndarray:
        """Events per bucket, all bands."""
        return self.counts.sum(axis=1)

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    @property
    def peak(self) -> int:
        """The tallest bucket's count (0 when empty)."""
        return int(self.totals.max()) if self.n_buckets else 0

    @property
    def empty(self) -> bool:
        return self.total == 0

    def bounds(self, index: int) -> tuple[float, float]:
        """The time range of bucket *index*."""
        left = self.start + index * self.width
        return left, left + self.width


def nice_widths(at_least: float) -> Iterator[float]:
    """Nice bucket widths in increasing order, from the first one >= *at_least* seconds."""
    i = bisect.bisect_left(NICE_WIDTHS, at_least)
    yield from NICE_WIDTHS[i:]
    days = max(at_least / _DAY, 1.0)
    exponent = math.floor(math.log10(days))
    while True:
        for step in (1, 2, 5):
            width = step * 10.0**exponent * _DAY
            if width > _DAY and width >= at_least:
                yield width
        exponent += 1


def choose_width(span: float, buckets: int) -> float:
    """The narrowest nice width that cuts *span* seconds into at most *buckets* pieces."""
    if buckets < 1:
        raise ValueError(f"buckets must be at least 1, not {buckets}")
    return float(next(nice_widths(span / buckets)))


def bin_events(
    times: np.ndarray,
    severities: np.ndarray,
    buckets: int = DEFAULT_BUCKETS,
    *,
    span: tuple[float, float] | None = None,
    min_buckets: int = 1,
    tz: tzinfo | None = None,
) -> Histogram:
    """Count events per nice time bucket and severity band.

    *times* are epoch seconds (NaN, inf and beyond MAX_TIME are ignored), *severities*
    Severity values of the same length. The buckets cover the times' min..max, or *span* when
    given (events outside it are left out: a caller keeps the axis steady while a filter
    narrows the events). There are at most *buckets* + 1 of them (rounding the first edge
    down can add one), with edges round in *tz* (None: local time). Fewer than *min_buckets*
    (a short history at the narrowest width) are padded with empty ones before the first, so
    a strip does not stretch a few seconds into a few fat bars.
    """
    times = np.asarray(times, dtype=np.float64)
    severities = np.asarray(severities)
    if times.shape != severities.shape:
        raise ValueError(f"times {times.shape} and severities {severities.shape} differ")
    if span is None:
        valid = np.abs(times) <= MAX_TIME  # False for NaN
        if valid.all() and len(times):
            first, last = float(times.min()), float(times.max())
        elif valid.any():
            first = float(times.min(where=valid, initial=np.inf))
            last = float(times.max(where=valid, initial=-np.inf))
        else:
            return Histogram(0.0, 0.0, 1.0, np.zeros((0, 3), dtype=np.int64), tz)
    else:
        first, last = sorted(span)
        if not (abs(first) <= MAX_TIME and abs(last) <= MAX_TIME):
            raise ValueError(f"span must lie within ±{MAX_TIME:g} s, not {span}")
    offset = utc_offset(first, tz)
    width = choose_width(last - first, buckets)
    lo = _bucket_index(first, width, offset)
    n = _bucket_index(last, width, offset) - lo + 1
    if n < min_buckets:
        lo -= min_buckets - n
        n = min_buckets
    start = lo * width - offset
    # Bucket per event; the ones to leave out (invalid, outside the span) go to an extra
    # bucket n that is cut off at the end: cheaper than compressing the columns.
    position = times - start
    position /= width  # then floor: three times faster than floor_divide
    with np.errstate(invalid="ignore"):  # inf - inf is NaN
        np.floor(position, out=position)
        keep = position >= 0
        keep &= position < n
    if not keep.all():
        position[~keep] = n
    index = position.astype(np.intp)
    index *= 3
    index += _BAND_OF[severities.astype(np.uint8, copy=False)]
    counts = np.bincount(index, minlength=3 * n + 3)[: 3 * n].reshape(n, 3)
    counts.flags.writeable = False  # the dataclass is frozen; so are its counts
    return Histogram(start, start + n * width, width, counts, tz)


def _bucket_index(t: float, width: float, offset: float) -> int:
    return math.floor((t + offset) / width)


def utc_offset(t: float, tz: tzinfo | None = None) -> float:
    """Seconds east of UTC in *tz* (None: local time) at *t*; 0 where the OS cannot tell."""
    try:
        moment = datetime.fromtimestamp(t, tz) if tz else datetime.fromtimestamp(t).astimezone()
    except (OverflowError, OSError, ValueError):
        return 0.0
    delta = moment.utcoffset()
    return delta.total_seconds() if delta else 0.0


def bucket_at(histogram: Histogram, t: float) -> int | None:
    """The index of the bucket holding time *t*, or None outside the histogram."""
    if not histogram.n_buckets or not histogram.start <= t < histogram.stop:
        return None
    return min(int((t - histogram.start) // histogram.width), histogram.n_buckets - 1)


def snap_range(histogram: Histogram, t0: float, t1: float) -> tuple[float, float]:
    """*t0*..*t1* (either order) widened to whole buckets and kept inside the histogram."""
    h = histogram
    if not h.n_buckets:
        raise ValueError("an empty histogram has no buckets to snap to")
    lo, hi = sorted((min(max(t0, h.start), h.stop), min(max(t1, h.start), h.stop)))
    first = min(math.floor((lo - h.start) / h.width), h.n_buckets - 1)
    last = min(max(math.ceil((hi - h.start) / h.width), first + 1), h.n_buckets)
    return h.start + first * h.width, h.start + last * h.width


def time_at(histogram: Histogram, x: float, left: float, width: float) -> float:
    """The time under pixel *x* when the histogram spans *width* pixels from *left*."""
    if width <= 0:
        return histogram.start
    fraction = min(max((x - left) / width, 0.0), 1.0)
    return histogram.start + fraction * (histogram.stop - histogram.start)


def x_at(histogram: Histogram, t: float, left: float, width: float) -> float:
    """The pixel of time *t* (the inverse of :func:`time_at`, not clamped)."""
    span = histogram.stop - histogram.start
    return left + (t - histogram.start) / span * width if span > 0 else left


def ticks(
    start: float, stop: float, most: int = 4, tz: tzinfo | None = None
) -> tuple[float, list[float]]:
    """Round times in *start*..*stop* for axis labels: ``(step, times)``.

    The coarsest step that gives at most *most* of them; if that leaves a single label, the
    next finer step (one or two more than *most*, the caller drops what does not fit).
    """
    if not stop > start or most < 1:
        return 0.0, []
    offset = utc_offset(start, tz)
    finer: tuple[float, list[float]] | None = None
    for step in nice_widths((stop - start) / (most + 1)):
        first = math.ceil((start + offset) / step)
        last = math.floor((stop + offset) / step)
        if last - first < most:
            if last == first and finer is not None:
                return finer
            return step, [k * step - offset for k in range(first, last + 1)]
        finer = step, [k * step - offset for k in range(first, last + 1)]
    raise AssertionError("unreachable: nice_widths never ends")


def tick_format(step: float, span: float) -> str:
    """The strftime format for labels *step* seconds apart over *span* seconds."""
    if step >= _DAY:
        return "%Y-%m-%d" if span >= 300 * _DAY else "%b %d"
    if span >= _DAY:
        return "%b %d %H:%M"
    return "%H:%M:%S" if step < 60 or step % 60 else "%H:%M"


def format_time(t: float, fmt: str, tz: tzinfo | None = None) -> str:
    try:
        return datetime.fromtimestamp(t, tz).strftime(fmt)
    except (OverflowError, OSError, ValueError):
        return f"{t:.0f}"


def format_width(seconds: float) -> str:
    """A bucket width for people: ``10 s``, ``5 min``, ``6 h``, ``2 d``."""
    for unit, size in (("d", _DAY), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:g} {unit}"
    return f"{seconds:g} s"


def peak_label(histogram: Histogram) -> str:
    """``max 1,234/10 s``: what the tallest bar stands for."""
    return f"max {histogram.peak:,}/{format_width(histogram.width)}"


def describe_bucket(histogram: Histogram, index: int) -> str:
    """``10:42:10-10:42:20 · 1,203 events: 1,150 info, 40 warning, 13 error`` (an en dash)."""
    h = histogram
    left, right = h.bounds(index)
    fmt = "%Y-%m-%d" if h.width >= _DAY else "%H:%M:%S" if h.width < 60 else "%H:%M"
    lead = f"%b %d {fmt}" if h.width < _DAY and h.stop - h.start >= _DAY else fmt
    when = f"{format_time(left, lead, h.tz)}{EN_DASH}{format_time(right, fmt, h.tz)}"
    counts = [int(c) for c in h.counts[index]]
    total = sum(counts)
    if not total:
        return f"{when} · no events"
    bands = ", ".join(f"{c:,} {name}" for c, name in zip(counts, BANDS, strict=True))
    return f"{when} · {total:,} event{'s' if total != 1 else ''}: {bands}"

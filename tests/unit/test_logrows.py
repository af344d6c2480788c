"""Which stored events the log shows: appends, evictions and filters in steps."""

from __future__ import annotations

import numpy as np

from dashboard.core.events.event import Severity
from dashboard.core.lang.query import parse
from dashboard.core.panels.logrows import (
    LogRows,
    SeqList,
    severity_marks,
    shown_overview,
    usual_span,
)
from dashboard.core.storage.store import EventStore
from tests.unit.factories import make_event


def test_seq_list_appends_drops_and_finds() -> None:
    seqs = SeqList()
    for start in range(0, 20_000, 1000):  # grows, then reuses the dropped front
        seqs.extend(np.arange(start, start + 1000, 2))
        seqs.drop_front(seqs.count_below(start - 3000))
    assert len(seqs) == 2000
    assert seqs[0] == 16_000 and seqs[len(seqs) - 1] == 19_998
    assert seqs.index(17_000) == 500 and seqs.index(17_001) == -1 and seqs.index(99) == -1


def test_a_filter_is_scanned_in_steps_and_keeps_up_with_eviction() -> None:
    store = EventStore(capacity=1000)
    store.extend(
        make_event("order.placed" if n % 3 == 0 else "metrics.update", {"n": n}) for n in range(900)
    )
    rows = LogRows(store, parse("type:order.*"))
    rows.seqs.extend(rows.advance(limit=400))
    assert not rows.caught_up and rows.progress == 400 / 900
    rows.seqs.extend(rows.advance(limit=400))
    rows.seqs.extend(rows.advance(limit=400))
    assert rows.caught_up and list(rows.seqs.view) == list(range(0, 900, 3))
    store.extend(make_event("order.placed", {"n": n}) for n in range(900, 1200))  # evicts 200
    assert rows.evicted_rows() == 67  # seqs 0, 3 .. 198
    rows.seqs.drop_front(rows.evicted_rows())
    rows.seqs.extend(rows.advance())
    assert rows.seqs[0] == 201 and rows.seqs[len(rows) - 1] == 1199
    assert len(rows) == 233 + 300


def test_the_empty_filter_shows_everything_retained() -> None:
    store = EventStore(capacity=10)
    store.extend(make_event() for _ in range(25))
    rows = LogRows(store)
    rows.seqs.extend(rows.advance())
    assert list(rows.seqs.view) == list(range(15, 25))


def test_severity_marks_keep_the_worst_per_pixel() -> None:
    levels = np.full(1000, Severity.INFO, dtype=np.uint8)
    levels[[10, 11, 500, 999]] = [Severity.WARNING, Severity.CRITICAL, Severity.WARNING, 40]
    assert severity_marks(levels, 100) == [
        (1, Severity.CRITICAL),
        (50, Severity.WARNING),
        (99, Severity.ERROR),
    ]
    assert severity_marks(levels[:0], 100) == []
    assert severity_marks(np.full(5, Severity.INFO, dtype=np.uint8), 100) == []


def test_a_stray_clock_does_not_stretch_the_histogram() -> None:
    store = EventStore()
    store.extend(make_event(time=1_795_000_000.0 + n * 0.06) for n in range(10_000))
    store.extend([make_event(time=978_307_200.0)])  # 2001
    overview = shown_overview(store, 0, store.end_seq)
    assert overview.outside == 1 and overview.histogram is not None
    assert overview.histogram.width <= 10 and int(overview.histogram.counts.sum()) == 10_000
    assert usual_span(np.arange(1000.0)) is None  # nothing stray: the whole range

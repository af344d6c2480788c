"""The event rate histogram: nice bucket widths, exact counts per band, and the edge cases."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from dashboard.core.events.event import Severity
from dashboard.core.panels.histogram import (
    Histogram,
    bin_events,
    bucket_at,
    choose_width,
    describe_bucket,
    format_width,
    peak_label,
    snap_range,
    tick_format,
    ticks,
    time_at,
    utc_offset,
    x_at,
)

H = 1_699_999_200.0  # 2023-11-14 22:00:00 UTC, a whole hour
DAY = 86400
INDIA = timezone(timedelta(hours=5, minutes=30))


def sev(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.uint8)


def at(*offsets: float) -> np.ndarray:
    return H + np.array(offsets, dtype=np.float64)


def test_counts_per_bucket_and_band_are_exact() -> None:
    times = at(0, 0.5, 1.9, 2.0, 5.5, 9.99, 19.0)
    severities = sev(20, 10, 30, 40, 25, 50, 30)
    h = bin_events(times, severities, buckets=10, tz=UTC)
    assert (h.start, h.stop, h.width, h.n_buckets) == (H, H + 20, 2.0, 10)
    expected = np.zeros((10, 3), dtype=np.int64)
    expected[0] = (2, 1, 0)  # info and debug below WARNING; WARNING alone
    expected[1] = (0, 0, 1)  # an event on an edge belongs to the bucket it opens
    expected[2] = (1, 0, 0)  # NOTICE counts with info
    expected[4] = (0, 0, 1)  # CRITICAL counts with error
    expected[9] = (0, 1, 0)
    np.testing.assert_array_equal(h.counts, expected)
    assert (h.total, h.peak, h.empty) == (7, 3, False)
    np.testing.assert_array_equal(h.totals[:3], [3, 1, 1])


def test_every_severity_lands_in_its_band() -> None:
    severities = sev(*(int(s) for s in Severity))
    h = bin_events(np.full(len(severities), H), severities, tz=UTC)
    np.testing.assert_array_equal(h.counts, [[3, 1, 2]])  # debug info notice | warn | err crit


@pytest.mark.parametrize(
    ("span", "width"),
    [
        (0, 1),
        (100, 1),
        (120, 1),
        (121, 2),
        (600, 5),
        (1200, 10),
        (1800, 15),
        (3600, 30),
        (7200, 60),
        (3 * 3600, 120),
        (DAY, 900),
        (7 * DAY, 7200),
        (30 * DAY, 6 * 3600),
        (120 * DAY, DAY),
        (365 * DAY, 5 * DAY),
        (3 * 365 * DAY, 10 * DAY),
        (100 * 365 * DAY, 500 * DAY),
    ],
)
def test_the_narrowest_nice_width_is_chosen(span: float, width: float) -> None:
    assert choose_width(span, 120) == width


def test_edges_fall_on_round_times_and_cover_min_to_max() -> None:
    h = bin_events(at(7.3, 1799.2), sev(20, 20), buckets=120, tz=UTC)
    assert h.width == 15
    assert h.start == H and h.stop == H + 1800 and h.n_buckets == 120
    assert h.start <= H + 7.3 and h.stop > H + 1799.2


def test_alignment_can_add_one_bucket_but_no_more() -> None:
    h = bin_events(at(5, 1205), sev(20, 20), buckets=120, tz=UTC)
    assert h.width == 10
    assert h.n_buckets == 121
    assert h.counts[0, 0] == h.counts[120, 0] == 1


def test_edges_are_round_in_the_given_time_zone() -> None:
    times = at(0, 30 * DAY - 1)
    india = bin_events(times, sev(20, 20), tz=INDIA)
    utc = bin_events(times, sev(20, 20), tz=UTC)
    assert india.width == utc.width == 6 * 3600
    assert (india.start + 5.5 * 3600) % (6 * 3600) == 0  # 00, 06, 12, 18 in India
    assert utc.start % (6 * 3600) == 0
    assert india.total == utc.total == 2


def test_no_events_give_an_empty_histogram() -> None:
    for times in (np.array([], dtype=np.float64), np.array([np.nan, np.inf, -np.inf])):
        h = bin_events(times, np.full(len(times), 20, dtype=np.uint8))
        assert (h.n_buckets, h.total, h.peak, h.empty) == (0, 0, 0, True)
        assert h.counts.shape == (0, 3)
        assert bucket_at(h, H) is None


def test_a_single_event_gets_one_one_second_bucket() -> None:
    h = bin_events(at(0.25), sev(40), tz=UTC)
    assert (h.start, h.stop, h.width) == (H, H + 1, 1.0)
    np.testing.assert_array_equal(h.counts, [[0, 0, 1]])


def test_a_short_history_is_padded_with_empty_buckets_before_it() -> None:
    h = bin_events(at(0.25, 2.5), sev(20, 40), min_buckets=60, tz=UTC)
    assert (h.start, h.stop, h.width, h.n_buckets) == (H - 57, H + 3, 1.0, 60)
    np.testing.assert_array_equal(h.counts[-3:], [[1, 0, 0], [0, 0, 0], [0, 0, 1]])
    assert h.counts[:-3].sum() == 0
    long = bin_events(at(0, 1799), sev(20, 20), min_buckets=60, tz=UTC)
    assert (long.start, long.n_buckets) == (H, 120)


def test_events_all_at_one_time_share_one_bucket() -> None:
    h = bin_events(np.full(1000, H + 3.5), np.full(1000, 30, dtype=np.uint8), tz=UTC)
    assert (h.start, h.width, h.n_buckets) == (H + 3, 1.0, 1)
    np.testing.assert_array_equal(h.counts, [[0, 1000, 0]])


def test_nan_infinite_and_absurd_times_are_ignored() -> None:
    times = np.array([H, np.nan, np.inf, -np.inf, H + 5, 1e20, -1e20])
    h = bin_events(times, sev(20, 40, 40, 40, 30, 40, 40), tz=UTC)
    assert (h.start, h.stop, h.width) == (H, H + 6, 1.0)
    assert h.total == 2
    np.testing.assert_array_equal(h.counts[[0, 5]], [[1, 0, 0], [0, 1, 0]])


def test_times_years_apart_keep_the_bucket_count_bounded() -> None:
    times = np.array([0.0, 3 * 365 * DAY, 100 * 365 * DAY, H])
    h = bin_events(times, sev(20, 30, 40, 20), buckets=120, tz=UTC)
    assert h.n_buckets <= 121
    assert h.width == 500 * DAY
    assert h.total == 4
    assert h.start <= 0 and h.stop > 100 * 365 * DAY


def test_a_span_fixes_the_axis_and_leaves_out_what_falls_outside() -> None:
    times = np.array([H - 1, H, H + 30, H + 59, H + 60.5, np.nan, np.inf])
    severities = sev(20, 20, 30, 40, 20, 20, 20)
    h = bin_events(times, severities, buckets=6, span=(H, H + 59), tz=UTC)
    assert (h.start, h.stop, h.width, h.n_buckets) == (H, H + 60, 10.0, 6)
    np.testing.assert_array_equal(h.counts.sum(axis=0), [1, 1, 1])
    reversed_span = bin_events(times, severities, buckets=6, span=(H + 59, H), tz=UTC)
    np.testing.assert_array_equal(reversed_span.counts, h.counts)
    nothing = bin_events(np.array([]), sev(), buckets=6, span=(H, H + 59), tz=UTC)
    assert nothing.n_buckets == 6 and nothing.empty


def test_bad_arguments_are_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="differ"):
        bin_events(at(0, 1), sev(20))
    with pytest.raises(ValueError, match="at least 1"):
        bin_events(at(0, 1), sev(20, 20), buckets=0)
    with pytest.raises(ValueError, match="span"):
        bin_events(at(0), sev(20), span=(H, math.inf))


def test_counts_cannot_be_changed_behind_the_frozen_histogram() -> None:
    h = bin_events(at(0), sev(20))
    with pytest.raises(ValueError):
        h.counts[0, 0] = 5


@pytest.mark.parametrize("seed", range(4))
def test_counts_match_numpy_histogram_per_band(seed: int) -> None:
    rng = np.random.default_rng(seed)
    times = H + rng.uniform(0, rng.uniform(1, 5 * DAY), 20_000)
    severities = rng.choice(sev(*(int(s) for s in Severity)), 20_000)
    h = bin_events(times, severities, buckets=int(rng.integers(1, 300)), tz=UTC)
    edges = h.start + np.arange(h.n_buckets + 1) * h.width
    bands = (severities < 30, (severities >= 30) & (severities < 40), severities >= 40)
    for band, mask in enumerate(bands):
        reference, _ = np.histogram(times[mask], edges)
        np.testing.assert_array_equal(h.counts[:, band], reference)


def test_bucket_at_finds_the_half_open_bucket() -> None:
    h = bin_events(at(0, 19), sev(20, 20), buckets=10, tz=UTC)
    assert [bucket_at(h, H + dt) for dt in (0, 1.999, 2, 19.99)] == [0, 0, 1, 9]
    assert bucket_at(h, H + 20) is None
    assert bucket_at(h, H - 0.1) is None
    assert h.bounds(3) == (H + 6, H + 8)


def test_snap_range_widens_to_whole_buckets_inside_the_histogram() -> None:
    h = bin_events(at(0, 19), sev(20, 20), buckets=10, tz=UTC)
    assert snap_range(h, H + 2.5, H + 7.1) == (H + 2, H + 8)
    assert snap_range(h, H + 7.1, H + 2.5) == (H + 2, H + 8)
    assert snap_range(h, H - 100, H + 100) == (H, H + 20)
    assert snap_range(h, H + 2.1, H + 2.2) == (H + 2, H + 4)
    assert snap_range(h, H + 20, H + 20) == (H + 18, H + 20)
    assert snap_range(h, H + 4, H + 6) == (H + 4, H + 6)


def test_pixels_map_to_times_and_back() -> None:
    h = bin_events(at(0, 19), sev(20, 20), buckets=10, tz=UTC)
    assert time_at(h, 10, left=10, width=200) == H
    assert time_at(h, 110, left=10, width=200) == H + 10
    assert time_at(h, 500, left=10, width=200) == H + 20  # clamped to the strip
    assert time_at(h, -5, left=10, width=200) == H
    assert x_at(h, H + 5, left=10, width=200) == 60
    assert x_at(h, time_at(h, 77, 10, 200), 10, 200) == pytest.approx(77)


def test_ticks_are_round_and_at_most_as_many_as_asked() -> None:
    assert ticks(H, H + 20, 4, UTC) == (10, [H, H + 10, H + 20])
    assert ticks(H + 1, H + 1801, 4, UTC) == (600, [H + 600, H + 1200, H + 1800])
    step, times = ticks(H + 100, H + 4 * 3600, 4, INDIA)  # 03:31:40 to 07:30 there
    assert step == 3600 and len(times) == 4
    assert all((t + 5.5 * 3600) % 3600 == 0 for t in times)  # whole hours in India
    assert ticks(H, H, 4) == (0.0, [])


def test_ticks_rather_than_a_lone_label_take_one_more_than_asked() -> None:
    assert ticks(H + 2, H + 8.9, 3, UTC) == (2, [H + 2, H + 4, H + 6, H + 8])  # 5 s: just one


@pytest.mark.parametrize(
    ("step", "span", "fmt"),
    [
        (10, 20, "%H:%M:%S"),
        (30, 120, "%H:%M:%S"),
        (600, 1800, "%H:%M"),
        (6 * 3600, 3 * DAY, "%b %d %H:%M"),
        (5 * DAY, 30 * DAY, "%b %d"),
        (50 * DAY, 1000 * DAY, "%Y-%m-%d"),
    ],
)
def test_tick_labels_show_seconds_or_dates_only_when_needed(
    step: float, span: float, fmt: str
) -> None:
    assert tick_format(step, span) == fmt


def test_widths_and_the_peak_read_like_a_person_wrote_them() -> None:
    assert [format_width(w) for w in (1, 15, 60, 900, 10800, DAY, 2 * DAY)] == [
        "1 s",
        "15 s",
        "1 min",
        "15 min",
        "3 h",
        "1 d",
        "2 d",
    ]
    h = Histogram(H, H + 20, 10.0, np.array([[1000, 200, 34], [1, 0, 0]]))
    assert peak_label(h) == "max 1,234/10 s"


def test_a_bucket_is_described_with_its_times_and_counts_per_band() -> None:
    counts = np.array([[1150, 40, 13], [0, 0, 0], [1, 0, 0]])
    h = Histogram(H + 42 * 60 + 10, H + 42 * 60 + 40, 10.0, counts, UTC)
    assert describe_bucket(h, 0) == (
        "22:42:10\u201322:42:20 · 1,203 events: 1,150 info, 40 warning, 13 error"
    )
    assert describe_bucket(h, 1) == "22:42:20\u201322:42:30 · no events"
    assert describe_bucket(h, 2) == "22:42:30\u201322:42:40 · 1 event: 1 info, 0 warning, 0 error"
    minutes = Histogram(H, H + 600, 300.0, np.array([[1, 2, 3], [0, 0, 0]]), UTC)
    assert describe_bucket(minutes, 0).startswith("22:00\u201322:05 · 6 events")
    days = Histogram(H, H + 3 * DAY, 3600.0, np.zeros((72, 3), dtype=np.int64), UTC)
    day = datetime.fromtimestamp(H, UTC).strftime("%b %d")
    assert describe_bucket(days, 0) == f"{day} 22:00\u201323:00 · no events"


def test_utc_offset_in_a_zone_and_where_the_calendar_ends() -> None:
    assert utc_offset(H, INDIA) == 5.5 * 3600
    assert utc_offset(H, UTC) == 0
    assert utc_offset(1e13) == 0.0

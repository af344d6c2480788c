"""The rate strip: dragging picks a time range, double-click clears it, hover names a bucket."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from dashboard.core.panels.histogram import Histogram, bin_events
from dashboard.ui.panels.histogram import HINT, STRIP_HEIGHT, HistogramStrip

H = 1_699_999_200.0  # 2023-11-14 22:00:00 UTC
LEFT = Qt.MouseButton.LeftButton


def known_histogram() -> Histogram:
    """Two minutes in 10 s buckets; bucket 3 (22:00:30-22:00:40) holds 10 events."""
    times = np.concatenate([H + np.arange(0, 120, 2.0), H + np.array([31, 32, 33, 34, 35])])
    severities = np.full(len(times), 20, dtype=np.uint8)
    severities[-3:] = (30, 40, 50)
    return bin_events(times, severities, buckets=12, tz=UTC)


@pytest.fixture
def strip(qtbot: Any) -> HistogramStrip:
    widget = HistogramStrip()
    qtbot.addWidget(widget)
    widget.resize(612, STRIP_HEIGHT)
    widget.set_histogram(known_histogram())
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def x_of(strip: HistogramStrip, fraction: float) -> int:
    plot = strip.plot_rect()
    return round(plot.left() + fraction * plot.width())


def point(strip: HistogramStrip, fraction: float) -> QPoint:
    return QPoint(x_of(strip, fraction), round(strip.plot_rect().center().y()))


def drag(qtbot: Any, strip: HistogramStrip, start: QPoint, stop: QPoint) -> None:
    qtbot.mousePress(strip, LEFT, pos=start)
    qtbot.mouseMove(strip, (start + stop) / 2)
    qtbot.mouseMove(strip, stop)
    qtbot.mouseRelease(strip, LEFT, pos=stop)


def test_the_strip_is_a_thin_fixed_height_band(strip: HistogramStrip) -> None:
    assert strip.height() == STRIP_HEIGHT
    assert strip.toolTip() == HINT


def test_dragging_selects_the_time_range_under_the_mouse(qtbot: Any, strip: HistogramStrip) -> None:
    h = strip.histogram
    assert h is not None and (h.start, h.stop, h.width) == (H, H + 120, 10.0)
    with qtbot.waitSignal(strip.range_selected, timeout=1000) as blocker:
        drag(qtbot, strip, point(strip, 0.25), point(strip, 0.6))
    start, stop = blocker.args
    assert start < stop
    assert abs(start - (H + 30)) <= h.width and abs(stop - (H + 72)) <= h.width
    assert (start, stop) == (H + 30, H + 80)  # widened to whole buckets
    assert strip.selection == (start, stop)


def test_dragging_leftwards_still_gives_start_before_stop(
    qtbot: Any, strip: HistogramStrip
) -> None:
    with qtbot.waitSignal(strip.range_selected, timeout=1000) as blocker:
        drag(qtbot, strip, point(strip, 0.95), point(strip, 0.05))
    assert blocker.args == [H, H + 120]


def test_dragging_past_the_ends_stays_inside_the_histogram(
    qtbot: Any, strip: HistogramStrip
) -> None:
    with qtbot.waitSignal(strip.range_selected, timeout=1000) as blocker:
        drag(qtbot, strip, point(strip, 0.5), QPoint(strip.width() + 50, 20))
    assert blocker.args == [H + 60, H + 120]


def test_a_click_or_a_tiny_drag_selects_nothing(qtbot: Any, strip: HistogramStrip) -> None:
    start = point(strip, 0.5)
    with qtbot.assertNotEmitted(strip.range_selected):
        qtbot.mouseClick(strip, LEFT, pos=start)
        drag(qtbot, strip, start, start + QPoint(3, 0))
        drag(qtbot, strip, start, start - QPoint(3, 0))
    assert strip.selection is None


def test_a_drag_on_an_empty_strip_selects_nothing(qtbot: Any, strip: HistogramStrip) -> None:
    strip.set_histogram(None)
    with qtbot.assertNotEmitted(strip.range_selected):
        drag(qtbot, strip, point(strip, 0.1), point(strip, 0.9))


def test_double_click_clears_the_range(qtbot: Any, strip: HistogramStrip) -> None:
    strip.set_selection(H + 10, H + 50)
    assert strip.selection == (H + 10, H + 50)
    with (
        qtbot.assertNotEmitted(strip.range_selected),
        qtbot.waitSignal(strip.range_cleared, timeout=1000),
    ):
        qtbot.mouseDClick(strip, LEFT, pos=point(strip, 0.5))
    assert strip.selection is None


def test_the_caller_sets_and_clears_the_shaded_range(strip: HistogramStrip) -> None:
    strip.set_selection(H + 50, H + 10)
    assert strip.selection == (H + 10, H + 50)
    strip.set_selection(None, None)
    assert strip.selection is None


def test_hovering_a_bucket_names_its_times_and_counts(strip: HistogramStrip) -> None:
    x = x_of(strip, 3.5 / 12)  # the middle of bucket 3
    assert strip.tooltip_at(x) == ("22:00:30\u201322:00:40 · 10 events: 7 info, 1 warning, 2 error")
    assert strip.tooltip_at(x_of(strip, 1.0)).startswith("22:01:50\u201322:02:00 · 5 events")
    assert strip.tooltip_at(0) == ""  # the margin left of the bars


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen tooltips
def test_the_tooltip_shows_the_bucket_and_the_hint(qtbot: Any, strip: HistogramStrip) -> None:
    local = point(strip, 3.5 / 12)
    event = QHelpEvent(QEvent.Type.ToolTip, local, strip.mapToGlobal(local))
    QApplication.sendEvent(strip, event)
    qtbot.waitUntil(QToolTip.isVisible, timeout=1000)
    assert QToolTip.text() == (
        f"22:00:30\u201322:00:40 · 10 events: 7 info, 1 warning, 2 error\n{HINT}"
    )
    QToolTip.hideText()


def test_an_empty_strip_hovers_with_the_hint_only(strip: HistogramStrip) -> None:
    strip.set_histogram(bin_events(np.array([]), np.array([], dtype=np.uint8)))
    assert strip.tooltip_at(x_of(strip, 0.5)) == ""


@pytest.mark.parametrize(
    "histogram",
    [
        None,
        known_histogram(),
        bin_events(np.array([H]), np.array([40], dtype=np.uint8), tz=UTC),
        bin_events(np.array([0.0, 3e9]), np.array([20, 30], dtype=np.uint8)),
    ],
    ids=["none", "two-minutes", "one-event", "a-century"],
)
def test_every_kind_of_histogram_paints(
    qtbot: Any, strip: HistogramStrip, histogram: Histogram | None
) -> None:
    strip.set_histogram(histogram)
    strip.set_selection(H + 10, H + 50)
    qtbot.mousePress(strip, LEFT, pos=point(strip, 0.2))
    qtbot.mouseMove(strip, point(strip, 0.7))
    image = strip.grab().toImage()  # paints with the selection and a drag under way
    qtbot.mouseRelease(strip, LEFT, pos=point(strip, 0.7))
    assert (image.width(), image.height()) == (612, STRIP_HEIGHT)

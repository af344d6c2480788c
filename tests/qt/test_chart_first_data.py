"""A chart with little data shows what there is, and never cuts its axis labels."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QFontMetrics

from dashboard.core.series import ChartSpec, SeriesSpec
from dashboard.ui.panels.chart import AXIS_ROOM, FIRST_SPAN_PX_PER_S, FIRST_SPAN_S, ChartPanel
from tests.unit.factories import make_event


def test_eight_seconds_on_a_five_minute_chart_fill_the_plot(qtbot: Any) -> None:
    now = 10_000.0
    spec = ChartSpec("cpu", (SeriesSpec("m", "cpu"),), window=300.0)
    chart = ChartPanel(spec, clock=lambda: now)
    qtbot.addWidget(chart)
    chart.add_events([make_event("m", {"cpu": 50 + i}, time=now - 8 + i) for i in range(9)])
    chart.redraw(now)
    (start, end), _y = chart.plot.getPlotItem().getViewBox().viewRange()
    least = max(FIRST_SPAN_S, chart.plot.width() / FIRST_SPAN_PX_PER_S)
    assert least < 20 and (start, end) == (now - least, now)  # not 8 s of 60 or 300
    longer = ChartPanel(spec, clock=lambda: now)
    qtbot.addWidget(longer)
    longer.add_events([make_event("m", {"cpu": 50}, time=now - t) for t in (400, 290, 1)])
    longer.redraw(now)
    (start, end), _y = longer.plot.getPlotItem().getViewBox().viewRange()
    assert (start, end) == (now - 300, now)  # a whole window of data: the window


def test_the_top_y_label_has_room_above_the_plot(qtbot: Any) -> None:
    chart = ChartPanel(ChartSpec("cpu", (SeriesSpec("m", "cpu"),)), clock=lambda: 0.0)
    qtbot.addWidget(chart)
    item = chart.plot.getPlotItem()
    axis = item.getAxis("left")
    font = axis.style["tickFont"] or chart.plot.font()
    half_label = QFontMetrics(font).height() // 2
    assert item.layout.getContentsMargins()[1] == AXIS_ROOM >= half_label

"""Themes applied to widgets and charts, cards that wrap and scroll, a chart's second axis,
its time span while young, its readout clear of the values, and text in the detail pane."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPointF, QRectF, QSettings, Qt
from PySide6.QtGui import (
    QFontDatabase,
    QGuiApplication,
    QImage,
    QPainter,
    QPalette,
    QTextLayout,
)
from PySide6.QtWidgets import QApplication

from dashboard.cli import gui_parser
from dashboard.core.panels.cards import CardSpec
from dashboard.core.panels.palette import SERIES_ON_DARK, SERIES_ON_LIGHT
from dashboard.core.panels.series import ChartSpec, SeriesSpec
from dashboard.ui import theme
from dashboard.ui.panels.cards import ROWS_SHOWN, CardsPanel
from dashboard.ui.panels.chart import MIN_SPAN_S, ChartPanel
from dashboard.ui.panels.detail import EventDetailPane
from tests.qt.shown import shown_chart
from tests.unit.factories import make_event


@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    """The application, back in the dark theme after the test."""
    yield qapp
    theme.apply(qapp, "dark")


def cpu_chart(qtbot: Any, *series: SeriesSpec, unit: str = "%") -> ChartPanel:
    spec = ChartSpec("c", series or (SeriesSpec("m", "cpu", split_by="source"),), unit, 300.0)
    return shown_chart(qtbot, spec, (700, 320), now=1_000.0)


def test_the_light_theme_reaches_the_palette_charts_cards_and_detail_pane(
    qtbot: Any, app: QApplication
) -> None:
    chart = cpu_chart(qtbot)
    chart.add_events([make_event("m", {"cpu": 10 + i}, time=990.0 + i) for i in range(5)])
    chart.redraw(1_000.0)
    cards = CardsPanel([CardSpec("CPU", "m", "cpu")], clock=lambda: 1_000.0)
    qtbot.addWidget(cards)
    pane = EventDetailPane()
    qtbot.addWidget(pane)
    pane.show_event(make_event("m", {"cpu": 5}, severity=theme.Severity.ERROR))
    curve = chart.curves[(0, "web-1")]
    assert curve.opts["pen"].color().name().upper() == SERIES_ON_DARK[0]

    theme.apply(app, "light")
    assert theme.current() is theme.LIGHT
    assert app.palette().color(QPalette.ColorRole.Window).name() == theme.LIGHT.background
    assert chart.plot.backgroundBrush().color().name() == theme.LIGHT.panel
    assert curve.opts["pen"].color().name().upper() == SERIES_ON_LIGHT[0]
    axis = chart.plot.getPlotItem().getAxis("left")
    assert axis.textPen().color().name() == theme.LIGHT.muted
    card = cards.cards[0]
    assert theme.LIGHT.panel in card.styleSheet() and theme.DARK.panel not in card.styleSheet()
    assert theme.LIGHT.severity[theme.Severity.ERROR] in pane.severity_label.styleSheet()
    key_format = pane.highlighter._formats["key"]
    assert key_format.foreground().color().name() == theme.LIGHT.tokens["key"]
    assert (
        theme.SEVERITY_COLOURS[theme.Severity.ERROR] == theme.LIGHT.severity[theme.Severity.ERROR]
    )  # the tables other modules imported follow too

    theme.apply(app, "dark")
    assert chart.plot.backgroundBrush().color().name() == theme.DARK.panel
    assert curve.opts["pen"].color().name().upper() == SERIES_ON_DARK[0]


def test_follow_the_system_and_the_choice_remembered(
    qtbot: Any, app: QApplication, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    scheme = [Qt.ColorScheme.Light]
    monkeypatch.setattr(theme, "system_scheme", lambda: scheme[0])
    assert theme.apply(app, "system") is theme.LIGHT
    assert theme.current_choice() == "system"
    scheme[0] = Qt.ColorScheme.Dark  # the system changes: so do we
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert theme.current() is theme.DARK and theme.current_choice() == "system"
    scheme[0] = Qt.ColorScheme.Unknown  # a platform that does not say (Xvfb): dark
    assert theme.apply(app, "system") is theme.DARK
    theme.apply(app, "light")  # no longer following
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert theme.current() is theme.LIGHT
    from dashboard.ui.theme_menu import choose

    assert theme.remembered(settings) == "dark"
    choose("light", settings)
    assert theme.current() is theme.LIGHT and theme.remembered(settings) == "light"
    settings.setValue(theme.SETTING, "purple")  # a file edited by hand: not a theme we know
    assert theme.remembered(settings) == "dark"
    with pytest.raises(ValueError, match="theme: 'purple' is not one of dark, light, system"):
        theme.resolve("purple")


def test_the_window_has_a_theme_menu_and_the_command_line_a_theme_option(
    qtbot: Any, app: QApplication, settings: QSettings, capsys: Any
) -> None:
    from dashboard.ui.app import Dashboard

    window = Dashboard([], settings=settings).window
    qtbot.addWidget(window)
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    themes = next(a.menu() for a in view.actions() if a.text() == "&Theme")
    actions = {a.data(): a for a in themes.actions()}
    assert list(actions) == ["dark", "light", "system"] and actions["dark"].isChecked()
    actions["light"].trigger()
    assert theme.current() is theme.LIGHT and settings.value(theme.SETTING) == "light"
    assert actions["light"].isChecked() and not actions["dark"].isChecked()

    assert gui_parser().parse_args(["--theme", "system"]).theme == "system"
    with pytest.raises(SystemExit) as exit_:
        gui_parser().parse_args(["--theme", "pink"])
    assert exit_.value.code == 2
    assert "argument --theme: invalid choice: 'pink'" in capsys.readouterr().err


def test_cards_wrap_then_scroll_and_never_take_the_charts_room(qtbot: Any) -> None:
    specs = [CardSpec(f"Card {n}", "m", "cpu", unit="%") for n in range(12)]
    cards = CardsPanel(specs[:8], clock=lambda: 1_000.0)
    qtbot.addWidget(cards)
    cards.resize(800, 400)
    cards.show()
    qtbot.waitExposed(cards)
    qtbot.waitUntil(lambda: cards.rows() == 2)  # 8 cards, 4 across
    row = cards.cards[0].sizeHint().height()
    assert cards.maximumHeight() == cards.sizeHint().height() < 2 * row + 30
    tops = sorted({card.y() for card in cards.cards})
    assert len(tops) == 2 and all(c.isVisible() for c in cards.cards)
    for spec in specs[8:]:
        cards.add_card(spec)
    assert cards.rows() == 3 > ROWS_SHOWN  # three rows: two shown, the third scrolls
    assert cards.maximumHeight() < 3 * row
    qtbot.waitUntil(lambda: cards.scroll.verticalScrollBar().maximum() > 0)
    assert cards.minimumSizeHint().height() == row  # squeezed: one row, not the charts


def test_a_cards_caption_gives_way_to_its_trend_and_the_figure_shrinks_to_fit(
    qtbot: Any,
) -> None:
    now = [1_000.0]
    spec = CardSpec("Order value", "m", "total", "avg", unit="EUR", decimals=2)
    cards = CardsPanel([spec], clock=lambda: now[0])
    qtbot.addWidget(cards)
    cards.resize(175, 160)
    cards.show()
    qtbot.waitExposed(cards)
    card = cards.cards[0]
    for n, total in enumerate((12.5, 98_765.43, 99_999.5)):
        now[0] = 1_000.0 + 2 * n
        card.state.fold([make_event("m", {"total": total}, time=now[0])])
        card.state.fold([])
        card.tick()
    qtbot.waitUntil(lambda: card.trend.text() != "")
    assert card.caption.text() == "average, last 1 min"
    assert card.caption.geometry().right() < card.trend.geometry().left()  # no overlap
    assert "average, last 1 min" in card.caption.toolTip()  # whole, when elided
    metrics = card.value.fontMetrics()
    assert metrics.horizontalAdvance(card.value.text()) <= card.value.width()
    assert card.value.font().pointSizeF() < 22


def test_a_second_unit_gets_the_right_axis(qtbot: Any) -> None:
    chart = cpu_chart(qtbot)
    chart.add_events([make_event("m", {"cpu": 40, "memory": 3_500}, time=995.0)])
    chart.redraw(1_000.0)
    item = chart.plot.getPlotItem()
    assert not item.getAxis("right").isVisible()
    chart.add_series(SeriesSpec("m", "memory", split_by="source"))  # a field dropped here
    chart.add_events([make_event("m", {"cpu": 40, "memory": 3_500}, time=996.0)])
    chart.redraw(1_000.0)
    assert chart.spec.series[1].unit == "memory"  # nothing says its unit: named after it
    assert item.getAxis("right").isVisible()
    assert item.getAxis("right").labelText == "memory"
    assert chart.curves[(1, "web-1")].getViewBox() is chart.right_view
    assert chart.curves[(0, "web-1")].getViewBox() is item.getViewBox()
    qtbot.waitUntil(
        lambda: chart.right_view.viewRange()[1][0] <= 3_500 <= chart.right_view.viewRange()[1][1]
    )
    low, high = chart.right_view.viewRange()[1]
    assert low <= 3_500 <= high and item.getViewBox().viewRange()[1][1] < 1_000  # apart


def test_a_young_chart_shows_the_data_it_has_not_an_empty_window(qtbot: Any) -> None:
    chart = cpu_chart(qtbot)
    chart.add_events([make_event("m", {"cpu": 10 + i}, time=992.0 + i) for i in range(9)])
    chart.redraw(1_000.0)
    (start, end), _ = chart.plot.getPlotItem().getViewBox().viewRange()
    assert (start, end) == (992.0, 1_000.0)  # 8 s of data across the whole plot
    single = cpu_chart(qtbot)
    single.add_events([make_event("m", {"cpu": 1}, time=999.0)])
    single.redraw(1_000.0)
    (start, end), _ = single.plot.getPlotItem().getViewBox().viewRange()
    assert end - start == MIN_SPAN_S  # one point: at least MIN_SPAN_S
    old = cpu_chart(qtbot)
    old.add_events([make_event("m", {"cpu": 1}, time=600.0 + i) for i in range(0, 400, 10)])
    old.redraw(1_000.0)
    (start, end), _ = old.plot.getPlotItem().getViewBox().viewRange()
    assert (start, end) == (700.0, 1_000.0)  # a whole window of data: the window


def test_the_readout_never_covers_the_values_it_names(qtbot: Any) -> None:
    chart = cpu_chart(qtbot)
    # web-1 high near the end, web-2 low: the readout goes where neither is
    events = [make_event("m", {"cpu": 95}, time=900.0 + i) for i in range(0, 100, 2)]
    events += [make_event("m", {"cpu": 5}, source="web-2", time=901.0 + i) for i in range(0, 99, 2)]
    chart.add_events(events)
    chart.redraw(1_000.0)
    chart.plot.getPlotItem().getViewBox().setYRange(0, 100, padding=0)
    view = chart.plot.getPlotItem().getViewBox()
    for x in (910.0, 950.0, 995.0):
        chart.show_readout(x)
        assert chart.readout.isVisible() and "web-1: 95" in chart.readout_text(x)
        pixel_w, pixel_h = view.viewPixelSize()
        size = chart.readout.boundingRect()
        corner = chart.readout.pos()  # (a text item hangs down from its corner)
        width, height = size.width() * pixel_w, size.height() * pixel_h
        box = QRectF(corner.x(), corner.y() - height, width, height)
        for value in (95.0, 5.0):  # not on the crosshair's points, nor on the lines by it
            for near in (x - 2, x, x + 2):
                assert not box.contains(QPointF(near, value))
        assert view.viewRect().contains(box)  # and whole in the plot


def test_right_to_left_text_keeps_the_json_in_order_and_copies_clean(qtbot: Any) -> None:
    pane = EventDetailPane()
    qtbot.addWidget(pane)
    pane.resize(600, 300)
    pane.show()
    pane.show_event(make_event("m", {"שם": "שלום עולם", "n": 5}))
    block = pane.json_view.document().findBlockByNumber(1)
    text = block.text()
    layout = block.layout()
    line = layout.lineAt(0)
    colon, comma = text.index(":"), text.rindex(",")
    key_end = text.index('"', 3)  # the key's closing quote
    assert line.cursorToX(key_end)[0] < line.cursorToX(colon)[0] < line.cursorToX(comma)[0]
    assert layout.textOption().textDirection() == Qt.LayoutDirection.LeftToRight
    pane.json_view.selectAll()
    assert "\u2068" not in pane.json_view.createMimeDataFromSelection().text()
    assert '"שם": "שלום עולם",' in pane.json_view.createMimeDataFromSelection().text()


def test_emoji_are_drawn_with_a_colour_emoji_font(app: QApplication) -> None:
    installed = theme.use_emoji_fonts()
    if not installed:
        pytest.skip("no emoji font installed (Debian: fonts-noto-color-emoji)")
    assert QFontDatabase.applicationEmojiFontFamilies()[0] == installed[0]
    layout = QTextLayout("ok 🚀 done", theme.monospace_font())
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    families = {run.rawFont().familyName() for run in layout.glyphRuns()}
    assert installed[0] in families


def axis_texts(axis: Any) -> list[tuple[QRectF, str]]:
    """The tick labels an axis draws: their rectangles (in the axis's coordinates) and text."""
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _axis, _ticks, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [(rect, text) for rect, _flags, text in texts]


def test_no_axis_label_is_cut_off_at_the_plots_edges(qtbot: Any) -> None:
    chart = cpu_chart(qtbot)
    chart.add_events([make_event("m", {"cpu": v}, time=994.0 + i) for i, v in
                      enumerate((20, 60, 100, 40, 1.0))])  # fmt: skip
    chart.redraw(1_000.0)
    item = chart.plot.getPlotItem()
    item.getViewBox().setYRange(0, 100, padding=0)  # a label right at the top: "100"
    qtbot.waitUntil(lambda: item.getViewBox().viewRange()[1] == [0.0, 100.0])
    shown = chart.plot.mapToScene(chart.plot.viewport().rect()).boundingRect()
    assert "100" in [text for _rect, text in axis_texts(item.getAxis("left"))]
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        texts = axis_texts(axis)
        assert texts, name
        for rect, text in texts:
            assert shown.contains(axis.mapRectToScene(rect)), (name, text)
    times = [text for _rect, text in axis_texts(item.getAxis("bottom"))]
    assert all(re.fullmatch(r"\d\d:\d\d:\d\d", t) for t in times), times  # not "30.000"


def test_a_seventh_and_eighth_card_leave_the_charts_their_height(
    qtbot: Any, settings: QSettings
) -> None:
    from dashboard.core.layouts.layoutfile import builtin
    from dashboard.ui.app import Dashboard
    from dashboard.ui.panels.chart import MIN_PLOT_HEIGHT

    layout = builtin("demo")
    layout.cards += [CardSpec(f"Extra {n}", "m", "cpu") for n in range(2)]
    window = Dashboard([], settings=settings, layout=layout).window
    qtbot.addWidget(window)
    window.resize(760, 590)  # a small window: the cards wrap to rows of four
    window.show()
    qtbot.waitExposed(window)
    window._arrange()
    cards = window.cards
    qtbot.waitUntil(lambda: cards.rows() >= 2)
    assert cards.height() <= cards.sizeHint().height()  # at most two rows of cards
    for chart in window.charts:
        assert chart.plot.height() >= MIN_PLOT_HEIGHT, chart.spec.title


@pytest.mark.parametrize(("height", "rows_shown"), [(700, 1), (800, 1), (1_000, 2)])
def test_the_default_arrangement_shows_whole_rows_of_cards(
    qtbot: Any, settings: QSettings, height: int, rows_shown: int
) -> None:
    """A short window (a 1366x768 screen) gives the cards one whole row, a tall one two: never
    a row cut through (the rest scroll). Before, 700 and 800 px gave 1.4 and 1.8 rows."""
    from dashboard.core.layouts.layoutfile import builtin
    from dashboard.ui.app import Dashboard

    layout = builtin("demo")
    layout.cards += [CardSpec(f"Extra {n}", "m", "cpu") for n in range(8)]
    window = Dashboard([], settings=settings, layout=layout).window
    qtbot.addWidget(window)
    window.resize(1_000, height)  # 14 cards, six across: three rows
    window.show()
    qtbot.waitExposed(window)
    cards = window.cards
    window._arrange()
    qtbot.waitUntil(lambda: cards.rows() == 3)
    row, gap = cards.cards[0].sizeHint().height(), cards.grid.spacing()
    whole = rows_shown * row + (rows_shown - 1) * gap
    qtbot.waitUntil(lambda: cards.height() == whole)
    qtbot.waitUntil(lambda: cards.scroll.verticalScrollBar().maximum() > 0)  # the rest scroll

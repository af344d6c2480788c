"""Dashboards from any feed, in the window: zero configuration, a field made a card or a
series in one action, layouts saved and opened, and the layout's alert rules firing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from dashboard.core.layouts import layoutfile as layouts
from dashboard.core.layouts.layoutfile import Layout, builtin, loads
from dashboard.core.panels.cardformat import format_value
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.feed.demo import HOSTS, FeedEvent
from dashboard.feed.server import FeedServer, FeedThread
from dashboard.sources.registry import KINDS
from dashboard.ui.app import Dashboard


@pytest.fixture
def feed() -> Iterator[FeedThread]:
    thread = FeedThread(FeedServer(rate=2000, seed=11, paused=True, limit=400))
    thread.start()
    yield thread
    thread.close()


def start(
    qtbot: Any, feed: FeedThread, settings: QSettings, layout: Layout | None = None
) -> Dashboard:
    dash = Dashboard(
        [ConnectionSpec(feed.server.url, "demo")], settings=settings, tick_ms=10, layout=layout
    )
    qtbot.addWidget(dash.window)
    dash.start()
    return dash


def send_some(qtbot: Any, feed: FeedThread, dash: Dashboard, at_least: int) -> None:
    """Let the feed send until the window has *at_least* of its events, then pause it."""
    qtbot.waitUntil(lambda: feed.server.streams == 1, timeout=10_000)
    feed.server.paused = False
    qtbot.waitUntil(lambda: dash.store.end_seq >= at_least, timeout=20_000)
    feed.server.paused = True
    dash.window.refresh_now()


def send_all(qtbot: Any, feed: FeedThread, dash: Dashboard) -> list[FeedEvent]:
    """Let the paused feed send everything; what it sent, once all of it is shown."""
    qtbot.waitUntil(lambda: feed.server.streams == 1, timeout=10_000)
    feed.server.paused = False
    qtbot.waitUntil(
        lambda: (
            dash.store.counts.get("demo") is not None
            and dash.store.counts["demo"].frames == feed.server.limit
        ),
        timeout=20_000,
    )
    dash.window.refresh_now()
    return feed.snapshot()


def test_an_unknown_feed_gets_the_log_the_fields_and_events_per_second_by_type(
    qtbot: Any, feed: FeedThread, settings: QSettings, run_on_loop: Any
) -> None:
    dash = start(qtbot, feed, settings)  # no layout at all
    window = dash.window
    sent = send_all(qtbot, feed, dash)
    assert window.cards.cards == [] and not window.cards.hint.isHidden()
    [chart] = window.charts
    assert chart.spec.title == "Events per second by type"
    lines, types = {split for _index, split in chart.curves}, {s.type for s in sent}
    assert types <= lines and lines - types <= {
        "dashboard.alert.firing",
        "dashboard.alert.resolved",
    }
    total = sum(chart.data.lines[key].arrays()[1].sum() for key in chart.curves)
    assert total == dash.store.end_seq  # every event counted once, in some second
    browser = window.fields
    qtbot.waitUntil(lambda: "metrics.update" in browser.catalog.types())
    assert {f.path for f in browser.catalog.fields("metrics.update")} >= {
        "cpu",
        "memory",
        "requests",
        "errors",
    }
    run_on_loop(dash.aclose())


def test_a_field_becomes_a_card_and_a_series_showing_what_the_feed_sent(
    qtbot: Any, feed: FeedThread, settings: QSettings, run_on_loop: Any
) -> None:
    dash = start(qtbot, feed, settings)
    window = dash.window
    send_some(qtbot, feed, dash, 100)
    with qtbot.waitSignal(window.fields.card_requested, timeout=5000):
        window.fields.refresh()
        index = window.fields.index_of("metrics.update", "memory")
        assert index.isValid()
        window.fields.view.doubleClicked.emit(index)
    card = window.cards.card("memory")
    window.fields.series_requested.emit("metrics.update", "cpu")  # the context menu's action
    sent = send_all(qtbot, feed, dash)
    metrics = [s.body for s in sent if s.type == "metrics.update"]
    latest = {m["source"]: m["memory"] for m in metrics}
    assert card.value.text() == format_value(sum(latest.values()) / len(latest))
    assert card.caption.text() == "mean of 3 sources"
    chart = window.chart
    assert [s.field for s in chart.spec.series] == ["", "cpu"]
    for host in HOSTS:
        _t, values = chart.curves[(1, host)].getOriginalDataset()
        assert list(values) == [m["cpu"] for m in metrics if m["source"] == host]
    t, v = chart.curves[(1, HOSTS[0])].getOriginalDataset()
    assert f"cpu {HOSTS[0]}: {v[-1]:,.4g}" in chart.readout_text(float(t[-1]))  # the crosshair
    saved = loads(layouts.dumps(window.current_layout(), KINDS), kinds=KINDS)
    assert [(c.title, c.field, c.show) for c in saved.cards] == [("memory", "memory", "mean")]
    assert saved.charts[0].series[1].field == "cpu"
    run_on_loop(dash.aclose())


@pytest.fixture
def slow_feed() -> Iterator[FeedThread]:
    """400 events at 200 a second: pausing it after 100 leaves some to send, however long
    a loaded machine takes to notice the 100th (at 2,000 a second all 400 could be in)."""
    thread = FeedThread(FeedServer(rate=200, seed=11, paused=True, limit=400))
    thread.start()
    yield thread
    thread.close()


def test_a_paused_chart_keeps_its_view_and_catches_up_on_resume(
    qtbot: Any, slow_feed: FeedThread, settings: QSettings, run_on_loop: Any
) -> None:
    feed = slow_feed
    dash = start(qtbot, feed, settings, builtin("demo"))
    chart = dash.window.chart
    send_some(qtbot, feed, dash, 100)
    assert dash.store.end_seq < feed.server.limit  # some left to send while paused
    before = {k: len(c.getOriginalDataset()[0]) for k, c in chart.curves.items()}
    chart.pause_button.click()
    assert chart.paused
    send_all(qtbot, feed, dash)
    assert {k: len(c.getOriginalDataset()[0]) for k, c in chart.curves.items()} == before
    chart.pause_button.click()
    assert not chart.paused
    held = {key: len(line.arrays()[0]) for key, line in chart.data.lines.items()}
    assert {k: len(c.getOriginalDataset()[0]) for k, c in chart.curves.items()} == held
    assert sum(held.values()) > sum(before.values())
    run_on_loop(dash.aclose())


def test_the_layout_s_rules_fire_into_the_panel_and_the_log(
    qtbot: Any, feed: FeedThread, settings: QSettings, run_on_loop: Any
) -> None:
    layout = loads(
        "[[rules]]\nname = 'Busy'\nwhen = 'type:metrics.update'\n"
        "condition = 'count(type:metrics.update) > 5 per 1m'\nseverity = 'critical'\n"
        "group_by = ''\nmessage = '{count} reports in a minute'\n"
        "[alerts]\ntypes = []\nmin_severity = 'none'\n",  # no feed alerts: only the rule
        kinds=KINDS,
    )
    dash = start(qtbot, feed, settings, layout)
    send_all(qtbot, feed, dash)
    model = dash.window.alerts.model
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    entry = model.entry_at(0)
    assert entry is not None and (entry.name, entry.state.value) == ("Busy", "firing")
    assert entry.message == "6 reports in a minute"
    assert dash.window.side_tabs.tabText(0) == "Alerts (1)"
    dash.window.refresh_now()
    fired = [
        e
        for e in dash.store.events(dash.store.first_seq, dash.store.end_seq)
        if e.type == "dashboard.alert.firing"
    ]
    assert len(fired) == 1 and fired[0].data["alert"] == "Busy"
    run_on_loop(dash.aclose())


def test_a_saved_layout_opens_as_it_was_and_a_broken_one_changes_nothing(
    qtbot: Any, settings: QSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = Dashboard([], settings=settings, layout=builtin("demo"))
    qtbot.addWidget(first.window)
    first.window.log_panel.set_filter("type:order.* total>20")
    first.window.log_panel.add_field("total")
    path = tmp_path / "shift.toml"
    first.window.layout_path = path
    assert first.window.save_layout()
    second = Dashboard([], settings=settings)
    qtbot.addWidget(second.window)
    assert second.window.open_layout(path)
    again = second.window.current_layout()
    was = first.window.current_layout()
    assert (again.cards, again.charts, again.rules, again.log) == (
        was.cards,
        was.charts,
        was.rules,
        was.log,
    )
    assert second.window.log_model.fields == ["data.total"]
    assert second.window.layouts.recent() == [str(path)]

    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: said.append(text))
    broken = tmp_path / "broken.toml"
    broken.write_text("[[charts]]\ntitle = 'CPU'\n[[charts.series]]\nfeild = 'cpu'\n")
    assert not second.window.open_layout(broken)
    assert said == [
        f"{broken}: line 4: charts[1] ('CPU').series[1]: unknown key 'feild' (known: "
        "type, field, query, split_by, interval, label, unit, "
        "merge_connections)"
    ]
    assert second.window.current_layout().cards == was.cards  # nothing half loaded


def test_a_layout_opened_over_held_events_folds_them_into_every_card_and_chart_at_once(
    qtbot: Any, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.unit.factories import make_event

    dash = Dashboard([], settings=settings)
    qtbot.addWidget(dash.window)
    dash.store.extend(
        make_event("metrics.update", {"cpu": float(i % 50), "errors": 1}, source=f"web-{i % 3}")
        for i in range(300)
    )
    dash.bus.flush()
    rebuilt: list[tuple[int, int]] = []
    events = dash.store.events

    def counted(start: int, end: int) -> Any:
        rebuilt.append((start, end))
        return events(start, end)

    monkeypatch.setattr(dash.store, "events", counted)
    dash.window.apply_layout(builtin("demo"))
    assert rebuilt == [(0, 300)]  # once for the layout's 6 cards and 2 charts
    cards = {card.state.spec.title: card.state for card in dash.window.cards.cards}
    assert len(cards) == 6 and cards["Errors"].count == 300
    cpu = dash.window.charts[0].data
    assert sorted(k[1] for k in cpu.lines) == ["web-0", "web-1", "web-2"]
    assert sum(len(line) for line in cpu.lines.values()) == 300


def test_a_layout_opened_over_charts_arranges_its_own_charts(
    qtbot: Any, settings: QSettings
) -> None:
    first = Dashboard([], settings=settings, layout=builtin("demo"))
    qtbot.addWidget(first.window)
    first.window.show()
    cpu, rate = (chart.parentWidget() for chart in first.window.charts)
    first.window.tabifyDockWidget(cpu, rate)  # type: ignore[arg-type]
    arranged = first.window.current_layout()
    second = Dashboard([], settings=settings, layout=builtin("demo"))  # charts of its own
    qtbot.addWidget(second.window)
    second.window.show()
    second.window.apply_layout(arranged)
    cpu, rate = (chart.parentWidget() for chart in second.window.charts)
    assert second.window.tabifiedDockWidgets(cpu) == [rate]  # type: ignore[arg-type]


def test_the_last_layout_is_kept_safe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard.ui import layouts as kept

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    path = kept.last_layout_path()
    assert kept.load_last() == (None, "")
    assert kept.save_last(Layout(title="day")) == path
    assert path.stat().st_mode & 0o777 == 0o600  # it names feeds: the user's alone
    kept.save_last(Layout(title="night"))
    assert layouts.load(path, kinds=KINDS).title == "night"
    previous = path.with_name("last-layout.previous.toml")
    assert (
        layouts.load(previous, kinds=KINDS).title == "day"
        and previous.stat().st_mode & 0o777 == 0o600
    )
    blocker = path.with_name(path.name + ".part")
    blocker.mkdir()  # the new one cannot be written: the last one stays where it was
    assert kept.save_last(Layout(title="dawn")) is None
    blocker.rmdir()
    assert layouts.load(path, kinds=KINDS).title == "night"
    path.write_text("[[cards]]\nshow = 'avg'\n")  # mended by hand, badly
    layout, problem = kept.load_last()
    assert layout is None and "kept as" in problem and "show = 'avg' needs a field" in problem
    assert not path.exists() and path.with_name("last-layout.toml.bak").is_file()


def test_a_rule_alert_filters_the_log_to_the_events_that_fired_it() -> None:
    from dashboard.core.lang.query import parse
    from dashboard.core.monitor.alertbook import AlertBook
    from dashboard.core.monitor.rules import RuleEngine, parse_rule
    from dashboard.ui.panels.alerts import events_query
    from tests.unit.factories import make_event

    rule = parse_rule({"name": "Low stock", "when": "type:inventory.updated",
                       "condition": "remaining < 5", "group_by": "data.sku"})  # fmt: skip
    low = make_event("inventory.updated", {"sku": "ramen", "remaining": 2})
    (entry,) = AlertBook().apply(RuleEngine([rule]).feed([low]))
    text = events_query(entry, {rule.name: rule})
    assert text == "(type:inventory.updated) (remaining<5) data.sku=ramen"
    query = parse(text)
    assert query.matches(low)
    assert not query.matches(make_event("inventory.updated", {"sku": "pad-thai", "remaining": 2}))
    assert not query.matches(make_event("inventory.updated", {"sku": "ramen", "remaining": 50}))


def test_hostile_names_show_literally_in_legends_tooltips_and_cards(qtbot: Any) -> None:
    from PySide6.QtCore import Qt

    from dashboard.core.panels.cards import CardSpec
    from dashboard.core.panels.series import ChartSpec, SeriesSpec
    from dashboard.ui.panels.cards import CardsPanel
    from dashboard.ui.panels.chart import ChartPanel
    from tests.unit.factories import make_event

    hostile = "<img src='file:///etc/passwd'><a href='https://x'>click</a>\u202e"
    chart = ChartPanel(
        ChartSpec("c", (SeriesSpec("m", "v", split_by="source"),)), clock=lambda: 1e3
    )
    qtbot.addWidget(chart)
    chart.add_events([make_event("m", {"v": 1}, source=hostile)])
    chart.redraw(1_000.0)
    (label,) = chart.legend.names()  # a tool button's text: plain, never HTML
    assert label.startswith("<img src='file:///etc/passwd'>") and "\u202e" not in label
    cards = CardsPanel([CardSpec(hostile, "m", "v", description=hostile)], clock=lambda: 1e3)
    qtbot.addWidget(cards)
    card = cards.cards[0]
    assert card.title.textFormat() == card.value.textFormat() == Qt.TextFormat.PlainText
    assert "<img" not in card.toolTip() and "&lt;img" in card.toolTip()


def test_chart_markers_show_the_newest_in_the_window_once_each(qtbot: Any) -> None:
    from dashboard.core.panels.series import ChartSpec, SeriesSpec
    from dashboard.ui.panels.chart import ChartPanel
    from dashboard.ui.panels.chart_axes import MARKERS_SHOWN
    from tests.unit.factories import make_event

    now = [1_000.0]
    spec = ChartSpec("c", (SeriesSpec("m", "v"),), window=60.0, markers="type:deploy")
    chart = ChartPanel(spec, clock=lambda: now[0])
    qtbot.addWidget(chart)
    deploys = [make_event("deploy", {"v": 1}, time=990.0 + i) for i in range(3)]
    chart.add_events([make_event("m", {"v": 1}, time=989.0), *deploys])
    chart.redraw(now[0])
    assert chart.markers.times() == [990.0, 991.0, 992.0]
    tip = chart.markers.label_near(991.02, pixel_width=0.01)  # 2 px from the line
    assert f"deploy at {datetime.fromtimestamp(991):%H:%M:%S}</p>" in tip
    assert chart.markers.label_near(991.5, pixel_width=0.01) == ""  # 50 px away: none

    chart.add_events([make_event("deploy", {"v": 1}, time=1_000.0)])
    now[0] = 1_051.0  # the window (60 s) no longer holds 990
    chart.redraw(now[0])
    assert chart.markers.times() == [991.0, 992.0, 1_000.0]
    chart.add_events([make_event("deploy", {"v": 1}, time=1_000.0)] * 5)  # the same moment
    chart.redraw(now[0])
    assert chart.markers.times() == [991.0, 992.0, 1_000.0]
    chart.add_events([make_event("deploy", {"v": 1}, time=1_001.0 + i / 10) for i in range(150)])
    chart.redraw(now[0])
    assert len(chart.markers.times()) == MARKERS_SHOWN  # the newest of them
    assert chart.markers.times()[-1] == 1_001.0 + 14.9 and chart.markers.times()[0] > 1_001.0


def _shown_chart_of_deploys(qtbot: Any) -> Any:
    """A 600 x 300 chart of ``m``'s ``v`` with a marker at each deploy, shown, at 1,000 s."""
    from dashboard.core.panels.series import ChartSpec, SeriesSpec
    from tests.qt.shown import shown_chart

    spec = ChartSpec("c", (SeriesSpec("m", "v"),), window=60.0, markers="type:deploy")
    return shown_chart(qtbot, spec, (600, 300), now=1_000.0)


def test_chart_markers_cross_the_whole_view_as_it_scrolls_and_rescales(qtbot: Any) -> None:
    from PySide6.QtCore import QPointF

    from tests.unit.factories import make_event

    chart = _shown_chart_of_deploys(qtbot)
    points = [make_event("m", {"v": v}, time=950.0 + v) for v in range(40)]
    chart.add_events([*points, make_event("deploy", {}, time=970.0)])
    chart.redraw(1_000.0)
    view = chart.plot.getPlotItem().getViewBox()

    def spans_the_view() -> bool:
        (_, _), (y0, y1) = view.viewRange()
        box = chart.markers.boundingRect()
        return box.top() == y0 and box.bottom() == y1 and box.left() < 970.0 < box.right()

    qtbot.waitUntil(spans_the_view)
    chart.add_events([make_event("m", {"v": 5_000}, time=995.0)])  # the Y axis grows 100-fold
    chart.redraw(1_000.0)
    qtbot.waitUntil(lambda: view.viewRange()[1][1] > 4_000)
    qtbot.waitUntil(spans_the_view)
    chart._mouse_moved(view.mapViewToScene(QPointF(970.0, 100.0)))  # the pointer on it
    assert f"deploy at {datetime.fromtimestamp(970):%H:%M:%S}" in chart.markers.toolTip()
    chart._mouse_moved(view.mapViewToScene(QPointF(985.0, 100.0)))  # well clear of it
    assert chart.markers.toolTip() == ""
    pixel = view.viewPixelSize()[0]  # the tooltip reaches 4 px past the outermost markers
    assert chart.markers.boundingRect().left() <= 970.0 - 3.5 * pixel
    assert chart.markers.boundingRect().right() >= 970.0 + 3.5 * pixel
    chart._mouse_moved(view.mapViewToScene(QPointF(970.0, 100.0)))
    assert "deploy at" in chart.markers.toolTip()
    chart.redraw(1_020.0)  # the view scrolls on: the marker leaves the pointer at rest
    assert chart.markers.toolTip() == ""
    chart.reset()
    assert chart.markers.times() == [] and chart.markers.boundingRect().isEmpty()


def test_a_chart_of_many_points_draws_about_two_a_pixel_column_and_keeps_every_peak(
    qtbot: Any,
) -> None:
    import numpy as np

    from dashboard.core.panels.series import ChartSpec, SeriesSpec
    from tests.qt.shown import shown_chart
    from tests.unit.factories import make_event

    spec = ChartSpec("c", (SeriesSpec("m", "v"),), window=300.0)
    chart = shown_chart(qtbot, spec, (480, 260), now=1_300.0)
    values = [float(i % 7) for i in range(8_000)]
    values[4_321] = 99.0  # one spike among 8,000 points
    chart.add_events(
        [make_event("m", {"v": v}, time=1_000.0 + i * 300 / 8_000) for i, v in enumerate(values)]
    )
    chart.redraw(1_300.0)
    curve = next(iter(chart.curves.values()))
    width = chart.plot.getPlotItem().getViewBox().width()

    def drawn() -> np.ndarray:
        shown = curve.curve.getData()[1]
        return np.asarray(shown if shown is not None else [])

    qtbot.waitUntil(lambda: 0 < len(drawn()) <= 2.2 * width)  # bins are whole points: ~2 a px
    assert drawn().max() == 99.0 and drawn().min() == 0.0


def test_the_legend_sits_under_the_plot_and_scrolls_rather_than_vanish(qtbot: Any) -> None:
    from dashboard.core.panels.series import ChartSpec, SeriesSpec
    from dashboard.ui.panels.chart import ChartPanel
    from dashboard.ui.panels.legend import MAX_ROWS
    from tests.unit.factories import make_event

    spec = ChartSpec("c", (SeriesSpec("", interval=1.0, split_by="type"),), window=60.0)
    chart = ChartPanel(spec, clock=lambda: 1_000.0)
    qtbot.addWidget(chart)
    chart.resize(1200, 300)
    chart.show()
    qtbot.waitExposed(chart)
    names = [f"order.step-{n:02}" for n in range(12)]
    chart.add_events([make_event(name, {}, time=990.0) for name in names])
    chart.redraw(1_000.0)
    legend, view = chart.legend, chart.plot.getPlotItem().getViewBox()
    assert sorted(legend.names()) == names  # twelve lines, twelve entries

    def under_the_plot() -> bool:  # no line is ever under the legend
        top = legend.mapTo(chart, legend.rect().topLeft()).y()
        bottom = chart.plot.mapTo(chart, chart.plot.rect().bottomLeft()).y()
        return top >= bottom and view.sceneBoundingRect().height() > 100

    qtbot.waitUntil(under_the_plot)
    assert legend.isVisible()
    one_row = legend.height()
    chart.resize(300, 300)  # twelve entries in a narrow chart: rows, then a scroll bar
    qtbot.waitUntil(lambda: legend.height() > one_row)
    assert legend.isVisible() and legend.height() <= legend.rows_height(MAX_ROWS) + 2
    qtbot.waitUntil(lambda: legend.verticalScrollBar().maximum() > 0)  # the rest scrolls
    assert chart.plot.height() >= 70
    entry = legend.entries[(0, "order.step-03")]
    entry.click()  # hides its line, and says so
    assert not chart.curves[(0, "order.step-03")].isVisible() and entry.font().strikeOut()
    entry.click()
    assert chart.curves[(0, "order.step-03")].isVisible()


def test_a_marker_is_drawn_when_no_line_grows(qtbot: Any) -> None:
    from dashboard.core.panels.series import ChartSpec, SeriesSpec
    from dashboard.ui.panels.chart import ChartPanel
    from tests.unit.factories import make_event

    spec = ChartSpec("c", (SeriesSpec("m", "v"),), window=60.0, markers="type:deploy")
    chart = ChartPanel(spec, clock=lambda: 1_000.0)
    qtbot.addWidget(chart)
    assert chart.take_turn() is None  # nothing to draw yet: the turn passes
    chart.add_events([make_event("m", {"v": 1}, time=980.0)])
    assert chart.take_turn() == chart.redraw_interval  # the line is drawn
    assert chart.markers.times() == []
    chart.add_events([make_event("deploy", {"v": 1}, time=990.0)])  # only a marker: no point
    chart.take_turn()
    assert chart.markers.times() == [990.0]


def test_a_marker_on_a_chart_without_lines_names_itself(qtbot: Any) -> None:
    from PySide6.QtCore import QPointF

    from tests.unit.factories import make_event

    chart = _shown_chart_of_deploys(qtbot)
    chart.add_events([make_event("deploy", {}, time=990.0)])
    assert chart.take_turn() is not None and not chart.curves
    view = chart.plot.getPlotItem().getViewBox()
    view.setXRange(940.0, 1_000.0, padding=0)
    qtbot.waitUntil(lambda: view.viewRange()[0] == [940.0, 1_000.0])
    chart._mouse_moved(view.mapViewToScene(QPointF(990.0, 0.5)))
    assert "deploy at" in chart.markers.toolTip()


def test_a_chart_says_in_its_title_bar_what_it_does_not_draw(qtbot: Any) -> None:
    from dashboard.core.panels.series import ChartSpec, SeriesSpec
    from dashboard.ui.panels.chart import ChartPanel
    from tests.unit.factories import make_event

    spec = ChartSpec("Latency by request", (SeriesSpec("m", "v", split_by="data.id"),))
    chart = ChartPanel(spec, clock=lambda: 1_000.0)
    qtbot.addWidget(chart)
    chart.add_events([make_event("m", {"v": 1, "id": i}, time=990.0) for i in range(64)])
    chart.take_turn()
    assert len(chart.curves) == 64
    assert chart.note.isHidden()
    chart.add_events([make_event("m", {"v": 1, "id": i}, time=991.0) for i in range(70)])
    chart.take_turn()
    assert not chart.note.isHidden()
    assert chart.note.text() == "⚠ not all drawn" and "6 lines not drawn" in chart.note.toolTip()
    chart.reset()  # a replay going back: nothing held back any more
    assert chart.note.isHidden()


def test_a_busy_line_is_joined_throughout() -> None:
    import numpy as np

    from dashboard.ui.panels.chart_axes import joined

    assert joined(np.linspace(0.0, 300.0, 1_000_001)) == "all"  # every step under a second
    t = np.concatenate([np.arange(0.0, 100.0, 2.0), np.arange(200.0, 300.0, 2.0)])
    connect = joined(t)
    assert not isinstance(connect, str)
    assert list(np.flatnonzero(~connect)) == [49]  # only across the 100 s gap


def test_hosts_polled_at_the_same_moment_make_one_joined_line() -> None:
    import numpy as np

    from dashboard.ui.panels.chart_axes import joined

    t = np.repeat(np.arange(0.0, 100.0, 5.0), 3)  # three hosts, every 5 s, one timestamp
    t = np.concatenate([t, [400.0, 400.0, 400.0]])  # and one gap
    connect = joined(t)
    assert not isinstance(connect, str)
    assert list(np.flatnonzero(~connect)) == [59]

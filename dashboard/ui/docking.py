"""The window's docks: the fixed ones (cards, fields, the side tabs), a dock per chart and
per ``[[panels]]`` panel, and the default arrangement of them all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from dashboard.core.events.event import Event
from dashboard.core.events.summary import one_line
from dashboard.core.panels.cards import CardSpec
from dashboard.core.panels.panelkind import PanelKinds, PanelSpec
from dashboard.core.panels.series import ChartSpec, SeriesSpec
from dashboard.ui.panels.chart import ChartPanel
from dashboard.ui.panels.registry import Panel

if TYPE_CHECKING:
    from dashboard.ui.main_window import MainWindow

VERTICAL = Qt.Orientation.Vertical
HORIZONTAL = Qt.Orientation.Horizontal


def make_dock(window: QMainWindow, name: str, title: str, widget: QWidget) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(name)  # what saveState knows it by
    dock.setWidget(widget)
    dock.setFeatures(
        QDockWidget.DockWidgetFeature.DockWidgetMovable
        | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        | QDockWidget.DockWidgetFeature.DockWidgetClosable
    )
    return dock


class Docks:
    """Where the window's panels sit. Charts and ``[[panels]]`` panels come and go with
    the layout; each takes its turns on the window's pacer while it is there."""

    def __init__(self, window: MainWindow, kinds: PanelKinds) -> None:
        self.window = window
        self.kinds = kinds
        self.charts: list[ChartPanel] = []
        self.panels: list[tuple[str, Panel]] = []  # (kind, panel) of the [[panels]] tables
        self.cards_dock = make_dock(window, "cards", "Cards", window.cards)
        self.fields_dock = make_dock(window, "fields", "Fields", window.fields)
        self.alerts_dock = make_dock(window, "alerts", "Alerts", window.side_tabs)
        window.addDockWidget(Qt.DockWidgetArea.TopDockWidgetArea, self.cards_dock)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.alerts_dock)
        window.splitDockWidget(self.alerts_dock, self.fields_dock, VERTICAL)

    def arrange(self) -> None:
        """The default arrangement: cards across the top, the charts side by side under
        them, the log below, alerts and fields on its right, other panels under those."""
        window = self.window
        window.restoreState(window.default_arrangement)
        previous = self.cards_dock
        for index, chart in enumerate(self.charts):
            dock = self._dock_of(chart)
            window.splitDockWidget(previous, dock, VERTICAL if index == 0 else HORIZONTAL)
            dock.show()
            previous = dock
        for _kind, panel in self.panels:
            dock = self._dock_of(panel)
            window.splitDockWidget(self.fields_dock, dock, VERTICAL)
            dock.show()
        self.cards_dock.setVisible(bool(window.cards.cards) or not self.charts)
        window.resizeDocks([self.alerts_dock], [440], HORIZONTAL)
        window.resizeDocks([self.alerts_dock, self.fields_dock], [200, 200], VERTICAL)
        top = [self.cards_dock] + [self._dock_of(c) for c in self.charts[:1]]
        cards = window.cards.sizeHint().height() + 20  # (its title bar) up to two rows
        window.resizeDocks(top, [cards, 250][: len(top)], VERTICAL)

    @staticmethod
    def _dock_of(widget: QWidget) -> QDockWidget:
        dock = widget.parentWidget()
        assert isinstance(dock, QDockWidget)
        return dock

    def _show_held(self, panel: Any) -> None:
        held = self.window.held_events()
        if held:
            panel.add_events(held, _by_type(held))

    def _forget_dock(self, widget: QWidget, take_turn: Any) -> None:
        self.window.pacer.remove(take_turn)
        dock = self._dock_of(widget)
        self.window.removeDockWidget(dock)
        # Nameless until it is gone: restoreState would take it for a new panel's dock.
        dock.setObjectName("")
        dock.deleteLater()

    # -- charts --------------------------------------------------------------------------
    def add_chart(self, spec: ChartSpec) -> ChartPanel:
        window = self.window
        chart = ChartPanel(spec, clock=window.now, held=window.held_events)
        chart.remove_requested.connect(lambda: self.remove_chart(chart))
        chart.field_dropped.connect(lambda etype, path: self.add_series_for(etype, path, chart))
        chart.query_requested.connect(lambda what: self.chart_log_filter(chart, what))
        dock = make_dock(window, f"chart-{len(self.charts)}", spec.title, chart)
        dock.setTitleBarWidget(chart.bar)
        window.addDockWidget(Qt.DockWidgetArea.TopDockWidgetArea, dock)
        self.charts.append(chart)
        window.pacer.add(chart.take_turn)
        held = window.held_events()
        if held:
            chart.add_events(held)
            chart.redraw()
        return chart

    def remove_chart(self, chart: ChartPanel) -> None:
        self.charts.remove(chart)
        self._forget_dock(chart, chart.take_turn)
        for index, other in enumerate(self.charts):
            self._dock_of(other).setObjectName(f"chart-{index}")

    def add_card_for(self, event_type: str, path: str) -> None:
        """A card for a discovered field: numbers show the mean of each source's newest,
        text its newest value."""
        window = self.window
        info = next((f for f in window.fields.catalog.fields(event_type) if f.path == path), None)
        numeric = info is None or info.is_numeric
        spec = CardSpec(
            title=path.rsplit(".", 1)[-1],
            type=event_type,
            field=path,
            show="last" if not numeric else "mean",
            description=f"{path} of {event_type} events",
        )
        window.cards.add_card(spec)
        self.cards_dock.show()
        window.statusBar().showMessage(f"Added a card for {path} of {event_type}", 5000)

    def add_series_for(self, event_type: str, path: str, chart: ChartPanel | None = None) -> None:
        """The field as a series (one line per source) on *chart*, or the first chart."""
        if chart is None:
            if not self.charts:
                self.add_chart_for(event_type, path)
                return
            chart = self.charts[0]
        chart.add_series(SeriesSpec(type=event_type, field=path, split_by="source"))
        message = f"Added {path} of {event_type} to {chart.spec.title}"
        self.window.statusBar().showMessage(message, 5000)

    def add_chart_for(self, event_type: str, path: str) -> None:
        series = SeriesSpec(type=event_type, field=path, split_by="source")
        chart = self.add_chart(ChartSpec(f"{path} by source", (series,)))
        beside = self._dock_of(self.charts[-2]) if len(self.charts) > 1 else self.cards_dock
        orientation = HORIZONTAL if len(self.charts) > 1 else VERTICAL
        self.window.splitDockWidget(beside, self._dock_of(chart), orientation)

    def chart_log_filter(self, chart: ChartPanel, what: str) -> None:
        """Put what the log's filter matches on *chart*: counted, or as markers."""
        query = self.window.log_model.query.text.strip()
        if not query:
            self.window.statusBar().showMessage(
                "Type a filter in the log first (Ctrl+F): the chart counts what it matches", 8000
            )
            return
        if what == "markers":
            chart.set_markers(query)
            return
        split = "type" if what == "count-by-type" else ""
        series = SeriesSpec(query=query, split_by=split, interval=10.0, label=one_line(query, 40))
        chart.add_series(series)

    # -- [[panels]] panels ---------------------------------------------------------------
    def add_panel(self, spec: PanelSpec) -> Panel:
        """Build a panel of a ``[[panels]]`` kind in a dock of its own, under the fields."""
        kind = self.kinds.get(spec.kind)
        panel = kind.widget(self.window.panel_context, dict(spec.options))
        name = f"panel-{kind.name}-{sum(k == kind.name for k, _p in self.panels)}"
        dock = make_dock(self.window, name, kind.title, panel)
        self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.window.splitDockWidget(self.fields_dock, dock, VERTICAL)
        self.panels.append((kind.name, panel))
        self.window.pacer.add(panel.take_turn)
        self._show_held(panel)
        panel.take_turn()
        return panel

    def add_new_panel(self, kind: str) -> None:
        """A panel of *kind* with its default options (the View menu's Add a panel)."""
        self.add_panel(PanelSpec(kind, self.kinds.get(kind).read({}))).show()

    def clear(self) -> None:
        """No chart and no ``[[panels]]`` panel (a layout is about to be shown)."""
        for chart in list(self.charts):
            self.remove_chart(chart)
        for _kind, panel in self.panels:
            self._forget_dock(panel, panel.take_turn)
        self.panels.clear()

    def panel_specs(self) -> list[PanelSpec]:
        return [PanelSpec(kind, panel.options()) for kind, panel in self.panels]

    def add_events(self, events: Sequence[Event], by_type: Mapping[str, list[Event]]) -> None:
        for chart in self.charts:
            chart.add_events(events, by_type)  # type: ignore[arg-type]
        for _kind, panel in self.panels:
            panel.add_events(events, by_type)

    def reset(self) -> None:
        for chart in self.charts:
            chart.reset()
        for _kind, panel in self.panels:
            panel.reset()

    def redraw(self) -> None:
        for chart in self.charts:
            chart.redraw()
        for _kind, panel in self.panels:
            panel.take_turn()


def _by_type(events: Sequence[Event]) -> dict[str, list[Event]]:
    by_type: dict[str, list[Event]] = {}
    for event in events:
        by_type.setdefault(event.type, []).append(event)
    return by_type

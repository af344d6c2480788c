"""What the built-in panels ask of one another through the window: a field from the field
browser as a card, a line on a chart or a chart of its own; what the log's filter matches
on a chart; the log's Export and Replay. Connected once the registry has built them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dashboard.core.events.summary import one_line
from dashboard.core.panels.cards import CardSpec
from dashboard.core.panels.series import ChartSpec, SeriesSpec
from dashboard.ui.docking import HORIZONTAL, VERTICAL, dock_of
from dashboard.ui.panels.chart import ChartPanel

if TYPE_CHECKING:
    from dashboard.ui.main_window import MainWindow


class PanelRequests:
    """Carries out the panels' requests in *window*."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        window.log_panel.export_requested.connect(window.export_log)
        window.log_panel.replay_requested.connect(window.replay_log)
        window.fields.card_requested.connect(self.add_card_for)
        window.fields.series_requested.connect(lambda t, p: self.add_series_for(t, p))
        window.fields.new_chart_requested.connect(self.add_chart_for)

    def chart_added(self, chart: ChartPanel) -> None:
        """A new chart's requests: go, take a dropped field, show the log's filter."""
        chart.remove_requested.connect(lambda: self.window.host.remove(chart))
        chart.field_dropped.connect(lambda etype, path: self.add_series_for(etype, path, chart))
        chart.query_requested.connect(lambda what: self.chart_log_filter(chart, what))

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
        dock_of(window.cards).show()
        window.statusBar().showMessage(f"Added a card for {path} of {event_type}", 5000)

    def add_series_for(self, event_type: str, path: str, chart: ChartPanel | None = None) -> None:
        """The field as a series (one line per source) on *chart*, or the first chart."""
        if chart is None:
            if not self.window.charts:
                self.add_chart_for(event_type, path)
                return
            chart = self.window.charts[0]
        chart.add_series(SeriesSpec(type=event_type, field=path, split_by="source"))
        message = f"Added {path} of {event_type} to {chart.spec.title}"
        self.window.statusBar().showMessage(message, 5000)

    def add_chart_for(self, event_type: str, path: str) -> None:
        """A chart of its own for the field, beside the last chart (under the cards)."""
        window = self.window
        series = SeriesSpec(type=event_type, field=path, split_by="source")
        spec = ChartSpec(f"{path} by source", (series,))
        chart = window.host.add(window.host.kinds.named("chart"), {"chart": spec})
        charts = window.charts
        beside = dock_of(charts[-2]) if len(charts) > 1 else window.docks.top_dock
        orientation = HORIZONTAL if len(charts) > 1 else VERTICAL
        if beside is not None:
            window.splitDockWidget(beside, dock_of(chart), orientation)

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

"""The main window: cards on top, chart and alerts in the middle, the event log below."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from dashboard import __version__
from dashboard.core.events.event import Event
from dashboard.core.events.summary import one_line
from dashboard.core.layouts.layoutfile import Layout, LogSettings, left_out, zero_config
from dashboard.core.monitor import Monitor
from dashboard.core.monitor.alertbook import AlertEntry, silences_from_json, silences_json
from dashboard.core.panels.cards import CardSpec
from dashboard.core.panels.pacing import Pacer
from dashboard.core.panels.series import ChartSpec, SeriesSpec
from dashboard.core.storage.store import EventStore
from dashboard.sources.replay import ReplayPlayer
from dashboard.ui import export, keys, resources
from dashboard.ui.banner import Banner
from dashboard.ui.bus import EventBus
from dashboard.ui.connections import ConnectionManager
from dashboard.ui.empty_state import EmptyState
from dashboard.ui.geometry import place_window
from dashboard.ui.layouts import LayoutFiles
from dashboard.ui.log_model import EventLogModel
from dashboard.ui.notify import CHOICES, Notifier
from dashboard.ui.panels import alerts, rejected, silences
from dashboard.ui.panels.cards import CardsPanel
from dashboard.ui.panels.chart import ChartPanel
from dashboard.ui.panels.connections import ConnectionsPanel
from dashboard.ui.panels.fields import FieldBrowser
from dashboard.ui.panels.log import LogPanel
from dashboard.ui.recording import RecordingController
from dashboard.ui.replay_bar import JUMP_S, ReplayBar
from dashboard.ui.status import DashboardStatusBar
from dashboard.ui.theme_menu import add_theme_menu
from dashboard.ui.toast import Toast

APP_TITLE = "Live Dashboard"
RECORDING_COLOUR = "#ff4d6d"
STATUS_REFRESH_S = 0.5
# The log takes in new rows at most this often (seconds). Past a few hundred events a second
# its rows go by faster than anyone reads them, and repainting the table and its scrollbars
# on every 33 ms tick took a third of the window's time at the top rate.
LOG_REFRESH_S = 0.1
HISTORY_EVENTS = 50_000  # what a new card or chart starts from
SILENCES_KEY = "alerts/silences"  # the live window's silences, kept between starts


class MainWindow(QMainWindow):
    """Wires the bus to the panels; owns no data. With a *replay* player it is a replay
    window: a replay bar on top, and the window's state kept apart from the live one's.

    Signals:
        closed(): the operator closed the window (the app shuts down its sources).
        open_requested(str): replay this file (menu, drop).
        selection_requested(str, str): replay this temporary file (what the log showed),
            under this name; it may be deleted once open.
        back_to_live(): a replay window asks to go back to the live dashboard.
        demo_requested(): run the built-in demo feed (the first start's empty state).
    """

    closed = Signal()
    demo_requested = Signal()
    open_requested = Signal(str)
    selection_requested = Signal(str, str)
    back_to_live = Signal()

    def __init__(
        self,
        store: EventStore,
        bus: EventBus,
        connections: ConnectionManager,
        layout: Layout | None = None,
        settings: QSettings | None = None,
        replay: ReplayPlayer | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.bus = bus
        self.settings = settings or QSettings()
        self.connections = connections
        self.player = replay
        self._state_prefix = "window" if replay is None else "replay-window"
        self.setWindowIcon(resources.app_icon())
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks
            | QMainWindow.DockOption.AllowNestedDocks
            | QMainWindow.DockOption.AllowTabbedDocks
        )

        self._held_for_layout: list[Event] | None = None  # see apply_layout
        self.pacer = Pacer()  # the refreshes that repaint take turns on the bus tick
        self.cards = CardsPanel([], self._now, self._held_events)
        self.charts: list[ChartPanel] = []  # each takes its own turns (see _add_chart)
        self.fields = FieldBrowser(clock=self._now)
        for refresh in (
            self._refresh_log,
            self._refresh_status,
            self.cards.take_turn,
            self.fields.take_turn,
        ):
            self.pacer.add(refresh)
        self.fields.card_requested.connect(self.add_card_for)
        self.fields.series_requested.connect(self.add_series_for)
        self.fields.new_chart_requested.connect(self.add_chart_for)
        # The monitor watches for alerts (rules, feed alerts, connection health); the
        # window shows its book and writes its alert events into the store.
        self.monitor = Monitor()
        if replay is None:  # the operator's silences outlive the window (not a replay's)
            saved = str(self.settings.value(SILENCES_KEY, "") or "")
            self.monitor.book.silences = silences_from_json(saved, time.time())
        self.alerts = alerts.AlertPanel(self.monitor, self._now)
        self.silences = silences.SilencesPanel(self.monitor, self._now)
        self.rejected_model = rejected.RejectedListModel(parent=self)
        self.rejected_view = rejected.make_view(self.rejected_model)
        self.log_model = EventLogModel(store, parent=self)
        self.log_panel = LogPanel(store, self.log_model, self.settings)
        self.log_view = self.log_panel.view
        self.log_panel.export_requested.connect(self.export_log)
        self.log_panel.replay_requested.connect(self.replay_log)
        self.fields.filter_requested.connect(self._show_alert_events)
        self.alerts.changed.connect(self._update_alert_tab)
        self.alerts.silenced.connect(self._silences_changed)
        self.silences.changed.connect(self._silences_changed)
        self.alerts.filter_requested.connect(self._show_alert_events)
        self.side_tabs = QTabWidget()
        self.side_tabs.addTab(self.alerts, "Alerts")
        self.side_tabs.addTab(self.rejected_view, "Rejected")
        self.connections_panel = ConnectionsPanel(connections)
        self.side_tabs.addTab(self.connections_panel, "Connections")
        self.side_tabs.addTab(self.silences, "Silences")
        self.side_tabs.setTabToolTip(1, "Frames that could not be decoded, with the reason")
        self.side_tabs.setTabToolTip(2, "Every feed's health; add, edit, connect, disconnect")
        self.side_tabs.setTabToolTip(3, "What is silenced, until when and why; Unsilence")

        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(4, 4, 4, 4)
        column.setSpacing(6)
        self.replay_bar: ReplayBar | None = None
        if replay is not None:
            self.replay_bar = ReplayBar(replay)
            self.replay_bar.back_to_live.connect(self.back_to_live)
            self.replay_bar.problem.connect(lambda text: self.statusBar().showMessage(text, 10_000))
            strip = QToolBar("Replay", self)  # across the whole window, above every panel
            strip.setObjectName("replay")
            strip.setMovable(False)
            strip.addWidget(self.replay_bar)
            self.addToolBar(Qt.ToolBarArea.TopToolBarArea, strip)
        self.empty_state = EmptyState()  # a first start: how to begin
        self.empty_state.connect_requested.connect(self._add_connection)
        self.empty_state.open_requested.connect(self._ask_recording)
        self.empty_state.demo_requested.connect(self.demo_requested)
        column.addWidget(self.log_panel, 1)
        self.empty_state.attach(self.log_view.viewport())
        self.setCentralWidget(central)
        self.cards_dock = self._dock("cards", "Cards", self.cards)
        self.fields_dock = self._dock("fields", "Fields", self.fields)
        self.alerts_dock = self._dock("alerts", "Alerts", self.side_tabs)
        self.addDockWidget(Qt.DockWidgetArea.TopDockWidgetArea, self.cards_dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.alerts_dock)
        self.splitDockWidget(self.alerts_dock, self.fields_dock, Qt.Orientation.Vertical)
        self.status = DashboardStatusBar(store, connections)
        self.recording = RecordingController(store, bus, parent=self)
        self.recording_label = QLabel()
        self.recording_label.setStyleSheet(f"color: {RECORDING_COLOUR}; padding: 0 8px;")
        self.recording_label.hide()
        self.status.addPermanentWidget(self.recording_label)
        self.recording.changed.connect(self._show_recording)
        self.setAcceptDrops(True)
        self.banner = Banner(self)  # what the operator must not miss, such as this:
        self.banner.attach(self)
        self.recording.failed.connect(self._recording_failed)
        connections.changed.connect(self._update_title)
        self.setStatusBar(self.status)
        self.toast = Toast(self)  # alert notifications where there is no system tray
        self.notifier = Notifier(self.settings, self.toast, parent=self)
        if replay is not None:
            self.notifier.gate.min_severity = None  # a replay tells of the past: no pop-ups
        self.layouts = LayoutFiles(self.settings, self, connections.kinds)
        self.builtin_urls: set[str] = set()  # feeds the app starts itself (not saved)
        self.layout_path: Path | None = None
        self.layout_title = ""
        self.layout_readers: int | None = None  # kept as the layout said, to save it again
        self._make_menus()
        place_window(self, self.settings.value(f"{self._state_prefix}/geometry"))
        self._default_arrangement = self.saveState()
        self.apply_layout(layout or zero_config())

        connections.changed.connect(self._show_empty_state)
        self._show_empty_state()
        bus.events_appended.connect(self._on_events)
        bus.rejected_appended.connect(self._on_rejected)
        bus.ticked.connect(lambda: self.pacer.frame(time.monotonic()))

    def _dock(self, name: str, title: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)  # what saveState knows it by
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        return dock

    # -- the layout ------------------------------------------------------------------
    def apply_layout(self, layout: Layout, path: Path | None = None) -> None:
        """Show *layout*: its cards, charts, rules, alert conventions, log settings and
        arrangement; its connections are added (none removed: their events stay)."""
        for card in list(self.cards.cards):
            self.cards.remove_card(card)
        for chart in list(self.charts):
            self._remove_chart(chart)
        # The held events are rebuilt once for all the layout's cards and charts.
        self._held_for_layout = self._held_events() if layout.cards or layout.charts else None
        try:
            for spec in layout.cards:
                self.cards.add_card(spec)
            for spec in layout.charts:
                self._add_chart(spec)
        finally:
            self._held_for_layout = None
        self.monitor.configure(layout.rules, layout.alerts)
        self.alerts.refresh()
        self.side_tabs.setTabToolTip(
            0,
            "Alerts from the feed (types "
            + ", ".join(layout.alerts.types)
            + f", or severity {layout.alerts.min_severity} and up), from the layout's "
            f"{len(layout.rules)} rule(s), and feeds down for over "
            f"{layout.alerts.connection_down:g} s; the count is those firing and not "
            "acknowledged",
        )
        if self.player is None:
            known = {c.url for c in self.connections.specs()}
            for spec in layout.connections:
                if spec.url not in known:
                    self.connections.add(spec, start=self.isVisible())
        if layout.log.columns or layout.log.filter or path is not None:
            self.log_panel.set_fields(layout.log.columns)
            self.log_panel.set_filter(layout.log.filter)
        arranged = False
        if layout.arrangement:
            arranged = self.restoreState(QByteArray.fromBase64(layout.arrangement.encode()))
        if not arranged:
            self._arrange()
        self.layout_path = path
        self.layout_title = layout.title
        self.layout_readers = layout.readers
        self._update_title()

    def current_layout(self, builtin_urls: Sequence[str] = ()) -> Layout:
        """The dashboard as it is now, to save (connections in *builtin_urls*, such as the
        demo feed on its port of the day, are left out)."""
        specs = [] if self.player is not None else self.connections.specs()
        return Layout(
            title=self.layout_title,
            readers=self.layout_readers,
            connections=[s for s in specs if s.url not in builtin_urls],
            cards=self.cards.specs(),
            charts=[chart.spec for chart in self.charts],
            rules=[dict(r) for r in self.monitor.rule_settings],
            alerts=self.monitor.conventions,
            log=LogSettings(self.log_model.query.text, tuple(self.log_model.fields)),
            arrangement=bytes(self.saveState().toBase64().data()).decode(),
        )

    def _arrange(self) -> None:
        """The default arrangement: cards across the top, the charts side by side under
        them, the log below, alerts and fields on its right."""
        self.restoreState(self._default_arrangement)
        previous = self.cards_dock
        for index, chart in enumerate(self.charts):
            dock = chart.parentWidget()
            assert isinstance(dock, QDockWidget)
            if index == 0:
                self.splitDockWidget(self.cards_dock, dock, Qt.Orientation.Vertical)
            else:
                self.splitDockWidget(previous, dock, Qt.Orientation.Horizontal)
            dock.show()
            previous = dock
        self.cards_dock.setVisible(bool(self.cards.cards) or not self.charts)
        self.resizeDocks([self.alerts_dock], [440], Qt.Orientation.Horizontal)
        self.resizeDocks([self.alerts_dock, self.fields_dock], [200, 200], Qt.Orientation.Vertical)
        top = [self.cards_dock] + [c.parentWidget() for c in self.charts[:1]]  # type: ignore[misc]
        cards = self.cards.sizeHint().height() + 20  # (its title bar) up to two rows
        self.resizeDocks(top, [cards, 250][: len(top)], Qt.Orientation.Vertical)

    def _held_events(self) -> list[Event]:
        """The newest events held, for a new card or chart to show at once (a bounded
        number: rebuilding a million events would stall the window for seconds)."""
        if self._held_for_layout is not None:
            return self._held_for_layout
        start = max(self.store.first_seq, self.store.end_seq - HISTORY_EVENTS)
        return self.store.events(start, self.store.end_seq)

    def _add_chart(self, spec: ChartSpec) -> ChartPanel:
        chart = ChartPanel(spec, clock=self._now, held=self._held_events)
        chart.remove_requested.connect(lambda: self._remove_chart(chart))
        chart.field_dropped.connect(lambda etype, path: self.add_series_for(etype, path, chart))
        chart.query_requested.connect(lambda what: self._chart_log_filter(chart, what))
        dock = self._dock(f"chart-{len(self.charts)}", spec.title, chart)
        dock.setTitleBarWidget(chart.bar)
        self.addDockWidget(Qt.DockWidgetArea.TopDockWidgetArea, dock)
        self.charts.append(chart)
        self.pacer.add(chart.take_turn)
        held = self._held_events()
        if held:
            chart.add_events(held)
            chart.redraw()
        return chart

    def _remove_chart(self, chart: ChartPanel) -> None:
        self.charts.remove(chart)
        self.pacer.remove(chart.take_turn)
        dock = chart.parentWidget()
        self.removeDockWidget(dock)  # type: ignore[arg-type]
        # Nameless until it is gone: restoreState would take it for a new chart's dock.
        dock.setObjectName("")  # type: ignore[union-attr]
        dock.deleteLater()  # type: ignore[union-attr]
        for index, other in enumerate(self.charts):
            other.parentWidget().setObjectName(f"chart-{index}")  # type: ignore[union-attr]

    @property
    def chart(self) -> ChartPanel:
        """The first chart (the one a field goes to unless dropped elsewhere)."""
        return self.charts[0]

    def add_card_for(self, event_type: str, path: str) -> None:
        """A card for a discovered field: numbers show the mean of each source's newest,
        text its newest value."""
        info = next((f for f in self.fields.catalog.fields(event_type) if f.path == path), None)
        numeric = info is None or info.is_numeric
        spec = CardSpec(
            title=path.rsplit(".", 1)[-1],
            type=event_type,
            field=path,
            show="last" if not numeric else "mean",
            description=f"{path} of {event_type} events",
        )
        self.cards.add_card(spec)
        self.cards_dock.show()
        self.statusBar().showMessage(f"Added a card for {path} of {event_type}", 5000)

    def add_series_for(self, event_type: str, path: str, chart: ChartPanel | None = None) -> None:
        """The field as a series (one line per source) on *chart*, or the first chart."""
        if chart is None:
            if not self.charts:
                self.add_chart_for(event_type, path)
                return
            chart = self.charts[0]
        chart.add_series(SeriesSpec(type=event_type, field=path, split_by="source"))
        self.statusBar().showMessage(f"Added {path} of {event_type} to {chart.spec.title}", 5000)

    def _chart_log_filter(self, chart: ChartPanel, what: str) -> None:
        """Put what the log's filter matches on *chart*: counted, or as markers."""
        query = self.log_model.query.text.strip()
        if not query:
            self.statusBar().showMessage(
                "Type a filter in the log first (Ctrl+F): the chart counts what it matches", 8000
            )
            return
        if what == "markers":
            chart.set_markers(query)
            return
        split = "type" if what == "count-by-type" else ""
        series = SeriesSpec(query=query, split_by=split, interval=10.0, label=one_line(query, 40))
        chart.add_series(series)

    def add_chart_for(self, event_type: str, path: str) -> None:
        spec = ChartSpec(
            f"{path} by source", (SeriesSpec(type=event_type, field=path, split_by="source"),)
        )
        chart = self._add_chart(spec)
        dock = chart.parentWidget()
        if len(self.charts) > 1:
            self.splitDockWidget(self.charts[-2].parentWidget(), dock, Qt.Orientation.Horizontal)  # type: ignore[arg-type]
        else:
            self.splitDockWidget(self.cards_dock, dock, Qt.Orientation.Vertical)  # type: ignore[arg-type]

    # -- updates, once per tick --------------------------------------------------------
    def _show_empty_state(self) -> None:
        """While there is no connection and no event (a live window's first start)."""
        empty = self.player is None and not self.connections.sources and not self.store.end_seq
        self.empty_state.setVisible(empty)

    def _on_events(self, start: int, end: int) -> None:
        if not self.empty_state.isHidden():
            self._show_empty_state()
        events = self.store.events(start, end)
        by_type: dict[str, list[Event]] = {}
        for event in events:
            by_type.setdefault(event.type, []).append(event)
        fired = self.monitor.feed(events, by_type)  # alerts first: they matter most
        self.cards.add_events(events, by_type)
        for chart in self.charts:
            chart.add_events(events, by_type)
        self.fields.add_events(events)
        self._alerts_noted(fired)

    def _refresh_log(self) -> float | None:
        """The log's turn: it takes in what the store holds now."""
        return LOG_REFRESH_S if self.log_model.sync() else None

    def _on_rejected(self, start: int, end: int) -> None:
        self.rejected_model.add_items(self.store.rejected(start, end))
        self.side_tabs.setTabText(1, f"Rejected ({self.store.rejected_received:,})")

    def _update_alert_tab(self) -> None:
        waiting = self.alerts.book.unacknowledged
        text = f"Alerts ({waiting:,})" if waiting else "Alerts"
        if self.side_tabs.tabText(0) != text:  # a new text lays the whole window out again
            self.side_tabs.setTabText(0, text)
        self._update_title()

    def _show_alert_events(self, query: str) -> None:
        self.log_panel.set_filter(query)
        self.log_view.setFocus()

    def refresh_now(self) -> None:
        """Bring every panel and the status bar up to date at once (before a screenshot)."""
        self.bus.flush()
        self.log_model.sync()
        for chart in self.charts:
            chart.redraw()
        self.cards.tick()
        self.fields.refresh()
        self.log_panel.refresh(wait=True)
        self._refresh_status()

    def _update_title(self) -> None:
        waiting = self.alerts.book.unacknowledged
        prefix = f"({waiting:,} alert{'s' if waiting != 1 else ''}) " if waiting else ""
        if self.player is not None:
            what = f"replay of {self.player.recording.name}"
        else:
            what = one_line(", ".join(self.connections.names()) or "no connection", 120)
        title = getattr(self, "layout_title", "") if self.player is None else ""
        layout = f" · {one_line(title, 60)}" if title else ""
        text = f"{prefix}{APP_TITLE} — {what}{layout}"
        if self.windowTitle() != text:
            self.setWindowTitle(text)

    def _refresh_status(self) -> float:
        """The status bar's turn, with what goes by the clock rather than by events: the
        rules' durations, connections down for too long."""
        self.status.refresh()
        self._refresh_recording()
        self.connections_panel.model.refresh()
        health = [(s.name, s.status.down_since) for s in self.connections.sources]
        self._alerts_noted(self.monitor.tick(self._now(), health))
        self._refresh_silences()
        return STATUS_REFRESH_S

    def _refresh_silences(self) -> None:
        self.silences.refresh()  # (ended silences leave the list)
        running = self.silences.model.row_total()
        text = f"Silences ({running:,})" if running else "Silences"
        index = self.side_tabs.indexOf(self.silences)
        if self.side_tabs.tabText(index) != text:
            self.side_tabs.setTabText(index, text)
            self.alerts.refresh(force=True)  # a silence ran out: its alerts lose the mark

    def _alerts_noted(self, fired: list[AlertEntry]) -> None:
        """After the monitor took something in: the panel, notifications, and the alerts
        that fired or resolved as events (``dashboard.alert.firing`` ...) in the log and
        in recordings. A replay window writes none: its recording has them."""
        self.alerts.refresh()
        self.notifier.show(self.notifier.gate.offer(fired, time.time()))
        changes = self.monitor.take_changes()
        if changes and self.player is None:
            now = time.time()
            self.store.extend([change.event(now) for change in changes])

    def _silences_changed(self) -> None:
        """A silence was added, ended or noted: both panels show it, and the live window
        keeps the silences for the next start."""
        self.alerts.refresh(force=True)
        self._refresh_silences()
        if self.player is None:
            self.settings.setValue(SILENCES_KEY, silences_json(self.monitor.book.silences))

    def reset_view(self) -> None:
        """Empty the store and every panel (a replay going back starts again from its
        first event)."""
        self.store.clear()
        self.bus.skip()
        self.log_model.sync()
        self.cards.reset()
        for chart in self.charts:
            chart.reset()
        self.fields.reset()
        self.monitor.reset()
        self.alerts.refresh(force=True)
        self.rejected_model.clear()
        self.side_tabs.setTabText(1, "Rejected")

    # -- menus -------------------------------------------------------------------------
    def _make_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        add = QAction("&Add connection…", self)
        add.setShortcut(QKeySequence.StandardKey.New)
        add.triggered.connect(self._add_connection)
        file_menu.addAction(add)
        open_action = QAction("&Open recording…", self)
        open_action.setShortcut(QKeySequence.StandardKey.Open)
        open_action.setToolTip("Replay a recording (or a JSON Lines file) through the dashboard")
        open_action.triggered.connect(self._ask_recording)
        file_menu.addAction(open_action)
        self.record_action = QAction("&Record…", self)
        self.record_action.setShortcut(QKeySequence("Ctrl+R"))
        self.record_action.setCheckable(True)
        self.record_action.setToolTip("Record every event from now on to a JSON Lines file")
        self.record_action.triggered.connect(self._toggle_recording)
        file_menu.addAction(self.record_action)
        export_action = QAction("&Export log…", self)
        export_action.setShortcut(QKeySequence("Ctrl+E"))
        export_action.triggered.connect(self.export_log)
        file_menu.addAction(export_action)
        file_menu.addSeparator()
        self._make_layout_actions(file_menu)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))  # (the standard key is none on some)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        replay_selection = QAction("Replay what the &log shows", self)
        replay_selection.setShortcut(QKeySequence("Ctrl+Shift+R"))
        replay_selection.triggered.connect(self.replay_log)
        file_menu.insertAction(export_action, replay_selection)
        if self.player is not None:
            self.record_action.setEnabled(False)
            self.record_action.setToolTip("Record the live dashboard, not a replay")
            add.setEnabled(False)
            self._make_replay_menu(self.player)

        view_menu = self.menuBar().addMenu("&View")
        find = QAction("&Filter the log", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self.log_panel.focus_filter)
        view_menu.addAction(find)
        latest = QAction("Jump to &latest event", self)
        latest.setShortcut(QKeySequence(Qt.Key.Key_End))
        latest.triggered.connect(self.log_view.jump_to_latest)
        view_menu.addAction(latest)
        view_menu.addSeparator()
        for dock, key in (
            (self.cards_dock, "Ctrl+1"),
            (self.fields_dock, "Ctrl+2"),
            (self.alerts_dock, "Ctrl+3"),
        ):
            toggle = dock.toggleViewAction()
            toggle.setShortcut(QKeySequence(key))
            view_menu.addAction(toggle)
        arrange = QAction("&Reset the arrangement", self)
        arrange.setToolTip("Cards on top, charts under them, the log, alerts and fields")
        arrange.triggered.connect(self._arrange)
        view_menu.addAction(arrange)
        view_menu.addSeparator()
        self._make_notification_menu(view_menu)
        add_theme_menu(view_menu, self.settings)
        full = QAction("&Full screen", self)
        full.setShortcut(QKeySequence.StandardKey.FullScreen)
        full.setCheckable(True)
        full.toggled.connect(lambda on: self.showFullScreen() if on else self.showNormal())
        view_menu.addAction(full)

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(keys.help_action(self))
        self.tab_keys = keys.TabKeys(self, self.side_tabs)
        about = QAction("&About", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def _make_layout_actions(self, menu: QMenu) -> None:
        for text, key, slot, tip in (
            (
                "Open &layout…",
                "Ctrl+Shift+O",
                self._ask_layout,
                "Load cards, charts, rules, the log's filter and connections from a TOML file",
            ),
            ("&Save layout", "Ctrl+S", self.save_layout, "Save this dashboard to its layout file"),
            (
                "Save layout &as…",
                "Ctrl+Shift+S",
                lambda: self.save_layout(ask=True),
                "Save this dashboard to a new TOML file, to share or keep",
            ),
        ):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(key))
            action.setToolTip(tip)
            action.triggered.connect(slot)
            menu.addAction(action)
            if self.player is not None and "Save" in text:
                action.setEnabled(False)  # a replay has no connections: it would drop them
                action.setToolTip("Save layouts from the live window")
        self.recent_menu = menu.addMenu("Recent la&youts")
        self.recent_menu.aboutToShow.connect(self._fill_recent_layouts)

    def _fill_recent_layouts(self) -> None:
        self.recent_menu.clear()
        recent = self.layouts.recent()
        for path in recent:
            action = self.recent_menu.addAction(one_line(path, 90))
            action.triggered.connect(lambda _on, p=path: self.open_layout(Path(p)))
        if not recent:
            self.recent_menu.addAction("No layouts yet").setEnabled(False)

    def _ask_layout(self) -> None:
        path = self.layouts.ask_open()
        if path is not None:
            self.open_layout(path)

    def open_layout(self, path: Path) -> bool:
        """Load *path* in place of this dashboard's layout; a broken file changes nothing
        and says what is wrong where."""
        layout = self.layouts.read(path)
        if layout is None:
            return False
        self.apply_layout(layout, path)
        self.statusBar().showMessage(f"Layout {path} loaded", 5000)
        return True

    def save_layout(self, ask: bool = False) -> bool:
        if self.player is not None:
            return False  # (the menu says so: a replay window's layout has no connections)
        path = self.layout_path
        if ask or path is None:
            path = self.layouts.ask_save(path)
            if path is None:
                return False
        layout = self.current_layout(self.builtin_urls)
        if not self.layouts.write(layout, path):
            return False
        self.layout_path = path
        secrets = left_out(layout, self.connections.kinds)
        note = (
            f" (left out, being credentials: {'; '.join(secrets)}; use ${{ENV}})" if secrets else ""
        )
        self.statusBar().showMessage(f"Layout saved to {path}{note}", 15_000)
        return True

    def _make_notification_menu(self, view_menu: QMenu) -> None:
        menu = view_menu.addMenu("Alert &notifications")
        menu.setToolTipsVisible(True)
        group = QActionGroup(self)
        for text, level in CHOICES:
            action = QAction(text, self, checkable=True)
            action.setChecked(level == self.notifier.gate.min_severity)
            action.triggered.connect(lambda _on, lv=level: self.notifier.set_level(lv))
            group.addAction(action)
            menu.addAction(action)
        menu.setEnabled(self.player is None)
        menu.addSeparator()
        sound = QAction("With a &sound", self, checkable=True)
        sound.setChecked(self.notifier.sound)
        sound.toggled.connect(self.notifier.set_sound)
        menu.addAction(sound)

    # -- replay ----------------------------------------------------------------------
    def _make_replay_menu(self, player: ReplayPlayer) -> None:
        """The replay's keys. Space and the arrows belong to the bar in this window;
        the filter box keeps them while it has the focus."""
        assert self.replay_bar is not None
        bar = self.replay_bar
        menu = self.menuBar().addMenu("&Replay")
        for text, key, slot in (
            ("&Play / pause", Qt.Key.Key_Space, player.toggle),
            ("&Step one event", Qt.Key.Key_Right, lambda: player.step(1)),
            ("Take the last event &back", Qt.Key.Key_Left, lambda: player.step(-1)),
            (f"&Forward {JUMP_S:g} s", "Shift+Right", lambda: bar.jump(JUMP_S)),
            (f"Back {JUMP_S:g} s", "Shift+Left", lambda: bar.jump(-JUMP_S)),
            ("&Go to a time…", "Ctrl+G", bar.focus_time_box),
            ("Back to &live", "Ctrl+L", self.back_to_live.emit),
        ):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(key))
            action.triggered.connect(slot)
            menu.addAction(action)
        loop = QAction("&Loop", self)
        loop.setCheckable(True)
        loop.toggled.connect(bar.loop_box.setChecked)
        bar.loop_box.toggled.connect(loop.setChecked)
        menu.addAction(loop)

    def _ask_recording(self) -> None:
        folder = str(self.settings.value("replay/dir", ""))
        path, _chosen = QFileDialog.getOpenFileName(
            self, "Open recording", folder, "Recordings (*.jsonl *.jsonl.gz *.gz);;All files (*)"
        )
        if path:
            self.settings.setValue("replay/dir", str(Path(path).parent))
            self.open_recording(path)

    def open_recording(self, path: str | Path) -> None:
        """Replay *path* in a window of its own."""
        self.open_requested.emit(str(path))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.open_recording(url.toLocalFile())
        event.acceptProposedAction()

    def replay_log(self) -> None:
        """Replay what the log shows (its filter, its time range) in a window of its own."""
        seqs = self.log_model.shown_seqs().copy()
        if len(seqs) == 0:
            self.statusBar().showMessage("Nothing to replay: the log shows no events", 5000)
            return
        folder = tempfile.mkdtemp(prefix="dashboard-replay-")
        path = str(Path(folder) / "selection.jsonl")
        written = export.export_events(self, self.store, seqs, path)
        if written:
            query = self.log_model.query.text or "everything"
            self.selection_requested.emit(path, f"log selection: {one_line(query, 60)}")
        else:
            shutil.rmtree(folder, ignore_errors=True)

    def _now(self) -> float:
        """The time the chart shows: the recording's clock in a replay window."""
        return self.player.time if self.player is not None else time.time()

    # -- recording ---------------------------------------------------------------------
    def _toggle_recording(self, on: bool) -> None:
        if not on:
            self.recording.stop()
            return
        folder = str(self.settings.value("record/dir", ""))
        default = Path(folder) / time.strftime("recording-%Y%m%d-%H%M%S.jsonl.gz")
        path, _chosen = QFileDialog.getSaveFileName(
            self, "Record to", str(default), "Recordings (*.jsonl.gz *.jsonl)"
        )
        if not path:
            self.record_action.setChecked(False)
            return
        self.settings.setValue("record/dir", str(Path(path).parent))
        self.start_recording(path)

    def start_recording(self, path: str | Path) -> bool:
        try:
            self.recording.start(path)
        except OSError as error:
            self.record_action.setChecked(False)
            QMessageBox.warning(self, "Recording", f"Cannot record to {path}:\n{error.strerror}")
            return False
        self.banner.dismiss()  # an earlier recording's failure is old news
        return True

    def _recording_failed(self, why: str) -> None:
        """Said once, in the banner: the feeds and the window go on as they were."""
        self.banner.show_message(
            f"Recording stopped: {why}. The live view goes on, without recording."
        )

    def _show_recording(self) -> None:
        recorder = self.recording.recorder
        self.record_action.setChecked(recorder is not None)
        self.recording_label.setVisible(recorder is not None)
        if recorder is not None:
            self.recording_label.setToolTip(f"Recording to {recorder.path} (Ctrl+R stops)")
        self._refresh_recording()

    def _refresh_recording(self) -> None:
        recorder = self.recording.recorder
        if recorder is not None:
            self.recording_label.setText(
                f"● REC {one_line(recorder.path.name, 40)} · {recorder.events:,} events"
            )

    def export_log(self) -> None:
        seqs = self.log_model.shown_seqs().copy()  # the log moves on while the dialog is open
        if len(seqs) == 0:
            self.statusBar().showMessage("Nothing to export: the log shows no events", 5000)
            return
        last_dir = str(self.settings.value("export/dir", ""))
        path = export.ask_path(self, len(seqs), last_dir)
        if path is None:
            return
        self.settings.setValue("export/dir", str(Path(path).parent))
        written = export.export_events(self, self.store, seqs, path, self.log_model.fields)
        if written is not None:
            gone = len(seqs) - written
            note = f" ({gone:,} were evicted before they could be written)" if gone else ""
            message = f"Exported {written:,} events to {path}{note}"
            self.statusBar().showMessage(message, 10_000)

    def _add_connection(self) -> None:
        self.side_tabs.setCurrentWidget(self.connections_panel)
        self.connections_panel.add()

    def _about(self) -> None:
        transports = ", ".join(k.title for k in self.connections.kinds)
        QMessageBox.about(
            self,
            f"About {APP_TITLE}",
            f"{APP_TITLE} {__version__}\n\nLive event feeds ({transports})"
            " as cards, charts, alerts and a log.\n\n"
            "Double-click a field (Fields panel): a card for it; drag it onto a chart: a line.\n"
            "F1 (or ?) lists every keyboard shortcut.",
        )

    # -- window state ------------------------------------------------------------------
    def restoreState(self, state: QByteArray | bytes, version: int = 0) -> bool:
        """As QMainWindow's; the banner stays shown exactly while it has something to say
        (a saved arrangement shows and hides toolbars as they were)."""
        restored = super().restoreState(state, version)
        self.banner.sync()
        return restored

    def save_state(self) -> None:
        """The window's size and place (the arrangement of its panels is the layout's)."""
        self.settings.setValue(f"{self._state_prefix}/geometry", self.saveGeometry())
        self.log_panel.save_state()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        self.pacer.clear()  # no more turns for a closed window
        super().closeEvent(event)
        self.closed.emit()

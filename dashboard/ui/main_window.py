"""The main window: cards on top, chart and alerts in the middle, the event log below.

It arranges and delegates: the panels are built, fed, ticked, reset and saved through the
registry by :mod:`dashboard.ui.panel_host`, the docks are :mod:`dashboard.ui.docking`'s, the
menus :mod:`dashboard.ui.menus`', recording and export :mod:`dashboard.ui.record_export`'s,
the layout :mod:`dashboard.ui.window_layout`'s, the side tabs :mod:`dashboard.ui.side_tabs`'.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QMainWindow, QToolBar, QVBoxLayout, QWidget

from dashboard.core.events.event import Event
from dashboard.core.events.summary import one_line
from dashboard.core.layouts.layoutfile import Layout, zero_config
from dashboard.core.monitor import Monitor
from dashboard.core.monitor.alertbook import silences_from_json
from dashboard.core.panels.pacing import Pacer
from dashboard.core.panels.panelkind import PanelKinds
from dashboard.core.storage.store import EventStore
from dashboard.sources.replay import ReplayPlayer
from dashboard.ui import resources
from dashboard.ui.alerting import SILENCES_KEY, AlertFlow
from dashboard.ui.banner import Banner
from dashboard.ui.bus import EventBus
from dashboard.ui.connections import ConnectionManager
from dashboard.ui.docking import Docks, dock_of
from dashboard.ui.empty_state import EmptyState
from dashboard.ui.geometry import place_window
from dashboard.ui.layouts import LayoutFiles
from dashboard.ui.menus import WindowMenus
from dashboard.ui.panel_host import PanelHost, by_type
from dashboard.ui.panel_requests import PanelRequests
from dashboard.ui.panels.chart import ChartPanel
from dashboard.ui.panels.log import LOG_REFRESH_S
from dashboard.ui.panels.registry import PANELS, PanelContext, with_built_ins
from dashboard.ui.record_export import RECORDING_COLOUR, RecordExport
from dashboard.ui.replay_bar import ReplayBar
from dashboard.ui.status import DashboardStatusBar
from dashboard.ui.window_layout import WindowLayout

__all__ = ["APP_TITLE", "LOG_REFRESH_S", "RECORDING_COLOUR", "SILENCES_KEY", "MainWindow"]

APP_TITLE = "Live Dashboard"
STATUS_REFRESH_S = 0.5
HISTORY_EVENTS = 50_000  # what a new card, chart or panel starts from


DOCK_OPTIONS = (
    QMainWindow.DockOption.AnimatedDocks
    | QMainWindow.DockOption.AllowNestedDocks
    | QMainWindow.DockOption.AllowTabbedDocks
)


class MainWindow(QMainWindow):
    """Wires the bus to the panels; owns no data. With a *replay* player it is a replay
    window: a replay bar on top, and the window's state kept apart from the live one's.
    *panels* are the panel kinds it can show (a plugin's registry: ``PANELS.adding``).

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
        panels: PanelKinds = PANELS,
    ) -> None:
        super().__init__()
        self.store, self.bus, self.connections, self.player = store, bus, connections, replay
        self.settings = settings or QSettings()
        self._state_prefix = "window" if replay is None else "replay-window"
        self.setWindowIcon(resources.app_icon())
        self.setDockOptions(DOCK_OPTIONS)
        self._holding = False  # see hold_events_for_layout
        self._held_for_layout: list[Event] | None = None
        self.pacer = Pacer()  # the refreshes that repaint take turns on the bus tick
        self.monitor = Monitor()  # alerts: rules, feed alerts, connection health
        if replay is None:  # the operator's silences outlive the window (not a replay's)
            saved = str(self.settings.value(SILENCES_KEY, "") or "")
            self.monitor.book.silences = silences_from_json(saved, time.time())
        self.panel_context = PanelContext(
            store, bus, self.monitor, self.now, self.settings, self.held_events, connections
        )
        self.host = PanelHost(self, with_built_ins(panels), self.panel_context)  # every panel
        self.docks = Docks(self, panels)
        self.host.build()
        _name_panels(self)
        self._build_frame()
        self.layouts = LayoutFiles(self.settings, self, connections.kinds, panels)
        self.window_layout = WindowLayout(self)
        self.builtin_urls: set[str] = set()  # feeds the app starts itself (not saved)
        self.menus = WindowMenus(self)
        self.record_action = self.menus.record
        place_window(self, self.settings.value(f"{self._state_prefix}/geometry"))
        self.default_arrangement = self.saveState()
        self.apply_layout(layout or zero_config())
        self._listen()

    def _listen(self) -> None:
        self.connections.changed.connect(self._show_empty_state)
        self._show_empty_state()
        self.bus.events_appended.connect(self._on_events)
        self.bus.rejected_appended.connect(self._on_rejected)
        self.bus.ticked.connect(lambda: self.pacer.frame(time.monotonic()))

    def _build_frame(self) -> None:
        """The replay bar, the log in the middle, the status bar, banner and toasts."""
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(4, 4, 4, 4)
        column.setSpacing(6)
        self.replay_bar: ReplayBar | None = None
        if self.player is not None:
            self._add_replay_bar(self.player)
        self.empty_state = EmptyState()  # a first start: how to begin
        self.empty_state.connect_requested.connect(self.add_connection)
        self.empty_state.open_requested.connect(lambda: self.record_export.ask_recording())
        self.empty_state.demo_requested.connect(self.demo_requested)
        if self.docks.middle is not None:
            column.addWidget(self.docks.middle, 1)
        self.empty_state.attach(self.log_view.viewport())
        self.setCentralWidget(central)
        self.status = DashboardStatusBar(self.store, self.connections)
        self.pacer.add(self._refresh_status)
        self.record_export = RecordExport(self)
        self.recording = self.record_export.recording
        self.recording_label = self.record_export.label
        self.setAcceptDrops(True)
        self.banner = Banner(self)  # what the operator must not miss
        self.banner.attach(self)
        self.connections.changed.connect(self.update_title)
        self.setStatusBar(self.status)
        self.alerting = AlertFlow(self)
        self.notifier, self.toast = self.alerting.notifier, self.alerting.toast

    def _add_replay_bar(self, player: ReplayPlayer) -> None:
        self.replay_bar = ReplayBar(player)
        self.replay_bar.back_to_live.connect(self.back_to_live)
        self.replay_bar.problem.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        strip = QToolBar("Replay", self)  # across the whole window, above every panel
        strip.setObjectName("replay")
        strip.setMovable(False)
        strip.addWidget(self.replay_bar)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, strip)

    # -- what others ask of the window (each in the module that does it) -----------------
    def apply_layout(self, layout: Layout, path: Path | None = None) -> None:
        self.window_layout.apply(layout, path)

    def current_layout(self, builtin_urls: Sequence[str] = ()) -> Layout:
        return self.window_layout.current(builtin_urls)

    def open_layout(self, path: Path) -> bool:
        return self.window_layout.open(path)

    def save_layout(self, ask: bool = False) -> bool:
        return self.window_layout.save(ask)

    @property
    def layout_path(self) -> Path | None:
        return self.window_layout.path

    @layout_path.setter
    def layout_path(self, path: Path | None) -> None:
        self.window_layout.path = path

    def start_recording(self, path: str | Path) -> bool:
        return self.record_export.start_recording(path)

    def export_log(self) -> None:
        self.record_export.export_log()

    def replay_log(self) -> None:
        self.record_export.replay_log()

    def open_recording(self, path: str | Path) -> None:
        """Replay *path* in a window of its own."""
        self.open_requested.emit(str(path))

    @property
    def charts(self) -> list[ChartPanel]:
        return self.docks.charts

    @property
    def chart(self) -> ChartPanel:
        """The first chart (the one a field goes to unless dropped elsewhere)."""
        return self.docks.charts[0]

    def _arrange(self) -> None:
        self.docks.arrange()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.open_recording(url.toLocalFile())
        event.acceptProposedAction()

    def now(self) -> float:
        """The time the panels show: the recording's clock in a replay window."""
        return self.player.time if self.player is not None else time.time()

    def hold_events_for_layout(self, hold: bool = True) -> None:
        """Take the newest events once for all of a layout's cards, charts and panels, when
        the first asks (*hold* False: let them go again)."""
        self._holding, self._held_for_layout = hold, None

    def held_events(self) -> list[Event]:
        """The newest events held, for a new card, chart or panel to show at once (a
        bounded number: rebuilding a million events would stall the window for seconds)."""
        if self._held_for_layout is not None:
            return self._held_for_layout
        start = max(self.store.first_seq, self.store.end_seq - HISTORY_EVENTS)
        held = self.store.events(start, self.store.end_seq)
        if self._holding:
            self._held_for_layout = held
        return held

    def add_connection(self) -> None:
        self.side_tabs.setCurrentWidget(self.connections_panel)
        self.connections_panel.add()

    # -- updates, once per tick --------------------------------------------------------
    def _show_empty_state(self) -> None:
        """While there is no connection and no event (a live window's first start)."""
        empty = self.player is None and not self.connections.sources and not self.store.end_seq
        self.empty_state.setVisible(empty)

    def _on_events(self, start: int, end: int) -> None:
        if not self.empty_state.isHidden():
            self._show_empty_state()
        events = self.store.events(start, end)
        grouped = by_type(events)
        fired = self.monitor.feed(events, grouped)  # alerts first: they matter most
        self.host.add_events(events, grouped)
        self.alerting.noted(fired)

    def _on_rejected(self, start: int, end: int) -> None:
        self.host.add_rejected(self.store.rejected(start, end), self.store.rejected_received)

    def refresh_now(self) -> None:
        """Bring every panel and the status bar up to date at once (before a screenshot)."""
        self.bus.flush()
        self.host.draw_now()
        self._refresh_status()

    def update_title(self) -> None:
        waiting = self.alerts.book.unacknowledged
        prefix = f"({waiting:,} alert{'s' if waiting != 1 else ''}) " if waiting else ""
        if self.player is not None:
            what = f"replay of {self.player.recording.name}"
        else:
            what = one_line(", ".join(self.connections.names()) or "no connection", 120)
        kept = getattr(self, "window_layout", None)  # (none yet while the window is built)
        title = kept.title if kept is not None and self.player is None else ""
        layout = f" · {one_line(title, 60)}" if title else ""
        text = f"{prefix}{APP_TITLE} — {what}{layout}"
        if self.windowTitle() != text:
            self.setWindowTitle(text)

    def _refresh_status(self) -> float:
        """The status bar's turn, with what goes by the clock rather than by events: the
        rules' durations, connections down for too long."""
        self.status.refresh()
        self.record_export.refresh()
        self.alerting.tick()
        return STATUS_REFRESH_S

    def reset_view(self) -> None:
        """Empty the store and every panel (a replay going back starts again from its
        first event)."""
        self.store.clear()
        self.bus.skip()
        self.monitor.reset()
        self.host.reset()

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
        self.host.save_state()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        self.pacer.clear()  # no more turns for a closed window
        super().closeEvent(event)
        self.closed.emit()


def _name_panels(window: MainWindow) -> None:
    """The built-in panels and their docks by the names the rest of the window (and its
    tests) know them by, and what they ask of one another."""
    first, docks = window.host.first, window.docks
    window.cards, window.fields, window.log_panel = first("cards"), first("fields"), first("log")
    window.alerts, window.silences = first("alerts"), first("silences")
    window.connections_panel = first("connections")
    window.rejected_model = first("rejected").model
    window.rejected_view = first("rejected").view
    window.log_model, window.log_view = window.log_panel.model, window.log_panel.view
    window.side_tabs = docks.side_tabs
    window.cards_dock, window.fields_dock = dock_of(window.cards), dock_of(window.fields)
    window.alerts_dock = dock_of(docks.side_tabs)
    window.requests = PanelRequests(window)

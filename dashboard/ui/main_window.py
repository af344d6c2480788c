"""The main window: cards on top, chart and alerts in the middle, the event log below."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dashboard import __version__
from dashboard.core.alertbook import alert_frame
from dashboard.core.cards import CardSpec
from dashboard.core.decode import Decoder
from dashboard.core.event import Event
from dashboard.core.rules import AlertState
from dashboard.core.series import ChartSpec
from dashboard.core.store import EventStore
from dashboard.core.summary import one_line
from dashboard.sources.replay import ReplayPlayer
from dashboard.ui import export, resources
from dashboard.ui.bus import EventBus
from dashboard.ui.connections import ConnectionManager
from dashboard.ui.log_model import EventLogModel
from dashboard.ui.notify import CHOICES, Notifier
from dashboard.ui.panels import alerts, rejected
from dashboard.ui.panels.cards import CardsPanel
from dashboard.ui.panels.chart import ChartPanel
from dashboard.ui.panels.connections import ConnectionsPanel
from dashboard.ui.panels.log import LogPanel
from dashboard.ui.panels.tables import make_table
from dashboard.ui.recording import RecordingController
from dashboard.ui.replay_bar import JUMP_S, ReplayBar
from dashboard.ui.status import DashboardStatusBar

APP_TITLE = "Live Dashboard"
RECORDING_COLOUR = "#ff4d6d"
CONNECTION_ALERT_S = 30.0  # a feed down this long is an alert
ALERT_CONNECTION = "dashboard"  # the connection name of the dashboard's own alert events
STATUS_REFRESH_MS = 500


class MainWindow(QMainWindow):
    """Wires the bus to the panels; owns no data. With a *replay* player it is a replay
    window: a replay bar on top, and the window's state kept apart from the live one's.

    Signals:
        closed(): the operator closed the window (the app shuts down its sources).
        open_requested(str): replay this file (menu, drop).
        selection_requested(str, str): replay this temporary file (what the log showed),
            under this name; it may be deleted once open.
        back_to_live(): a replay window asks to go back to the live dashboard.
    """

    closed = Signal()
    open_requested = Signal(str)
    selection_requested = Signal(str, str)
    back_to_live = Signal()

    def __init__(
        self,
        store: EventStore,
        bus: EventBus,
        connections: ConnectionManager,
        cards: Sequence[CardSpec],
        chart: ChartSpec,
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

        self.cards = CardsPanel(cards)
        self.chart = ChartPanel(chart)
        self.alerts = alerts.AlertPanel(self._now)
        self._alert_decoder = Decoder(ALERT_CONNECTION)
        store.register(self._alert_decoder)
        self.rejected_model = rejected.RejectedListModel(parent=self)
        self.rejected_view = make_table(self.rejected_model, rejected.COLUMN_WIDTHS)
        self.log_model = EventLogModel(store, parent=self)
        self.log_panel = LogPanel(store, self.log_model, self.settings)
        self.log_view = self.log_panel.view
        self.log_panel.export_requested.connect(self.export_log)
        self.log_panel.replay_requested.connect(self.replay_log)
        self.alerts.changed.connect(self._update_alert_tab)
        self.alerts.filter_requested.connect(self._show_alert_events)
        self.side_tabs = QTabWidget()
        self.side_tabs.addTab(self.alerts, "Alerts")
        self.side_tabs.addTab(self.rejected_view, "Rejected")
        self.connections_panel = ConnectionsPanel(connections)
        self.side_tabs.addTab(self.connections_panel, "Connections")
        self.side_tabs.setTabToolTip(
            0,
            "Alerts from the feed (type alert or alert.*, or severity warning and up) and "
            f"feeds down for over {CONNECTION_ALERT_S:g} s; the count is those firing and "
            "not acknowledged",
        )
        self.side_tabs.setTabToolTip(1, "Frames that could not be decoded, with the reason")
        self.side_tabs.setTabToolTip(2, "Every feed's health; add, edit, connect, disconnect")

        self.upper = QSplitter(Qt.Orientation.Horizontal)
        self.upper.addWidget(self.chart)
        self.upper.addWidget(self.side_tabs)
        self.upper.setSizes([740, 520])
        self.lower = QSplitter(Qt.Orientation.Vertical)
        self.lower.addWidget(self.upper)
        self.lower.addWidget(self.log_panel)
        self.lower.setSizes([340, 420])  # the log is where operators spend their time
        self.lower.setStretchFactor(0, 1)
        self.lower.setStretchFactor(1, 1)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(10, 10, 10, 4)
        layout.setSpacing(10)
        self.replay_bar: ReplayBar | None = None
        if replay is not None:
            self.replay_bar = ReplayBar(replay)
            self.replay_bar.back_to_live.connect(self.back_to_live)
            self.replay_bar.problem.connect(lambda text: self.statusBar().showMessage(text, 10_000))
            layout.addWidget(self.replay_bar)
        layout.addWidget(self.cards)
        layout.addWidget(self.lower, 1)
        self.setCentralWidget(central)
        self.status = DashboardStatusBar(store, connections)
        self.recording = RecordingController(store, bus, parent=self)
        self.recording_label = QLabel()
        self.recording_label.setStyleSheet(f"color: {RECORDING_COLOUR}; padding: 0 8px;")
        self.recording_label.hide()
        self.status.addPermanentWidget(self.recording_label)
        self.recording.changed.connect(self._show_recording)
        self.chart.clock = self._now
        self.setAcceptDrops(True)
        self.recording.failed.connect(lambda text: QMessageBox.warning(self, "Recording", text))
        connections.changed.connect(self._update_title)
        self._update_title()
        self.setStatusBar(self.status)
        self.notifier = Notifier(self.settings, self.status, parent=self)
        if replay is not None:
            self.notifier.gate.min_severity = None  # a replay tells of the past: no pop-ups
        self._make_menus()

        bus.events_appended.connect(self._on_events)
        bus.rejected_appended.connect(self._on_rejected)
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(STATUS_REFRESH_MS)
        self._status_timer.timeout.connect(self._refresh_status)
        self._status_timer.start()
        self.resize(1280, 820)
        self._restore_state()

    # -- updates, once per tick --------------------------------------------------------
    def _on_events(self, start: int, end: int) -> None:
        events = self.store.events(start, end)
        by_type: dict[str, list[Event]] = {}
        for event in events:
            by_type.setdefault(event.type, []).append(event)
        self.log_model.sync()
        self.cards.add_events(by_type)
        self.chart.add_events(by_type.get(self.chart.data.spec.event_type, []))
        fired = self.alerts.add_events(events)
        if fired:
            self.notifier.show(self.notifier.gate.offer(fired, time.time()))
        self._write_alert_events()

    def _on_rejected(self, start: int, end: int) -> None:
        self.rejected_model.add_items(self.store.rejected(start, end))
        self.side_tabs.setTabText(1, f"Rejected ({self.store.rejected_total:,})")

    def _update_alert_tab(self) -> None:
        waiting = self.alerts.book.unacknowledged
        self.side_tabs.setTabText(0, f"Alerts ({waiting:,})" if waiting else "Alerts")
        self._update_title()

    def _show_alert_events(self, query: str) -> None:
        self.log_panel.set_filter(query)
        self.log_view.setFocus()

    def refresh_now(self) -> None:
        """Bring every panel and the status bar up to date at once (before a screenshot)."""
        self.bus.flush()
        self.chart.redraw()
        self.log_panel.refresh(wait=True)
        self._refresh_status()

    def _update_title(self) -> None:
        waiting = self.alerts.book.unacknowledged
        prefix = f"({waiting:,} alert{'s' if waiting != 1 else ''}) " if waiting else ""
        if self.player is not None:
            what = f"replay of {self.player.recording.name}"
        else:
            what = one_line(", ".join(self.connections.names()) or "no connection", 120)
        self.setWindowTitle(f"{prefix}{APP_TITLE} — {what}")

    def _refresh_status(self) -> None:
        self.status.refresh()
        self._refresh_recording()
        self.connections_panel.model.refresh()
        self.chart.scroll_to(self._now())
        fired = []
        for source in self.connections.sources:
            status = source.status
            fired += self.alerts.note_connection(source.name, status.down_since, CONNECTION_ALERT_S)
        self.notifier.show(self.notifier.gate.offer(fired, time.time()))
        self._write_alert_events()

    def _write_alert_events(self) -> None:
        """Alerts that fired or resolved become events (``dashboard.alert.firing`` ...) in
        the log and in recordings. A replay window writes none: its recording has them."""
        changes = self.alerts.book.take_changes()
        if self.player is not None:
            return
        now = time.time()
        decode = self._alert_decoder.decode
        events = [
            decode(alert_frame(entry, state, at), received=now)
            for entry, state, at in changes
            if state in (AlertState.FIRING, AlertState.RESOLVED)
        ]
        if events:
            self.store.extend(events)

    def reset_view(self) -> None:
        """Empty the store and every panel (a replay going back starts again from its
        first event)."""
        self.store.clear()
        self.bus.skip()
        self.log_model.sync()
        self.cards.reset()
        self.chart.reset()
        self.alerts.reset()
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
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
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
        self._make_notification_menu(view_menu)
        full = QAction("&Full screen", self)
        full.setShortcut(QKeySequence.StandardKey.FullScreen)
        full.setCheckable(True)
        full.toggled.connect(lambda on: self.showFullScreen() if on else self.showNormal())
        view_menu.addAction(full)

        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

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
        return True

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
        QMessageBox.about(
            self,
            f"About {APP_TITLE}",
            f"{APP_TITLE} {__version__}\n\nLive event feeds (Server-Sent Events, WebSocket) "
            "as cards, a chart, alerts and a log.\n\nCtrl+N: add a connection\n"
            "Ctrl+F: filter the log (Escape clears it)\nCtrl+E: export what the log shows\n"
            "Ctrl+R: start or stop recording\nCtrl+O: replay a recording (or drop it here)\n"
            "Ctrl+Shift+R: replay what the log shows\n"
            "In a replay: Space plays or pauses, Left/Right step one event, "
            "Shift+Left/Right jump 10 s, Ctrl+G goes to a time, Ctrl+L back to live\n"
            "End: jump to the latest event\nF11: full screen\nCtrl+Q: quit",
        )

    # -- window state ------------------------------------------------------------------
    def _restore_state(self) -> None:
        prefix = self._state_prefix
        for key, restore in (
            (f"{prefix}/geometry", self.restoreGeometry),
            (f"{prefix}/upper", self.upper.restoreState),
            (f"{prefix}/lower", self.lower.restoreState),
        ):
            value = self.settings.value(key)
            if isinstance(value, QByteArray):
                restore(value)

    def save_state(self) -> None:
        prefix = self._state_prefix
        self.settings.setValue(f"{prefix}/geometry", self.saveGeometry())
        self.settings.setValue(f"{prefix}/upper", self.upper.saveState())
        self.settings.setValue(f"{prefix}/lower", self.lower.saveState())
        self.log_panel.save_state()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        self._status_timer.stop()
        super().closeEvent(event)
        self.closed.emit()

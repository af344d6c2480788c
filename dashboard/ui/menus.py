"""The window's menus: File, View (showing and hiding the docks of the registry's fixed
panel kinds, and adding every kind that can be added), Help, and a replay window's Replay
menu. One more action is one :func:`action` line in its menu."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from dashboard.core.events.summary import one_line
from dashboard.ui import keys, rule_editor
from dashboard.ui.notify import CHOICES
from dashboard.ui.theme_menu import add_theme_menu

if TYPE_CHECKING:
    from dashboard.sources.replay import ReplayPlayer
    from dashboard.ui.main_window import MainWindow
    from dashboard.ui.replay_bar import ReplayBar

Key = QKeySequence | QKeySequence.StandardKey | Qt.Key | str | None
STANDARD = QKeySequence.StandardKey


def action(
    parent: QWidget, text: str, slot: Callable[..., Any], key: Key = None, tip: str = ""
) -> QAction:
    """A menu action: *text*, run *slot* when triggered, on *key*, saying *tip*."""
    made = QAction(text, parent)
    if key is not None:
        made.setShortcut(key if isinstance(key, QKeySequence) else QKeySequence(key))
    if tip:
        made.setToolTip(tip)
    made.triggered.connect(slot)
    return made


class WindowMenus:
    """Builds the menu bar of *window*; keeps the actions others enable or check."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        bar = window.menuBar()
        self.file_menu(bar.addMenu("&File"))
        if window.player is not None:
            assert window.replay_bar is not None
            replay_menu(bar.addMenu("&Replay"), window, window.player, window.replay_bar)
        self.view_menu(bar.addMenu("&View"))
        rule_editor.add_to_window(window)  # Alerts > Edit rules…, the alerts panel's Rules…
        self.help_menu(bar.addMenu("&Help"))

    def file_menu(self, menu: QMenu) -> None:
        w = self.window
        live = w.player is None
        add = action(w, "&Add connection…", w.add_connection, QKeySequence.StandardKey.New)
        menu.addAction(add)
        tip = "Replay a recording (or a JSON Lines file) through the dashboard"
        menu.addAction(
            action(w, "&Open recording…", w.record_export.ask_recording, STANDARD.Open, tip)
        )
        tip = "Record every event from now on to a JSON Lines file"
        self.record = action(w, "&Record…", w.record_export.toggle_recording, "Ctrl+R", tip)
        self.record.setCheckable(True)
        menu.addAction(self.record)
        menu.addAction(action(w, "Replay what the &log shows", w.replay_log, "Ctrl+Shift+R"))
        menu.addAction(action(w, "&Export log…", w.export_log, "Ctrl+E"))
        menu.addSeparator()
        self.layout_actions(menu)
        menu.addSeparator()
        menu.addAction(action(w, "&Quit", w.close, "Ctrl+Q"))  # (no standard key on some)
        if not live:
            self.record.setEnabled(False)
            self.record.setToolTip("Record the live dashboard, not a replay")
            add.setEnabled(False)

    def layout_actions(self, menu: QMenu) -> None:
        w = self.window
        tip = "Load cards, charts, rules, the log's filter and connections from a TOML file"
        menu.addAction(action(w, "Open &layout…", w.window_layout.ask_open, "Ctrl+Shift+O", tip))
        tip = "Save this dashboard to its layout file"
        saves = [action(w, "&Save layout", w.save_layout, "Ctrl+S", tip)]
        tip = "Save this dashboard to a new TOML file, to share or keep"
        save_as = action(
            w, "Save layout &as…", lambda: w.save_layout(ask=True), "Ctrl+Shift+S", tip
        )
        saves.append(save_as)
        for save in saves:
            menu.addAction(save)
            if w.player is not None:
                save.setEnabled(False)  # a replay has no connections: it would drop them
                save.setToolTip("Save layouts from the live window")
        self.recent = menu.addMenu("Recent la&youts")
        self.recent.aboutToShow.connect(self.fill_recent_layouts)

    def fill_recent_layouts(self) -> None:
        self.recent.clear()
        recent = self.window.layouts.recent()
        for path in recent:
            item = self.recent.addAction(one_line(path, 90))
            item.triggered.connect(lambda _on, p=path: self.window.open_layout(Path(p)))
        if not recent:
            self.recent.addAction("No layouts yet").setEnabled(False)

    def view_menu(self, menu: QMenu) -> None:
        w = self.window
        docks = w.docks
        menu.addAction(
            action(w, "&Filter the log", w.log_panel.focus_filter, QKeySequence.StandardKey.Find)
        )
        menu.addAction(
            action(w, "Jump to &latest event", w.log_view.jump_to_latest, Qt.Key.Key_End)
        )
        menu.addSeparator()
        for number, dock in enumerate(docks.fixed_docks[:9], start=1):  # the registry's order
            toggle = dock.toggleViewAction()
            toggle.setShortcut(QKeySequence(f"Ctrl+{number}"))
            menu.addAction(toggle)
        self.add_panel_menu(menu)
        tip = "Cards on top, charts under them, the log, alerts and fields"
        menu.addAction(action(w, "&Reset the arrangement", docks.arrange, tip=tip))
        menu.addSeparator()
        self.notification_menu(menu)
        add_theme_menu(menu, w.settings)
        full = action(w, "&Full screen", lambda: None, QKeySequence.StandardKey.FullScreen)
        full.setCheckable(True)
        full.toggled.connect(lambda on: w.showFullScreen() if on else w.showNormal())
        menu.addAction(full)

    def add_panel_menu(self, view: QMenu) -> None:
        """Add a panel: every kind of the registry that is not always there."""
        kinds = self.window.docks.kinds.addable()
        if not kinds:
            return
        self.add_panel = view.addMenu("&Add a panel")
        self.add_panel.setToolTipsVisible(True)
        for kind in kinds:
            add = lambda _on=False, k=kind.name: self.window.docks.add_new_panel(k)  # noqa: E731
            self.add_panel.addAction(action(self.window, kind.title, add, tip=kind.description))

    def notification_menu(self, view: QMenu) -> None:
        w = self.window
        menu = view.addMenu("Alert &notifications")
        menu.setToolTipsVisible(True)
        group = QActionGroup(w)
        for text, level in CHOICES:
            choice = action(w, text, lambda _on, lv=level: w.notifier.set_level(lv))
            choice.setCheckable(True)
            choice.setChecked(level == w.notifier.gate.min_severity)
            group.addAction(choice)
            menu.addAction(choice)
        menu.setEnabled(w.player is None)
        menu.addSeparator()
        sound = QAction("With a &sound", w, checkable=True)
        sound.setChecked(w.notifier.sound)
        sound.toggled.connect(w.notifier.set_sound)
        menu.addAction(sound)

    def help_menu(self, menu: QMenu) -> None:
        w = self.window
        menu.addAction(keys.help_action(w))
        self.tab_keys = keys.TabKeys(w, w.side_tabs)
        menu.addAction(action(w, "&About", lambda: about_box(w)))


def replay_menu(menu: QMenu, window: QWidget, player: ReplayPlayer, bar: ReplayBar) -> None:
    """The replay's keys. Space and the arrows belong to the bar in this window; the
    filter box keeps them while it has the focus."""
    from dashboard.ui.replay_bar import JUMP_S

    for text, key, slot in (
        ("&Play / pause", Qt.Key.Key_Space, player.toggle),
        ("&Step one event", Qt.Key.Key_Right, lambda: player.step(1)),
        ("Take the last event &back", Qt.Key.Key_Left, lambda: player.step(-1)),
        (f"&Forward {JUMP_S:g} s", "Shift+Right", lambda: bar.jump(JUMP_S)),
        (f"Back {JUMP_S:g} s", "Shift+Left", lambda: bar.jump(-JUMP_S)),
        ("&Go to a time…", "Ctrl+G", bar.focus_time_box),
        ("Back to &live", "Ctrl+L", window.back_to_live.emit),  # type: ignore[attr-defined]
    ):
        menu.addAction(action(window, text, slot, key))
    loop = QAction("&Loop", window)
    loop.setCheckable(True)
    loop.toggled.connect(bar.loop_box.setChecked)
    bar.loop_box.toggled.connect(loop.setChecked)
    menu.addAction(loop)


def about_box(window: MainWindow) -> None:
    from dashboard import __version__
    from dashboard.ui.main_window import APP_TITLE

    transports = ", ".join(k.title for k in window.connections.kinds)
    QMessageBox.about(
        window,
        f"About {APP_TITLE}",
        f"{APP_TITLE} {__version__}\n\nLive event feeds ({transports})"
        " as cards, charts, alerts and a log.\n\n"
        "Double-click a field (Fields panel): a card for it; drag it onto a chart: a line.\n"
        "F1 (or ?) lists every keyboard shortcut.",
    )

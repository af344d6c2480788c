"""The light theme reaches what paints its own colours: the replay bar's timeline and its
message under the time box, and the secondary text of the log, the fields and the status
bar (each follows a change of theme while shown)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from dashboard.sources.base import ConnectionStatus
from dashboard.ui import theme
from dashboard.ui.empty_state import EmptyState
from dashboard.ui.status import ConnectionBadge
from tests.qt.test_replay_window import _recording, replay_window


def timeline_colour(dash: Any) -> str:
    """The timeline's background, above its bars and below its alert marks."""
    timeline = dash.window.replay_bar.timeline
    image = timeline.grab().toImage()
    return image.pixelColor(timeline.width() // 4, 7).name()


def test_the_light_theme_reaches_the_replay_bar_and_the_secondary_text(
    qtbot: Any, qapp: QApplication, tmp_path: Path, settings: QSettings, run_on_loop: Any
) -> None:
    path = tmp_path / "incident.jsonl"
    _recording(path)
    dash = replay_window(path, settings, qtbot)
    try:
        window = dash.window
        bar = window.replay_bar
        assert bar is not None
        bar.time_box.setText("25:99")
        bar.time_box.returnPressed.emit()  # a message under the box
        assert bar.time_problem.text()
        assert timeline_colour(dash) == theme.DARK.panel
        secondary = (window.log_panel.counts, window.fields.status)
        assert all(theme.DARK.muted in label.styleSheet() for label in secondary)

        theme.apply(qapp, "light")
        assert timeline_colour(dash) == theme.LIGHT.panel
        assert theme.LIGHT.level["critical"] in bar.time_problem.styleSheet()
        assert theme.LIGHT.level["critical"] in bar.time_box.styleSheet()
        assert all(theme.LIGHT.muted in label.styleSheet() for label in secondary)
        badge = ConnectionBadge(ConnectionStatus("demo", "http://127.0.0.1:1/events"))
        badge.status.insecure = True
        badge.render(dash.store, 0.0, show_error=True)
        assert f"color:{theme.LIGHT.muted}" in badge.text
        assert f"color:{theme.LIGHT.level['critical']}" in badge.text
        assert theme.DARK.muted not in badge.text
    finally:
        theme.apply(qapp, "dark")
        run_on_loop(dash.aclose())


def test_the_first_starts_guide_follows_the_theme(qtbot: Any, qapp: QApplication) -> None:
    guide = EmptyState()
    qtbot.addWidget(guide)
    assert theme.DARK.panel in guide.styleSheet()
    try:
        theme.apply(qapp, "light")
        assert theme.LIGHT.panel in guide.styleSheet()
        assert theme.LIGHT.accent in guide.docs.styleSheet()
    finally:
        theme.apply(qapp, "dark")

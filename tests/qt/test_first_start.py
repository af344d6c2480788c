"""A first start shows how to begin, and its "Run the demo feed" runs it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings, Qt

from dashboard.core.transport.connection import ConnectionSpec
from dashboard.ui.app import Dashboard


def test_a_window_with_no_feed_shows_the_ways_to_begin(
    qtbot: Any, settings: QSettings, run_on_loop: Any
) -> None:
    dash = Dashboard([], settings=settings, tick_ms=10)
    window = dash.window
    qtbot.addWidget(window)
    empty = window.empty_state
    assert not empty.isHidden()
    assert [b.text() for b in (empty.connect_button, empty.open_button, empty.demo_button)] == [
        "Connect to a feed URL…  (Ctrl+N)",
        "Open a recording…  (Ctrl+O)",
        "Run the demo feed",
    ]
    assert empty.docs.text().startswith("How layouts work")
    assert empty.docs.toolTip().endswith("README.md#layouts-dashboards-saved-as-files")
    dash.start()
    qtbot.mouseClick(empty.demo_button, Qt.MouseButton.LeftButton)
    try:
        assert dash.demo_feed is not None
        assert [s.name for s in dash.sources] == ["demo"]
        assert dash.demo_feed.server.url in window.builtin_urls  # not saved in the layout
        assert [c.title for c in window.cards.specs()][:2] == ["CPU", "Memory"]  # its layout
        qtbot.waitUntil(lambda: dash.store.end_seq > 0, timeout=20_000)
        dash.bus.flush()
        assert empty.isHidden()
    finally:
        run_on_loop(dash.aclose())
    assert dash.demo_feed is None


def test_a_window_with_a_connection_shows_no_empty_state(qtbot: Any, settings: QSettings) -> None:
    dash = Dashboard([ConnectionSpec("http://127.0.0.1:9/events", "x")], settings=settings)
    qtbot.addWidget(dash.window)
    assert dash.window.empty_state.isHidden()

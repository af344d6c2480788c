"""The connection dialog's durations (the heartbeat timeout, a transport's duration
options) read the one grammar within the range the command line and a layout file take:
both ends load and save back unchanged, a value past them is refused with the same words."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit

from dashboard.core.lang.duration import parse_duration
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.sources.registry import KINDS
from dashboard.ui.connection_dialog import ConnectionDialog

HTTP, WS = "https://feed.example.test/events", "ws://feed.example.test/ws"


def ok_enabled(dialog: ConnectionDialog) -> bool:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


@pytest.mark.parametrize(("seconds", "shown"), [(0.1, "100ms"), (365 * 86_400.0, "365d")])
def test_a_heartbeat_at_either_end_of_its_range_is_edited_without_change(
    qtbot: Any, seconds: float, shown: str
) -> None:
    original = KINDS.spec(HTTP, "orders", heartbeat_timeout=seconds)
    dialog = ConnectionDialog(original)
    qtbot.addWidget(dialog)
    assert dialog.heartbeat.text() == shown
    assert dialog.error.text() == "" and ok_enabled(dialog)
    assert dialog.spec() == original


def test_a_heartbeat_is_typed_as_a_duration(qtbot: Any) -> None:
    dialog = ConnectionDialog()
    qtbot.addWidget(dialog)
    dialog.url.setText(HTTP)
    assert dialog.heartbeat.text() == "45s"
    for typed, seconds in (("1m30s", 90.0), ("500ms", 0.5), ("2h", 7200.0), ("", 45.0)):
        dialog.heartbeat.setText(typed)
        assert ok_enabled(dialog)
        assert dialog.spec().heartbeat_timeout == seconds


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("50ms", "Heartbeat timeout: '50ms' is out of range (100ms to 365d)"),
        ("400d", "Heartbeat timeout: '400d' is out of range (100ms to 365d)"),
        ("soon", "Heartbeat timeout: expected a duration like 30s, 5m or 1h, not 'soon'"),
    ],
)
def test_a_heartbeat_past_its_range_is_refused_with_the_range(
    qtbot: Any, typed: str, said: str
) -> None:
    dialog = ConnectionDialog()
    qtbot.addWidget(dialog)
    dialog.url.setText(HTTP)
    dialog.heartbeat.setText(typed)
    assert dialog.error.text() == said
    assert not ok_enabled(dialog)


@pytest.mark.parametrize(
    ("url", "name", "high", "past", "said"),
    [
        (HTTP, "poll", "1d", "25h", "Poll: '25h' is out of range (100ms to 1d)"),
        (WS, "step_timeout", "365d", "0", "Step timeout: '0' is out of range (100ms to 365d)"),
        (
            WS,
            "keepalive_every",
            "365d",
            "400d",
            "Keepalive every: '400d' is out of range (100ms to 365d)",
        ),
    ],
)
def test_a_duration_option_s_ends_load_and_save_back_and_past_them_is_refused(
    qtbot: Any, url: str, name: str, high: str, past: str, said: str
) -> None:
    for shown in ("100ms", high):
        original = KINDS.spec(url, "feed", options={name: parse_duration(shown, name)})
        dialog = ConnectionDialog(original)
        qtbot.addWidget(dialog)
        field = dialog.option_fields.widgets[name]
        assert isinstance(field, QLineEdit) and field.text() == shown
        assert ok_enabled(dialog) and dialog.spec() == original
    field.setText(past)
    assert dialog.error.text() == said
    assert not ok_enabled(dialog)


def test_a_connection_spec_s_default_heartbeat_is_shown_as_a_duration(qtbot: Any) -> None:
    dialog = ConnectionDialog(ConnectionSpec(HTTP, "orders"))
    qtbot.addWidget(dialog)
    assert dialog.heartbeat.text() == "45s"

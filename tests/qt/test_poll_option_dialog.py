"""The connection dialog's poll rows: shown for http(s) URLs, a bad interval said under the
form, the Ok button held back until it is fixed."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QDialogButtonBox, QLineEdit

from dashboard.ui.connection_dialog import ConnectionDialog


def test_a_bad_poll_interval_is_said_in_the_dialog(qtbot: Any) -> None:
    dialog = ConnectionDialog()
    qtbot.addWidget(dialog)
    poll = dialog.option_fields.widgets["poll"]
    changes = dialog.option_fields.widgets["poll_changes"]
    assert isinstance(poll, QLineEdit) and isinstance(changes, QCheckBox)
    dialog.url.setText("https://status.example.test/health")
    assert not poll.isHidden() and not changes.isHidden()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    for typed, said in (
        ("0", "Poll: '0' is out of range (100ms to 1d)"),
        ("25h", "Poll: '25h' is out of range (100ms to 1d)"),
        ("abc", "Poll: expected a duration like 30s, 5m or 1h, not 'abc'"),
    ):
        poll.setText(typed)
        assert dialog.error.text() == said
        assert not ok.isEnabled()
    poll.setText("5s")
    changes.setChecked(True)
    assert dialog.error.text() == "" and ok.isEnabled()
    assert dialog.spec().options == {"poll": 5.0, "poll_changes": True}
    dialog.url.setText("ws://feeds.example.test/ws")
    assert poll.isHidden()

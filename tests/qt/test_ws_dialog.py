"""The connection dialog's WebSocket steps and presets (#28), built from the declaration: a
box of lines for a list option, the preset's own rows shown once it is chosen, and the
reason under the form naming the field."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLineEdit, QPlainTextEdit

from dashboard.ui.connection_dialog import ConnectionDialog

HA_URL = "wss://ha.local:8123/api/websocket"


def shown(dialog: ConnectionDialog, name: str) -> bool:
    return not dialog.option_fields.widgets[name].isHidden()


def ok(dialog: ConnectionDialog) -> bool:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_messages_to_send_are_a_box_of_lines_one_step_each(qtbot: Any) -> None:
    dialog = ConnectionDialog()
    qtbot.addWidget(dialog)
    dialog.url.setText("wss://stream.example.test/ws")
    box = dialog.option_fields.widgets["send"]
    assert isinstance(box, QPlainTextEdit)
    assert dialog.form.labelForField(box).text() == "Messages to send after connecting"
    box.setPlainText('expect type:ready\n\n{"op": "subscribe", "channels": ["ticker"]}\n')
    assert dialog.error.text() == "" and ok(dialog)
    spec = dialog.spec()
    assert spec.options == {
        "send": ["expect type:ready", '{"op": "subscribe", "channels": ["ticker"]}']
    }
    box.setPlainText('{"op": "subscribe"}\nexpect type:(')
    assert dialog.error.text().startswith(
        "Messages to send after connecting, line 2: 'type:(' is not a query, column 6: "
    )
    assert not ok(dialog)
    box.setPlainText('{"op": "subscribe"')
    assert dialog.error.text().startswith("Messages to send after connecting: not valid JSON")

    again = ConnectionDialog(spec)  # editing shows the steps as they were
    qtbot.addWidget(again)
    assert again.option_fields.widgets["send"].toPlainText() == "\n".join(spec.options["send"])
    assert again.spec().options == spec.options


def test_a_preset_shows_its_own_rows_and_needs_its_token(qtbot: Any) -> None:
    dialog = ConnectionDialog()
    qtbot.addWidget(dialog)
    dialog.url.setText(HA_URL)
    widgets = dialog.option_fields.widgets
    preset = widgets["preset"]
    assert isinstance(preset, QComboBox)
    assert not shown(dialog, "ha_token") and not shown(dialog, "graphql_query")
    preset.setCurrentText("home-assistant")
    assert shown(dialog, "ha_token") and shown(dialog, "ha_event_types")
    assert not shown(dialog, "graphql_query")
    token = widgets["ha_token"]
    assert isinstance(token, QLineEdit) and token.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.error.text() == (
        "Home Assistant token: the home-assistant preset needs a long-lived access token "
        "(or ${ENV_VAR})"
    )
    assert not ok(dialog)
    token.setText("${HA_TOKEN}")
    widgets["ha_event_types"].setPlainText("state_changed\nautomation_triggered")
    assert dialog.error.text() == "" and ok(dialog)
    assert dialog.spec().options == {
        "preset": "home-assistant",
        "ha_token": "${HA_TOKEN}",
        "ha_event_types": ["state_changed", "automation_triggered"],
    }
    preset.setCurrentText("graphql-transport-ws")  # the token stays typed, but is not its own
    assert shown(dialog, "graphql_query") and not shown(dialog, "ha_token")
    assert dialog.error.text().startswith("GraphQL query: the graphql-transport-ws preset needs")
    widgets["graphql_query"].setText("subscription { tick { n } }")
    assert dialog.error.text() == ""
    assert dialog.spec().options == {
        "preset": "graphql-transport-ws",
        "graphql_query": "subscription { tick { n } }",
    }

"""The connection dialog builds a transport's rows from its declared options: a toy
transport added through the registry alone gets its widgets, checks and masking."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QCheckBox, QDialogButtonBox, QLineEdit

from dashboard.core.transport.sourcekind import SourceKinds
from dashboard.sources.registry import KINDS
from dashboard.ui.connection_dialog import ConnectionDialog
from tests.toy_plugin import toy_kinds


@pytest.fixture
def kinds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SourceKinds:
    return toy_kinds(tmp_path, monkeypatch)


def shown(dialog: ConnectionDialog, name: str) -> bool:
    return not dialog.option_fields.widgets[name].isHidden()


def test_a_plugin_s_options_are_widgets_of_the_dialog(qtbot: Any, kinds: SourceKinds) -> None:
    dialog = ConnectionDialog(kinds=kinds)
    qtbot.addWidget(dialog)
    widgets = dialog.option_fields.widgets
    assert isinstance(widgets["shout"], QCheckBox) and isinstance(widgets["count"], QLineEdit)
    token = widgets["token"]
    assert isinstance(token, QLineEdit) and token.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.form.labelForField(widgets["event_type"]).text() == "Event type"

    dialog.url.setText("toy://lab/beeps")  # the toy's rows show, WebSocket's do not
    assert all(shown(dialog, n) for n in ("count", "event_type", "shout", "token"))
    assert not shown(dialog, "subprotocol")
    widgets["count"].setText("many")
    assert dialog.error.text() == "Count: expected a whole number, got 'many'"
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    widgets["count"].setText("0")
    assert dialog.error.text() == "Count: expected 1 or more, got 0"
    widgets["count"].setText("3")
    widgets["shout"].setChecked(True)
    token.setText("s3cret")
    assert dialog.error.text() == ""
    spec = dialog.spec()
    assert spec.name == "toy beeps"
    assert spec.options == {"count": 3, "shout": True, "token": "s3cret"}

    dialog.url.setText("wss://feeds.example.test/stream")  # and the other way round
    assert shown(dialog, "subprotocol") and not shown(dialog, "count")
    assert dialog.spec().options == {}

    again = ConnectionDialog(spec, kinds=kinds)  # editing shows what the spec holds
    qtbot.addWidget(again)
    assert again.option_fields.widgets["count"].text() == "3"
    assert again.option_fields.widgets["shout"].isChecked()
    assert again.spec().options == spec.options


def test_the_subprotocol_row_comes_from_the_websocket_declaration(qtbot: Any) -> None:
    dialog = ConnectionDialog()
    qtbot.addWidget(dialog)
    assert list(dialog.option_fields.widgets) == list(KINDS.option_names())
    dialog.url.setText("ws://feeds.example.test/stream")
    dialog.option_fields.widgets["subprotocol"].setText("dashboard.v1")
    assert dialog.spec().options == {"subprotocol": "dashboard.v1"}
    dialog.option_fields.widgets["subprotocol"].setText("two words")
    assert dialog.error.text().startswith("Subprotocol: 'two words' is not a subprotocol name")
    dialog.url.setText("https://feeds.example.test/events")  # hidden, and not kept
    assert dialog.error.text() == "" and dialog.spec().options == {}
    dialog.url.setText("file:///var/log/app.log")  # a file's row, a receiver's
    assert shown(dialog, "from_start") and not shown(dialog, "subprotocol")
    dialog.option_fields.widgets["from_start"].setChecked(True)
    assert dialog.spec().options == {"from_start": True} and dialog.spec().name == "app.log"
    dialog.url.setText("listen://127.0.0.1:9000/alerts")
    assert shown(dialog, "secret") and not shown(dialog, "from_start")
    dialog.option_fields.widgets["secret"].setText("tok3n")
    assert dialog.spec().options == {"secret": "tok3n"}


def test_the_window_reads_a_plugin_s_connection_in_its_reader(
    qt_loop: Any, qtbot: Any, settings: Any, run_on_loop: Any, kinds: SourceKinds
) -> None:
    """The window's connections are read in reader processes: a plugin's kind reaches them
    as the module that declares it, imported there by name."""
    from dashboard.ui.app import Dashboard

    spec = kinds.spec("toy://lab/beeps", options={"count": 120, "event_type": "toy.beep"})
    dash = Dashboard([spec], settings=settings, tick_ms=10, kinds=kinds)
    qtbot.addWidget(dash.window)
    dash.start()
    try:
        qtbot.waitUntil(lambda: dash.store.end_seq == 120, timeout=20_000)
        events = dash.store.events(0, 120)
        assert [e.data["n"] for e in events] == list(range(120))
        assert {e.type for e in events} == {"toy.beep"} and dash.store.rejected_total == 0
        assert dash.connections.pool.readers[0].pid is not None  # read in a reader process
        assert "Toy" in ", ".join(k.title for k in dash.connections.kinds)
    finally:
        run_on_loop(dash.aclose())

"""Every connection option everywhere: the window's command line, ``dashboard record``,
the connection dialog and the README's option table come from one declaration and stay in
step; the SSE request options are checked alike in each, with the reason named."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLineEdit

from dashboard.cli import connection_flags, gui_parser, record_parser
from dashboard.core.events.decode import EnvelopeKeys
from dashboard.core.layouts.layoutfile import Layout, dumps, loads
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.sources.registry import KINDS
from dashboard.ui.connection_dialog import ConnectionDialog

README = Path(__file__).resolve().parents[2] / "README.md"
# The dialog's field for each shared flag (a transport's own options: option_fields)
SHARED_FIELDS = {
    "--header": "headers",
    "--insecure": "verify",
    "--ca": "ca_file",
    "--heartbeat": "heartbeat",
    "--type-key": "type_keys",
    "--time-key": "time_keys",
    "--source-key": "source_keys",
    "--severity-key": "severity_keys",
}


@pytest.fixture
def dialog(qtbot: Any) -> ConnectionDialog:
    widget = ConnectionDialog()
    qtbot.addWidget(widget)
    return widget


def test_the_window_record_the_dialog_and_the_readme_take_the_same_connection_options(
    dialog: ConnectionDialog,
) -> None:
    flags = connection_flags(KINDS)
    assert {"--method", "--body", "--reconnect", "--subprotocol", "--source-key"} <= set(flags)
    for parser in (gui_parser(), record_parser()):
        assert set(flags) <= set(parser._option_string_actions), parser.prog
        text = parser.format_help()
        assert all(re.search(rf"\n  {re.escape(flag)}\b", text) for flag in flags), parser.prog
    assert "--layout" in record_parser()._option_string_actions  # its connections, too
    declared = set(KINDS.option_names())
    assert set(dialog.option_fields.widgets) == declared
    for flag in flags:
        name = flag[2:].replace("-", "_")
        field = SHARED_FIELDS.get(flag)
        assert field is not None or name in declared, flag
        if field is not None:
            assert getattr(dialog, field) is not None
    readme = README.read_text(encoding="utf-8")
    first_cells = re.findall(r"^\| (`--(?:\\\||[^|])*?) \|", readme, re.M)  # \| inside
    rows = {flag for cell in first_cells for flag in re.findall(r"`(--[a-z-]+)", cell)}
    assert set(flags) <= set(rows), set(flags) - set(rows)


def ok_enabled(dialog: ConnectionDialog) -> bool:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("body", '{"model": "m",}', "Body: not valid JSON at column 14: trailing comma"),
        ("body", "@/no/such/request.json", "Body: cannot read /no/such/request.json: No such"),
        ("method", "FETCH", "Method: 'FETCH' is not an HTTP method a stream is read with"),
    ],
)
def test_a_bad_request_option_is_named_under_the_form(
    dialog: ConnectionDialog, name: str, text: str, message: str
) -> None:
    dialog.url.setText("https://llm.example.test/v1/chat")
    assert ok_enabled(dialog)
    widget = dialog.option_fields.widgets[name]
    assert isinstance(widget, QLineEdit) and widget.isVisibleTo(dialog)
    widget.setText(text)
    assert dialog.error.text().startswith(message)
    assert not ok_enabled(dialog)


def test_the_request_options_go_from_the_dialog_to_a_layout_and_back(
    dialog: ConnectionDialog,
) -> None:
    dialog.url.setText("https://llm.example.test/v1/chat")
    dialog.option_fields.widgets["method"].setText("POST")  # type: ignore[attr-defined]
    dialog.option_fields.widgets["body"].setText('{"model":"m","stream":true}')  # type: ignore[attr-defined]
    reconnect = dialog.option_fields.widgets["reconnect"]
    assert isinstance(reconnect, QComboBox) and reconnect.currentText() == "auto"
    reconnect.setCurrentText("never")
    dialog.source_keys.setText("origin")
    spec = dialog.spec()
    assert spec.options == {
        "method": "POST",
        "body": '{"model":"m","stream":true}',
        "reconnect": "never",
    }
    assert spec.keys.source == ("origin",)
    text = dumps(Layout(connections=[spec]), KINDS)
    assert 'method = "POST"' in text and 'reconnect = "never"' in text
    [loaded] = loads(text, "t.toml", KINDS).connections
    assert loaded.options == spec.options and loaded.keys == spec.keys
    again = ConnectionDialog(loaded)
    try:
        assert again.spec().options == spec.options
        assert again.source_keys.text() == "origin"
    finally:
        again.deleteLater()


def test_a_layout_s_bad_body_is_named_with_its_key() -> None:
    from dashboard.core.layouts.layoutfile import LayoutError

    text = "[[connections]]\nurl = 'https://x.test/chat'\nbody = '[1, 2'\n"
    with pytest.raises(LayoutError, match=r"connections\[1\]: body: not valid JSON at column 6"):
        loads(text, "t.toml", KINDS)


def test_the_command_line_s_envelope_keys_reach_every_connection() -> None:
    from dashboard.cli import connection_specs

    options = record_parser().parse_args(
        ["https://a.test/e", "ws://b.test/w", "-o", "x.jsonl", "--type-key", "kind,event",
         "--source-key", "origin", "--method", "post", "--body", "hello"]
    )  # fmt: skip
    sse, ws = connection_specs(options)
    assert sse.keys == ws.keys == EnvelopeKeys(type=("kind", "event"), source=("origin",))
    assert sse.options == {"method": "post", "body": "hello"} and ws.options == {}
    assert isinstance(sse, ConnectionSpec)


@pytest.mark.parametrize(
    ("url", "dialog_says", "command_line_says"),
    [
        (
            "listen://0.0.0.0:9000/x",
            "Secret: listening on 0.0.0.0 opens port 9000 to other machines: give a secret "
            "that each request must carry",
            "argument --secret: listening on 0.0.0.0 opens port 9000 to other machines: give "
            "a secret that each request must carry",
        ),
        (
            "file:///no/such/dir/x.log",
            "URL: there is no folder '/no/such/dir'",
            "argument URL: 'file:///no/such/dir/x.log': there is no folder '/no/such/dir'",
        ),
    ],
)
def test_what_the_command_line_refuses_before_starting_the_dialog_refuses_alike(
    dialog: ConnectionDialog,
    url: str,
    dialog_says: str,
    command_line_says: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from dashboard.cli import connection_specs

    dialog.url.setText(url)
    assert dialog.error.text() == dialog_says
    assert not ok_enabled(dialog)
    with pytest.raises(SystemExit) as exit_:
        connection_specs(gui_parser().parse_args([url]))
    assert exit_.value.code == 2
    assert capsys.readouterr().err.endswith(f"error: {command_line_says}\n")


def test_a_receiver_with_its_secret_and_a_file_in_a_folder_that_is_there_are_taken(
    dialog: ConnectionDialog, tmp_path: Path
) -> None:
    dialog.url.setText("listen://0.0.0.0:9000/x")
    dialog.option_fields.widgets["secret"].setText("s3cret")  # type: ignore[attr-defined]
    assert ok_enabled(dialog) and dialog.spec().options == {"secret": "s3cret"}
    dialog.url.setText((tmp_path / "not-yet.log").as_uri())  # waited for, in its folder
    assert ok_enabled(dialog)


def test_a_websocket_connection_takes_the_reconnect_rule_in_the_dialog(
    dialog: ConnectionDialog,
) -> None:
    dialog.url.setText("wss://api.example.test/graphql")
    reconnect = dialog.option_fields.widgets["reconnect"]
    assert isinstance(reconnect, QComboBox) and not reconnect.isHidden()
    assert reconnect.currentText() == "auto"
    assert reconnect.toolTip().endswith("(Server-Sent Events and WebSocket only)")
    reconnect.setCurrentText("always")
    spec = dialog.spec()
    assert spec.options == {"reconnect": "always"}
    [loaded] = loads(dumps(Layout(connections=[spec]), KINDS), "t.toml", KINDS).connections
    assert loaded.options == {"reconnect": "always"}

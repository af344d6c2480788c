"""The connection dialog and the Connections tab, driven as an operator would."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit

from dashboard.core.events.decode import EnvelopeKeys
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.feed.server import FeedServer, FeedThread
from dashboard.sources import ConnectionState
from dashboard.ui.app import Dashboard
from dashboard.ui.connection_dialog import BASIC, BEARER, ConnectionDialog


def ok_enabled(dialog: ConnectionDialog) -> bool:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


@pytest.fixture
def dialog(qtbot: Any) -> ConnectionDialog:
    widget = ConnectionDialog()
    qtbot.addWidget(widget)
    return widget


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("url", "", "URL: enter the feed's address"),
        (
            "url",
            "ftp://host/x",
            "URL: expected http(s)://host/path (Server-Sent Events), ws(s)://host/path "
            "(WebSocket), redis(s)://host:port/db?stream=NAME or ?channel=NAME (Redis), "
            "file:///path/to/file (File), stdin: (Standard input) or "
            "listen://127.0.0.1:9000/path (Webhooks)",
        ),
        (
            "url",
            "redis://cache:6379/0",
            "URL: say what to read: ?stream=NAME (Redis Streams) or ?channel=NAME (Pub/Sub)",
        ),
        (
            "headers",
            "X-Team: ops\nNoColon",
            "Extra headers, line 2: 'NoColon' is not a header: "
            "expected 'Name: value' (values may use ${ENV_VAR})",
        ),
        (
            "headers",
            "Authorization: Bearer x",
            "Extra headers: put credentials under Authentication, where they are masked",
        ),
        ("type_keys", " , ", "Type from: enter JSON keys separated by commas"),
    ],
)
def test_mistakes_are_named_and_block_ok(
    dialog: ConnectionDialog, field: str, text: str, message: str
) -> None:
    dialog.url.setText("https://feeds.example.test/events")
    assert ok_enabled(dialog) and dialog.error.text() == ""
    widget = getattr(dialog, field)
    if isinstance(widget, QLineEdit):
        widget.setText(text)
    else:
        widget.setPlainText(text)
    assert dialog.error.text() == message
    assert not ok_enabled(dialog)


def test_bearer_token_is_masked_and_becomes_the_authorization_header(
    dialog: ConnectionDialog,
) -> None:
    dialog.url.setText("wss://feeds.example.test/stream")
    dialog.auth.setCurrentText(BEARER)
    assert dialog.error.text() == "Token: enter the bearer token (or ${ENV_VAR})"
    dialog.token.setText("s3cret-token")
    assert dialog.token.echoMode() is QLineEdit.EchoMode.Password
    assert "s3cret" not in dialog.token.displayText()
    dialog.headers.setPlainText("X-Team: ops")
    dialog.verify.setChecked(False)
    assert dialog.insecure_warning.isVisibleTo(dialog)
    dialog.type_keys.setText("kind, event")
    spec = dialog.spec()
    assert spec.headers == {"X-Team": "ops", "Authorization": "Bearer s3cret-token"}
    assert spec.name == "feeds.example.test" and not spec.verify
    assert spec.keys.type == ("kind", "event") and spec.keys.time == EnvelopeKeys().time


def test_editing_loads_every_setting_back(qtbot: Any) -> None:
    original = ConnectionSpec(
        "https://feeds.example.test/events",
        "orders",
        headers={"X-Team": "ops", "Authorization": "Basic dXNlcjpwYXNz"},
        verify=True,
        ca_file="/etc/ca.pem",
        heartbeat_timeout=12.5,
        keys=EnvelopeKeys(type=("kind",), time=("at",), severity=("sev",)),
    )
    dialog = ConnectionDialog(original)
    qtbot.addWidget(dialog)
    assert dialog.auth.currentText() == BASIC
    assert dialog.user.text() == "user"
    assert dialog.password.text() == "pass" and "pass" not in dialog.password.displayText()
    assert "Authorization" not in dialog.headers.toPlainText()
    assert dialog.spec() == original


@pytest.fixture
def feed() -> Iterator[FeedThread]:
    thread = FeedThread(FeedServer(rate=400, seed=3)).start()
    yield thread
    thread.close()


@pytest.fixture
def dashboard(
    qt_loop: Any, qtbot: Any, settings: QSettings, run_on_loop: Any
) -> Iterator[Dashboard]:
    dash = Dashboard([], settings=settings, tick_ms=10)
    qtbot.addWidget(dash.window)
    dash.start()
    yield dash
    run_on_loop(dash.aclose())


def test_add_through_the_dialog_then_disconnect_connect_and_remove(
    qtbot: Any, qtmodeltester: Any, feed: FeedThread, dashboard: Dashboard
) -> None:
    panel = dashboard.window.connections_panel
    url = f"ws://127.0.0.1:{feed.server.port}/ws"

    def fill_and_accept() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ConnectionDialog)
        dialog.url.setText(url)
        dialog.name.setText("orders-ws")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    QTimer.singleShot(0, fill_and_accept)
    panel.buttons["add"].click()
    assert dashboard.connections.names() == ["orders-ws"]
    source = dashboard.connections.source("orders-ws")
    qtbot.waitUntil(
        lambda: (
            dashboard.store.counts.get("orders-ws") is not None
            and dashboard.store.counts["orders-ws"].accepted >= 20
        ),
        timeout=10_000,
    )
    dashboard.window.refresh_now()
    model = panel.model
    assert model.index(0, 0).data() == "orders-ws"
    assert model.index(0, 1).data() == "live"
    assert model.index(0, 8).data() == url
    assert int(model.index(0, 3).data().replace(",", "")) >= 20
    assert "orders-ws" in dashboard.window.windowTitle()
    assert [b.status.name for b in dashboard.window.status.badges] == ["orders-ws"]

    panel.select("orders-ws")
    panel.buttons["disconnect"].click()
    assert source.status.state is ConnectionState.STOPPED
    assert model.index(0, 1).data() == "stopped: disconnected"
    assert panel.buttons["connect"].isEnabled() and not panel.buttons["disconnect"].isEnabled()
    panel.buttons["connect"].click()
    qtbot.waitUntil(lambda: source.status.state is ConnectionState.LIVE, timeout=10_000)

    qtmodeltester.check(model)
    panel.buttons["remove"].click()
    assert dashboard.connections.names() == []
    assert model.rowCount() == 0 and dashboard.window.status.badges == []
    assert dashboard.store.end_seq > 0  # what it delivered stays


def test_insecure_connection_wears_a_warning(qtbot: Any, dashboard: Dashboard) -> None:
    dashboard.connections.add(
        ConnectionSpec("https://127.0.0.1:9/events", "lab", verify=False), start=False
    )
    dashboard.window.refresh_now()
    assert "⚠ TLS not verified" in dashboard.window.status.connections_label.text()
    assert (
        dashboard.window.connections_panel.model.index(0, 1).data().endswith("⚠ TLS not verified")
    )


def test_redis_credentials_belong_in_the_url(dialog: ConnectionDialog) -> None:
    dialog.url.setText("redis://cache:6379/0?stream=orders")
    assert ok_enabled(dialog)
    dialog.auth.setCurrentText(BEARER)
    dialog.token.setText("t0ken")
    assert dialog.error.text() == (
        "Redis takes no headers: give the user and password in the URL, "
        "redis://user:${REDIS_PASSWORD}@host:6379/0?stream=…"
    )
    assert not ok_enabled(dialog)

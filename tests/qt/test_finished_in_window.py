"""A finite stream in the window: read once through the reader pool, then "finished"
(neither live nor an error) in the Connections tab, with its repaired events counted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from dashboard.feed.completion import PATH
from dashboard.feed.server import FeedServer, FeedThread
from dashboard.sources import ConnectionState
from dashboard.sources.registry import KINDS
from dashboard.ui.app import Dashboard


@pytest.fixture
def feed() -> Iterator[FeedThread]:
    thread = FeedThread(FeedServer(paused=True)).start()
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


def test_a_finished_stream_reads_finished_and_counts_its_repaired_events(
    qtbot: Any, feed: FeedThread, dashboard: Dashboard
) -> None:
    url = feed.server.url.replace("/events", PATH)
    body = '{"model": "m", "stream": true, "chunks": 4, "cut_utf8": true}'
    dashboard.connections.add(KINDS.spec(url, "llm", options={"body": body}))
    source = dashboard.connections.source("llm")
    qtbot.waitUntil(lambda: source.status.state is ConnectionState.FINISHED, timeout=10_000)
    qtbot.waitUntil(lambda: dashboard.store.end_seq == 4, timeout=10_000)
    dashboard.window.refresh_now()
    model = dashboard.window.connections_panel.model
    assert model.index(0, 1).data() == "finished: the stream ended with [DONE]"
    assert model.index(0, 3).data() == "4 (1 repaired)"
    assert model.index(0, 4).data() == "0"
    assert "1 event had text that was not valid UTF-8" in model.index(0, 0).data(3)
    assert source.status.last_error == "" and source.status.down_since is None
    first = dashboard.store.get(0)
    assert first is not None
    assert first.data["choices"][0]["delta"]["content"] == "word0 \ufffd"
    assert len(feed.server.completion.requests) == 1  # fetched once


def test_connect_asks_a_finished_stream_again(
    qtbot: Any, feed: FeedThread, dashboard: Dashboard
) -> None:
    url = feed.server.url.replace("/events", PATH)
    body = '{"model": "m", "stream": true, "chunks": 2}'
    dashboard.connections.add(KINDS.spec(url, "llm", options={"body": body}))
    source = dashboard.connections.source("llm")
    qtbot.waitUntil(lambda: source.status.state is ConnectionState.FINISHED, timeout=10_000)
    panel = dashboard.window.connections_panel
    qtbot.waitUntil(lambda: not dashboard.connections.is_running(source), timeout=10_000)
    panel.select("llm")
    assert panel.buttons["connect"].isEnabled()
    panel.buttons["connect"].click()
    qtbot.waitUntil(lambda: dashboard.store.end_seq == 4, timeout=10_000)
    qtbot.waitUntil(lambda: source.status.state is ConnectionState.FINISHED, timeout=10_000)
    assert len(feed.server.completion.requests) == 2  # once per ask

"""The window's readers: a layout's ``readers = N``, and a killed reader in the Connections tab."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from dashboard.core.layouts.layoutfile import loads
from dashboard.feed.server import FeedServer, FeedThread
from dashboard.sources import KINDS, ConnectionState
from dashboard.ui.app import Dashboard

KILLED = "the reader process ended unexpectedly (signal 9); resumed"


@pytest.fixture
def feed() -> Iterator[FeedThread]:
    thread = FeedThread(FeedServer(rate=300, seed=11)).start()
    yield thread
    thread.close()


def started_window(
    qtbot: Any, settings: QSettings, url: str, connections: int, readers: int = 1
) -> Dashboard:
    """A window from a layout of *connections* to *url* (c0, c1...) in *readers*, started."""
    layout = loads(
        f"version = 1\nreaders = {readers}\n"
        + "".join(f'[[connections]]\nname = "c{i}"\nurl = "{url}"\n' for i in range(connections)),
        kinds=KINDS,
    )
    dash = Dashboard(layout.connections, settings=settings, tick_ms=10, layout=layout)
    qtbot.addWidget(dash.window)
    dash.start()
    return dash


def test_a_killed_reader_is_said_in_the_tab_and_the_other_reader_goes_on(
    qt_loop: Any, qtbot: Any, settings: QSettings, run_on_loop: Any, feed: FeedThread
) -> None:
    dash = started_window(qtbot, settings, feed.server.url, connections=4, readers=2)
    try:
        sources = dash.connections.sources
        assert len(dash.connections.pool.readers) == 2
        qtbot.waitUntil(
            lambda: all(s.status.state is ConnectionState.LIVE for s in sources), timeout=30_000
        )
        pids = {s.name: s.pid for s in sources}
        assert len(set(pids.values())) == 2
        victim = pids["c0"]
        hit = [s for s in sources if s.pid == victim]
        spared = [s for s in sources if s.pid != victim]
        assert len(hit) == len(spared) == 2
        os.kill(victim, signal.SIGKILL)  # type: ignore[arg-type]
        qtbot.waitUntil(
            lambda: all(
                s.pid not in (None, victim) and s.status.state is ConnectionState.LIVE for s in hit
            ),
            timeout=30_000,
        )
        dash.window.refresh_now()
        model = dash.window.connections_panel.model
        rows = {model.index(r, 0).data(): r for r in range(model.rowCount())}
        for source in hit:
            assert model.index(rows[source.name], 7).data() == KILLED
            assert model.index(rows[source.name], 1).data() == "live"
            assert source.status.reconnects == 1
        for source in spared:
            assert source.pid == pids[source.name]
            assert model.index(rows[source.name], 7).data() == ""
            assert source.status.reconnects == 0
    finally:
        run_on_loop(dash.aclose())


def test_editing_disconnecting_and_removing_one_connection_leaves_the_other_alone(
    qt_loop: Any, qtbot: Any, settings: QSettings, run_on_loop: Any, feed: FeedThread
) -> None:
    dash = started_window(qtbot, settings, feed.server.url, connections=2)
    manager = dash.connections
    try:
        kept, edited = manager.sources
        qtbot.waitUntil(
            lambda: all(s.status.state is ConnectionState.LIVE for s in manager.sources),
            timeout=30_000,
        )
        pid, requests = kept.pid, len(feed.server.last_event_ids)
        assert edited.pid == pid  # one reader for both

        def accepted(name: str) -> int:
            counts = dash.store.counts.get(name)
            return counts.accepted if counts else 0

        def kept_going() -> None:
            seen = accepted("c0")
            qtbot.waitUntil(lambda: accepted("c0") >= seen + 10, timeout=10_000)
            assert kept.pid == pid and manager.pool.pids() == [pid]
            assert kept.status.state is ConnectionState.LIVE
            assert (kept.status.reconnects, kept.status.last_error) == (0, "")

        spec = edited.spec
        spec.name = "c1-edited"
        edited = manager.replace(edited, spec)  # the operator edits it
        qtbot.waitUntil(lambda: accepted("c1-edited") >= 5, timeout=30_000)
        kept_going()
        manager.disconnect_source(edited)
        manager.connect_source(edited)
        qtbot.waitUntil(lambda: edited.status.state is ConnectionState.LIVE, timeout=30_000)
        kept_going()
        manager.remove(edited)
        kept_going()
        assert len(feed.server.last_event_ids) == requests + 2  # the edited one's, twice
    finally:
        run_on_loop(dash.aclose())


def test_a_layouts_readers_are_saved_with_it(
    qt_loop: Any, qtbot: Any, settings: QSettings, run_on_loop: Any
) -> None:
    layout = loads('version = 1\ntitle = "night"\nreaders = 3\n', kinds=KINDS)
    dash = Dashboard([], settings=settings, tick_ms=10, layout=layout)
    qtbot.addWidget(dash.window)
    try:
        assert len(dash.connections.pool.readers) == 3
        assert dash.window.current_layout().readers == 3
    finally:
        run_on_loop(dash.aclose())


def test_a_connection_that_hears_nothing_past_its_heartbeat_does_not_read_as_live(
    qt_loop: Any, qtbot: Any, settings: QSettings, run_on_loop: Any
) -> None:
    quiet = FeedThread(FeedServer(paused=True, heartbeat=60.0)).start()  # no event, no keepalive
    spec = KINDS.spec(quiet.server.url, name="quiet")
    spec.heartbeat_timeout = 0.5
    dash = Dashboard([spec], settings=settings, tick_ms=10)
    qtbot.addWidget(dash.window)
    dash.start()
    try:
        (source,) = dash.connections.sources
        qtbot.waitUntil(lambda: source.status.ever_live, timeout=30_000)
        qtbot.waitUntil(
            lambda: (
                source.status.last_error == "no data for 0.5 s (stalled)"
                and source.status.state is ConnectionState.RECONNECTING
                and dash.connections.live_count() == 0
            ),
            timeout=30_000,
        )  # (then it connects again, and is live until the next 0.5 s of silence)
    finally:
        run_on_loop(dash.aclose())
        quiet.close()

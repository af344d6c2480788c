"""Builds the pipeline (sources -> store -> bus -> window): one dashboard, and the workspace
of the live one and its replays. :mod:`dashboard.ui.startup` starts and runs it."""

from __future__ import annotations

import asyncio
import logging
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication

from dashboard import __version__
from dashboard.core.layouts.layoutfile import Layout, builtin
from dashboard.core.panels.panelkind import PanelKinds
from dashboard.core.storage.store import DEFAULT_CAPACITY, EventStore
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.core.transport.sourcekind import SourceKinds
from dashboard.feed.server import DEFAULT_RATE, FeedServer, FeedThread
from dashboard.sources import ReconnectingSource
from dashboard.sources.pool import DEFAULT_READERS
from dashboard.sources.recording import Recording
from dashboard.sources.registry import KINDS
from dashboard.sources.replay import ReplayPlayer
from dashboard.ui import indexing, theme
from dashboard.ui.bus import DEFAULT_TICK_MS, EventBus
from dashboard.ui.connections import ConnectionManager
from dashboard.ui.main_window import APP_TITLE, MainWindow
from dashboard.ui.panels.registry import PANELS
from dashboard.ui.tasks import SourceTasks

log = logging.getLogger("dashboard.app")


class Dashboard:
    """One dashboard: its store, connections, bus and window; given a *replay* recording
    it shows that instead of live feeds (see :class:`Workspace`)."""

    def __init__(
        self,
        connections: Sequence[ConnectionSpec],
        *,
        capacity: int = DEFAULT_CAPACITY,
        tick_ms: int = DEFAULT_TICK_MS,
        settings: QSettings | None = None,
        replay: Recording | None = None,
        speed: float | None = 1.0,
        layout: Layout | None = None,
        layout_path: Path | None = None,
        readers: int | None = None,
        kinds: SourceKinds = KINDS,
        panels: PanelKinds = PANELS,
    ) -> None:
        self.store = EventStore(capacity)
        if readers is None and layout is not None:
            readers = layout.readers
        self.connections = ConnectionManager(
            self.store, readers=readers or DEFAULT_READERS, kinds=kinds
        )
        for spec in connections:  # their feed processes load while the window is built
            self.connections.add(spec, start=False).prepare()
        self.bus = EventBus(self.store, tick_ms)
        self.player = None if replay is None else ReplayPlayer(replay, self.store, speed)
        self._tasks = SourceTasks(ended=lambda: None)
        self.window = MainWindow(
            self.store, self.bus, self.connections, layout, settings, self.player, panels
        )
        self.window.layout_path = layout_path
        self.demo_feed: FeedThread | None = None  # the demo feed started from the window
        if self.player is not None:
            self.player.rewind = self.window.reset_view
        else:
            self.window.demo_requested.connect(self.run_demo)

    def run_demo(self, rate: float = DEFAULT_RATE) -> None:
        """Start the built-in demo feed and connect to it, with the demo layout if the
        window shows no card yet (the first start's "Run the demo feed")."""
        if self.demo_feed is not None:
            return
        self.demo_feed = FeedThread(FeedServer(rate=rate)).start()
        url = self.demo_feed.server.url
        window = self.window
        window.builtin_urls.add(url)
        if not window.cards.cards:
            window.apply_layout(builtin("demo", self.connections.kinds, window.docks.kinds))
        self.connections.add(ConnectionSpec(url, "demo"), start=True)

    @property
    def sources(self) -> list[ReconnectingSource]:
        return self.connections.sources

    def start(self) -> None:
        """Start every connection (or the replay) on the running loop, the bus, and show
        the window."""
        self.connections.start_all()
        if self.player is not None:
            self._tasks.start(self.player)
        self.bus.start()
        self.window.show()
        log.info("window shown")

    async def aclose(self) -> None:
        """Stop the sources and the bus (the store keeps what arrived)."""
        await self.connections.aclose()
        await self._tasks.aclose()
        self.bus.flush()
        self.bus.stop()
        self.window.recording.stop()  # after the last batch: it has everything received
        if self.demo_feed is not None:
            feed, self.demo_feed = self.demo_feed, None
            await asyncio.get_running_loop().run_in_executor(None, feed.close)

    def summary(self) -> str:
        """``events=N rejected=M connections=K`` (K: connections live at this moment)."""
        return (
            f"events={self.store.received} rejected={self.store.rejected_received} "
            f"connections={self.connections.live_count()}"
        )

    def screenshot(self, path: Path) -> bool:
        self.window.refresh_now()
        # Labels that just changed have asked for a new layout: lay out before the picture.
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        return self.window.grab().save(str(path))


class Workspace:
    """The live dashboard and the replays opened from it, each in a window of its own,
    so a replay never disturbs what the live feeds keep collecting.

    The run ends when the live window closes, or when the last window is closed while
    the live one was never shown (a start with only ``--replay``).
    """

    def __init__(
        self,
        connections: Sequence[ConnectionSpec],
        *,
        capacity: int = DEFAULT_CAPACITY,
        tick_ms: int = DEFAULT_TICK_MS,
        settings: QSettings | None = None,
        layout: Layout | None = None,
        layout_path: Path | None = None,
        readers: int | None = None,
        kinds: SourceKinds = KINDS,
        panels: PanelKinds = PANELS,
    ) -> None:
        self._options = {  # for the live window and every replay
            "capacity": capacity,
            "tick_ms": tick_ms,
            "settings": settings,
            "kinds": kinds,
            "panels": panels,
        }
        self._readers = readers
        self.live = Dashboard(
            connections,
            layout=layout,
            layout_path=layout_path,
            readers=readers,
            **self._options,  # type: ignore[arg-type]
        )
        self.replays: list[Dashboard] = []
        self.finished = asyncio.Event()
        self._closing: set[asyncio.Future[None]] = set()
        self._watch(self.live)
        self.live.window.closed.connect(self.finished.set)

    @property
    def front(self) -> Dashboard:
        """The newest replay if one is open, else the live dashboard."""
        return self.replays[-1] if self.replays else self.live

    def _watch(self, dashboard: Dashboard) -> None:
        window = dashboard.window
        window.open_requested.connect(lambda path: self.open_recording(path))
        window.selection_requested.connect(
            lambda path, name: self.open_recording(path, name=name, temporary=True)
        )

    def show_live(self) -> None:
        window = self.live.window
        window.show()
        window.raise_()
        window.activateWindow()

    def open_recording(
        self, path: str | Path, speed: float | None = 1.0, name: str = "", temporary: bool = False
    ) -> asyncio.Future[Dashboard | None]:
        """Index *path* (with progress, off the UI thread) and replay it in a new window;
        a file that cannot be read is said so in a message box."""
        return asyncio.ensure_future(self._open_or_tell(Path(path), speed, name, temporary))

    async def _open_or_tell(
        self, path: Path, speed: float | None, name: str, temporary: bool
    ) -> Dashboard | None:
        try:
            return await self.open(path, speed, name, temporary)
        except indexing.CannotOpen as error:
            indexing.tell(self.front.window, error)
            return None

    async def open(
        self, path: Path, speed: float | None = 1.0, name: str = "", temporary: bool = False
    ) -> Dashboard | None:
        """The replay window for *path*, None if the operator cancelled; raises
        indexing.CannotOpen when the file cannot be read."""
        parent = self.front.window
        try:
            recording = await indexing.index_with_progress(parent, path)
        finally:
            if temporary:
                shutil.rmtree(path.parent, ignore_errors=True)
        if recording is None:
            return None
        if name:
            recording.name = name
        shown = self.live.window.current_layout()  # the replay looks like the live window
        shown.connections = []
        replay = Dashboard([], replay=recording, speed=speed, layout=shown, **self._options)  # type: ignore[arg-type]
        self.replays.append(replay)
        self._watch(replay)
        replay.window.back_to_live.connect(lambda: self._back_to_live(replay))
        replay.window.closed.connect(lambda: self._closed(replay))
        replay.start()
        return replay

    def _back_to_live(self, replay: Dashboard) -> None:
        self.show_live()
        replay.window.close()

    def _closed(self, replay: Dashboard) -> None:
        if replay in self.replays:
            self.replays.remove(replay)
        closing = asyncio.ensure_future(replay.aclose())
        self._closing.add(closing)
        closing.add_done_callback(self._closing.discard)
        if not self.replays and not self.live.window.isVisible():
            self.finished.set()

    def close_all(self) -> None:
        for replay in list(self.replays):
            replay.window.close()
        self.live.window.close()

    async def aclose(self) -> None:
        for replay in list(self.replays):
            replay.window.close()
        await self.live.aclose()
        if self._closing:
            await asyncio.gather(*self._closing)


def make_application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication([sys.argv[0]])
    app.setApplicationName(APP_TITLE)
    app.setOrganizationName("live-dashboard")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("live-dashboard")
    app.setQuitOnLastWindowClosed(False)  # the window's closed signal ends the run
    theme.apply(app)
    return app

"""Builds the pipeline (sources -> store -> bus -> window) and runs it on the qasync loop."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import qasync
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from dashboard import __version__
from dashboard.core.defaults import DEFAULT_CARDS, DEFAULT_CHART
from dashboard.core.store import DEFAULT_CAPACITY, EventStore
from dashboard.feed.server import DEFAULT_RATE, FeedServer, FeedThread
from dashboard.sources import ConnectionSpec, ReconnectingSource, unique_names
from dashboard.ui import theme
from dashboard.ui.bus import DEFAULT_TICK_MS, EventBus
from dashboard.ui.connections import ConnectionManager
from dashboard.ui.main_window import APP_TITLE, MainWindow

log = logging.getLogger("dashboard.app")


@dataclass
class AppOptions:
    connections: list[ConnectionSpec] = field(default_factory=list)
    demo: bool = False
    demo_rate: float = DEFAULT_RATE
    demo_junk: float = 0.0
    exit_after: float | None = None
    record: Path | None = None
    replay: Path | None = None
    replay_speed: float | None = 1.0
    screenshot: Path | None = None
    capacity: int = DEFAULT_CAPACITY
    tick_ms: int = DEFAULT_TICK_MS


class Dashboard:
    """One running dashboard: its store, connections, bus and window."""

    def __init__(
        self,
        connections: Sequence[ConnectionSpec],
        *,
        capacity: int = DEFAULT_CAPACITY,
        tick_ms: int = DEFAULT_TICK_MS,
        settings: QSettings | None = None,
    ) -> None:
        self.store = EventStore(capacity)
        self.connections = ConnectionManager(self.store)
        for spec in connections:
            self.connections.add(spec, start=False)
        self.bus = EventBus(self.store, tick_ms)
        self.window = MainWindow(
            self.store,
            self.bus,
            self.connections,
            DEFAULT_CARDS,
            DEFAULT_CHART,
            settings=settings,
        )

    @property
    def sources(self) -> list[ReconnectingSource]:
        return self.connections.sources

    def start(self) -> None:
        """Start every connection on the running loop, the bus, and show the window."""
        self.connections.start_all()
        self.bus.start()
        self.window.show()
        log.info("window shown")

    async def aclose(self) -> None:
        """Stop the sources and the bus (the store keeps what arrived)."""
        await self.connections.aclose()
        await self.window.replays.aclose()
        self.bus.flush()
        self.bus.stop()
        self.window.recording.stop()  # after the last batch: it has everything received

    def summary(self) -> str:
        """``events=N rejected=M connections=K`` (K: connections live at this moment)."""
        return (
            f"events={self.store.end_seq} rejected={self.store.rejected_total} "
            f"connections={self.connections.live_count()}"
        )

    def screenshot(self, path: Path) -> bool:
        self.window.refresh_now()
        return self.window.grab().save(str(path))


def keep_startup_objects_out_of_gc() -> None:
    """Move what start-up made (the store's million-slot columns above all) out of the
    cyclic collector's reach: they live as long as the app, and scanning them in every full
    collection paused the UI for tens of milliseconds."""
    gc.collect()
    gc.freeze()


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


def run(options: AppOptions) -> int:
    """Open the window and run until it closes (or --exit-after passes)."""
    app = make_application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            return loop.run_until_complete(_run(options))
    finally:
        asyncio.set_event_loop(None)


async def _run(options: AppOptions) -> int:
    feed: FeedThread | None = None
    connections = list(options.connections)
    if options.demo:
        feed = FeedThread(FeedServer(rate=options.demo_rate, junk=options.demo_junk)).start()
        connections.insert(0, ConnectionSpec(feed.server.url, "demo"))
    unique_names(connections)
    dashboard = Dashboard(connections, capacity=options.capacity, tick_ms=options.tick_ms)
    keep_startup_objects_out_of_gc()
    closed = asyncio.Event()
    dashboard.window.closed.connect(closed.set)
    if not connections and options.replay is None:
        dashboard.window.statusBar().showMessage(
            "No connection: start with  dashboard URL  or  dashboard --demo"
        )
    try:
        if options.record is not None:
            try:
                dashboard.window.recording.start(options.record)
            except OSError as error:
                print(f"dashboard: cannot record to {options.record}: {error}", file=sys.stderr)
                return 2
        dashboard.start()
        if options.replay is not None:
            dashboard.window.open_recording(options.replay, options.replay_speed)
        if options.exit_after is not None:
            QTimer.singleShot(int(options.exit_after * 1000), dashboard.window.close)
        await closed.wait()
        if options.screenshot is not None and not dashboard.screenshot(options.screenshot):
            print(
                f"dashboard: could not write the screenshot {options.screenshot}", file=sys.stderr
            )
        await dashboard.aclose()
    finally:
        if feed is not None:
            await asyncio.get_running_loop().run_in_executor(None, feed.close)
    if options.exit_after is not None:
        print(dashboard.summary(), flush=True)
    return 0

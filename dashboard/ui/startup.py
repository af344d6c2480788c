"""Starting the dashboard from the command line and running it until it ends: the demo
feed, the layout a bare start reopens, the workspace, recording and a replay to open;
then what the next bare start reopens, a screenshot, and the closing summary."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field
from pathlib import Path

import qasync
from PySide6.QtCore import QSettings, QTimer

from dashboard import settle_gc_for_streaming
from dashboard.core.layouts.layoutfile import Layout, builtin
from dashboard.core.storage.store import DEFAULT_CAPACITY
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.core.transport.sourcekind import SourceKinds
from dashboard.feed.server import DEFAULT_RATE, FeedServer, FeedThread
from dashboard.sources import unique_names
from dashboard.sources.registry import KINDS
from dashboard.ui import indexing, layouts, theme
from dashboard.ui.app import Dashboard, Workspace, make_application
from dashboard.ui.bus import DEFAULT_TICK_MS
from dashboard.ui.crash import CrashReporter
from dashboard.ui.panels.registry import PANELS


@dataclass
class AppOptions:
    connections: list[ConnectionSpec] = field(default_factory=list)
    demo: bool = False
    demo_rate: float = DEFAULT_RATE
    demo_junk: float = 0.0
    exit_after: float | None = None
    record: Path | None = None
    layout: Layout | None = None  # None: the last layout, or none given URLs (zero config)
    layout_path: Path | None = None
    replay: Path | None = None
    replay_speed: float | None = 1.0
    screenshot: Path | None = None
    capacity: int = DEFAULT_CAPACITY
    tick_ms: int = DEFAULT_TICK_MS
    readers: int | None = None  # reader processes; None: the layout's, else one
    kinds: SourceKinds = KINDS  # the transports (a plugin's registry: see cli.main)
    theme: str | None = None  # dark, light or system; None: the one chosen last


@dataclass
class _Start:
    """What a run starts with, once its options are read."""

    connections: list[ConnectionSpec]
    bare: bool  # no layout, URL nor demo given: the dashboard as it was left
    layout: Layout | None
    problem: str  # why the last layout could not be reopened ("" when it could)
    feed: FeedThread | None  # the demo feed this run started


def run(options: AppOptions) -> int:
    """Open the window and run until it closes (or --exit-after passes)."""
    app = make_application()
    theme.apply(app, options.theme or theme.remembered(QSettings()))
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            return loop.run_until_complete(_run(options))
    finally:
        asyncio.set_event_loop(None)


async def _run(options: AppOptions) -> int:
    reporter = CrashReporter()
    reporter.install(asyncio.get_running_loop())
    try:
        return await _run_dashboard(options)
    finally:
        reporter.uninstall()


async def _run_dashboard(options: AppOptions) -> int:
    start = _starting_point(options)
    workspace = _open_workspace(options, start)
    try:
        if not await _start(options, workspace, start.connections):
            return 2
        status, front = await _wait_and_close(options, workspace, start)
    finally:
        if start.feed is not None:
            await asyncio.get_running_loop().run_in_executor(None, start.feed.close)
    if options.exit_after is not None:
        print(front.summary(), flush=True)
    return status


def _starting_point(options: AppOptions) -> _Start:
    """The connections (the demo feed's first, started here) and the layout to open; a
    bare start reopens the last layout, and the demo feed when the last window ran it."""
    feed: FeedThread | None = None
    connections = list(options.connections)
    bare = options.layout is None and not connections and not options.demo
    if bare and options.replay is None and (rate := layouts.load_last_demo()) is not None:
        options.demo, options.demo_rate = True, rate  # the last window ran the demo feed
    if options.demo:
        feed = FeedThread(FeedServer(rate=options.demo_rate, junk=options.demo_junk)).start()
        connections.insert(0, ConnectionSpec(feed.server.url, "demo"))
    unique_names(connections)
    layout, problem = options.layout, ""
    if bare:
        # a bare start: the dashboard as it was left
        layout, problem = layouts.load_last(options.kinds)
        if problem:
            print(f"dashboard: {problem}", file=sys.stderr)
    if options.demo and layout is None:
        layout = builtin("demo", options.kinds, PANELS)
    return _Start(connections, bare, layout, problem, feed)


def _open_workspace(options: AppOptions, start: _Start) -> Workspace:
    """The workspace with its live window, its status bar saying what is missing."""
    workspace = Workspace(
        start.connections,
        capacity=options.capacity,
        tick_ms=options.tick_ms,
        readers=options.readers,
        layout=start.layout,
        layout_path=options.layout_path,
        kinds=options.kinds,
    )
    dashboard = workspace.live
    if start.feed is not None:
        dashboard.window.builtin_urls.add(start.feed.server.url)
    settle_gc_for_streaming()
    if start.problem:
        dashboard.window.statusBar().showMessage(start.problem)
    elif not dashboard.connections.sources and options.replay is None:
        dashboard.window.statusBar().showMessage(
            "No connection: start with  dashboard URL  or  dashboard --demo"
        )
    return workspace


async def _start(
    options: AppOptions, workspace: Workspace, connections: list[ConnectionSpec]
) -> bool:
    """Start recording, the live dashboard and the replay asked for; False (said on
    stderr) when the recording or the replay cannot be opened."""
    dashboard = workspace.live
    if options.record is not None:
        try:
            dashboard.window.recording.start(options.record)
        except OSError as error:
            print(f"dashboard: cannot record to {options.record}: {error}", file=sys.stderr)
            return False
    if options.replay is None or connections:
        dashboard.start()
    else:  # only a replay: the live window waits until the operator asks for it
        dashboard.connections.start_all()
        dashboard.bus.start()
    if options.replay is not None:
        try:
            opened = await workspace.open(options.replay, options.replay_speed)
        except indexing.CannotOpen as error:
            opened = None
            print(f"dashboard: {error}", file=sys.stderr)
        if opened is None:
            workspace.close_all()
            await workspace.aclose()
            return False
    if options.exit_after is not None:
        QTimer.singleShot(int(options.exit_after * 1000), workspace.finished.set)
    return True


async def _wait_and_close(
    options: AppOptions, workspace: Workspace, start: _Start
) -> tuple[int, Dashboard]:
    """Wait for the run to end, save what the next bare start reopens, take the
    screenshot asked for and close; the exit status and the dashboard that was in front."""
    await workspace.finished.wait()
    dashboard = workspace.live
    layouts.save_last(dashboard.window.current_layout(dashboard.window.builtin_urls), options.kinds)
    ran_demo = start.feed is not None or dashboard.demo_feed is not None
    if ran_demo or not (start.bare and options.replay is not None):  # (a replay leaves it be)
        layouts.save_last_demo(options.demo_rate if ran_demo else None)
    status = 0
    front = workspace.front
    if options.screenshot is not None and not front.screenshot(options.screenshot):
        print(f"dashboard: could not write the screenshot {options.screenshot}", file=sys.stderr)
        status = 2
    workspace.close_all()
    await workspace.aclose()
    return status, front

"""Headless capture (``dashboard record``): the app's sources and decoder into a
recording, with no Qt and no display; progress on the terminal; Ctrl-C closes the file.

With a monitor (``--layout``), the layout's rules watch what is recorded: the alerts that
fire or resolve are written into the recording as ``dashboard.alert.*`` events and told
on stderr, one line each (``ALERT firing: High CPU (critical): CPU on web-1 at 97%``).

The recorder is the sink the sources hand their batches to, from inside their read loops:
a write failure is caught here, so that it stops the capture once, as a write failure,
instead of passing for a broken connection in every source that happened to hand a batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from dashboard.core.events.event import DecodedBatch, Event, Rejected
from dashboard.core.monitor import Monitor
from dashboard.core.panels.rate import RateMeter
from dashboard.core.storage.recordwriter import Recorder, RecordingFailed
from dashboard.core.text.inert import inert
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.core.transport.sourcekind import SourceKinds
from dashboard.sources import ReconnectingSource, open_source, unique_names
from dashboard.sources.base import ConnectionState, status_text
from dashboard.sources.registry import KINDS

log = logging.getLogger("dashboard.capture")

PROGRESS_EVERY_S = 0.5  # on a terminal; every 10 s in a log file
MONITOR_TICK_S = 0.5  # how often the monitor is given the time (rules' "for", feeds down)
ALERT_LINE_LIMIT = 500  # characters of an ALERT line on stderr


@dataclass
class CaptureResult:
    events: int
    rejected: int
    seconds: float
    why: str  # what ended it
    error: str | None = None  # why writing failed, when it did
    alerts: int = 0  # of the events, the monitor's alert events
    connections_failed: bool = False  # every connection stopped, not every one finished


class _Capture:
    """The sources' sink: writes to the recorder, up to *limit* events. It never raises
    into a source: a write failure sets ``error`` and ``failed``, and writing stops."""

    def __init__(
        self,
        recorder: Recorder,
        limit: int | None,
        monitor: Monitor | None = None,
        alerts: TextIO | None = None,
    ) -> None:
        self.recorder = recorder
        self.limit = limit
        self.taken = 0  # the feeds' events recorded (the alert events are not counted)
        self.monitor = monitor
        self.alerts = alerts  # where an ALERT line goes
        self.full = asyncio.Event()
        self.failed = asyncio.Event()
        self.error: str | None = None

    def write(self, action: Callable[[Recorder], None]) -> None:
        """Do *action* with the recorder, unless writing failed already; a failure is
        kept (the first one) and stops the capture."""
        if self.error is not None:
            return
        try:
            action(self.recorder)
        except RecordingFailed as failure:
            self.error = str(failure)
            self.failed.set()

    def extend_batch(self, decoded: DecodedBatch) -> None:
        if self.full.is_set() or self.error is not None:
            return
        batch = decoded.items()
        if self.limit is not None:
            room = self.limit - self.taken
            kept: list[Event | Rejected] = []
            for item in batch:
                if type(item) is Event:
                    if room == 0:
                        break
                    room -= 1
                kept.append(item)
            batch = kept
            if room == 0:
                self.full.set()
        self.write(lambda recorder: recorder.extend(batch))
        events = [item for item in batch if type(item) is Event]
        self.taken += len(events)
        if self.monitor is not None and events:
            self.monitor.feed(events)  # type: ignore[arg-type]
            self.write_alerts()

    def write_alerts(self) -> None:
        """The alerts that fired or resolved: into the recording, and a line each."""
        assert self.monitor is not None
        changes = self.monitor.take_changes()
        if not changes:
            return
        received = time.time()
        events = [change.event(received) for change in changes]
        self.write(lambda recorder: recorder.extend(events))
        out = self.alerts
        if out is not None:
            start = "\r\x1b[K" if out.isatty() else ""  # (over a progress line)
            for change in changes:
                out.write(f"{start}{inert(change.line(), ALERT_LINE_LIMIT)}\n")
            out.flush()

    def register(self, decoder: object) -> None:
        """Sources offer their decoder to a store; a recording does not need it."""


async def capture(
    specs: Sequence[ConnectionSpec],
    path: Path,
    *,
    duration: float | None = None,
    count: int | None = None,
    progress: TextIO | None = None,
    kinds: SourceKinds = KINDS,
    monitor: Monitor | None = None,
) -> CaptureResult:
    """Record until *duration* passes, *count* events are in, every source has stopped
    for good or finished (a finite stream), or SIGINT/SIGTERM arrives; the file is closed
    cleanly in every case. *kinds* are the transports that read the specs' URLs (the
    registry's by default). A *monitor* watches the events: its alert events go into the
    recording, its ALERT lines to *progress*."""
    unique_names(specs)
    recorder = Recorder(path)
    sink = _Capture(recorder, count, monitor, progress)
    sources = [open_source(spec, sink, kinds=kinds) for spec in specs]
    tasks = [asyncio.create_task(_run(source)) for source in sources]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    _on_signals(loop, stop.set)
    started = time.monotonic()
    why = "interrupted"
    try:
        waits = _ways_to_stop(stop, tasks, sink, count, duration)
        why = await _first_to_stop(waits, tasks, sink, sources, started, progress)
    finally:
        sink.write(Recorder.close)  # (what waits is written: that may fail too)
        _on_signals(loop, None)
    if why == "every connection stopped":
        why = _why_every_connection_stopped(sources)
    failed = why.startswith("every connection stopped")
    if sink.error is not None:
        why = "writing failed"
    seconds, alerts = time.monotonic() - started, recorder.events - sink.taken
    return CaptureResult(
        recorder.events, recorder.rejected, seconds, why, sink.error, alerts, failed
    )


async def _first_to_stop(
    waits: dict[asyncio.Future[object], str],
    tasks: Sequence[asyncio.Task[None]],
    sink: _Capture,
    sources: Sequence[ReconnectingSource],
    started: float,
    progress: TextIO | None,
) -> str:
    """Report progress and watch until the first of *waits* ends, then cancel the rest
    and the sources; how the first is said."""
    reporter = asyncio.create_task(_report(sink, sources, started, progress))
    watcher = asyncio.create_task(_watch(sink, sources))
    done, _pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    why = waits[next(iter(done))]
    reporter.cancel()
    for task in (*waits, *tasks, reporter, watcher):
        task.cancel()
    await asyncio.gather(*waits, *tasks, reporter, watcher, return_exceptions=True)
    return why


def _on_signals(loop: asyncio.AbstractEventLoop, handler: Callable[[], object] | None) -> None:
    """Call *handler* on SIGINT and SIGTERM (None: no longer); not on Windows."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows
            if handler is None:
                loop.remove_signal_handler(signum)
            else:
                loop.add_signal_handler(signum, handler)


def _ways_to_stop(
    stop: asyncio.Event,
    tasks: Sequence[asyncio.Task[None]],
    sink: _Capture,
    count: int | None,
    duration: float | None,
) -> dict[asyncio.Future[object], str]:
    """What ends the capture, each with how it is said: a signal, every source ended,
    writing failed, and *count* events or *duration* seconds when given."""
    waits: dict[asyncio.Future[object], str] = {
        asyncio.ensure_future(stop.wait()): "interrupted",
        asyncio.gather(*tasks, return_exceptions=True): "every connection stopped",
    }
    waits[asyncio.ensure_future(sink.failed.wait())] = "writing failed"
    if count is not None:
        waits[asyncio.ensure_future(sink.full.wait())] = f"{count:,} events recorded"
    if duration is not None:
        waits[asyncio.ensure_future(asyncio.sleep(duration))] = f"{duration:g} s passed"
    return waits


def _why_every_connection_stopped(sources: Sequence[ReconnectingSource]) -> str:
    """Finished (finite streams), or stopped for good, each with its reason."""
    if all(s.status.state.value == "finished" for s in sources):
        return "every connection finished"
    reasons = "; ".join(f"{s.name}: {s.status.last_error or s.status.describe()}" for s in sources)
    return f"every connection stopped ({reasons})"


async def _run(source: ReconnectingSource) -> None:
    """*source*'s loop; a fault of ours in it is logged and stops that connection with an
    "internal error" (as the window's reader does), not left LIVE and unsaid."""
    try:
        await source.run()
    except Exception as error:
        log.exception("%s stopped on an unexpected error", source.name)
        status = source.status
        status.state = ConnectionState.STOPPED
        status.detail = status.last_error = status_text(f"internal error: {error!r}")
        if status.down_since is None:
            status.down_since = time.time()


async def _watch(sink: _Capture, sources: Sequence[ReconnectingSource]) -> None:
    """Give the monitor the time and the connections' health, as the window does."""
    monitor = sink.monitor
    if monitor is None:
        return
    while True:
        await asyncio.sleep(MONITOR_TICK_S)
        monitor.tick(time.time(), [(s.name, s.status.down_since) for s in sources])
        sink.write_alerts()


async def _report(
    sink: _Capture,
    sources: Sequence[ReconnectingSource],
    started: float,
    out: TextIO | None,
) -> None:
    """Progress: events, rate, rejected and live connections; the file flushed as it goes."""
    recorder = sink.recorder
    terminal = out is not None and out.isatty()
    every = PROGRESS_EVERY_S if terminal else 10.0
    window = max(2.0, every)  # the rate said: over the last two seconds, or since the last line
    meter = RateMeter(window, round(window / PROGRESS_EVERY_S))
    meter.update(started, 0)
    printed_at = started
    while True:
        await asyncio.sleep(PROGRESS_EVERY_S)
        sink.write(Recorder.tick)
        now = time.monotonic()
        rate = meter.update(now, recorder.events)
        if out is None or now - printed_at < every:
            continue
        printed_at = now
        live = sum(s.status.state.value == "live" for s in sources)
        line = (
            f"{recorder.events:,} events ({rate:,.0f}/s) · {recorder.rejected:,} rejected · "
            f"{live}/{len(sources)} live · {now - started:,.0f} s → {recorder.path}"
        )
        out.write(f"\r{line}\x1b[K" if terminal else f"{line}\n")
        out.flush()

"""A feed read and decoded in a process of its own, handing finished batches to the app.

Reading, parsing and decoding are most of the work per event, and CPython runs one thread
of Python at a time: in the window's process they compete with folding and painting (a
worker thread was tried, and cost the window its smoothness; see the README's
Performance). Here a child process runs the very same source (:func:`open_source`) with a
sink that sends each batch down a socket as columns; the parent hands the columns to its
store, which makes the Events from them (a fraction of the cost of decoding them), and
mirrors the child's status.

The batches are marshalled, not pickled: both ends are the same interpreter, the columns
are plain lists of strings, numbers and bytes, and unmarshalling them takes half the time.
(What the child is to read, sent once when it starts, is pickled.)

Each :meth:`ProcessSource.run` starts a child and ends it when cancelled. What a new run
needs to carry on where the last one stopped (the SSE last event id, Redis stream
positions) comes back with every batch as the source's checkpoint and goes into the next
child.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import marshal
import multiprocessing
import pickle
import queue
import signal
import socket
import struct
import threading
import time
from collections import deque
from typing import Any

from dashboard import settle_gc_for_streaming
from dashboard.core.event import DecodedBatch, Rejected
from dashboard.core.safelog import configure_logging
from dashboard.core.store import EventStore
from dashboard.sources.base import (
    ConnectionSpec,
    ConnectionState,
    ConnectionStatus,
    ReconnectingSource,
    new_status,
    registered_decoder,
    status_text,
)

log = logging.getLogger("dashboard.sources.process")

# spawn: a clean interpreter. A fork of the window's process would copy the locks of Qt's
# threads in whatever state they are.
_CONTEXT = multiprocessing.get_context("spawn")
_HEADER = struct.Struct("<I")  # the length of the marshalled frame that follows
_STATUS_FIELDS = tuple(name for name in ConnectionStatus.__slots__ if name not in ("name", "url"))
READ_LIMIT = 1 << 24  # bytes the app takes off the socket ahead of handling them
RECEIVE_SIZE = 1 << 18  # bytes asked of the socket at a time
QUEUED_FRAMES = 64  # batches (a network read each) the child may be ahead of the app
STATUS_INTERVAL = 0.1  # seconds between looks for a changed status while no events come
# What a frame from the child holds, besides the status and the checkpoint.
_EVENTS, _STATUS, _END = 0, 1, 2


class ProcessSource:
    """The app's side of a source that reads and decodes in a child process.

    It looks like the source it runs (``spec``, ``name``, ``status``, ``run()``), so the
    connection manager treats both alike. ``pid`` is the child's while it runs.

    A fresh interpreter takes about a quarter of a second to load what the child runs:
    :meth:`prepare` starts it ahead of :meth:`run` (say while the window is being built).
    """

    def __init__(self, spec: ConnectionSpec, store: EventStore) -> None:
        from dashboard.sources import check_feed_url  # the package imports this module

        check_feed_url(spec.url)
        self.spec = spec
        self.name = spec.name
        self.url = spec.url
        self.store = store
        self.decoder = registered_decoder(spec, store)
        self.status = new_status(spec)
        self.checkpoint: Any = None
        self.pid: int | None = None
        self._prepared: tuple[multiprocessing.process.BaseProcess, socket.socket] | None = None

    def prepare(self) -> None:
        """Start the child now, to load while the caller does other things; run() uses it."""
        if self._prepared is None:
            self._prepared = self._spawn()

    def discard(self) -> None:
        """Let a prepared child go unused: it ends when its end of the socket closes."""
        if self._prepared is not None:
            self._prepared[1].close()
            self._prepared = None

    def _spawn(self) -> tuple[multiprocessing.process.BaseProcess, socket.socket]:
        ours, theirs = socket.socketpair()
        child = _CONTEXT.Process(
            target=serve,
            args=(theirs, log.getEffectiveLevel()),
            name=f"dashboard feed {self.name}",
            daemon=True,
        )
        try:
            child.start()
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        return child, ours

    async def run(self) -> None:
        """Start the child (or take the prepared one) and tell it what to read; take its
        batches and status until it ends or this is cancelled."""
        child, ours = self._prepared or self._spawn()
        self._prepared = None
        try:
            self.pid = child.pid
            start = pickle.dumps((self.spec, self.status, self.checkpoint))
            try:
                ours.sendall(_HEADER.pack(len(start)) + start)
            except OSError:  # a prepared child that died waiting: said below, by its exit
                pass
            else:
                loop = asyncio.get_running_loop()
                transport, frames = await loop.create_unix_connection(_FrameReader, sock=ours)
                try:
                    await self._take(frames)
                finally:
                    transport.close()
        finally:
            ours.close()
            self.pid = None
            await _end(child)
        if child.exitcode and self.status.state is not ConnectionState.STOPPED:
            self._died(child.exitcode)

    async def _take(self, frames: _FrameReader) -> None:
        status = self.status
        # (None: the child is gone; run() says how it ended)
        while (frame := await frames.next()) is not None:
            kind, state, self.checkpoint, payload = marshal.loads(frame)
            for field, value in zip(_STATUS_FIELDS, state, strict=True):
                setattr(status, field, value)
            status.state = ConnectionState(status.state)  # (sent as its value)
            if kind == _END:
                return
            if kind == _EVENTS:
                self._store(*payload)
                # Frames already read come without suspending: yield, so that the window's
                # frame ticks are not held up behind a backlog.
                await asyncio.sleep(0)

    def _store(self, columns: list[list[Any]], rejected: list[tuple[Any, ...]]) -> None:
        """A batch into the store: its events as the columns they came in, then its
        rejected frames."""
        name = self.name
        if columns[0]:
            self.store.extend_columns(name, columns)
        if rejected:
            self.store.extend(
                Rejected(reason, raw, received, name, size, i)
                for reason, raw, received, size, i in rejected
            )

    def _died(self, exitcode: int) -> None:
        status = self.status
        how = f"signal {-exitcode}" if exitcode < 0 else f"exit code {exitcode}"
        status.state = ConnectionState.STOPPED
        status.detail = status.last_error = (
            f"the process reading this feed ended unexpectedly ({how}); connect again to retry"
        )
        status.retry_at = None
        if status.down_since is None:
            status.down_since = time.time()
        log.error("%s: %s", self.name, status.detail)


class _FrameReader(asyncio.BufferedProtocol):
    """The app's end of the socket: the child's frames, received straight into one buffer.

    (asyncio's StreamReader appends each read to a bytearray and cuts from its front; with
    megabytes waiting while the window painted, that moved megabytes per read.) Past
    READ_LIMIT bytes of frames waiting, it stops reading until half of them are taken.
    """

    def __init__(self) -> None:
        self._buffer = memoryview(bytearray(2 * RECEIVE_SIZE))
        self._start = 0  # the first byte not yet cut into a frame
        self._end = 0  # one past the last byte received
        self._frames: deque[bytes] = deque()
        self._waiting = 0  # bytes in _frames
        self._transport: asyncio.Transport | None = None
        self._paused = False
        self._closed = False
        self._wakeup: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def get_buffer(self, sizehint: int) -> memoryview:
        buffer, start, end = self._buffer, self._start, self._end
        wanted = RECEIVE_SIZE
        if end - start >= _HEADER.size:  # room for the whole of the frame begun
            wanted = max(wanted, _HEADER.size + _HEADER.unpack_from(buffer, start)[0])
        if len(buffer) - end < wanted:  # move what is left of it to the front, or grow
            unread = bytes(buffer[start:end])
            if len(unread) + wanted > len(buffer):
                buffer = self._buffer = memoryview(bytearray(len(unread) + wanted))
            buffer[: len(unread)] = unread
            self._start, self._end = 0, len(unread)
        return buffer[self._end :]

    def buffer_updated(self, nbytes: int) -> None:
        buffer, start, end = self._buffer, self._start, self._end + nbytes
        header = _HEADER.size
        while end - start >= header:
            (size,) = _HEADER.unpack_from(buffer, start)
            if end - start - header < size:
                break
            start += header
            self._frames.append(bytes(buffer[start : start + size]))
            self._waiting += size
            start += size
        self._start, self._end = (0, 0) if start == end else (start, end)
        if self._waiting > READ_LIMIT and not self._paused and self._transport is not None:
            self._transport.pause_reading()
            self._paused = True
        self._wake()

    def eof_received(self) -> bool:
        self._closed = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self._wake()

    def _wake(self) -> None:
        if self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)

    async def next(self) -> bytes | None:
        """The next whole frame; None once the child has closed its end."""
        while not self._frames:
            if self._closed:
                return None
            self._wakeup = asyncio.get_running_loop().create_future()
            await self._wakeup
        frame = self._frames.popleft()
        self._waiting -= len(frame)
        if self._paused and self._waiting <= READ_LIMIT // 2 and self._transport is not None:
            self._paused = False
            self._transport.resume_reading()
        return frame


async def _end(child: multiprocessing.process.BaseProcess) -> None:
    """Stop the child if it still runs, and reap it without blocking the loop."""
    if child.pid is None:  # it never started
        return
    if child.is_alive():
        child.terminate()
    await asyncio.to_thread(child.join, 5)
    if child.is_alive():
        child.kill()
        await asyncio.to_thread(child.join)


# -- the child ----------------------------------------------------------------------------


class ParentGone(Exception):
    """The app closed its end: nobody is left to take the events."""


def serve(channel: socket.socket, log_level: int) -> None:
    """The child's main: load the sources, wait to be told what to read, and run that
    source until it ends or the app goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the app's to handle
    configure_logging(log_level)  # the app's filter: secrets masked, controls escaped
    import dashboard.sources  # noqa: F401  (what a prepared child loads before it is needed)

    start = _receive(channel)
    if start is None:
        return  # discarded, or the app went away first
    spec, status, checkpoint = pickle.loads(start)
    settle_gc_for_streaming()
    with contextlib.suppress(ParentGone):
        asyncio.run(_serve(spec, status, checkpoint, channel))


def _receive(channel: socket.socket) -> bytes | None:
    """One whole frame from *channel*, blocking; None if it closes first."""
    header = channel.recv(_HEADER.size, socket.MSG_WAITALL)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    body = channel.recv(size, socket.MSG_WAITALL)
    return body if len(body) == size else None


async def _serve(
    spec: ConnectionSpec, status: ConnectionStatus, checkpoint: Any, channel: socket.socket
) -> None:
    from dashboard.sources import open_source  # the package imports this module

    writer = _BatchWriter(channel)
    source = open_source(spec, writer)
    source.status = status
    source.resume(checkpoint)
    writer.source = source
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(source.run())
    loop.add_reader(channel.fileno(), task.cancel)  # readable: the app closed its end
    ticker = asyncio.ensure_future(writer.send_status_changes())
    try:
        await task
    except asyncio.CancelledError:
        return
    except ParentGone:
        raise
    except Exception as error:  # a fault of ours: said in the app, like a source's in it
        log.exception("%s stopped on an unexpected error", spec.name)
        status.state = ConnectionState.STOPPED
        status.detail = status.last_error = status_text(f"internal error: {error!r}")
    finally:
        ticker.cancel()
        loop.remove_reader(channel.fileno())
    writer.send(_END, None)
    await asyncio.to_thread(writer.close)


class _BatchWriter:
    """The child's sink: each batch goes to the app as columns, with the status.

    A thread writes the frames, so that reading the feed goes on while the app is busy
    painting; once QUEUED_FRAMES wait, the feed waits (and through TCP, so does the server).
    """

    def __init__(self, channel: socket.socket) -> None:
        self.channel = channel
        self.source: ReconnectingSource | None = None
        self._sent_state: tuple[Any, ...] = ()
        self._frames: queue.Queue[bytes | None] = queue.Queue(QUEUED_FRAMES)
        self._thread = threading.Thread(target=self._write, name="frames to the app", daemon=True)
        self._thread.start()

    def extend_batch(self, batch: DecodedBatch) -> None:
        columns = batch.columns()
        # Names repeat: made one object each, each goes down the socket once per batch
        # (marshal refers back to an object it has written), and the app makes one string
        # of it, not many.
        one = {}.setdefault
        for name in (0, 3, 8):  # type, source, declared type
            columns[name] = tuple(map(one, columns[name], columns[name]))
        rows = [(r.reason, r.raw, r.received, r.size, r.id) for r in batch.rejected]
        self.send(_EVENTS, (columns, rows))

    def send(self, kind: int, payload: Any) -> None:
        source = self.source
        assert source is not None
        state = self._state()
        self._sent_state = state
        body = marshal.dumps((kind, state, source.checkpoint(), payload))
        self._put(_HEADER.pack(len(body)) + body)

    def _put(self, frame: bytes | None) -> None:
        while True:
            try:
                self._frames.put(frame, timeout=0.5)
                return
            except queue.Full:
                if not self._thread.is_alive():
                    raise ParentGone from None

    def _state(self) -> tuple[Any, ...]:
        status = self.source.status if self.source else None
        return tuple(
            value.value if isinstance(value, ConnectionState) else value
            for value in (getattr(status, f) for f in _STATUS_FIELDS)
        )

    async def send_status_changes(self) -> None:
        """Status changes between batches (reconnecting, stopped...) reach the app too."""
        while True:
            await asyncio.sleep(STATUS_INTERVAL)
            if self._state() != self._sent_state:
                self.send(_STATUS, None)

    def _write(self) -> None:
        frames = self._frames
        sendall = self.channel.sendall
        with contextlib.suppress(OSError):  # the app is gone: send() notices
            while (frame := frames.get()) is not None:
                sendall(frame)

    def close(self) -> None:
        """Send what is queued, then stop."""
        self._put(None)
        self._thread.join()

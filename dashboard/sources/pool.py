"""The reader pool: a few processes (one by default) that read and decode every feed.

Reading, parsing and decoding are most of the work per event, and CPython runs one thread
of Python at a time: in the window's process they would compete with folding and painting
(a worker thread was tried, and cost the window its smoothness; see the README's
Performance). A process per connection cost 50 MB each (20 connections: 982 MB in 21
processes), so a pool of reader processes (:mod:`dashboard.sources.reader`) runs many
connections each on its own asyncio loop, and hands the window each batch as columns.

A connection goes to the reader with the fewest connections. A reader that dies is started
again and its connections are opened anew in it, each from its last checkpoint (the SSE
last event id, Redis stream positions: what the window stored last), and each says so in
its status. Opening or closing one connection never touches another.
"""

from __future__ import annotations

import asyncio
import logging
import marshal
import multiprocessing
import pickle
import socket
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from dashboard.core.layouts.layoutfile import MAX_READERS
from dashboard.core.transport.sourcekind import SourceKinds
from dashboard.sources.reader import CLOSE, EVENTS, HEADER, OPEN, serve

if TYPE_CHECKING:
    from dashboard.sources.process import ProcessSource

log = logging.getLogger("dashboard.sources.pool")

# spawn: a clean interpreter. A fork of the window's process would copy the locks of Qt's
# threads in whatever state they are.
_CONTEXT = multiprocessing.get_context("spawn")
DEFAULT_READERS = 1
READ_LIMIT = 1 << 24  # bytes the app takes off a socket ahead of handling them
RECEIVE_SIZE = 1 << 18  # bytes asked of the socket at a time
YIELD_AFTER = 0.002  # seconds of frames handled in a row before the window's loop gets a turn
RESTART_PAUSE = 1.0  # seconds before starting again a reader that died this young
# A reader that ended this many times within CRASH_WINDOW seconds is not started again: a
# connection that crashes the interpreter would otherwise restart it for ever.
CRASH_LIMIT = 5
CRASH_WINDOW = 60.0


class ReaderPool:
    """*readers* reader processes, started when first needed (or by :meth:`prepare`)."""

    def __init__(self, readers: int = DEFAULT_READERS, kinds: SourceKinds | None = None) -> None:
        if not 1 <= readers <= MAX_READERS:
            raise ValueError(f"readers must be 1 to {MAX_READERS}, not {readers}")
        self.kinds = kinds
        # None: the registry's; else the modules that declare them, imported by each reader
        # (a source module names its declaration KIND; a plugin's folder is on sys.path,
        # which a spawned process inherits)
        self.kind_modules = (
            None if kinds is None else tuple(dict.fromkeys(k.reader.__module__ for k in kinds))
        )
        self.readers = [_Reader(self, i) for i in range(readers)]
        self.closing = False
        self._ids = 0

    def prepare(self) -> None:
        """Start the processes now, to load while the caller does other things."""
        for reader in self.readers:
            reader.spawn()

    def pids(self) -> list[int | None]:
        return [reader.pid for reader in self.readers]

    def assign(self, source: ProcessSource) -> _Reader:
        """The least busy reader, with *source* registered in it under a new id (its
        frames go to it from now on); ``await reader.open(source)`` starts it there."""
        reader = min(self.readers, key=lambda r: len(r.connections))
        self._ids += 1
        source.conn_id = self._ids
        reader.connections[source.conn_id] = source
        return reader

    async def aclose(self) -> None:
        """End every reader (their connections end with them)."""
        self.closing = True
        await asyncio.gather(*(reader.aclose() for reader in self.readers))

    def discard(self) -> None:
        """Close the sockets of readers prepared but never used: they end by themselves."""
        for reader in self.readers:
            if reader.pump is None and reader.channel is not None:
                reader.channel.close()
                reader.channel = reader.process = None


class _Reader:
    """One reader process, its socket, and the task that hands its frames out."""

    def __init__(self, pool: ReaderPool, index: int) -> None:
        self.pool = pool
        self.index = index
        self.connections: dict[int, ProcessSource] = {}
        self.process: multiprocessing.process.BaseProcess | None = None
        self.channel: socket.socket | None = None
        self.transport: asyncio.Transport | None = None
        self.pump: asyncio.Future[None] | None = None
        self.started = 0.0  # time.monotonic() of the last start
        self.deaths: deque[float] = deque(maxlen=CRASH_LIMIT)  # when it last ended, unasked
        self._lock: asyncio.Lock | None = None

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def spawn(self) -> None:
        if self.process is not None:
            return
        ours, theirs = socket.socketpair()
        process = _CONTEXT.Process(
            target=serve,
            args=(theirs, log.getEffectiveLevel(), self.pool.kind_modules),
            name=f"dashboard reader {self.index + 1}",
            daemon=True,
        )
        try:
            process.start()
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.process, self.channel, self.started = process, ours, time.monotonic()

    async def _running(self) -> asyncio.Transport:
        """The transport to the process, started (or taken from prepare()) if need be."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self.transport is None:
                self.spawn()
                assert self.channel is not None
                loop = asyncio.get_running_loop()
                transport, frames = await loop.create_unix_connection(
                    _FrameReader, sock=self.channel
                )
                self.transport = transport
                self.pump = asyncio.ensure_future(self._pump(frames))
            return self.transport

    async def open(self, source: ProcessSource) -> None:
        transport = await self._running()
        if self.connections.get(source.conn_id) is source:  # (not closed meanwhile)
            _send(transport, OPEN, source.conn_id, source.start_payload())

    def close(self, conn_id: int) -> None:
        if self.connections.pop(conn_id, None) is not None and self.transport is not None:
            _send(self.transport, CLOSE, conn_id, None)

    async def _pump(self, frames: _FrameReader) -> None:
        connections = self.connections
        loads, clock = marshal.loads, time.perf_counter
        yielded = clock()
        # (None: the process is gone)
        while (frame := await frames.next()) is not None:
            conn_id, kind, state, checkpoint, payload = loads(frame)
            source = connections.get(conn_id)
            if source is None:
                continue  # closed by the app; what was on its way is let go
            source.take(kind, state, checkpoint, payload)
            if kind == EVENTS and frames.pending() and clock() - yielded > YIELD_AFTER:
                # Frames already read come without suspending: yield, so that the window's
                # frame ticks are not held up behind a backlog.
                await asyncio.sleep(0)
                yielded = clock()
        await self._ended()

    async def _ended(self) -> None:
        """The process is gone: reap it, and unless the pool is closing, start it again
        with its connections resumed from their checkpoints."""
        process, lived = self.process, time.monotonic() - self.started
        resume = list(self.connections.items())  # (any opened from here on, in a new one)
        if self.transport is not None:
            self.transport.close()
        self.process = self.channel = self.transport = self.pump = None
        if process is not None:
            await _end(process)
        if self.pool.closing or process is None:
            return
        code = process.exitcode or 0
        how = f"signal {-code}" if code < 0 else f"exit code {code}"
        log.error("reader %d ended unexpectedly (%s)", self.index + 1, how)
        resume = [(i, s) for i, s in resume if self.connections.get(i) is s]
        if self._crashing():
            why = (
                f"the reader process ended unexpectedly {CRASH_LIMIT} times within "
                f"{CRASH_WINDOW:g} s (last: {how}); stopped: connect again to retry"
            )
            log.error("reader %d: %s", self.index + 1, why)
            for conn_id, source in resume:
                self.connections.pop(conn_id, None)
                source.stop(why)
            return
        for _, source in resume:
            source.reader_died(f"the reader process ended unexpectedly ({how}); resumed")
        if not resume:
            return
        if lived < RESTART_PAUSE:  # dying as it starts: not as fast as it can
            await asyncio.sleep(RESTART_PAUSE)
        if self.pool.closing:
            return
        resume = [(i, s) for i, s in resume if self.connections.get(i) is s]
        try:
            transport = await self._running()
        except Exception as error:  # (no process to be had: said, not retried forever)
            log.exception("reader %d could not be started again", self.index + 1)
            for conn_id, source in resume:
                self.connections.pop(conn_id, None)
                source.stop(f"the reader process could not be started again ({error!r})")
            return
        for conn_id, source in resume:
            if self.connections.get(conn_id) is source:  # (not closed meanwhile)
                _send(transport, OPEN, conn_id, source.start_payload())

    def _crashing(self) -> bool:
        """Note an unasked end; True when it is the CRASH_LIMITth within CRASH_WINDOW."""
        now = time.monotonic()
        self.deaths.append(now)
        return len(self.deaths) == CRASH_LIMIT and now - self.deaths[0] <= CRASH_WINDOW

    async def aclose(self) -> None:
        self.connections.clear()
        process, pump = self.process, self.pump
        if self.transport is not None:
            self.transport.close()
        elif self.channel is not None:
            self.channel.close()
        if pump is not None:
            await asyncio.gather(pump, return_exceptions=True)
        elif process is not None:
            self.process = self.channel = None
            await _end(process)


def _send(transport: asyncio.Transport, op: int, conn_id: int, payload: Any) -> None:
    body = pickle.dumps((op, conn_id, payload))
    transport.write(HEADER.pack(len(body)) + body)


async def _end(process: multiprocessing.process.BaseProcess) -> None:
    """Stop the process if it still runs, and reap it without blocking the loop."""
    if process.pid is None:  # it never started
        return
    await asyncio.to_thread(process.join, 2)  # it ends by itself once its socket closes
    if process.is_alive():
        process.terminate()
        await asyncio.to_thread(process.join, 5)
    if process.is_alive():
        process.kill()
        await asyncio.to_thread(process.join)


class _FrameReader(asyncio.BufferedProtocol):
    """The app's end of a reader's socket: its frames, received straight into one buffer.

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
        if end - start >= HEADER.size:  # room for the whole of the frame begun
            wanted = max(wanted, HEADER.size + HEADER.unpack_from(buffer, start)[0])
        if len(buffer) - end < wanted:  # move what is left of it to the front, or grow
            unread = bytes(buffer[start:end])
            if len(unread) + wanted > len(buffer):
                buffer = self._buffer = memoryview(bytearray(len(unread) + wanted))
            buffer[: len(unread)] = unread
            self._start, self._end = 0, len(unread)
        return buffer[self._end :]

    def buffer_updated(self, nbytes: int) -> None:
        buffer, start, end = self._buffer, self._start, self._end + nbytes
        header = HEADER.size
        while end - start >= header:
            (size,) = HEADER.unpack_from(buffer, start)
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

    def pending(self) -> bool:
        """Whether a whole frame is waiting (next() would not suspend)."""
        return bool(self._frames)

    async def next(self) -> bytes | None:
        """The next whole frame; None once the process has closed its end."""
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

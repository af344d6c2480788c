"""A reader process: many connections read and decoded on one asyncio loop.

The window's :class:`~dashboard.sources.pool.ReaderPool` starts a few of these (one by
default) and talks to each over one socket. Down it come commands, each a pickled
``(op, conn_id, payload)``: OPEN with ``(spec, status, checkpoint)`` runs that connection's
source (the very one :func:`open_source` makes), CLOSE cancels it. Up go frames, each a
marshalled ``(conn_id, kind, status, checkpoint, payload)``: a batch as columns, a changed
status, or the connection's end. Both are prefixed by their length (:data:`HEADER`).

The batches are marshalled, not pickled: both ends are the same interpreter, the columns
are plain lists of strings, numbers and bytes, and unmarshalling them takes half the time.

One connection's failure is its own: its task ends with its status said (an unexpected
error of ours is an "internal error" there), and the others go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import importlib
import logging
import marshal
import pickle
import queue
import signal
import socket
import struct
import sys
import threading
from collections.abc import Callable
from typing import Any

from dashboard import settle_gc_for_streaming
from dashboard.core.events.event import DecodedBatch
from dashboard.core.text.safelog import configure_logging
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.core.transport.sourcekind import SourceKinds
from dashboard.sources.base import (
    ConnectionState,
    ConnectionStatus,
    ReconnectingSource,
    status_text,
)

log = logging.getLogger("dashboard.sources.reader")

HEADER = struct.Struct("<I")  # the length of the frame that follows
STATUS_FIELDS = tuple(name for name in ConnectionStatus.__slots__ if name not in ("name", "url"))
QUEUED_FRAMES = 64  # batches (a network read each) the reader may be ahead of the app...
# ...and at most this many bytes of them (a bigger frame waits alone): 64 frames of events
# of 700 KB were 100 MB to 1 GB waiting while the window was busy. Past it, the reader's
# loop waits (every connection's, pings and timeouts too): a bound sources keep below.
QUEUED_BYTES = 4 << 20
# A source reads on once fewer bytes than this wait for the app (it awaits room() after
# each read): while the window is behind, its feeds wait in TCP, not in the reader's memory
# (the soak's reader held up to 6 MB of frames whenever the window paused, a tenth of its
# memory), and its loop stays free for the others. 1 MiB is 0.4 s of the soak's events.
ROOM_BYTES = 1 << 20
ROOM_POLL = 0.005  # seconds between looks for room
STATUS_INTERVAL = 0.1  # seconds between looks for changed statuses while no events come
# A connection's batches wait up to FLUSH_DELAY seconds to go up as one frame, unless they
# hold FLUSH_ROWS rows: 50 feeds at 100 events/s were 5,000 one-event frames a second, and
# the window paid for each (a wake-up of its loop, a status, a store append). A fast feed's
# batches (a network read each, hundreds of events) go at once: holding them to 512 rows
# took the window 10 % slower.
FLUSH_DELAY = 0.01
FLUSH_ROWS = 64
# At most this many rows go up in one frame: a WebSocket message of 3,500 events was one
# frame of 820 KB, marshalled and copied whole.
FRAME_ROWS = 512
# Seconds between returns to the system of the memory the C allocator holds free. glibc
# keeps what a burst freed: once a big buffer is freed its mmap threshold rises (up to
# 32 MiB), buffers that size then come from the heap, whose top it trims only past twice
# that, and free pages inside the heap it never returns. A reader that read 40 events of
# 700 KB stayed 35 MB over its baseline, and the soak's reader grew by 19 % in steps.
# malloc_trim(0) gives back every free page; it takes a millisecond or two.
TRIM_INTERVAL = 1.0
# What a frame up holds, besides the status and the checkpoint.
EVENTS, STATUS, END = 0, 1, 2
# What a command down asks.
OPEN, CLOSE = 0, 1


class ParentGone(Exception):
    """The app closed its end: nobody is left to take the events."""


def serve(
    channel: socket.socket, log_level: int, kind_modules: tuple[str, ...] | None = None
) -> None:
    """The reader's main: load the sources, then run the connections the app opens until
    it closes its end of *channel*. *kind_modules*: the modules whose ``KIND``s are the
    transports, when they are not the registry's (a plugin's)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the app's to handle
    configure_logging(log_level)  # the app's filter: secrets masked, controls escaped
    import dashboard.sources  # noqa: F401  (what a prepared reader loads before it is needed)

    settle_gc_for_streaming()
    with contextlib.suppress(ParentGone):
        kinds = None
        if kind_modules:
            kinds = SourceKinds([importlib.import_module(m).KIND for m in kind_modules])
        asyncio.run(_Reader(channel, kinds).run())


def receive(channel: socket.socket) -> bytes | None:
    """One whole frame from *channel*, blocking; None if it closes first."""
    try:
        header = channel.recv(HEADER.size, socket.MSG_WAITALL)
        if len(header) < HEADER.size:
            return None
        (size,) = HEADER.unpack(header)
        body = channel.recv(size, socket.MSG_WAITALL)
    except OSError:
        return None
    return body if len(body) == size else None


class _Reader:
    """The connections of one reader process, and the thread that writes their frames."""

    def __init__(self, channel: socket.socket, kinds: SourceKinds | None = None) -> None:
        self.channel = channel
        self.kinds = kinds
        self.connections: dict[int, _Connection] = {}
        self._frames: queue.Queue[bytes | None] = queue.Queue(QUEUED_FRAMES)
        self._queued = 0  # bytes in _frames
        self._room = threading.Condition()  # notified as frames leave _frames
        self._writer = threading.Thread(target=self._write, name="frames to the app", daemon=True)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        commands: asyncio.Queue[bytes | None] = asyncio.Queue()

        def take() -> None:  # a thread: the socket stays blocking for the writer's sendall
            while True:
                command = receive(self.channel)
                loop.call_soon_threadsafe(commands.put_nowait, command)
                if command is None:
                    return

        self._writer.start()
        threading.Thread(target=take, name="commands from the app", daemon=True).start()
        ticker = asyncio.ensure_future(self._send_status_changes())
        trim = malloc_trim()
        trimmer = asyncio.ensure_future(_return_freed_memory(trim)) if trim else None
        try:
            while (command := await commands.get()) is not None:
                op, conn_id, payload = pickle.loads(command)
                if op == OPEN:
                    self.open(conn_id, *payload)
                elif (connection := self.connections.get(conn_id)) is not None:
                    connection.task.cancel()
        finally:  # the app is gone (or closed us): nobody takes the events
            ticker.cancel()
            if trimmer is not None:
                trimmer.cancel()
            tasks = [c.task for c in self.connections.values()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def open(
        self, conn_id: int, spec: ConnectionSpec, status: ConnectionStatus, checkpoint: Any
    ) -> None:
        from dashboard.sources import open_source  # the package imports the pool
        from dashboard.sources.registry import KINDS

        connection = _Connection(conn_id, self)
        connection.sent_checkpoint = checkpoint
        try:
            source = open_source(spec, connection, kinds=self.kinds or KINDS)
            source.status = status
            source.resume(checkpoint)
        except Exception as error:  # said in the app as this connection's own end
            log.exception("%s could not be opened", spec.name)
            status.state = ConnectionState.STOPPED
            status.detail = status.last_error = status_text(f"internal error: {error!r}")
            connection.send(END, None, status, checkpoint)
            return
        connection.source = source
        connection.task = asyncio.ensure_future(connection.run())
        self.connections[conn_id] = connection

    async def _send_status_changes(self) -> None:
        """Status changes between batches (reconnecting, stopped...) reach the app too."""
        while True:
            await asyncio.sleep(STATUS_INTERVAL)
            for connection in list(self.connections.values()):
                if connection.state() != connection.sent_state:
                    connection.send_current(STATUS, None)

    def put(self, frame: bytes) -> None:
        """Queue a frame for the app; while QUEUED_FRAMES or QUEUED_BYTES wait, the loop (and
        every feed, through TCP) waits."""
        with self._room:
            while self._queued and self._queued + len(frame) > QUEUED_BYTES:
                if not self._room.wait(timeout=0.5) and not self._writer.is_alive():
                    raise ParentGone from None
            self._queued += len(frame)
        while True:
            try:
                self._frames.put(frame, timeout=0.5)
                return
            except queue.Full:
                if not self._writer.is_alive():
                    raise ParentGone from None

    async def room(self) -> None:
        """Until fewer than ROOM_BYTES wait for the app (or nobody takes them)."""
        while self._queued >= ROOM_BYTES and self._writer.is_alive():
            await asyncio.sleep(ROOM_POLL)

    def _write(self) -> None:
        frames = self._frames
        sendall = self.channel.sendall
        with contextlib.suppress(OSError):  # the app is gone: put() notices
            while (frame := frames.get()) is not None:
                sendall(frame)
                with self._room:
                    self._queued -= len(frame)
                    self._room.notify()


class _Connection:
    """One connection in the reader: its source's sink, and the task that runs it."""

    def __init__(self, conn_id: int, reader: _Reader) -> None:
        self.conn_id = conn_id
        self.reader = reader
        self.source: ReconnectingSource | None = None
        self.task: asyncio.Future[None]
        self.sent_state: tuple[Any, ...] = ()
        self.sent_checkpoint: Any = None  # with the last frame up
        self._rows: list[tuple[Any, ...]] = []
        self._rejected: list[tuple[Any, ...]] = []
        self._timer: asyncio.TimerHandle | None = None

    async def run(self) -> None:
        source = self.source
        assert source is not None
        try:
            await source.run()
        except (asyncio.CancelledError, ParentGone):
            self._drop()
            return  # closed by the app: it says so itself
        except Exception as error:  # a fault of ours: said in the app, like a source's
            log.exception("%s stopped on an unexpected error", source.name)
            status = source.status
            status.state = ConnectionState.STOPPED
            status.detail = status.last_error = status_text(f"internal error: {error!r}")
        finally:
            self.reader.connections.pop(self.conn_id, None)
        with contextlib.suppress(ParentGone):
            self.send_current(END, None)

    def extend_batch(self, batch: DecodedBatch) -> None:
        self._rows += batch.rows
        # A rejected frame goes up as the preview the window keeps, not as the megabyte read.
        previews = [r.preview() for r in batch.rejected]
        self._rejected += [(r.reason, r.raw, r.received, r.size, r.id) for r in previews]
        if len(self._rows) >= FLUSH_ROWS:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(FLUSH_DELAY, self._flush_later)

    async def room(self) -> None:
        """Awaited by the source after each read: see ROOM_BYTES."""
        await self.reader.room()

    def flush(self) -> None:
        """The batches waiting go up, FRAME_ROWS rows a frame, the last frame with the
        checkpoint after them."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not (self._rows or self._rejected):
            return
        rows, rejected, self._rows, self._rejected = self._rows, self._rejected, [], []
        # FRAME_ROWS at a time; all but the last with the checkpoint sent before, so that a
        # reader that dies between them resumes before their rows, not after.
        for start in range(0, max(len(rows), 1), FRAME_ROWS):
            last = start + FRAME_ROWS >= len(rows)
            payload = (_columns(rows[start : start + FRAME_ROWS]), rejected if last else [])
            if last:
                self.send_current(EVENTS, payload)
            else:
                assert self.source is not None
                self.send(EVENTS, payload, self.source.status, self.sent_checkpoint)

    def _flush_later(self) -> None:
        self._timer = None
        with contextlib.suppress(ParentGone):  # the reader ends when its commands do
            self.flush()

    def _drop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._rows, self._rejected = [], []

    def state(self) -> tuple[Any, ...]:
        return _state(self.source.status) if self.source else ()

    def send_current(self, kind: int, payload: Any) -> None:
        source = self.source
        assert source is not None
        if kind != EVENTS:
            self.flush()  # what was received first goes first
        self.send(kind, payload, source.status, source.checkpoint())

    def send(self, kind: int, payload: Any, status: ConnectionStatus, checkpoint: Any) -> None:
        state = self.sent_state = _state(status)
        self.sent_checkpoint = checkpoint
        body = marshal.dumps((self.conn_id, kind, state, checkpoint, payload))
        self.reader.put(HEADER.pack(len(body)) + body)


def _columns(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """*rows* as the store's columns."""
    columns = list(zip(*rows, strict=True)) or [() for _ in range(9)]
    # Names repeat: made one object each, each goes down the socket once per frame
    # (marshal refers back to an object it has written), and the app makes one string
    # of it, not many.
    one = {}.setdefault
    for name in (0, 3, 8):  # type, source, declared type
        columns[name] = tuple(map(one, columns[name], columns[name]))
    return columns


def malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (macOS, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim  # type: ignore[no-any-return]


async def _return_freed_memory(trim: Callable[[int], int]) -> None:
    """Every TRIM_INTERVAL, what the C allocator holds free goes back to the system: the
    reader's memory comes back to its level after a burst of big frames."""
    while True:
        await asyncio.sleep(TRIM_INTERVAL)
        trim(0)


def _state(status: ConnectionStatus) -> tuple[Any, ...]:
    return tuple(
        value.value if isinstance(value, ConnectionState) else value
        for value in (getattr(status, f) for f in STATUS_FIELDS)
    )

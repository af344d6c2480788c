"""Standard input as a feed: ``dashboard -`` (the URL ``stdin:``).

``tail -f app.log | dashboard -`` and ``kubectl get events -w -o json | dashboard -``:
lines and pretty-printed JSON documents become events as a followed file's do
(:mod:`dashboard.sources.files`). When the input ends, the connection is finished (a
finite stream that ended as it should: no failure), saying how much it read.

Where it is read: in the window, every connection runs in a reader process
(:mod:`dashboard.sources.pool`); a reader is started with ``spawn``, which passes the
window's standard input on as the reader's file descriptor 0 (multiprocessing replaces
``sys.stdin`` in the child, not the descriptor), so the reader reads it there like any
feed, and the window's process never parses it. ``dashboard record -`` reads it in its
own process. A pipe or terminal is read without blocking the loop; a redirected regular
file (``dashboard - < app.log``) is read to its end.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
from typing import Any

from dashboard.core.text.inert import inert
from dashboard.core.transport.linesplit import LineSplitter
from dashboard.core.transport.sourcekind import SourceKind
from dashboard.sources.base import ReconnectingSource, StopConnection, StreamFinished
from dashboard.sources.files import BINARY_SNIFF, READ_SIZE, binary_at, frames_batch

log = logging.getLogger("dashboard.sources.stdin")

STDIN_FD = 0


class StdinSource(ReconnectingSource):
    """Reads standard input until it ends (then finishes) or the connection is closed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.splitter = LineSplitter(self.spec.max_frame_bytes, documents=True)
        self.read = 0  # bytes read so far
        self.fd = STDIN_FD

    async def _stream_once(self) -> str:
        try:
            info = os.fstat(self.fd)
        except OSError:
            raise StopConnection("there is no standard input to read") from None
        self.went_live()
        try:
            if stat.S_ISREG(info.st_mode):
                await self._read_file()
            else:
                await self._read_pipe()
        except OSError as error:
            why = inert(str(error.strerror or error))
            raise StopConnection(f"cannot read standard input: {why}") from None
        frames = self.splitter.flush()
        self.hand_over(frames_batch(self.name, self.decoder, frames, self.clock()))
        raise StreamFinished(f"standard input ended after {self.read:,} bytes")

    async def _read_file(self) -> None:
        while data := os.read(self.fd, READ_SIZE):
            await self._take(data)

    async def _read_pipe(self) -> None:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=READ_SIZE, loop=loop)
        pipe = os.fdopen(os.dup(self.fd), "rb", buffering=0)
        try:
            transport, _ = await loop.connect_read_pipe(
                lambda: asyncio.StreamReaderProtocol(reader, loop=loop), pipe
            )
        except NotImplementedError:  # (Windows' loops read no pipe by its descriptor)
            pipe.close()
            while data := await asyncio.to_thread(os.read, self.fd, READ_SIZE):
                await self._take(data)
            return
        except BaseException:
            pipe.close()
            raise
        try:
            while data := await reader.read(READ_SIZE):
                await self._take(data)
        finally:
            transport.close()
            # Non-blocking is a property of what the descriptor is shared with (a terminal,
            # the shell's too): blocking again, through the original descriptor.
            os.set_blocking(self.fd, True)

    async def _take(self, data: bytes) -> None:
        if self.read < BINARY_SNIFF:
            at = binary_at(data[: BINARY_SNIFF - self.read])
            if at is not None:
                raise StopConnection(
                    f"standard input is binary (a NUL byte at byte {self.read + at}), "
                    "not lines of text"
                )
        self.read += len(data)
        frames = self.splitter.feed(data)
        await self.deliver(frames_batch(self.name, self.decoder, frames, self.clock()), len(data))


def _check_stdin_url(url: str) -> None:
    if url.lower() != "stdin:":
        raise ValueError("standard input is 'stdin:' (or - on the command line)")


KIND = SourceKind(
    name="stdin",
    title="Standard input",
    schemes=("stdin",),
    reader=StdinSource,
    url_example="stdin:",
    description="lines or JSON documents piped in, as a file's; finished when the input ends",
    check_url=_check_stdin_url,
    default_name=lambda url: "stdin",
    takes_headers=False,
    headers_instead="standard input has no headers",
    names_host=False,
)

"""Local files followed like ``tail -F``: ``dashboard logs/app.jsonl`` or a ``file:`` URL.

It starts at the end of the file (``from_start``: at its start), reads what is added, and
looks at the path whenever it has read everything: a new file there (rotation: renamed or
removed, then created again) is read from its start once the old one is read to its end;
a file shorter than what was read (truncated, ``copytruncate``) is read again from its
start. A file that is not there, or cannot be read, is waited for: the status says why,
and it is read from its start once it appears. A binary file (a NUL byte in its first
8 KiB) stops the connection, saying so.

Lines are cut by :class:`~dashboard.core.transport.linesplit.LineSplitter` (pretty-printed JSON
documents are one event each; a line over the frame limit is never buffered whole) and
made events by :func:`~dashboard.core.transport.logline.line_row` (JSON through the decoder, text
lines with the time and severity they state). The checkpoint is the file's identity and
the offset read, so a reader process started again carries on without a duplicate.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from dashboard.core.events.decode import Decoder
from dashboard.core.events.event import DecodedBatch
from dashboard.core.text.inert import inert
from dashboard.core.transport.linesplit import LineSplitter, Oversized
from dashboard.core.transport.logline import line_row
from dashboard.core.transport.sourcekind import Option, SourceKind
from dashboard.sources.base import ConnectionState, ReconnectingSource, StopConnection

log = logging.getLogger("dashboard.sources.files")

READ_SIZE = 1 << 18  # bytes read at a time
POLL_INTERVAL = 0.1  # seconds between looks at a file that has nothing new
BINARY_SNIFF = 8192  # bytes at a file's start looked at for a NUL byte


# Opening a FIFO does not wait for a writer (it is then refused); Windows has no O_NONBLOCK.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def _read_at(fd: int, offset: int, size: int) -> bytes:
    """Up to *size* bytes of the file from *offset* (os.pread, where there is one)."""
    os.lseek(fd, offset, os.SEEK_SET)
    return os.read(fd, size)


def file_path(url: str) -> Path:
    """The local path a ``file:`` URL names."""
    return Path(url2pathname(unquote(urlsplit(url).path)))


def missing_folder(path: Path) -> Path | None:
    """The folder of *path* when it is not there: a file not there yet is waited for, but
    one in a folder that is not there is a mistake (a typo, or an address without its
    scheme), said before starting."""
    return None if path.exists() or path.parent.is_dir() else path.parent


def check_file_start(url: str, options: Mapping[str, Any]) -> None:
    """The file kind's ``check_start``: ValueError when its folder is not there."""
    folder = missing_folder(file_path(url))
    if folder is not None:
        raise ValueError(f"there is no folder {str(folder)!r}")


def check_file_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise ValueError(
            "a file: URL names a file on this machine (file:///path/to/file), "
            f"not on {parts.netloc}"
        )
    if not parts.path or parts.path.endswith("/"):
        raise ValueError("expected the path of a file: file:///path/to/file")


def frames_batch(
    name: str, decoder: Decoder, frames: list[bytes | Oversized], received: float
) -> DecodedBatch:
    """Lines and documents as a batch: each an event, or rejected with the reason."""
    batch = DecodedBatch(name)
    rows, rejected = batch.rows, batch.rejected
    for frame in frames:  # (this runs for every line: no helper calls but the decoder's)
        if type(frame) is bytes:
            row = line_row(decoder, frame, received)
            if type(row) is tuple:
                rows.append(row)
            else:
                rejected.append(row)  # type: ignore[arg-type]
        else:
            rejected.append(decoder.oversized(frame.preview, frame.size, received))  # type: ignore[union-attr]
    return batch


def binary_at(data: bytes) -> int | None:
    """Where the first NUL byte is in *data* (a text file has none), or None."""
    at = data.find(b"\0")
    return None if at < 0 else at


class FileSource(ReconnectingSource):
    """Follows one file, across rotation and truncation, until stopped."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.path = file_path(self.url)
        self.splitter = LineSplitter(self.spec.max_frame_bytes, documents=True)
        self.identity: tuple[int, int] | None = None  # (device, inode) of the file read
        self.offset = 0  # bytes of it read
        self.resumed = False
        self._fd: int | None = None

    def checkpoint(self) -> tuple[int, int, int] | None:
        if self.identity is None:
            return None
        return (*self.identity, self.offset)

    def resume(self, checkpoint: object) -> None:
        if isinstance(checkpoint, tuple | list) and len(checkpoint) == 3:
            device, inode, offset = checkpoint
            self.identity, self.offset, self.resumed = (device, inode), offset, True

    async def _stream_once(self) -> str:
        self._fd = await self._open(from_start=bool(self.spec.options.get("from_start")))
        try:
            await self._follow()
        finally:
            self._close()
        return "the file ended"  # (not reached: it follows until stopped)

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    async def _open(self, from_start: bool) -> int:
        """The file, open at where reading starts; waits (saying why) until it can be."""
        waited = False
        while True:
            try:
                fd = os.open(self.path, _OPEN_FLAGS)
            except OSError as error:
                self._waiting(error)
                waited = True
                await asyncio.sleep(POLL_INTERVAL)
                continue
            try:
                info = os.fstat(fd)
                self._check_text(fd, info)
            except BaseException:
                os.close(fd)
                raise
            identity = (info.st_dev, info.st_ino)
            if self.resumed and identity == self.identity and info.st_size >= self.offset:
                pass  # carry on where the last run stopped
            elif from_start or waited or self.resumed:  # (a file that appeared: all of it)
                self.offset = 0
            else:
                self.offset = info.st_size
            self.identity, self.resumed = identity, False
            if waited:
                self.status.last_error = ""  # (it is here now)
            self.went_live()
            return fd

    def _waiting(self, error: OSError) -> None:
        """Say why the file cannot be read yet; a folder is a mistake, not a wait."""
        if error.errno == errno.EISDIR:
            raise StopConnection(f"{self.path} is a folder, not a file")
        why = "no such file" if error.errno == errno.ENOENT else (error.strerror or str(error))
        reason = f"cannot read {self.path}: {why} (waiting for it, as tail -F does)"
        status = self.status
        if status.last_error != reason:
            log.warning("%s: %s", self.name, reason)
        status.state = (
            ConnectionState.RECONNECTING if status.ever_live else ConnectionState.CONNECTING
        )
        status.detail = status.last_error = reason

    def _check_text(self, fd: int, info: os.stat_result) -> None:
        if stat.S_ISDIR(info.st_mode):
            raise StopConnection(f"{self.path} is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise StopConnection(
                f"{self.path} is not a regular file (a pipe? read it as standard input: "
                f"dashboard - < {self.path})"
            )
        at = binary_at(_read_at(fd, 0, BINARY_SNIFF))
        if at is not None:
            raise StopConnection(
                f"{self.path} is a binary file (a NUL byte at offset {at}), not lines of text"
            )

    async def _follow(self) -> None:
        """Read what the file has, and on reaching its end, look for truncation and
        rotation; a rotated file is read to its end before the new one is opened."""
        while True:
            assert self._fd is not None
            if await self._read_some(self._fd):
                continue
            size = os.fstat(self._fd).st_size
            if size < self.offset:
                log.info("%s: truncated to %d bytes; reading it from its start", self.name, size)
                self.offset = 0
                self.splitter.reset()
                continue
            if not self._replaced():
                await asyncio.sleep(POLL_INTERVAL)
                continue
            if await self._read_some(self._fd):  # written to the old one as it was renamed
                continue
            # The old file is read to its end: its last line, even unended, is whole now.
            frames = self.splitter.flush()
            self.hand_over(frames_batch(self.name, self.decoder, frames, self.clock()))
            log.info("%s: %s was replaced (rotated); reading the new one", self.name, self.path)
            self._close()
            self._fd = await self._open(from_start=True)

    async def _read_some(self, fd: int) -> bool:
        """Read and hand over what follows the offset; False at the end of the file."""
        data = _read_at(fd, self.offset, READ_SIZE)
        if not data:
            return False
        self.offset += len(data)
        frames = self.splitter.feed(data)
        await self.deliver(frames_batch(self.name, self.decoder, frames, self.clock()), len(data))
        return True

    def _replaced(self) -> bool:
        """Whether another file is at the path now (not while there is none: the old one,
        renamed or removed, may still grow)."""
        try:
            info = os.stat(self.path)
        except OSError:
            return False
        return (info.st_dev, info.st_ino) != self.identity

    def _describe_error(self, exc: Exception) -> str | None:
        if isinstance(exc, OSError):
            return f"cannot read {self.path}: {inert(str(exc.strerror or exc))}"
        return None


def _name(url: str) -> str:
    return file_path(url).name or url


KIND = SourceKind(
    name="file",
    title="File",
    schemes=("file",),
    reader=FileSource,
    url_example="file:///path/to/file",
    description="follows a local file as tail -F does (rotation, truncation); JSON or text lines",
    options=(
        Option(
            "from_start",
            bool,
            default=False,
            description="read the file from its start, not only what is added from now on",
            label="From the start",
        ),
    ),
    check_url=check_file_url,
    check_start=check_file_start,
    default_name=_name,
    takes_headers=False,
    headers_instead="a file has no headers",
    names_host=False,
)

"""An incremental, I/O-free splitter of a byte stream into lines (JSON lines, text lines).

Bytes go in with :meth:`LineSplitter.feed`, whole lines come out, without their line
break (LF or CRLF). A line longer than *max_line_bytes* is never buffered whole: once the
unfinished line passes the limit only a preview is kept, the rest is counted, and when its
line break arrives it comes out as a :class:`LongLine` (its preview and its full size), so
that the reader can reject it with a reason. Memory stays below the limit plus one chunk.
"""

from __future__ import annotations

from dataclasses import dataclass

PREVIEW_BYTES = 4096

__all__ = ["LineSplitter", "LongLine"]


@dataclass(frozen=True, slots=True)
class LongLine:
    """A line over the limit: its first PREVIEW_BYTES and its whole size in bytes."""

    preview: bytes
    size: int


class LineSplitter:
    def __init__(self, max_line_bytes: int) -> None:
        self.max_line_bytes = max_line_bytes
        self._pending: list[bytes] = []  # the parts of the unfinished line
        self._pending_size = 0
        self._long: int = 0  # the size of the unfinished line, once it went over the limit
        self._preview = b""

    def new_stream(self) -> None:
        """Forget an unfinished line (a reconnect)."""
        self._pending = []
        self._pending_size = 0
        self._long = 0
        self._preview = b""

    def feed(self, chunk: bytes) -> list[bytes | LongLine]:
        """The lines *chunk* completes, in order; empty lines are left out."""
        lines: list[bytes | LongLine] = chunk.split(b"\n")  # type: ignore[assignment]
        tail: bytes = lines.pop()  # type: ignore[assignment]
        if lines:
            # Only a chunk longer than the limit (with what was pending) can complete a
            # line over it, or one that began over it.
            may_be_long = len(chunk) + self._pending_size > self.max_line_bytes or self._long
            if self._long:
                lines[0] = self._end_long(lines[0])  # type: ignore[arg-type]
            elif self._pending:
                first = b"".join(self._pending) + lines[0]  # type: ignore[operator]
                lines[0] = first[:-1] if first[-1:] == b"\r" else first  # CR in the last chunk
                self._pending = []
                self._pending_size = 0
            if may_be_long:
                limit = self.max_line_bytes
                for index, line in enumerate(lines):
                    if type(line) is bytes and len(line) > limit:
                        size = len(line.rstrip(b"\r"))
                        if size > limit:
                            lines[index] = LongLine(line[:PREVIEW_BYTES], size)
            if b"\r" in chunk:
                lines = [ln.rstrip(b"\r") if type(ln) is bytes else ln for ln in lines]
            if b"" in lines:
                lines = [ln for ln in lines if ln]
        if tail:
            self._keep(tail)
        return lines

    def end(self) -> list[bytes | LongLine]:
        """The last line of a stream that did not end with a line break."""
        if self._long:
            return [self._end_long(b"")]
        line = b"".join(self._pending).rstrip(b"\r")
        self.new_stream()
        return [line] if line else []

    def _keep(self, tail: bytes) -> None:
        if self._long:
            self._long += len(tail)
            self._add_preview(tail)
            return
        self._pending.append(tail)
        self._pending_size += len(tail)
        if self._pending_size > self.max_line_bytes + 1:  # +1: room for a CR before the LF
            self._preview = b"".join(self._pending)[:PREVIEW_BYTES]
            self._long = self._pending_size
            self._pending = []
            self._pending_size = 0

    def _add_preview(self, part: bytes) -> None:
        if len(self._preview) < PREVIEW_BYTES:
            self._preview += part[: PREVIEW_BYTES - len(self._preview)]

    def _end_long(self, rest: bytes) -> LongLine:
        """The line over the limit ended with *rest*."""
        rest = rest.removesuffix(b"\r")
        self._add_preview(rest)
        line = LongLine(self._preview, self._long + len(rest))
        self._long = 0
        self._preview = b""
        return line

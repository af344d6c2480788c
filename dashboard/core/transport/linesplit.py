"""Byte streams cut into bounded lines: JSON lines over HTTP, the lines of a file or a pipe,
and (for files and pipes) pretty-printed JSON documents. Incremental and I/O-free.

:meth:`LineSplitter.feed` takes whatever a read gave and answers the lines it completed,
without their line break (LF or CRLF); :meth:`~LineSplitter.flush` gives the last one at the
end of the stream; :meth:`~LineSplitter.reset` forgets what was begun (a reconnect, a file
truncated under us). Empty lines are left out.

* Bounded: a line longer than *max_line_bytes* is never buffered whole. Once the unfinished
  line passes the limit only its first :data:`~dashboard.core.events.decode.PREVIEW_BYTES`
  are kept and the rest is counted; when its line break comes it comes out as an
  :class:`Oversized` (its preview and its whole size), so the reader can reject it with a
  reason. Memory stays below the limit plus one chunk.
* With ``documents=True`` (files, standard input) a JSON value printed over several lines
  (``kubectl get -w -o json``, ``jq .``, ``json.dumps(indent=2)``), which opens with ``{``
  or ``[`` alone on its line, is one frame: its lines are gathered until its brackets close,
  under the same limit. Lines of only spaces are left out too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashboard.core.events.decode import PREVIEW_BYTES

__all__ = ["PREVIEW_BYTES", "LineSplitter", "Oversized"]

_OPENERS = (b"{", b"[")
_TOKENS = re.compile(rb'\\.|["{}\[\]]', re.DOTALL)  # what moves a JSON document's depth


@dataclass(frozen=True, slots=True)
class Oversized:
    """A line or document over the limit: its first PREVIEW_BYTES and its whole size."""

    preview: bytes
    size: int


class LineSplitter:
    """Lines (bytes, or Oversized) from a stream of bytes; see the module's docstring."""

    def __init__(self, max_line_bytes: int, *, documents: bool = False) -> None:
        self.max_line_bytes = max_line_bytes
        self.documents = documents
        self.reset()

    def reset(self) -> None:
        """Forget what was begun."""
        self._pending: list[bytes] = []  # the parts of the unfinished line
        self._pending_size = 0
        self._long = 0  # the size of the unfinished line, once it went over the limit
        self._preview = b""
        # A document over several lines, while it is open (documents=True):
        self._parts: list[bytes] | None = None
        self._doc_size = 0
        self._depth = 0
        self._doc_preview: bytes | None = None  # its first bytes, once it is over the limit

    def feed(self, chunk: bytes) -> list[bytes | Oversized]:
        """The lines *chunk* completes, in order."""
        lines: list[bytes | Oversized] = chunk.split(b"\n")  # type: ignore[assignment]
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
                            lines[index] = Oversized(line[:PREVIEW_BYTES], size)
            if b"\r" in chunk:
                lines = [ln.rstrip(b"\r") if type(ln) is bytes else ln for ln in lines]
            if b"" in lines:
                lines = [ln for ln in lines if ln]
        if tail:
            self._keep(tail)
        return self._gather(lines) if self.documents else lines

    def flush(self) -> list[bytes | Oversized]:
        """The end of the stream: what was begun comes out as it is."""
        lines: list[bytes | Oversized] = []
        if self._long:
            lines.append(self._end_long(b""))
        elif line := b"".join(self._pending).rstrip(b"\r"):
            lines.append(line)
        if self.documents:
            lines = self._gather(lines)
            if self._parts is not None:
                lines.append(self._document())
        self.reset()
        return lines

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

    def _end_long(self, rest: bytes) -> Oversized:
        """The line over the limit ended with *rest*."""
        rest = rest.removesuffix(b"\r")
        self._add_preview(rest)
        line = Oversized(self._preview, self._long + len(rest))
        self._long = 0
        self._preview = b""
        return line

    def _gather(self, lines: list[bytes | Oversized]) -> list[bytes | Oversized]:
        """Lines made frames: the lines of a pretty-printed document gathered into one."""
        if self._parts is None:
            try:  # no document open and no short line (an opener, spaces): all are frames
                if not lines or min(map(len, lines)) >= 8:  # type: ignore[arg-type]
                    return lines
            except TypeError:  # an Oversized among them
                pass
        frames: list[bytes | Oversized] = []
        for line in lines:
            if self._parts is not None:
                self._document_line(line, frames)
            elif type(line) is bytes and len(line) < 8:
                short = line.strip()
                if short in _OPENERS:
                    self._parts, self._doc_size, self._depth = [line], len(line), 1
                elif short:
                    frames.append(line)
            else:
                frames.append(line)
        return frames

    def _document_line(self, line: bytes | Oversized, frames: list[bytes | Oversized]) -> None:
        """A line of an open document; the document comes out when its brackets close.
        (A JSON string cannot hold a line break, so a quote left open ends it too: the
        decoder then says what is wrong with it.)"""
        parts = self._parts
        assert parts is not None
        if type(line) is Oversized:  # the document is over the limit, and ends here
            self._doc_size += line.size + 1
            self._over_limit(line.preview)
            frames.append(self._document())
            return
        if line[:1] in _OPENERS and line.strip() in _OPENERS:  # unindented: a new document
            frames.append(self._document())
            self._parts, self._doc_size, self._depth = [line], len(line), 1
            return
        self._doc_size += len(line) + 1
        if self._doc_preview is None and self._doc_size > self.max_line_bytes:
            self._over_limit(line)
        elif self._doc_preview is None:
            parts.append(line)
        depth, quoted = self._depth, False
        for token in _TOKENS.findall(line):
            if token == b'"':
                quoted = not quoted
            elif quoted:
                continue
            elif token in b"{[":
                depth += 1
            elif token in b"}]":
                depth -= 1
        self._depth = depth
        if depth <= 0 or quoted:
            frames.append(self._document())

    def _over_limit(self, last: bytes) -> None:
        """The open document passed the limit: keep a preview only."""
        if self._doc_preview is None and self._parts is not None:
            self._doc_preview = b"\n".join((*self._parts, last))[:PREVIEW_BYTES]
            self._parts.clear()

    def _document(self) -> bytes | Oversized:
        parts, size, preview = self._parts or [], self._doc_size, self._doc_preview
        self._parts, self._doc_size, self._depth, self._doc_preview = None, 0, 0, None
        if preview is not None:
            return Oversized(preview, size)
        return b"\n".join(parts)
